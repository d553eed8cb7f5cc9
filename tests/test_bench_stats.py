"""The benchmarks' readers of booker's run log: when requests left, and what left after the win."""

from __future__ import annotations

import pytest

from bench import stats

LOG = """\
2026-11-23T01:19:24.096017+00:00 worker=0 request GET /4/find status=200 ms=5.12
2026-11-23T01:19:24.101371+00:00 worker=0 decision found status=200 4 matching slots
2026-11-23T01:19:24.101894+00:00 worker=0 request POST /3/details status=200 ms=4.69
2026-11-23T01:19:24.106970+00:00 worker=0 request POST /3/book status=201 ms=5.00
2026-11-23T01:19:24.110308+00:00 worker=0 request POST /3/details status=200 ms=4.71
2026-11-23T01:19:24.115000+00:00 worker=1 request GET /4/find status=000 ms=0.20 error=ReadError
2026-11-23T01:19:24.249+00:00 finished status="booked" requests=19
"""


def test_request_lines_are_read_with_microsecond_send_times() -> None:
    sent = stats.sent_requests(LOG)
    assert [(r.worker, r.method, r.path, r.status) for r in sent] == [
        (0, "GET", "/4/find", 200),
        (0, "POST", "/3/details", 200),
        (0, "POST", "/3/book", 201),
        (0, "POST", "/3/details", 200),
        (1, "GET", "/4/find", 0),
    ]
    assert sent[1].sent_at - sent[0].sent_at == pytest.approx(0.005877, abs=1e-6)


def test_what_left_after_the_winners_success() -> None:
    sent = stats.sent_requests(LOG)
    won = stats.win_instant(sent)
    assert won == pytest.approx(sent[2].sent_at + 0.005)  # the 201 in hand
    after = stats.sent_after_win_ms(sent)
    assert [path for _, path in after] == ["/4/find"]  # the details left before the 201 came
    assert after[0][0] == pytest.approx(3.03, abs=0.01)
    assert stats.sent_after_win_ms(sent[:2]) == []  # no win, nothing after it
