"""Busy calendars fetched over http(s): a loopback server stands in for a calendar feed."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from syncplan.cli import main
from test_placing import AVAILABILITY, HEAD, SESSIONS, WEEK, by_summary, meeting_ics


class Feed:
    """An http.server on 127.0.0.1 that answers every GET with ``body`` and ``status``."""

    def __init__(self, body: bytes, status: int = 200, headers: dict[str, str] | None = None):
        self.body, self.status, self.requests = body, status, 0
        self.headers = headers or {}
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                feed.requests += 1
                self.send_response(feed.status)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Length", str(len(feed.body)))
                for name, value in feed.headers.items():
                    self.send_header(name, value)
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


@pytest.mark.parametrize(
    "status, advice",
    [
        (404, "no longer at that address"),
        (410, "no longer at that address"),
        (403, "secret address"),
        (503, "try again later"),
        (429, "try again later"),
        (400, "check the URL"),
    ],
)
def test_a_busy_url_error_says_what_to_do_about_it(runner, plan_file, status, advice):
    with Feed(b"no", status=status) as feed:
        result = runner.invoke(
            main, ["show", str(plan_file(HEAD + AVAILABILITY + SESSIONS)), "--week", WEEK, "--busy", feed.url]
        )
    assert result.exit_code == 1
    error = one_paragraph(result)
    assert f"HTTP {status}" in error and advice in error


def _raw_deflate(data: bytes) -> bytes:
    import zlib

    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def _two_members(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data[:100]) + gzip.compress(data[100:]) + b"\0" * 8


PACKED = {
    "gzip": ("gzip", lambda d: __import__("gzip").compress(d)),
    "deflate": ("deflate", lambda d: __import__("zlib").compress(d)),
    "raw-deflate": ("deflate", _raw_deflate),
    "gzip-members": ("gzip", _two_members),
}


@pytest.mark.parametrize("packed", PACKED.values(), ids=PACKED.keys())
def test_a_busy_calendar_compressed_unasked_is_unpacked_and_heeded(runner, plan_file, packed):
    """As browsers read them: deflate with or without its zlib header, gzip in several members with zero padding."""
    encoding, pack = packed
    text = meeting_ics(("2026-05-11 05:00", "2026-05-11 09:00")).encode()
    with Feed(pack(text), headers={"Content-Encoding": encoding}) as feed:
        result = runner.invoke(
            main, ["export", str(plan_file(HEAD + AVAILABILITY + SESSIONS)), "--week", WEEK, "-o", "-", "--busy", feed.url]
        )
    assert result.exit_code == 0, result.output
    assert lift_start(result) == "Tue 06:00"


def test_a_compressed_busy_calendar_is_held_to_the_size_cap_unpacked(runner, plan_file, monkeypatch):
    import gzip

    monkeypatch.setattr("syncplan.availability.MAX_ICS_BYTES", 5000)
    body = gzip.compress(meeting_ics(*[("2026-05-11 05:00", "2026-05-11 09:00")] * 200).encode())
    assert len(body) < 5000
    with Feed(body, headers={"Content-Encoding": "gzip"}) as feed:
        result = runner.invoke(
            main, ["show", str(plan_file(HEAD + AVAILABILITY + SESSIONS)), "--week", WEEK, "--busy", feed.url]
        )
    assert result.exit_code == 1
    assert "larger than" in one_paragraph(result)


@pytest.mark.parametrize("body, encoding, words", [(b"not gzip at all", "gzip", "cannot be unpacked"), (b"x", "br", "cannot read")])
def test_a_busy_calendar_in_an_unreadable_encoding_is_one_line(runner, plan_file, body, encoding, words):
    with Feed(body, headers={"Content-Encoding": encoding}) as feed:
        result = runner.invoke(
            main, ["show", str(plan_file(HEAD + AVAILABILITY + SESSIONS)), "--week", WEEK, "--busy", feed.url]
        )
    assert result.exit_code == 1
    error = one_paragraph(result)
    assert feed.url in error and words in error


def test_a_gzip_file_given_as_a_busy_calendar_is_said_to_be_compressed(runner, plan_file, tmp_path):
    import gzip

    packed = tmp_path / "work.ics.gz"
    packed.write_bytes(gzip.compress(meeting_ics(("2026-05-11 05:00", "2026-05-11 09:00")).encode()))
    with Feed(packed.read_bytes()) as feed:  # no Content-Encoding: the server serves the .gz file as it is
        for source in (str(packed), feed.url):
            result = runner.invoke(main, ["show", str(plan_file(HEAD + AVAILABILITY + SESSIONS)), "--week", WEEK, "--busy", source])
            assert result.exit_code == 2
            error = one_paragraph(result)
            assert source in error and "gzip-compressed" in error and "\\x" not in error


def test_a_redirect_away_from_http_is_not_followed(runner, plan_file):
    answer = trickle(b"HTTP/1.1 302 Found\r\nLocation: ftp://127.0.0.1/work.ics\r\nContent-Length: 0\r\n\r\n", [])
    with Server(answer) as server:
        result = runner.invoke(main, ["show", str(plan_file(HEAD + AVAILABILITY + SESSIONS)), "--week", WEEK, "--busy", server.url])
    assert result.exit_code == 1
    error = one_paragraph(result)
    assert "ftp://127.0.0.1/work.ics" in error and "only to http(s)" in error


@pytest.mark.parametrize("source", ["ftp://127.0.0.1/x.ics", "file:///etc/passwd", "webcal://cal.example.com/work.ics"])
def test_a_busy_source_with_another_scheme_is_refused_as_such(runner, plan_file, source):
    result = runner.invoke(main, ["show", str(plan_file(HEAD + AVAILABILITY + SESSIONS)), "--week", WEEK, "--busy", source])
    assert result.exit_code == 2
    error = one_paragraph(result)
    assert source in error and "http(s) URLs only" in error
    assert ("https:// address" in error) == source.startswith("webcal")


@pytest.mark.parametrize("source", ["webcal://cal.example.com/work.ics", "FTP://127.0.0.1/x.ics"])
def test_a_plan_busy_source_with_another_scheme_is_refused_naming_the_plan(runner, plan_file, source):
    """Not read as a file next to the plan (a missing one, with a mangled path)."""
    path = plan_file(HEAD + AVAILABILITY + f'[busy]\nics = ["{source}"]\n' + SESSIONS)
    result = runner.invoke(main, ["show", str(path), "--week", WEEK])
    assert result.exit_code == 2
    error = one_paragraph(result)
    assert source in error and "http(s) URLs only" in error and f"[busy] ics in {path}" in error
    assert "no such" not in error


def test_a_missing_busy_file_of_the_plan_names_the_plan(runner, plan_file):
    path = plan_file(HEAD + AVAILABILITY + '[busy]\nics = ["nope.ics"]\n' + SESSIONS)
    error = one_paragraph(runner.invoke(main, ["show", str(path), "--week", WEEK]))
    assert "nope.ics: no such busy calendar file" in error and f"fix the path in [busy] ics in {path}" in error


def test_a_compressed_answer_that_ends_early_though_whole_says_to_check_the_feed(runner, plan_file):
    import gzip

    body = gzip.compress(meeting_ics(("2026-05-11 05:00", "2026-05-11 09:00")).encode())[:-20]
    with Feed(body, headers={"Content-Encoding": "gzip"}) as feed:  # Content-Length matches: all of it arrived
        result = runner.invoke(main, ["show", str(plan_file(HEAD + AVAILABILITY + SESSIONS)), "--week", WEEK, "--busy", feed.url])
    assert result.exit_code == 1
    error = one_paragraph(result)
    assert "ends before its compressed data does" in error and "try again later" not in error


def test_a_zlib_compressed_file_is_said_to_be_compressed(runner, plan_file, tmp_path):
    import zlib

    packed = tmp_path / "work.ics.z"
    packed.write_bytes(zlib.compress(meeting_ics(("2026-05-11 05:00", "2026-05-11 09:00")).encode()))
    result = runner.invoke(main, ["show", str(plan_file(HEAD + AVAILABILITY + SESSIONS)), "--week", WEEK, "--busy", str(packed)])
    assert result.exit_code == 2
    error = one_paragraph(result)
    assert "zlib-compressed" in error and "\\x" not in error


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


class Server:
    """A TCP server on 127.0.0.1 that hands each connection to ``answer(connection, stop)``.

    For answers http.server will not give: a trickle, a broken status line, a cut-off body.
    ``stop`` is set when the test ends, so a trickle ends with it.
    """

    def __init__(self, answer):
        self.answer, self.stop = answer, threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/work.ics"

    def accept(self):
        while not self.stop.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(connection,), daemon=True).start()

    def serve(self, connection):
        with connection:
            try:
                connection.recv(65536)
                self.answer(connection, self.stop)
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.listener.close()


def trickle(head: bytes, drops):
    """An answer that sends ``head`` at once, then each of ``drops`` a quarter of a second apart."""

    def answer(connection, stop):
        connection.sendall(head)
        for drop in drops:
            if stop.wait(0.25):
                return
            connection.sendall(drop)

    return answer


def one_paragraph(result) -> str:
    """The error a command printed, checked to be one line with no traceback behind it."""
    assert isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


SLOW_FEEDS = {
    # a status line, then one header line at a time: each read of a line is quick
    "headers": trickle(b"HTTP/1.1 200 OK\r\n", [b"X-Filler: a\r\n"] * 99),
    # the headers, then the calendar one byte at a time
    "body": trickle(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\nContent-Length: 300\r\n\r\n",
        [bytes([c]) for c in meeting_ics(("2026-05-11 05:00", "2026-05-11 09:00")).encode()[:300]],
    ),
}


@pytest.mark.parametrize("feed", SLOW_FEEDS.values(), ids=SLOW_FEEDS.keys())
def test_busy_url_that_trickles_is_given_up_at_the_deadline(runner, plan_file, monkeypatch, feed):
    """The deadline holds for the whole download, not for each read: a server that keeps sending a little never holds a run up."""
    monkeypatch.setattr("syncplan.availability.URL_TIMEOUT", 1.0)
    began = time.monotonic()
    with Server(feed) as server:
        result = runner.invoke(
            main, ["show", str(plan_file(HEAD + AVAILABILITY + SESSIONS)), "--week", WEEK, "--busy", server.url]
        )
    assert time.monotonic() - began < 10
    assert result.exit_code == 1
    error = one_paragraph(result)
    assert server.url in error and "1 s" in error and "try again later" in error


BROKEN_FEEDS = {
    # http.server's own redirect, to itself: urllib's message about it is three lines long
    "redirect-loop": trickle(b"HTTP/1.1 302 Found\r\nLocation: /work.ics\r\nContent-Length: 0\r\n\r\n", []),
    "not-http": trickle(b"GARBAGE\r\n\r\n", []),
    "too-many-headers": trickle(b"HTTP/1.1 200 OK\r\n" + b"X-Filler: a\r\n" * 200 + b"\r\n", []),
    "broken-chunks": trickle(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", []),
    # a calendar that would read as one with no events, had the missing half not been announced
    "cut-off": trickle(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nBEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", []),
}


@pytest.mark.parametrize("feed", BROKEN_FEEDS.values(), ids=BROKEN_FEEDS.keys())
def test_busy_url_with_a_broken_answer_is_one_line_worth_retrying(runner, plan_file, tmp_path, feed):
    out = tmp_path / "w.ics"
    with Server(feed) as server:
        result = runner.invoke(
            main, ["export", str(plan_file(HEAD + AVAILABILITY + SESSIONS)), "--week", WEEK, "-o", str(out), "--busy", server.url]
        )
    assert result.exit_code == 1
    error = one_paragraph(result)
    assert server.url in error and ("could not be fetched" in error or "cut off" in error)
    assert not out.exists()


@pytest.mark.parametrize(
    "url, problem",
    [
        ("http://[::1/work.ics", "cannot be read"),
        ("http://127.0.0.1:99999/work.ics", "cannot be read"),
        ("http://cal.example.com/my work.ics", "contains a space"),
        ("https:///work.ics", "names no host"),
    ],
)
def test_busy_url_that_no_server_could_answer_is_invalid_input(runner, plan_file, url, problem):
    result = runner.invoke(main, ["show", str(plan_file(HEAD + AVAILABILITY + SESSIONS)), "--week", WEEK, "--busy", url])
    assert result.exit_code == 2
    error = one_paragraph(result)
    assert repr(url) in error and problem in error and "--busy" in error
