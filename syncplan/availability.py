"""Reading busy time at the edge: .ics files and http(s) URLs, for the placing step.

The core never reads a file or the network; the commands call ``read_busy_sources``
and hand the intervals to ``build``. Google calendars named under ``[busy]``
are read by ``google/freebusy.py`` (only by ``sync``, which has a token).
"""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

from syncplan.errors import InvalidInput, SyncplanError

MAX_ICS_BYTES = 20_000_000  # a busy year of a work calendar is a few MB
URL_TIMEOUT = 20.0  # seconds for the whole download: connecting, headers and body
_MARGIN = timedelta(days=2)  # busy time just outside the weeks can still touch them
_OTHER_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")  # ftp://, file://, webcal:// ...


def span(plan, weeks) -> tuple[datetime, datetime]:
    """The time busy sources are read for: the weeks and the week before (placing.py places it too), plus a margin."""
    start = weeks[0].previous().window(plan.zone)[0] - _MARGIN
    end = weeks[-1].window(plan.zone)[1] + _MARGIN
    return start, end


def read_busy_sources(plan, weeks, extra: tuple[str, ...] = ()) -> list[tuple[datetime, datetime]]:
    """Busy intervals from the plan's ``[busy] ics`` and from ``--busy`` files, merged."""
    from syncplan.busy import merge, read_busy

    start, end = span(plan, weeks)
    found = []
    sources = [(s, _from_plan(plan, s), f"[busy] ics in {plan.source}") for s in plan.busy_ics]
    sources += [(s, s, "--busy") for s in extra]
    for named, where, origin in sources:
        if _OTHER_SCHEME.match(named) and not _is_url(named):
            hint = "a webcal:// link is the calendar's https:// address" if named.lower().startswith("webcal") else "a file is given by its path"
            raise InvalidInput(
                f"{named}: syncplan reads busy calendars from files and http(s) URLs only; fix it in {origin} ({hint})."
            )
        data = fetch(where, origin=origin) if _is_url(where) else _read_file(Path(where), named, origin)
        found += read_busy(data, start, end, plan.zone, named)
    return merge(found)


def _from_plan(plan, source: str) -> str:
    if _is_url(source) or plan.path is None:
        return source
    return str(Path(plan.path).parent / Path(source).expanduser())


def _is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def _read_file(path: Path, named: str, origin: str = "--busy") -> bytes:
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_ICS_BYTES + 1)
    except FileNotFoundError:
        raise InvalidInput(f"{named}: no such busy calendar file ({path}); fix the path in {origin}.") from None
    except OSError as exc:
        raise InvalidInput(f"{named}: cannot read this busy calendar ({exc.strerror or exc}).") from None
    if len(data) > MAX_ICS_BYTES:
        raise InvalidInput(f"{named}: the busy calendar is larger than {MAX_ICS_BYTES // 1_000_000} MB; export a shorter range.")
    return data


