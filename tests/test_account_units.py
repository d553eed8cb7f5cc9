"""Unit tests of the account pieces: JWT expiry, request shapes, readers, the store, the check."""

from __future__ import annotations

import base64
import datetime as dt
import stat
import tomllib
from pathlib import Path
from urllib.parse import parse_qs

import orjson
import pytest

from booker.core.exceptions import CredentialsError, ParseError, UsageError
from booker.core.tokens import ExpiringToken, Level, check_expiry, jwt_expiry
from booker.core.wire import Answer, ClientConfig
from booker.oneshot.token_renewal import (
    TokenState,
    renew_if_expiring,
    token_state,
    warn_scheduled_expiry,
)
from booker.providers.credentials import CREDENTIAL_NAMES, EXPIRING_TOKENS, PROVIDERS, store
from booker.providers.resy_account import (
    AccountApi,
    parse_venue_url,
    read_cards,
    read_signed_in,
    read_venue_id,
)
from booker.timing.night_check import Matcher, check_cron_directory, check_job_time, find_jobs

NOW = 1_800_000_000.0
HOUR = 3600.0


def jwt(claims: dict[str, object]) -> str:
    """An unsigned JWT carrying ``claims``."""

    def part(value: object) -> str:
        return base64.urlsafe_b64encode(orjson.dumps(value)).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


def answer(status: int, document: object) -> Answer:
    return Answer(status, orjson.dumps(document))


# --- JWT expiry ----------------------------------------------------------------------------


def test_jwt_expiry_reads_exp_without_verifying() -> None:
    assert jwt_expiry(jwt({"exp": 1_900_000_000, "sub": "1"})) == 1_900_000_000.0
    assert jwt_expiry(jwt({"exp": 1_900_000_000.5})) == 1_900_000_000.5


@pytest.mark.parametrize(
    "token",
    ["sim.jwt.token", "not-a-jwt", "", "a.b", jwt({"sub": "1"}), jwt({"exp": "soon"}),
     jwt({"exp": True}), "x." + base64.urlsafe_b64encode(b"[1,2]").decode() + ".y", "a.!!!.c"],
    ids=["dotted-text", "plain", "empty", "two-parts", "no-exp", "exp-text", "exp-bool",
         "claims-list", "bad-base64"],
)  # fmt: skip
def test_jwt_expiry_none_for_anything_else(token: str) -> None:
    assert jwt_expiry(token) is None


def test_check_expiry_levels() -> None:
    drop = NOW + 10 * HOUR
    good = check_expiry(jwt({"exp": drop + 2 * HOUR}), drop, NOW)
    assert good.level is Level.OK and "good until" in good.message
    soon = check_expiry(jwt({"exp": drop + 60}), drop, NOW)  # within the margin
    assert soon.level is Level.FAIL and "before the run" in soon.message
    gone = check_expiry(jwt({"exp": NOW - 60}), drop, NOW)
    assert gone.level is Level.FAIL and "expired at" in gone.message
    renewable = check_expiry(jwt({"exp": NOW - 60}), drop, NOW, renewable=True)
    assert renewable.level is Level.WARNING and "the run will renew it" in renewable.message
    unknown = check_expiry("opaque-token", drop, NOW)
    assert (
        unknown.level is Level.WARNING and "is not a JWT: its expiry is unknown" in unknown.message
    )
    no_exp = check_expiry(jwt({"sub": "1"}), drop, NOW)
    assert no_exp.level is Level.WARNING and "is a JWT without exp" in no_exp.message
    assert not unknown.expires_too_soon and soon.expires_too_soon


# --- request shapes and readers -----------------------------------------------------------


def form(body: bytes | None) -> dict[str, str]:
    assert body is not None
    return {k: v[0] for k, v in parse_qs(body.decode()).items()}


