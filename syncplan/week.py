"""Dating a plan for an ISO week in its time zone. DST lives here.

Session times are wall-clock times in the plan's zone. A time that does not
exist on a spring-forward day moves later by the size of the gap; a time that
happens twice on a fall-back day takes its first occurrence. Both are
reported, never silent.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

from syncplan.errors import InvalidInput
from syncplan.plan import Plan, Session

if TYPE_CHECKING:
    from syncplan.block import Phase

_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
MAX_WEEKS = 520  # ten years of weeks in one run
# Python's dates end at years 1 and 9999, and the .ics time zone description
# spans a year before the first event and a few after the last; these bounds
# keep every instant syncplan computes (local, UTC, VTIMEZONE) inside them.
FIRST_DAY = date(3, 1, 1)
LAST_DAY = date(9996, 12, 31)
_MARGIN = timedelta(days=2)  # a UTC offset, plus a session running past midnight


class IsoWeek(NamedTuple):
    year: int
    week: int

    @classmethod
    def containing(cls, day: date) -> IsoWeek:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @property
    def label(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    def day(self, index: int) -> date:
        return self.monday + timedelta(days=index)

    def next(self) -> IsoWeek:
        return IsoWeek.containing(self.monday + timedelta(days=7))

    def previous(self) -> IsoWeek:
        return IsoWeek.containing(self.monday - timedelta(days=7))

    def window(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """Monday 00:00 to the next Monday 00:00, local time."""
        start = datetime.combine(self.monday, datetime.min.time(), tz)
        end = datetime.combine(self.next().monday, datetime.min.time(), tz)
        return start, end


def resolve_weeks(spec: str, count: int, today: date) -> list[IsoWeek]:
    """``today`` is the date in the plan's zone: the caller reads the clock."""
    if count < 1 or count > MAX_WEEKS:
        raise InvalidInput(f"--weeks {count}: give a number of weeks from 1 to {MAX_WEEKS}.")
    text = spec.strip().lower()
    if text == "this":
        first = IsoWeek.containing(today)
    elif text == "next":
        first = IsoWeek.containing(today).next()
    elif match := _ISO_WEEK.match(text):
        year, week = int(match[1]), int(match[2])
        if not FIRST_DAY.year <= year <= LAST_DAY.year:
            raise _out_of_range(spec, count)
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise InvalidInput(f"--week {spec}: {year} has no ISO week {week}.") from None
        first = IsoWeek(year, week)
    else:
        try:
            first = IsoWeek.containing(date.fromisoformat(text))
        except ValueError:
            raise InvalidInput(
                f"--week {spec}: not a week; use next, this, an ISO week such as 2026-W49, or a date such as 2026-12-01."
            ) from None
    if first.monday < FIRST_DAY + _MARGIN or (LAST_DAY - first.monday).days < 7 * count + _MARGIN.days:
        raise _out_of_range(spec, count)
    weeks = [first]
    while len(weeks) < count:
        weeks.append(weeks[-1].next())
    return weeks


def _out_of_range(spec: str, count: int) -> InvalidInput:
    first = IsoWeek.containing(FIRST_DAY + _MARGIN + timedelta(days=7))
    last = IsoWeek.containing(LAST_DAY - _MARGIN - timedelta(days=7))
    span = f"--week {spec}" + (f" --weeks {count}" if count > 1 else "")
    return InvalidInput(
        f"{span}: syncplan lays out weeks from {first.label} to {last.label}, so that every session time, in the "
        f"plan's zone and in UTC, is a date calendars and Python can hold; pick a week in that range."
    )


class DatedSession(NamedTuple):
    session: Session
    start: datetime  # aware, in the plan's zone
    end: datetime
    dst_shift: str | None = None  # "gap" or "fold" when the wall time had to be resolved

    @property
    def key(self) -> str:
        return self.session.key

    # Aware datetimes sharing one tzinfo compare by wall time (fold ignored),
    # so anything that orders or measures sessions uses these.
    @property
    def utc_start(self) -> datetime:
        return self.start.astimezone(timezone.utc)

    @property
    def utc_end(self) -> datetime:
        return self.end.astimezone(timezone.utc)