def fetch(url: str, timeout: float | None = None, limit: int | None = None, origin: str = "--busy") -> bytes:
    """An .ics feed over http(s), whole within ``timeout`` seconds and ``limit`` bytes.

    The download runs on a daemon thread that the caller waits for until the
    deadline: a socket timeout alone bounds each read, and a server that sends
    a byte every few seconds would never trip it. A failure is worth retrying
    later (exit 1); a URL that cannot be fetched at all is the user's to fix (exit 2). ``origin`` says
    where the URL was given, for the messages that ask to fix it.
    """
    timeout = URL_TIMEOUT if timeout is None else timeout
    limit = limit or MAX_ICS_BYTES
    _check_url(url, origin)
    download = _Download(url, time.monotonic() + timeout, limit, origin)
    worker = threading.Thread(target=download.run, name="syncplan-fetch", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        download.given_up = True
        raise SyncplanError(
            f"{url}: the busy calendar did not arrive within {timeout:g} s (the server is slow or stalled); try again later."
        )
    if download.error is not None:
        raise download.error
    return download.data


class _Download:
    """One fetch, run by ``fetch``'s worker thread; it stops reading once the deadline has passed."""

    CHUNK = 65536

    def __init__(self, url: str, deadline: float, limit: int, origin: str):
        self.url, self.deadline, self.limit, self.origin = url, deadline, limit, origin
        self.data: bytes = b""
        self.error: BaseException | None = None
        self.given_up = False

    def run(self) -> None:
        import http.client

        try:
            self.data = self.get()
        except SyncplanError as exc:
            self.error = exc
        except (OSError, ValueError, http.client.HTTPException) as exc:
            self.error = SyncplanError(f"{self.url}: the busy calendar could not be fetched ({_reason(exc)}); try again later.")
        except BaseException as exc:  # a bug: raised again in the caller's thread, never lost here
            self.error = exc

    def get(self) -> bytes:
        import urllib.error
        import urllib.request

        request = urllib.request.Request(self.url, headers={"User-Agent": "syncplan", "Accept": "text/calendar, */*"})
        opener = urllib.request.build_opener(_redirects_within_http(self.url, self.origin))
        try:
            with opener.open(request, timeout=self.left()) as answer:
                chunks, size = [], 0
                while size <= self.limit and not self.given_up:
                    chunk = answer.read1(min(self.CHUNK, self.limit + 1 - size))
                    if not chunk:
                        break
                    chunks.append(chunk)
                    size += len(chunk)
                missing = getattr(answer, "length", None)
                encoding = answer.headers.get("Content-Encoding", "").strip().lower()
        except urllib.error.HTTPError as exc:
            raise SyncplanError(
                f"{self.url}: the busy calendar could not be fetched (HTTP {exc.code} {_one_line(exc.reason)}); {_advice(exc.code, self.origin)}"
            ) from None
        if size > self.limit:
            raise self.too_large()
        if missing:
            raise SyncplanError(
                f"{self.url}: the busy calendar was cut off ({missing} bytes short of what the server announced); try again later."
            )
        data = b"".join(chunks)
        return self.decoded(data, encoding) if encoding not in ("", "identity") else data

    def decoded(self, data: bytes, encoding: str) -> bytes:
        """The body a server compressed though nobody asked it to, unpacked within the same size limit.

        As browsers do: "deflate" with or without its zlib header, and gzip of
        one or more members.
        """
        import zlib

        if encoding not in ("gzip", "x-gzip", "deflate"):
            raise SyncplanError(f"{self.url}: the server sent the busy calendar encoded as {encoding!r}, which syncplan cannot read.")
        raw = encoding == "deflate" and not _zlib_header(data)
        out, rest = b"", data
        while rest:
            unpack = zlib.decompressobj(wbits=-15 if raw else 47)  # raw deflate, or a gzip or zlib header
            try:
                out += unpack.decompress(rest, self.limit + 1 - len(out))
            except zlib.error as exc:
                raise self.unpackable(encoding, f"cannot be unpacked ({exc})") from None
            if len(out) > self.limit:
                raise self.too_large()
            if not unpack.eof:  # the whole answer arrived (its length was checked): the server sent it so
                raise self.unpackable(encoding, "ends before its compressed data does")
            rest = b"" if raw or not unpack.unused_data.strip(b"\0") else unpack.unused_data  # gzip may be padded with zeros
        return out

    def unpackable(self, encoding: str, why: str) -> SyncplanError:
        """A compressed answer that arrived whole and is broken: retrying fetches the same bytes."""
        return SyncplanError(
            f"{self.url}: the server's {encoding}-compressed answer {why}; "
            f"check that the address serves a calendar, or ask whoever runs the server."
        )

    def too_large(self) -> SyncplanError:
        return SyncplanError(f"{self.url}: the busy calendar is larger than {self.limit // 1_000_000} MB; syncplan stopped reading it.")

    def left(self) -> float:
        return max(self.deadline - time.monotonic(), 0.001)


def _redirects_within_http(url: str, origin: str):
    """urllib's redirect handler, held to http(s): it would follow a server's redirect to ftp:// too."""
    import urllib.request
    from urllib.parse import urlsplit

    class Redirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):
            if urlsplit(newurl).scheme.lower() not in ("http", "https"):
                raise SyncplanError(
                    f"{url}: the server redirects to {newurl!r}, and syncplan follows redirects only to http(s) "
                    f"addresses; check the URL in {origin}."
                )
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    return Redirects()


def _zlib_header(data: bytes) -> bool:
    """Whether ``data`` opens with a zlib header (RFC 1950): deflate method, check bits right."""
    return len(data) >= 2 and data[0] & 0x0F == 8 and int.from_bytes(data[:2], "big") % 31 == 0


def _check_url(url: str, origin: str) -> None:
    """A URL that no server could answer is the user's to fix, not worth retrying."""
    from urllib.parse import urlsplit

    problem = None
    if any(c.isspace() or not c.isprintable() for c in url):
        problem = "contains a space or a control character (write a space as %20)"
    else:
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - read only to have a bad port refused here
            if not parts.hostname:
                problem = "names no host"
        except ValueError as exc:
            problem = f"cannot be read ({_one_line(exc)})"
    if problem:
        raise InvalidInput(f"{url!r}: this busy calendar URL {problem}; fix it in {origin}.")


def _advice(status: int, origin: str) -> str:
    """What to do about an HTTP error: wait for a server that is busy or down, check a link that no longer works."""
    if status in (408, 425, 429) or status >= 500:
        return "try again later."
    if status in (401, 403):
        return f"the server refuses it; if the calendar's secret address was reset, put the new one in {origin}."
    if status in (404, 410):
        return f"the calendar is no longer at that address (unpublished or moved); check the URL in {origin}."
    return f"check the URL in {origin}."


def _reason(exc: Exception) -> str:
    import http.client

    if isinstance(exc, http.client.HTTPException) and not isinstance(exc, OSError):
        return f"its answer is not valid HTTP: {_one_line(exc)}"
    return _one_line(getattr(exc, "reason", None) or exc)


def _one_line(text: object) -> str:
    """A server's words (a reason phrase, urllib's redirect message) as one line of a one-paragraph error."""
    return " ".join(str(text).split()) or "no reason given"
