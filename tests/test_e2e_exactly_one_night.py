"""Exactly one, on a bad night: answers that lie, twin runs, runs killed mid-booking, and the
owner's own reservations in the account. The real ``booker`` command against the simulator."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from booker_run import book_resy_command, environment, read_until, run_booker, scenario

from booker.sim.testing import SimHandle, running_sim

pytestmark = pytest.mark.e2e

# The account may hold several reservations per venue and day: only booker keeps it at one.
SEVERAL = 'day = "+20d"\nallow_multiple = true'


def night(extra: str = "") -> str:
    """Open at once, no rivals, several reservations per day allowed, ``extra`` faults."""
    return scenario("+0s", extra=extra, rivals=0).replace('day = "+20d"', SEVERAL)


def command(sim: SimHandle, *extra: str, times: str = "19:00,19:30") -> list[str]:
    """One worker, one request at a time: each case's sequence of requests is fixed."""
    return book_resy_command(
        sim, "--workers", "1", "--concurrency", "1", "--cadence-ms", "50",
        "--max-duration", "30", "--json", *extra, times=times,
    )  # fmt: skip


def booker_active(ledger: dict[str, Any]) -> list[dict[str, Any]]:
    """Reservations booker made that are still held."""
    return [b for b in ledger["bookings"] if b["who"] == "booker" and b["active"]]


def history(sim: SimHandle, cwd: Path) -> list[dict[str, Any]]:
    """``booker history --json``."""
    run = run_booker(sim, [sys.executable, "-m", "booker", "history", "--json"], cwd)
    assert run.code == 0, run.stderr
    rows: list[dict[str, Any]] = orjson.loads(run.stdout)
    return rows


@pytest.mark.parametrize("body", ["no_ids", "null_ids", "truncated", "error_200"])
def test_a_2xx_booking_answer_booker_cannot_read_leaves_one_reservation(
    tmp_path: Path, body: str
) -> None:
    """The first /3/book books but its 2xx answer names nothing: booker finds the reservation
    in the account instead of booking a second one."""
    fault = f"""
[[faults]]
kind = "malformed"
body = "{body}"
paths = ["/3/book"]
times = 1
"""
    with running_sim(night(fault), tmp_dir=tmp_path) as sim:
        run = run_booker(sim, command(sim), tmp_path)
        ledger = sim.ledger()
    assert run.code == 0, run.stderr
    active = booker_active(ledger)
    assert len(active) == 1, ledger["bookings"]
    assert str(active[0]["reservation_id"]) == run.json()["reservation_id"]
    assert sum(r["path"] == "/3/book" for r in ledger["requests"]) == 1


def test_a_booking_answered_with_only_its_resy_token_is_journaled_by_it(tmp_path: Path) -> None:
    """201 ``{"resy_token": ...}``: booked, and the token names it in --json and history."""
    fault = '[[faults]]\nkind = "malformed"\nbody = "token_only"\npaths = ["/3/book"]\n'
    with running_sim(night(fault), tmp_dir=tmp_path) as sim:
        run = run_booker(sim, command(sim), tmp_path)
        ledger = sim.ledger()
        rows = history(sim, tmp_path)
    assert run.code == 0, run.stderr
    assert run.json()["reservation_id"].startswith("rr://")
    assert len(booker_active(ledger)) == 1
    assert [(r["reservation_id"], r["status"]) for r in rows] == [
        (run.json()["reservation_id"], "active")
    ]


def test_two_runs_of_one_job_at_once_book_once(tmp_path: Path) -> None:
    """Cron and a person start the same job together: one books, the other waits and then
    reports that booking; one reservation, one history row."""
    with running_sim(night(), tmp_dir=tmp_path) as sim:
        env = environment(sim, "twin", tmp_path)
        runs = [
            subprocess.Popen(
                command(sim),
                env=env,
                cwd=tmp_path,
                text=True,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for _ in range(2)
        ]
        outputs = [run.communicate(timeout=60) for run in runs]
        ledger = sim.ledger()
        rows = history(sim, tmp_path)
    assert [run.returncode for run in runs] == [0, 0], outputs
    results = [orjson.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    assert sorted(r["already_booked"] for r in results) == [False, True]
    assert results[0]["reservation_id"] == results[1]["reservation_id"]
    waited = [err for _, err in outputs if "another run of this job is in progress" in err]
    assert len(waited) == 1
    assert len(booker_active(ledger)) == 1
    assert [r["status"] for r in rows] == ["active"]


def test_a_run_killed_with_two_bookings_in_flight_is_recovered_to_one(tmp_path: Path) -> None:
    """The account holds two reservations for the job (both of a killed run's attempts
    landed): the next run keeps the best one, cancels the other and books nothing."""
    with running_sim(night(), tmp_dir=tmp_path) as sim:
        later = sim.reserve_by_hand(time="19:30", party_size=2, table_type="Bar")
        best = sim.reserve_by_hand(time="19:00", party_size=2, table_type="Bar")
        run = run_booker(sim, command(sim), tmp_path)
        ledger = sim.ledger()
    assert run.code == 0, run.stderr
    result = run.json()
    assert result["recovered"] is True
    assert result["reservation_id"] == str(best["reservation_id"])
    assert [c["reservation_id"] for c in ledger["cancellations"]] == [later["reservation_id"]]
    assert booker_active(ledger) == []  # nothing new booked
    assert not any(r["path"] == "/3/book" for r in ledger["requests"])


def test_a_lunch_for_four_is_not_the_dinner_for_two(tmp_path: Path) -> None:
    """The owner's party-of-4 lunch at the venue that day is not this job's: booker books the
    dinner and leaves the lunch alone."""
    with running_sim(night(), tmp_dir=tmp_path) as sim:
        lunch = sim.reserve_by_hand(time="12:00", party_size=4)
        run = run_booker(sim, command(sim), tmp_path)
        ledger = sim.ledger()
    assert run.code == 0, run.stderr
    assert run.json()["recovered"] is False
    assert len(booker_active(ledger)) == 1
    assert ledger["cancellations"] == []
    assert lunch["reservation_id"] in [b["reservation_id"] for b in ledger["bookings"]]


def test_the_sweep_never_cancels_the_owners_own_booking(tmp_path: Path) -> None:
    """The first /3/book answer is lost (answered after the client gave up), so the winner
    sweeps; meanwhile the owner booked 19:30 and 21:30 by hand. Both stay."""
    fault = """
[[faults]]
kind = "slow"
statuses = [201]
delay_ms = 3000
paths = ["/3/book"]
times = 1
"""
    with running_sim(night(fault), tmp_dir=tmp_path) as sim:
        env = environment(sim, "sweep", tmp_path)
        with subprocess.Popen(
            [*command(sim)[:-1]],  # the human report, to see when booking starts
            env=env, cwd=tmp_path, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        ) as process:  # fmt: skip
            try:
                read_until(process, "matching slots", timeout=30)
                # the /3/book answer is 3 s away: the owner books by hand meanwhile
                own = [
                    sim.reserve_by_hand(time="19:30", party_size=2),
                    sim.reserve_by_hand(time="21:30", party_size=2),
                ]
                process.communicate(timeout=60)
            finally:
                if process.poll() is None:
                    process.kill()
        ledger = sim.ledger()
    assert process.returncode == 0
    cancelled = [c["reservation_id"] for c in ledger["cancellations"]]
    assert not {o["reservation_id"] for o in own} & set(cancelled), ledger
    assert len(booker_active(ledger)) == 1