class DatedWeek(NamedTuple):
    week: IsoWeek
    timezone: str
    sessions: tuple[DatedSession, ...]
    transitions: tuple[tuple[datetime, timedelta, timedelta], ...]  # (UTC instant, offset before, after)
    phase: Phase | None = None  # where the week stands in the plan's [block]; None outside one

    def on_day(self, index: int) -> list[DatedSession]:
        return [d for d in self.sessions if d.session.day == index]


def is_ambiguous(local: datetime) -> bool:
    """True when this wall-clock time happens twice that day (the hour after clocks go back)."""
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset() and (
        local.replace(fold=1 - local.fold).astimezone(timezone.utc).astimezone(local.tzinfo).replace(tzinfo=None)
        == local.replace(tzinfo=None)
    )


def clock_text(local: datetime) -> str:
    """"HH:MM", with the zone's abbreviation when the wall time happens twice ("01:30 GMT")."""
    return f"{local:%H:%M %Z}" if is_ambiguous(local) else f"{local:%H:%M}"


def date_week(plan: Plan, week: IsoWeek) -> DatedWeek:
    tz = plan.zone
    sessions, phase = plan.sessions, None
    if plan.block is not None:
        from syncplan.block import week_sessions

        found = week_sessions(plan, week)
        if found is not None:
            sessions, phase = found
    dated = sorted((date_session(s, week, tz) for s in sessions), key=lambda d: (d.utc_start, d.key))
    return DatedWeek(week, plan.timezone, tuple(dated), _transitions(week, tz), phase)


def date_session(session: Session, week: IsoWeek, tz: ZoneInfo) -> DatedSession:
    """A session at its day and wall-clock start in ``week``; the placement search dates its candidates with it too."""
    wall = datetime.combine(week.day(session.day), session.start)
    first, second = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
    shift = None
    start = first
    if first.utcoffset() != second.utcoffset():
        # zoneinfo: fold=0 uses the offset before the change. If that instant,
        # read back, is another wall time, the wall time falls in a gap.
        roundtrip = first.astimezone(timezone.utc).astimezone(tz)
        if roundtrip.replace(tzinfo=None) != wall:
            shift = "gap"
            start = roundtrip
        else:
            shift = "fold"
    end = (start.astimezone(timezone.utc) + timedelta(minutes=session.minutes)).astimezone(tz)
    return DatedSession(session, start, end, shift)


def _transitions(week: IsoWeek, tz: ZoneInfo) -> tuple[tuple[datetime, timedelta, timedelta], ...]:
    start, end = week.window(tz)
    utc_start, utc_end = start.astimezone(timezone.utc), end.astimezone(timezone.utc)
    return tuple(offset_changes(tz, utc_start, utc_end, step=timedelta(days=1)))


def offset_changes(
    tz: ZoneInfo, utc_start: datetime, utc_end: datetime, step: timedelta = timedelta(hours=1)
) -> list[tuple[datetime, timedelta, timedelta]]:
    """UTC offset changes in a span: (UTC instant, offset before, offset after).

    Steps through the span and bisects each step whose ends disagree, to the
    minute; zoneinfo offers no public list of transitions.
    """
    found = []
    t = utc_start
    while t < utc_end:
        a, b = t, min(t + step, utc_end)
        before, after = a.astimezone(tz).utcoffset(), b.astimezone(tz).utcoffset()
        if before != after:
            while b - a > timedelta(minutes=1):
                mid = a + (b - a) / 2
                if mid.astimezone(tz).utcoffset() == before:
                    a = mid
                else:
                    b = mid
            b = b.replace(second=0, microsecond=0)
            found.append((b, before, after))
        t += step
    return found
