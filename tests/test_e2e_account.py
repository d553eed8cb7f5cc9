"""End to end: sign in, cards, venue by address, the night check, token renewal and Notify.

One module-scoped simulator serves every look-up; booking runs are dry runs, so
they leave its stock alone.
"""

from __future__ import annotations

import asyncio
import base64
import importlib
import stat
import subprocess
import time
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from booker_run import (
    RELEASED_SCENARIO,
    book_resy_command,
    environment,
    lookup_command,
    run_booker,
)
from click.testing import CliRunner

from booker.sim.testing import SimHandle, running_sim


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimHandle]:
    with running_sim(RELEASED_SCENARIO, tmp_dir=tmp_path_factory.mktemp("sim")) as handle:
        yield handle


def jwt(exp: float) -> str:
    """An unsigned JWT expiring at ``exp``."""

    def part(value: object) -> str:
        return base64.urlsafe_b64encode(orjson.dumps(value)).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256'})}.{part({'exp': int(exp), 'sub': '1'})}.c2ln"


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("booker: error: ")
    return lines[0]


def login(
    sim: SimHandle, cwd: Path, password: str, *extra: str, **env: str
) -> subprocess.CompletedProcess[str]:
    """``booker login resy`` with the password on stdin (not a terminal)."""
    command = lookup_command(sim, "login", "resy", "--email", sim.scenario["email"], *extra)
    return subprocess.run(
        command,
        input=password + "\n",
        env=environment(sim, uuid.uuid4().hex, cwd, **{"RESY_AUTH_TOKEN": "", **env}),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def logs(cwd: Path) -> str:
    """Every log file the run wrote (under the private log directory)."""
    files = sorted((cwd / "logs").rglob("*"))
    assert any(f.is_file() for f in files)
    return "".join(f.read_text(encoding="utf-8", errors="replace") for f in files if f.is_file())


def settings_file(cwd: Path) -> Path:
    return cwd / "config" / "settings.toml"


def store(cwd: Path, **credentials: str) -> Path:
    """Write a private settings file with a [credentials] table (as login would)."""
    path = settings_file(cwd)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["[credentials]", *(f'{k} = "{v}"' for k, v in credentials.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


# --- the simulator's account endpoints ------------------------------------------------------


@pytest.mark.e2e
def test_sim_sign_in_refresh_venue_slug_and_notify(sim: SimHandle) -> None:
    """The shapes public clients show: form bodies, 419 for a wrong password, JWTs that expire."""
    headers = sim.headers(user=False)
    with sim.client(headers=headers) as client:
        wrong = client.post(
            "/4/auth/password", data={"email": sim.scenario["email"], "password": "nope"}
        )
        assert (wrong.status_code, wrong.json()) == (
            419,
            {"status": 419, "message": "Unauthorized"},
        )
        assert (
            client.post("/3/auth/password", data={"email": "a", "password": "b"}).status_code == 404
        )
        good = client.post(
            "/4/auth/password",
            data={"email": sim.scenario["email"], "password": sim.scenario["password"]},
        )
        assert good.status_code == 200
        signed = good.json()
        claims = orjson.loads(base64.urlsafe_b64decode(signed["token"].split(".")[1] + "=="))
        assert abs(claims["exp"] - (time.time() + 45 * 86400)) < 120
        assert signed["refresh_token"] == sim.scenario["refresh_token"]
        assert signed["payment_methods"][0]["id"] == sim.scenario["payment_method_id"]
        user = {"X-Resy-Auth-Token": signed["token"]}
        assert client.get("/2/user", headers=user).status_code == 200
        renewed = client.post("/3/auth/refresh", data={"refresh_token": signed["refresh_token"]})
        assert renewed.status_code == 200 and renewed.json()["token"] != signed["token"]
        assert client.post("/3/auth/refresh", data={"refresh_token": "stale"}).status_code == 419
        venue = client.get("/3/venue", params={"url_slug": "carbone", "location": "ny"})
        assert venue.json()["id"] == {"resy": sim.scenario["venue_id"]}
        assert (
            client.get("/3/venue", params={"url_slug": "carbone", "location": "sf"}).status_code
            == 404
        )
        fields = {
            "venue_id": sim.scenario["venue_id"],
            "day": sim.scenario["day"],
            "time_preferred_start": "19:00:00",
            "time_preferred_end": "21:00:00",
            "num_seats": 2,
            "service_type_id": 2,
        }
        assert client.post("/2/notify", data=fields).status_code == 419  # needs the user's token
        assert client.post("/2/notify", data=fields, headers=user).status_code == 200
        assert (
            client.post("/2/notify", data={**fields, "day": "x"}, headers=user).status_code == 400
        )


def test_sim_refuses_an_expired_scenario_token() -> None:
    """A JWT whose exp has passed on the sim's clock gets 419, as the service answers."""
    from booker.sim.asgi import Request
    from booker.sim.resy_app import ResyApp
    from booker.sim.scenario import parse_scenario
    from booker.sim.world import build_world

    def status(token: str) -> int:
        scenario = parse_scenario({"auth": {"auth_token": token}})
        app = ResyApp(build_world(scenario))
        headers = {
            "user-agent": "t",
            "authorization": f'ResyAPI api_key="{scenario.auth.api_key}"',
            "x-resy-auth-token": token,
        }
        request = Request("GET", "/2/user", {}, headers, b"", None, "1.1", 0.0)
        return asyncio.run(app.handle(request)).status

    assert status(jwt(time.time() - 60)) == 419
    assert status(jwt(time.time() + 3600)) == 200
    assert status("opaque-token") == 200


# --- booker login resy ---------------------------------------------------------------------


@pytest.mark.e2e
def test_login_wrong_password_exits_3_with_one_line(sim: SimHandle, tmp_path: Path) -> None:
    run = login(sim, tmp_path, "wrong-password-123")
    assert run.returncode == 3
    assert "refused the e-mail address or password" in one_error_line(run.stderr)
    assert "wrong-password-123" not in run.stdout + run.stderr
    assert not settings_file(tmp_path).exists()


@pytest.mark.e2e
def test_login_stores_the_token_owner_only_then_cards_use_it(
    sim: SimHandle, tmp_path: Path
) -> None:
    """The token and refresh token land in settings.toml (0600); nothing secret is printed."""
    run = login(sim, tmp_path, sim.scenario["password"])
    assert run.returncode == 0, run.stderr
    path = settings_file(tmp_path)
    assert f"token stored in {path} (readable by you alone)" in run.stdout
    assert "refresh token stored too" in run.stdout
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = tomllib.loads(path.read_text(encoding="utf-8"))["credentials"]
    assert stored["RESY_REFRESH_TOKEN"] == sim.scenario["refresh_token"]
    token = stored["RESY_AUTH_TOKEN"]
    assert token.count(".") == 2
    for secret in (token, sim.scenario["password"], sim.scenario["refresh_token"]):
        assert secret not in run.stdout + run.stderr
    # the stored token is what booker now reads
    cards = run_booker(sim, lookup_command(sim, "cards", "resy"), tmp_path, RESY_AUTH_TOKEN="")
    assert cards.code == 0, cards.stderr
    assert cards.stdout.splitlines() == [
        "ID           TYPE         DEFAULT",
        f"{sim.scenario['payment_method_id']:<12} visa         yes",
    ]
    as_json = run_booker(
        sim, lookup_command(sim, "cards", "resy", "--json"), tmp_path, RESY_AUTH_TOKEN=""
    )
    assert orjson.loads(as_json.stdout) == [
        {"id": sim.scenario["payment_method_id"], "type": "visa", "default": True, "display": None}
    ]
    assert token not in cards.stdout + as_json.stdout


@pytest.mark.e2e
def test_login_falls_back_to_the_older_path(tmp_path: Path) -> None:
    """A service without /4/auth/password is signed in through /3/auth/password."""
    legacy = RELEASED_SCENARIO + '\n[auth]\nsign_in = ["/3/auth/password"]\n'
    with running_sim(legacy, plain=True, tmp_dir=tmp_path / "sim") as old:
        run = login(old, tmp_path, old.scenario["password"], "--json")
        assert run.returncode == 0, run.stderr
        paths = [r["path"] for r in old.ledger()["requests"]]
    assert paths == ["/4/auth/password", "/3/auth/password"]
    document = orjson.loads(run.stdout)
    assert document["stored_in"] == str(settings_file(tmp_path))
    assert document["refresh_token_stored"] is True
    assert document["token_expires_at"] > time.time() + 40 * 86400
    assert "RESY_AUTH_TOKEN" in settings_file(tmp_path).read_text(encoding="utf-8")


@pytest.mark.e2e
def test_login_with_a_refused_api_key_exits_3(sim: SimHandle, tmp_path: Path) -> None:
    run = login(sim, tmp_path, sim.scenario["password"], RESY_API_KEY="X" * 32)
    assert run.returncode == 3
    assert "refused the API key" in one_error_line(run.stderr)


def test_password_prompt_is_hidden_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal the password is asked with hidden input; never echoed, never an option."""
    module = importlib.import_module("booker.cli.login")
    asked: list[dict[str, object]] = []

    def prompt(text: str, **kwargs: object) -> str:
        asked.append({"text": text, **kwargs})
        return "secret"

    monkeypatch.setattr(module.sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(module.click, "prompt", prompt)
    assert module.read_password() == "secret"
    assert asked == [{"text": "Resy password", "hide_input": True, "err": True}]


@pytest.mark.parametrize(
    "path",
    [("login",), ("login", "resy"), ("cards",), ("cards", "resy"), ("check",),
     ("check", "resy"), ("check", "cart")],
    ids=" ".join,
)  # fmt: skip
def test_every_new_help_shows_an_example(path: tuple[str, ...]) -> None:
    from booker.cli import cli

    result = CliRunner().invoke(cli, [*path, "--help"], prog_name="booker")
    assert result.exit_code == 0, result.output
    example = result.output.split("Example", 1)
    assert len(example) == 2 and "booker " + " ".join(path) in example[1], result.output


def test_login_refuses_a_password_option() -> None:
    from booker.cli import cli

    result = CliRunner().invoke(cli, ["login", "resy", "--email", "a@b.c", "--password", "x"])
    assert result.exit_code == 2 and "No such option '--password'" in result.output


# --- booker venue resy by address ----------------------------------------------------------


@pytest.mark.e2e
def test_venue_found_by_url_and_by_slug(sim: SimHandle, tmp_path: Path) -> None:
    url = "https://resy.com/cities/ny/carbone"
    by_url = run_booker(sim, lookup_command(sim, "venue", "resy", "--url", url), tmp_path)
    assert by_url.code == 0, by_url.stderr
    assert (
        by_url.stdout.splitlines()[0]
        == f"venue         Carbone (simulated) (id {sim.scenario['venue_id']})"
    )
    command = lookup_command(sim, "venue", "resy", "--slug", "carbone", "--city", "ny", "--json")
    by_slug = run_booker(sim, command, tmp_path)
    assert by_slug.json()["venue_id"] == sim.scenario["venue_id"]
    missing = run_booker(
        sim, lookup_command(sim, "venue", "resy", "--slug", "nowhere", "--city", "ny"), tmp_path
    )
    assert missing.code == 2
    assert "knows no venue 'nowhere' in 'ny'" in one_error_line(missing.stderr)
    both = run_booker(
        sim, lookup_command(sim, "venue", "resy", "--venue-id", "1", "--url", url), tmp_path
    )
    assert both.code == 2 and "not both" in one_error_line(both.stderr)


# --- booker check resy ---------------------------------------------------------------------


def check_command(sim: SimHandle, *extra: str) -> list[str]:
    return lookup_command(
        sim, "check", "resy", "--venue-id", str(sim.scenario["venue_id"]),
        "--date", sim.scenario["day"], "--samples", "1", *extra,
    )  # fmt: skip


@pytest.mark.e2e
def test_check_resy_all_good(sim: SimHandle, tmp_path: Path) -> None:
    token = jwt(time.time() + 90 * 86400)
    store(tmp_path, RESY_AUTH_TOKEN=token)
    # the sim does not know this token: use its own for the requests, check the stored one's expiry
    run = run_booker(sim, check_command(sim), tmp_path)
    assert run.code == 0, run.stdout + run.stderr
    levels = {line.split()[1]: line.split()[0] for line in run.stdout.splitlines()}
    assert levels["credentials"] == "OK"
    assert levels["card"] == "OK"
    assert levels["venue"] == "OK"
    assert levels["release"] == "OK"
    assert levels["clock"] == "OK"
    assert levels["token"] == "OK"  # the sim's token is a JWT that lasts
    assert "already open" in run.stdout
    document = run_booker(sim, check_command(sim, "--json"), tmp_path).json()
    assert document["ok"] is True
    assert sim.scenario["auth_token"] not in run.stdout


@pytest.mark.e2e
def test_check_resy_at_that_is_not_the_release(sim: SimHandle, tmp_path: Path) -> None:
    """--at later than the venue's release instant: the drop is --at, with a warning."""
    at = time.strftime("%Y-%m-%dT10:00:00+00:00", time.gmtime(time.time() + 2 * 86400))
    run = run_booker(sim, check_command(sim, "--at", at), tmp_path)
    assert run.code == 0, run.stdout + run.stderr
    release = [line for line in run.stdout.splitlines() if line.split()[1] == "release"]
    assert (
        release[0].startswith("OK")
        and f"{sim.scenario['day']} opens {at[:10]} 10:00:00" in release[0]
    )
    assert (
        release[1].startswith("WARNING") and "--at is not the venue's release instant" in release[1]
    )


@pytest.mark.e2e
def test_check_resy_fails_an_expired_token(sim: SimHandle, tmp_path: Path) -> None:
    """An expired JWT (no refresh token): credentials and token both FAIL, exit 1."""
    expired = jwt(time.time() - 3600)
    run = run_booker(sim, check_command(sim), tmp_path, RESY_AUTH_TOKEN=expired)
    assert run.code == 1
    lines = run.stdout.splitlines()
    assert any(line.startswith("FAIL") and "credentials" in line for line in lines), run.stdout
    assert any(line.startswith("FAIL") and "expired at" in line for line in lines), run.stdout
    assert expired not in run.stdout + run.stderr


@pytest.mark.e2e
def test_check_resy_fails_an_unsafe_env_file(sim: SimHandle, tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("RESY_AUTH_TOKEN=from-env-file\n", encoding="utf-8")
    env_file.chmod(0o644)
    run = run_booker(sim, check_command(sim), tmp_path, RESY_AUTH_TOKEN="")
    assert run.code == 1
    assert run.stdout.startswith("FAIL     credentials  ") and "chmod 600" in run.stdout
    assert "from-env-file" not in run.stdout + run.stderr


@pytest.mark.e2e
def test_check_resy_finds_the_scheduled_job(
    sim: SimHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The crontab line is found by its options; the directory it enters must hold a private .env."""
    from booker.cli import cli

    check = importlib.import_module("booker.cli.check")
    job_dir = tmp_path / "dinner"
    job_dir.mkdir()
    line = (
        f"59 9 1 1 * cd {job_dir} && booker book resy --venue-id {sim.scenario['venue_id']} "
        f"--party-size 2 --date {sim.scenario['day']} --times 19:00 "
        "--at 2026-01-01T10:00:00+00:00 # booker:dinner"
    )
    monkeypatch.setattr(check, "CRONTAB_READER", lambda: line + "\n")
    monkeypatch.setenv("HOME", str(tmp_path))  # cron's settings file is under HOME, not the user's
    monkeypatch.setenv("RESY_API_KEY", sim.scenario["api_key"])
    monkeypatch.setenv("RESY_AUTH_TOKEN", sim.scenario["auth_token"])
    args = check_command(sim)[3:]
    result = CliRunner().invoke(cli, args, standalone_mode=False)
    assert result.return_value == 1, result.output
    assert "FAIL     cron setup   cron will find no RESY_API_KEY, RESY_AUTH_TOKEN" in result.output
    env_file = job_dir / ".env"
    env_file.write_text(
        f"RESY_API_KEY={sim.scenario['api_key']}\nRESY_AUTH_TOKEN={sim.scenario['auth_token']}\n"
    )
    env_file.chmod(0o600)
    result = CliRunner().invoke(cli, args, standalone_mode=False)
    assert result.return_value == 0, result.output
    assert f"cron enters {job_dir}; its credentials are found and owner-only" in result.output
    assert "WARNING  cron line    dinner fires at 2026-01-01 10:00:00" in result.output


# --- token renewal in a run ----------------------------------------------------------------


@pytest.mark.e2e
def test_run_renews_an_expired_stored_token_before_it_starts(
    sim: SimHandle, tmp_path: Path
) -> None:
    """An expired stored JWT is renewed through the refresh token, stored, and the run goes on."""
    expired = jwt(time.time() - 3600)
    path = store(
        tmp_path, RESY_AUTH_TOKEN=expired, RESY_REFRESH_TOKEN=sim.scenario["refresh_token"]
    )
    run = run_booker(sim, book_resy_command(sim, "--dry-run"), tmp_path, RESY_AUTH_TOKEN="")
    assert run.code == 0, run.stdout + run.stderr
    assert "renewed the auth token with the refresh token" in run.stderr
    assert f"stored in {path}" in run.stderr
    stored = tomllib.loads(path.read_text(encoding="utf-8"))["credentials"]
    assert stored["RESY_AUTH_TOKEN"] not in (expired, "")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for secret in (stored["RESY_AUTH_TOKEN"], expired, sim.scenario["refresh_token"]):
        assert secret not in run.stdout + run.stderr + logs(tmp_path)


@pytest.mark.e2e
def test_warm_up_renews_a_refused_token(sim: SimHandle, tmp_path: Path) -> None:
    """A token the service refuses (no JWT, so no warning ahead) is renewed at warm-up, not fatal."""
    run = run_booker(
        sim,
        book_resy_command(sim, "--dry-run", "--workers", "1"),
        tmp_path,
        RESY_AUTH_TOKEN="revoked-opaque-token",
        RESY_REFRESH_TOKEN=sim.scenario["refresh_token"],
    )
    assert run.code == 0, run.stdout + run.stderr
    assert "renewed it with the refresh token" in run.stdout
    refreshes = [r for r in sim.ledger()["requests"] if r["path"] == "/3/auth/refresh"]
    assert refreshes and refreshes[-1]["status"] == 200
    text = run.stdout + run.stderr + logs(tmp_path)
    assert "revoked-opaque-token" not in text and sim.scenario["refresh_token"] not in text


@pytest.mark.e2e
def test_expired_token_without_refresh_stops_with_exit_3(sim: SimHandle, tmp_path: Path) -> None:
    expired = jwt(time.time() - 3600)
    run = run_booker(sim, book_resy_command(sim, "--dry-run"), tmp_path, RESY_AUTH_TOKEN=expired)
    assert run.code == 3
    assert "booker: warning: RESY_AUTH_TOKEN expired at" in run.stderr
    assert expired not in run.stdout + run.stderr


# --- --notify-waitlist ---------------------------------------------------------------------


@pytest.mark.e2e
def test_notify_waitlist_when_the_job_ends_unbooked(
    sim: SimHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unbooked: POST /2/notify with the wanted times' span, and the user is told."""
    from booker.cli import cli, runner
    from booker.core.model import Status
    from booker.core.results import JobResult

    def unbooked(*args: object, **kwargs: object) -> tuple[JobResult, int]:
        return JobResult(
            Status.NOT_BOOKED, message="not booked", requests=1, elapsed_ms=1, concurrency=1
        ), 1

    monkeypatch.setattr(runner, "run_job", unbooked)
    monkeypatch.setenv("RESY_API_KEY", sim.scenario["api_key"])
    monkeypatch.setenv("RESY_AUTH_TOKEN", sim.scenario["auth_token"])
    args = book_resy_command(sim, "--notify-waitlist", times="19:30,19:00")[3:]
    result = CliRunner().invoke(cli, args, standalone_mode=False)
    assert result.return_value == 1, result.output
    day = sim.scenario["day"]
    assert f"registered Resy Notify for {day} 19:00-19:30, party of 2" in result.output
    with sim.client(headers=sim.headers()) as client:
        listed = client.get("/2/notify").json()["notifies"]
    assert {
        "venue_id": sim.scenario["venue_id"],
        "day": day,
        "time_preferred_start": "19:00:00",
        "time_preferred_end": "19:30:00",
        "num_seats": 2,
        "service_type_id": 2,
    }.items() <= listed[-1].items()
    # a dry run only says what it would register
    dry = CliRunner().invoke(cli, [*args, "--dry-run"], standalone_mode=False)
    assert dry.return_value == 1, dry.output
    assert f"dry run: would register Resy Notify for {day} 19:00-19:30" in dry.output
    with sim.client(headers=sim.headers()) as client:
        assert len(client.get("/2/notify").json()["notifies"]) == len(listed)


# --- booker check cart ---------------------------------------------------------------------


@pytest.mark.e2e
def test_check_cart_fails_an_id_token_that_expires_before_the_drop(tmp_path: Path) -> None:
    """The cookies work today, but the idToken's exp is before --at: FAIL, exit 1."""
    expiring = jwt(time.time() + 2 * 3600)
    cart_scenario = f"""
provider = "cart"
rivals = []
[release]
at = "+3600s"
[campground]
sites = ["245719"]
arrival_date = "+30d"
[auth]
authorization = "{expiring}"
"""
    with running_sim(cart_scenario, plain=True, tmp_dir=tmp_path / "sim") as cart:
        drop = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() + 5 * 3600))
        job = (
            "check", "cart", "--facility-id", cart.scenario["facility_id"],
            "--site-id", "245719", "--arrival-date", cart.scenario["arrival_date"],
            "--samples", "1",
        )  # fmt: skip
        run = run_booker(cart, lookup_command(cart, *job, "--at", drop), tmp_path)
        soon = run_booker(cart, lookup_command(cart, *job), tmp_path)  # no --at: against now
    assert run.code == 1, run.stdout + run.stderr
    levels = {line.split()[1]: line.split()[0] for line in run.stdout.splitlines()}
    assert (levels["credentials"], levels["token"], levels["release"]) == ("OK", "FAIL", "OK")
    assert "the idToken (RA_AUTHORIZATION) expires at" in run.stdout
    assert soon.code == 0, soon.stdout
    assert expiring not in run.stdout + run.stderr + soon.stdout
