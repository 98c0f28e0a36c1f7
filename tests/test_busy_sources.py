"""Busy calendars fetched over http(s): a loopback server stands in for a calendar feed."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from syncplan.cli import main
from test_placing import AVAILABILITY, HEAD, SESSIONS, WEEK, by_summary, meeting_ics


class Feed:
    """An http.server on 127.0.0.1 that answers every GET with ``body`` and ``status``."""

    def __init__(self, body: bytes, status: int = 200):
        self.body, self.status, self.requests = body, status, 0
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                feed.requests += 1
                self.send_response(feed.status)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Length", str(len(feed.body)))
                self.end_headers()
                self.wfile.write(feed.body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/work.ics"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def lift_start(result) -> str:
    return next(v for k, v in by_summary(result.stdout_bytes).items() if k.startswith("Strength")).strftime("%a %H:%M")


def test_busy_url_in_the_plan_is_fetched_and_heeded(runner, plan_file):
    with Feed(meeting_ics(("2026-05-11 05:00", "2026-05-11 09:00")).encode()) as feed:
        path = plan_file(HEAD + AVAILABILITY + f'[busy]\nics = ["{feed.url}"]\n' + SESSIONS)
        result = runner.invoke(main, ["export", str(path), "--week", WEEK, "-o", "-"])
    assert result.exit_code == 0, result.output
    assert feed.requests == 1
    assert lift_start(result) == "Tue 06:00"


def test_busy_url_on_the_command_line(runner, plan_file):
    with Feed(meeting_ics(("2026-05-11 05:00", "2026-05-11 09:00")).encode()) as feed:
        result = runner.invoke(
            main, ["export", str(plan_file(HEAD + AVAILABILITY + SESSIONS)), "--week", WEEK, "-o", "-", "--busy", feed.url]
        )
    assert result.exit_code == 0, result.output
    assert lift_start(result) == "Tue 06:00"


def test_busy_url_that_fails_is_a_failure_worth_retrying(runner, plan_file, tmp_path):
    with Feed(b"gone", status=404) as feed:
        out = tmp_path / "w.ics"
        result = runner.invoke(
            main, ["export", str(plan_file(HEAD + AVAILABILITY + SESSIONS)), "--week", WEEK, "-o", str(out), "--busy", feed.url]
        )
    assert result.exit_code == 1
    assert feed.url in result.stderr and "HTTP 404" in result.stderr
    assert "Traceback" not in result.output and not out.exists()


def test_busy_url_larger_than_the_cap_is_refused(runner, plan_file, monkeypatch):
    monkeypatch.setattr("syncplan.availability.MAX_ICS_BYTES", 1000)
    with Feed(meeting_ics(*[("2026-05-11 05:00", "2026-05-11 09:00")] * 40).encode()) as feed:
        result = runner.invoke(
            main, ["show", str(plan_file(HEAD + AVAILABILITY + SESSIONS)), "--week", WEEK, "--busy", feed.url]
        )
    assert result.exit_code == 1
    assert "larger than" in result.stderr


def test_busy_url_that_is_not_a_calendar_is_invalid_input(runner, plan_file):
    with Feed(b"<html>login</html>") as feed:
        result = runner.invoke(
            main, ["show", str(plan_file(HEAD + AVAILABILITY + SESSIONS)), "--week", WEEK, "--busy", feed.url]
        )
    assert result.exit_code == 2
    assert feed.url in result.stderr and "not an iCalendar" in result.stderr