def test_requests_have_the_real_shapes() -> None:
    api = AccountApi("K" * 32, "the-token")
    sign_in = api.sign_in("me@example.com", "p&ss=word")
    headers = dict(sign_in.headers)
    assert (sign_in.method, sign_in.path) == ("POST", "/4/auth/password")
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert headers["Authorization"] == f'ResyAPI api_key="{"K" * 32}"'
    assert "X-Resy-Auth-Token" not in headers
    assert form(sign_in.body) == {"email": "me@example.com", "password": "p&ss=word"}
    assert api.sign_in("a@b.c", "p", "/3/auth/password").path == "/3/auth/password"
    refresh = api.refresh("r-token")
    assert (refresh.method, refresh.path, form(refresh.body)) == (
        "POST",
        "/3/auth/refresh",
        {"refresh_token": "r-token"},
    )
    venue = api.venue_by_slug("carbone", "ny")
    assert (venue.method, venue.path) == ("GET", "/3/venue?url_slug=carbone&location=ny")
    notify = api.notify(60029, "2026-12-24", "19:00:00", "19:30:00", 2)
    assert (notify.method, notify.path) == ("POST", "/2/notify")
    assert dict(notify.headers)["X-Resy-Auth-Token"] == "the-token"
    assert form(notify.body) == {
        "venue_id": "60029",
        "day": "2026-12-24",
        "time_preferred_start": "19:00:00",
        "time_preferred_end": "19:30:00",
        "num_seats": "2",
        "service_type_id": "2",
    }


def test_read_signed_in() -> None:
    signed = read_signed_in(
        answer(
            200, {"token": "t", "refresh_token": "r", "payment_method_id": 5, "payment_methods": []}
        )
    )
    assert (signed.token, signed.refresh_token, signed.payment_method_id) == ("t", "r", 5)
    assert read_signed_in(answer(200, {"token": "t"})).refresh_token == ""
    assert "tok-secret" not in repr(read_signed_in(answer(200, {"token": "tok-secret"})))
    for bad in (
        answer(200, {"token": ""}),
        answer(200, {"id": 1}),
        answer(419, {}),
        Answer(200, b"<html>"),
    ):
        with pytest.raises(ParseError):
            read_signed_in(bad)


def test_read_venue_id_and_cards() -> None:
    assert read_venue_id(answer(200, {"id": {"resy": 60029}, "name": "x"})) == 60029
    assert read_venue_id(answer(200, {"id": "834"})) == 834
    with pytest.raises(ParseError):
        read_venue_id(answer(200, {"id": {"resy": None}}))
    cards = read_cards(
        answer(
            200,
            {"payment_methods": [
                {"id": 1, "type": "visa", "is_default": False, "display": "4242"},
                {"id": 2, "card_type": "amex", "is_default": True},
                {"id": "x"}, "junk",
            ]},
        )
    )  # fmt: skip
    assert [(c.id, c.type, c.is_default, c.display) for c in cards] == [
        (1, "visa", False, "4242"),
        (2, "amex", True, ""),
    ]
    with pytest.raises(ParseError):
        read_cards(answer(200, {"payment_methods": "none"}))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://resy.com/cities/ny/carbone", ("carbone", "ny")),
        ("https://resy.com/cities/new-york-ny/venues/carbone?date=2026-12-24", ("carbone", "new-york-ny")),
        ("resy.com/cities/LA/Bestia", ("bestia", "la")),
    ],
)  # fmt: skip
def test_parse_venue_url(url: str, expected: tuple[str, str]) -> None:
    assert parse_venue_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/cities/ny/carbone",
        "https://resy.com/ny/carbone",
        "https://resy.com/cities/ny",
    ],
)
def test_parse_venue_url_refuses_other_addresses(url: str) -> None:
    with pytest.raises(UsageError):
        parse_venue_url(url)


# --- the credentials store -----------------------------------------------------------------


