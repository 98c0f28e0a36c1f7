"""Reading busy time at the edge: .ics files and http(s) URLs, for the placing step.

The core never reads a file or the network; the commands call ``read_busy_sources``
and hand the intervals to ``build``. Google calendars named under ``[busy]``
are read by ``google/freebusy.py`` (only by ``sync``, which has a token).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from syncplan.errors import InvalidInput, SyncplanError

MAX_ICS_BYTES = 20_000_000  # a busy year of a work calendar is a few MB
URL_TIMEOUT = 20.0  # seconds, per connection attempt and read
_MARGIN = timedelta(days=2)  # busy time just outside the weeks can still touch them


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
    sources = [(s, _from_plan(plan, s)) for s in plan.busy_ics] + [(s, s) for s in extra]
    for named, where in sources:
        data = fetch(where) if _is_url(where) else _read_file(Path(where), named)
        found += read_busy(data, start, end, plan.zone, named)
    return merge(found)


def _from_plan(plan, source: str) -> str:
    if _is_url(source) or plan.path is None:
        return source
    return str(Path(plan.path).parent / Path(source).expanduser())


def _is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def _read_file(path: Path, named: str) -> bytes:
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_ICS_BYTES + 1)
    except FileNotFoundError:
        raise InvalidInput(f"{named}: no such busy calendar file ({path}); fix the path under [busy] ics or --busy.") from None
    except OSError as exc:
        raise InvalidInput(f"{named}: cannot read this busy calendar ({exc.strerror or exc}).") from None
    if len(data) > MAX_ICS_BYTES:
        raise InvalidInput(f"{named}: the busy calendar is larger than {MAX_ICS_BYTES // 1_000_000} MB; export a shorter range.")
    return data


def fetch(url: str, timeout: float = URL_TIMEOUT, limit: int | None = None) -> bytes:
    """An .ics feed over http(s), with a timeout and a size cap; a failure is worth retrying later (exit 1)."""
    limit = limit or MAX_ICS_BYTES
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "syncplan", "Accept": "text/calendar, */*"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            data = answer.read(limit + 1)
    except urllib.error.HTTPError as exc:
        raise SyncplanError(f"{url}: the busy calendar could not be fetched (HTTP {exc.code} {exc.reason}).") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SyncplanError(f"{url}: the busy calendar could not be fetched ({reason}); try again later.") from None
    if len(data) > limit:
        raise SyncplanError(f"{url}: the busy calendar is larger than {limit // 1_000_000} MB; syncplan stopped reading it.")
    return data