def test_store_keeps_settings_and_comments_and_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("# mine\ncadence_ms = 200  # fast\n", encoding="utf-8")
    path.chmod(0o644)
    store({"RESY_AUTH_TOKEN": "tok", "RESY_REFRESH_TOKEN": "ref"}, path)
    text = path.read_text(encoding="utf-8")
    assert "# mine" in text and "cadence_ms = 200  # fast" in text
    document = tomllib.loads(text)
    assert document["credentials"] == {"RESY_AUTH_TOKEN": "tok", "RESY_REFRESH_TOKEN": "ref"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    store({"RESY_AUTH_TOKEN": "tok2"}, path)
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    assert document["credentials"] == {"RESY_AUTH_TOKEN": "tok2", "RESY_REFRESH_TOKEN": "ref"}
    assert document["cadence_ms"] == 200


def test_store_refuses_unknown_names_and_broken_files(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    with pytest.raises(CredentialsError):
        store({"PASSWORD": "x"}, path)
    path.write_text("cadence_ms = [", encoding="utf-8")
    with pytest.raises(UsageError):
        store({"RESY_AUTH_TOKEN": "x"}, path)
    assert path.read_text(encoding="utf-8") == "cadence_ms = ["


def test_token_state_knows_a_stored_token(tmp_path: Path) -> None:
    config = tmp_path / "settings.toml"
    store({"RESY_AUTH_TOKEN": "stored", "RESY_REFRESH_TOKEN": "ref"}, config)
    state = token_state({"RESY_AUTH_TOKEN": "stored"}, {}, tmp_path, config)
    assert state == TokenState("stored", "ref", stored=True)
    assert not token_state({"RESY_AUTH_TOKEN": "from-env"}, {}, tmp_path, config).stored


def test_renew_does_nothing_for_a_good_token() -> None:
    said: list[str] = []
    state = TokenState(jwt({"exp": NOW + 90 * 86400}), "ref", stored=True)
    config = ClientConfig(base_url="http://127.0.0.1:9")  # never contacted
    assert (
        renew_if_expiring(config, "k", state, NOW, now=lambda: NOW, warn=said.append) == state.token
    )
    assert said == []


def test_renew_without_refresh_token_only_warns() -> None:
    said: list[str] = []
    state = TokenState(jwt({"exp": NOW - 10}), "", stored=True)
    config = ClientConfig(base_url="http://127.0.0.1:9")
    assert (
        renew_if_expiring(config, "k", state, NOW, now=lambda: NOW, warn=said.append) == state.token
    )
    assert len(said) == 1 and "expired at" in said[0]


# --- schedule's warning --------------------------------------------------------------------


def test_schedule_warns_about_the_token_cron_will_find(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"RESY_AUTH_TOKEN={jwt({'exp': NOW + HOUR})}\n", encoding="utf-8")
    env_file.chmod(0o600)
    said: list[str] = []
    command = ("book", "resy", "--venue-id", "1")
    environ = {"BOOKER_CONFIG_DIR": str(tmp_path / "config")}
    warn_scheduled_expiry(
        command, NOW + 5 * HOUR, environ, tmp_path, now=lambda: NOW, warn=said.append
    )
    assert len(said) == 1 and "RESY_AUTH_TOKEN expires at" in said[0]
    said.clear()
    warn_scheduled_expiry(
        command, NOW + 0.1 * HOUR, environ, tmp_path, now=lambda: NOW, warn=said.append
    )
    assert said == []
    cart = ("book", "cart", "--site-id", "9")
    env_file.write_text("RA_AUTHORIZATION=opaque\n", encoding="utf-8")
    warn_scheduled_expiry(cart, NOW + HOUR, environ, tmp_path, now=lambda: NOW, warn=said.append)
    assert len(said) == 1 and "idToken" in said[0] and "unknown" in said[0]


def test_every_provider_names_its_expiring_token_and_what_renews_it() -> None:
    """One table: Resy's auth token is renewed by its refresh token; nothing renews the cart's."""
    expected = {
        "resy": ExpiringToken("RESY_AUTH_TOKEN", "RESY_AUTH_TOKEN", "RESY_REFRESH_TOKEN"),
        "cart": ExpiringToken("RA_AUTHORIZATION", "the idToken (RA_AUTHORIZATION)", None),
    }
    assert dict(EXPIRING_TOKENS) == expected
    assert tuple(EXPIRING_TOKENS) == PROVIDERS
    assert EXPIRING_TOKENS["cart"].names == ("RA_AUTHORIZATION",)


def test_a_cart_jobs_warning_reads_no_resy_credential(tmp_path: Path) -> None:
    """Scheduling a cart job looks for the cart's token only: a Resy refresh token in a file
    others can read neither renews it nor silences the warning."""
    (tmp_path / ".env").write_text("RESY_REFRESH_TOKEN=r\n", encoding="utf-8")
    (tmp_path / ".env").chmod(0o644)
    said: list[str] = []
    cart = ("book", "cart", "--site-id", "9")
    environ = {"RA_AUTHORIZATION": jwt({"exp": NOW + HOUR})}
    warn_scheduled_expiry(
        cart, NOW + 5 * HOUR, environ, tmp_path, now=lambda: NOW, warn=said.append
    )
    assert len(said) == 1 and "the idToken (RA_AUTHORIZATION) expires at" in said[0], said


# --- the night check's local items ---------------------------------------------------------

CRONTAB = """\
MAILTO=""
59 14 24 11 * test "$(date +\\%Y)" = 2026 && mkdir -p /l && cd {cwd} && PATH=/bin /v/booker book resy --venue-id 60029 --party-size 2 --date 2026-12-24 --times 19:00 --at 2026-11-24T10:00:00-05:00 >> /l/x.log 2>&1 # booker:60029-202611241000
0 9 1 5 * cd /x && /v/booker book resy --venue-id 77 --date 2026-12-24 --at 2026-05-01T09:00:00+00:00 # booker:other
"""


def text_is(value: str) -> Matcher:
    """A ``find_jobs`` matcher: the option is spelled ``value`` in the line."""
    return lambda text: text == value


def test_find_jobs_by_options_or_tag(tmp_path: Path) -> None:
    text = CRONTAB.format(cwd=tmp_path)
    jobs = find_jobs(
        text, "resy", {"--venue-id": text_is("60029"), "--date": text_is("2026-12-24")}, None
    )
    assert [j.tag for j in jobs] == ["60029-202611241000"]
    assert jobs[0].cwd == tmp_path
    assert jobs[0].at == dt.datetime(2026, 11, 24, 10, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert (
        find_jobs(
            text, "resy", {"--venue-id": text_is("60029"), "--date": text_is("2026-12-25")}, None
        )
        == []
    )
    assert find_jobs(text, "cart", {}, None) == []
    assert [j.tag for j in find_jobs(text, "resy", {}, "other")] == ["other"]


def test_cron_directory_needs_a_private_env_with_every_name(tmp_path: Path) -> None:
    (job,) = find_jobs(CRONTAB.format(cwd=tmp_path), "resy", {"--venue-id": text_is("60029")}, None)
    names = ("RESY_API_KEY", "RESY_AUTH_TOKEN")
    environ = {"BOOKER_CONFIG_DIR": str(tmp_path / "config")}
    at = NOW + HOUR

    def item() -> tuple[Level, str]:
        result = check_cron_directory(
            job,
            names,
            environ,
            EXPIRING_TOKENS["resy"],
            at,
            NOW,
            known=CREDENTIAL_NAMES,
        )
        return result.level, result.message

    level, message = item()
    assert level is Level.FAIL and "no RESY_API_KEY, RESY_AUTH_TOKEN" in message
    env_file = tmp_path / ".env"
    env_file.write_text(f"RESY_API_KEY=k\nRESY_AUTH_TOKEN={jwt({'exp': NOW + 90 * 86400})}\n")
    env_file.chmod(0o644)
    level, message = item()
    assert level is Level.FAIL and "chmod 600" in message
    env_file.chmod(0o600)
    assert item()[0] is Level.OK
    env_file.write_text(f"RESY_API_KEY=k\nRESY_AUTH_TOKEN={jwt({'exp': NOW + 60})}\n")
    level, message = item()
    assert level is Level.FAIL and "expires at" in message


def test_cron_line_time_against_the_release(tmp_path: Path) -> None:
    (job,) = find_jobs(CRONTAB.format(cwd=tmp_path), "resy", {"--venue-id": text_is("60029")}, None)
    release = dt.datetime(2026, 11, 24, 15, tzinfo=dt.UTC)
    assert check_job_time(job, release).level is Level.OK
    assert check_job_time(job, release + dt.timedelta(hours=1)).level is Level.WARNING


def schedule_resy(at: dt.datetime, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    """``booker schedule --at AT -- book resy ...`` (a table for two a month later): exit 0,
    and what it printed (stdout, stderr)."""
    from booker.cli import main

    argv = ["schedule", "--at", at.isoformat(), "--", "book", "resy", "--venue-id", "60029",
            "--party-size", "2", "--date", (at + dt.timedelta(days=30)).date().isoformat(),
            "--times", "19:00"]  # fmt: skip
    with pytest.raises(SystemExit) as exited:
        main(argv)
    out, err = capsys.readouterr()
    assert exited.value.code == 0, err
    return out, err


def test_schedule_command_warns_before_printing_the_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``booker schedule``: a token in the job's .env that expires before --at is warned about."""
    at = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=3)
    env_file = tmp_path / ".env"
    env_file.write_text(
        f"RESY_API_KEY={'K' * 32}\nRESY_AUTH_TOKEN={jwt({'exp': at.timestamp() - 86400})}\n",
        encoding="utf-8",
    )
    env_file.chmod(0o600)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    out, err = schedule_resy(at, capsys)
    assert "booker: warning: RESY_AUTH_TOKEN expires at" in err
    assert "# booker:60029-" in out
