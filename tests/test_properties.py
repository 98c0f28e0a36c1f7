"""Property tests: the plan loader, the week arithmetic across every zone, the .ics round trip.

The loader may only ever fail with ``InvalidInput`` whose message names the file
and is one paragraph. Week dating must keep wall times (or move them later by
exactly a DST gap) and real durations, in any IANA zone and any ISO week from
2000 to 2037. The .ics file must read back to the same UTC instants in
icalendar and in vobject, which resolves each TZID against our VTIMEZONE.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, available_timezones

import icalendar
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import read_with_vobject
from syncplan.build import build
from syncplan.errors import InvalidInput
from syncplan.ics import to_ical
from syncplan.kinds import KINDS
from syncplan.notes import load_notes
from syncplan.plan import Plan, Session, parse_plan
from syncplan.week import IsoWeek, date_week, resolve_weeks

UTC = timezone.utc
SOURCE = "fuzz.toml"
ZONES = sorted(available_timezones())
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WEEKS = settings(max_examples=300, deadline=None)
ICS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_loader_contract(text: str) -> None:
    try:
        parse_plan(text, SOURCE)
    except InvalidInput as exc:
        message = str(exc)
        assert message.startswith(SOURCE + ":"), message
        assert "\n" not in message and "\r" not in message, message


# --- A tiny TOML emitter ------------------------------------------------------------


def toml_string(s: str) -> str:
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return toml_string(v)
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, (date, time)):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{toml_string(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(v)


def to_toml(doc: dict) -> str:
    """Scalars first, then [tables], then [[arrays of tables]]; every key quoted."""
    lines, tables, arrays = [], [], []
    for key, value in doc.items():
        if isinstance(value, dict):
            tables.append((key, value))
        elif isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
            arrays.append((key, value))
        else:
            lines.append(f"{toml_string(key)} = {toml_value(value)}")
    for key, table in tables:
        lines.append(f"[{toml_string(key)}]")
        lines.extend(f"{toml_string(k)} = {toml_value(v)}" for k, v in table.items())
    for key, items in arrays:
        for item in items:
            lines.append(f"[[{toml_string(key)}]]")
            lines.extend(f"{toml_string(k)} = {toml_value(v)}" for k, v in item.items())
    return "\n".join(lines) + "\n"


def test_emitter_round_trips_through_tomllib():
    import tomllib

    doc = {
        "athlete": {"timezone": 'Eu"rope\\\x7f\n', "weight_kg": 70.5, "x": [1, "a", {"b": time(23, 59, 59)}]},
        "session": [{"day": "mon", "start": time(7, 0), "minutes": 45}],
        "top": -3,
    }
    assert tomllib.loads(to_toml(doc)) == doc


# --- Strategies for plan documents ----------------------------------------------------

ODD_STRINGS = [
    "", " ", "\t", "\n", "\x00", "é", "日本", "🏃", "a" * 101, "a" * 501, "a" * 2001, "None", "null", "0", "-1",
    "../etc", "/etc/passwd", "C:\\tz",
]
ZONE_NAMES = [
    "Europe/London", "Asia/Kolkata", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia", "UTC", "utc",
    "Europe/London ", " Asia/Kolkata", "europe/london", "Europe/London/", "Europe//London", "../etc", "../../etc/passwd",
    "/usr/share/zoneinfo/UTC", "Etc/GMT+14", "Etc/GMT-14", "Etc/GMT+1", "zone.tab", "tzdata.zi", "leapseconds",
    "__init__.py", "Factory", "posixrules", "right/UTC", "posix/Europe/London", "localtime", ".", "..", "\x00",
    "Europe/\x00London", "Europe\\London", "Europe/London\n",
]

junk = st.one_of(
    st.none().map(lambda _: "null"),  # TOML has no null: a string that looks like one
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(ODD_STRINGS),
    st.times().map(lambda t: t.replace(microsecond=0)),
    st.dates(),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 1, 1)).map(lambda d: d.replace(microsecond=0)),
    st.lists(st.integers(-5, 5), max_size=3),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def field(valid: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly valid values, often not."""
    return st.one_of(valid, valid, junk)


def table(fields: dict[str, st.SearchStrategy], unknown_keys: list[str]) -> st.SearchStrategy:
    present = {k: st.one_of(st.none(), v) for k, v in fields.items()}

    def assemble(values: dict, extra: dict) -> dict:
        out = {k: v for k, v in values.items() if v is not None}
        out.update(extra)
        return out

    extras = st.dictionaries(st.one_of(st.sampled_from(unknown_keys), st.text(min_size=1, max_size=12)), junk, max_size=1)
    extras = st.one_of(st.just({}), st.just({}), st.just({}), extras)
    return st.builds(assemble, st.fixed_dictionaries(present), extras)


kind_names = [*KINDS, "hill", "Long Run", "long_run", "LIFT", "yoga", "swim", "", "strength "]
athlete = table(
    {
        "timezone": field(st.sampled_from(ZONE_NAMES)) | st.text(max_size=40),
        "weight_kg": field(st.one_of(st.integers(30, 250), st.floats(29, 251))),
        "goal": field(st.sampled_from(["muscle", "performance", "both", "Both ", "strength"])),
        "meals": field(st.integers(0, 9)),
    },
    ["weight", "time_zone", "tz", "Timezone"],
)
calendar = table(
    {
        "name": field(st.text(max_size=110)),
        "reminders": field(st.lists(st.integers(-1, 40321), max_size=3)) | st.lists(junk, max_size=2),
    },
    ["reminder", "colour"],
)
rules = table(
    {
        "min_gap_hours": field(st.one_of(st.integers(-1, 25), st.floats(-1, 25))),
        "disable": field(st.lists(st.sampled_from(["overlap", "gap", "order", "dst", "hill-or-sprint", "nope", "GAP"]), max_size=3))
        | st.lists(junk, max_size=2),
    },
    ["disabled", "min_gap"],
)
session = table(
    {
        "id": field(st.one_of(st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,10}\Z"), st.sampled_from(["dup", "dup", "a" * 65]))),
        "day": field(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun", "Monday", " SUN ", "mo", "8"])),
        "start": field(
            st.one_of(
                st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 25), st.integers(0, 61)),
                st.builds(lambda h, m: f"{h}:{m:02d}", st.integers(0, 9), st.integers(0, 59)),
                st.times().map(lambda t: t.replace(microsecond=0)),
            )
        ),
        "kind": field(st.sampled_from(kind_names)),
        "minutes": field(st.integers(-1, 721)),
        "focus": field(st.sampled_from(["lower", "upper", "full", "legs", ""])),
        "details": field(st.one_of(st.text(max_size=20), st.lists(st.text(max_size=20), max_size=3))),
        "title": field(st.text(max_size=105)),
        "notes": field(st.text(max_size=30)),
    },
    ["duration", "time", "type", "Day"],
)


@st.composite
def plan_documents(draw) -> dict:
    doc: dict = {}
    for name, strategy in (("athlete", athlete), ("calendar", calendar), ("rules", rules)):
        choice = draw(st.integers(0, 9))
        if choice < 8:
            doc[name] = draw(strategy)
        elif choice == 8:
            doc[name] = draw(junk)  # a section that is not a table
    sessions = draw(st.lists(session, max_size=5))
    if sessions:
        doc["session"] = sessions
    elif draw(st.booleans()):
        doc["session"] = draw(junk)
    if draw(st.integers(0, 9)) == 0:
        doc[draw(st.sampled_from(["sessions", "Athlete", "plan", "version"]))] = draw(junk)
    return doc


# --- The loader -------------------------------------------------------------------------

toml_fragments = st.sampled_from(
    [
        "[athlete]", "[calendar]", "[rules]", "[[session]]", "[session]", "[[athlete]]", 'timezone = "Europe/London"',
        'timezone = "../etc"', "timezone = 3", 'day = "mon"', 'start = "07:00"', "start = 07:00:00", 'kind = "easy"',
        "minutes = 30", "minutes = 1e3", "weight_kg = nan", "weight_kg = inf", "reminders = [30, -1]", 'disable = ["gap"]',
        'focus = "lower"', 'details = ["a", 1]', "x = {a = 1}", "session = 1", 'id = "a"', 'id = "a"', "= 1", '"', "[",
    ]
)


@FUZZ
@given(st.one_of(st.text(), st.lists(st.one_of(toml_fragments, st.text(max_size=20)), max_size=12).map("\n".join)))
def test_loader_on_arbitrary_text_raises_only_invalid_input(text):
    assert_loader_contract(text)


@FUZZ
@given(plan_documents())
@example({"athlete": {"timezone": "UTC"}, "session": [{"id": "a", "day": "mon"}, {"id": "a"}]})
@example({"athlete": {"timezone": "../etc"}})
@example({"athlete": {"timezone": ""}})
@example({"athlete": {"timezone": "Asia/Kolkata", "meals": 9}})
@example({"athlete": {"timezone": "UTC"}, "session": [{"day": "mon", "start": "7:00", "kind": "lift", "minutes": 60, "focus": "legs"}]})
def test_loader_on_plan_shaped_documents_raises_only_invalid_input(doc):
    text = to_toml(doc)
    assert_loader_contract(text)


@pytest.mark.parametrize("zone", ["Europe/London", "Asia/Kolkata", "UTC", "America/Argentina/Buenos_Aires"])
def test_valid_plan_documents_load(zone):
    doc = {
        "athlete": {"timezone": zone},
        "session": [{"day": "tue", "start": "07:00", "kind": "easy", "minutes": 30}],
    }
    assert parse_plan(to_toml(doc), SOURCE).timezone == zone


@pytest.mark.parametrize("zone", ["America", "Asia", "America/Argentina"])
def test_zone_naming_a_directory_is_invalid_input(zone):
    assert_loader_contract(f'[athlete]\ntimezone = "{zone}"\n')


def test_zone_name_too_long_for_a_file_is_invalid_input():
    assert_loader_contract('[athlete]\ntimezone = "' + "a" * 256 + '"\n')


def test_session_id_with_newline_keeps_the_message_one_paragraph():
    assert_loader_contract('[athlete]\ntimezone = "UTC"\n[[session]]\nid = "\\n"\n')


# --- Week dating ------------------------------------------------------------------------


def weeks_in(year: int) -> int:
    return date(year, 12, 28).isocalendar().week


iso_weeks = st.integers(2000, 2037).flatmap(lambda y: st.integers(1, weeks_in(y)).map(lambda w: IsoWeek(y, w)))
zones = st.sampled_from(ZONES)
planned = st.tuples(
    st.integers(0, 6),
    st.builds(time, st.integers(0, 23), st.sampled_from([0, 0, 15, 30, 45, 59])),
    st.integers(1, 720),
    st.sampled_from(sorted(KINDS)),
)


def make_plan(zone: str, specs) -> Plan:
    sessions = tuple(
        Session(
            key=f"s{i}",
            day=day,
            start=start,
            kind=KINDS[kind],
            minutes=minutes,
            focus="full" if kind == "strength" else None,
        )
        for i, (day, start, minutes, kind) in enumerate(specs)
    )
    return Plan(source=SOURCE, timezone=zone, weight_kg=70.0, goal="both", sessions=sessions)


def wall_exists(wall: datetime, tz: ZoneInfo) -> bool:
    return any(
        wall.replace(tzinfo=tz, fold=f).astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall for f in (0, 1)
    )


def check_dated(plan: Plan, week: IsoWeek) -> None:
    tz = ZoneInfo(plan.timezone)
    dated = date_week(plan, week)
    assert dated.week == week
    assert sorted(d.key for d in dated.sessions) == sorted(s.key for s in plan.sessions)
    assert [d.utc_start for d in dated.sessions] == sorted(d.utc_start for d in dated.sessions)
    for d in dated.sessions:
        s = d.session
        wall = datetime.combine(week.day(s.day), s.start)
        read_back = d.utc_start.astimezone(tz).replace(tzinfo=None)
        assert d.utc_end - d.utc_start == timedelta(minutes=s.minutes)
        if d.dst_shift == "gap":
            assert not wall_exists(wall, tz)
            before = wall.replace(tzinfo=tz, fold=0).utcoffset()
            after = wall.replace(tzinfo=tz, fold=1).utcoffset()
            assert read_back == wall + (after - before)
            assert d.start.replace(tzinfo=None) == read_back
        else:
            assert wall_exists(wall, tz)
            assert read_back == wall
            assert read_back.date() == week.day(s.day)
            if d.dst_shift == "fold":  # the first of the two occurrences
                assert d.utc_start == min(wall.replace(tzinfo=tz, fold=f).astimezone(UTC) for f in (0, 1))


@WEEKS
@given(zones, iso_weeks, st.lists(planned, min_size=1, max_size=4))
def test_dated_sessions_keep_wall_time_date_and_real_duration(zone, week, specs):
    check_dated(make_plan(zone, specs), week)


# Where the wall clock jumps: every hour of each day of weeks with a known change.
@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(
        [
            ("Europe/London", IsoWeek(2026, 13)),
            ("Europe/London", IsoWeek(2026, 43)),
            ("America/New_York", IsoWeek(2026, 10)),
            ("Australia/Lord_Howe", IsoWeek(2026, 14)),
            ("Australia/Lord_Howe", IsoWeek(2026, 40)),
            ("America/Santiago", IsoWeek(2026, 14)),
            ("America/Havana", IsoWeek(2026, 11)),
            ("Asia/Beirut", IsoWeek(2026, 13)),
            ("Pacific/Apia", IsoWeek(2011, 52)),
            ("Antarctica/Troll", IsoWeek(2026, 13)),
            ("Europe/Dublin", IsoWeek(2026, 43)),
        ]
    ),
    st.lists(st.tuples(st.integers(0, 6), st.integers(0, 23), st.sampled_from([0, 30])), min_size=1, max_size=6),
    st.integers(1, 720),
)
def test_dst_weeks_in_awkward_zones(case, slots, minutes):
    zone, week = case
    specs = [(day, time(h, m), minutes, "easy") for day, h, m in slots]
    check_dated(make_plan(zone, specs), week)


@WEEKS
@given(st.dates(date(2000, 1, 1), date(2037, 12, 31)), st.integers(1, 60))
def test_next_weeks_are_consecutive_from_the_monday_after_today(today, count):
    weeks = resolve_weeks("next", count, today)
    assert len(weeks) == count
    first_monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    for i, w in enumerate(weeks):
        assert w.monday == first_monday + timedelta(days=7 * i)
        assert w.monday.weekday() == 0
        assert IsoWeek.containing(w.monday) == w
        assert resolve_weeks(w.label, 1, today) == [w]
    assert weeks == sorted(set(weeks))
    assert resolve_weeks("this", 1, today)[0].next() == weeks[0]


@WEEKS
@given(zones, iso_weeks)
def test_week_window_is_seven_wall_days_from_monday(zone, week):
    tz = ZoneInfo(zone)
    start, end = week.window(tz)
    assert start.tzinfo is tz and end.tzinfo is tz
    assert start.replace(tzinfo=None) == datetime.combine(week.monday, time(0))
    assert end.replace(tzinfo=None) - start.replace(tzinfo=None) == timedelta(days=7)
    assert start.date() == week.monday and start.weekday() == 0
    assert end.date() == week.next().monday
    real = end.astimezone(UTC) - start.astimezone(UTC)
    assert real == timedelta(days=7) - (end.utcoffset() - start.utcoffset())


# --- The .ics round trip ----------------------------------------------------------------

NOTES = load_notes(None)


def utc_times_from_icalendar(data: bytes) -> dict:
    cal = icalendar.Calendar.from_ical(data)
    return {
        str(v["UID"]): (v["DTSTART"].dt.astimezone(UTC), v["DTEND"].dt.astimezone(UTC))
        for v in cal.walk("VEVENT")
    }


def utc_times_from_vobject(data: bytes) -> dict:
    cal = read_with_vobject(data)
    return {
        ve.uid.value: (ve.dtstart.value.astimezone(UTC), ve.dtend.value.astimezone(UTC))
        for ve in getattr(cal, "vevent_list", [])
    }


def false_onsets(data: bytes, zone: str) -> list[tuple[datetime, timedelta, timedelta]]:
    """Changes the VTIMEZONE claims up to its last event that the zone does not make.

    Each observance onset (DTSTART and its RRULE recurrences) is a local time in
    TZOFFSETFROM at which the offset becomes TZOFFSETTO; zoneinfo says whether
    that is so.
    """
    from dateutil.rrule import rrulestr

    tz = ZoneInfo(zone)
    cal = icalendar.Calendar.from_ical(data)
    last = max((v["DTEND"].dt.astimezone(UTC) for v in cal.walk("VEVENT")), default=NOW)
    wrong = []
    for vtz in cal.walk("VTIMEZONE"):
        for part in vtz.subcomponents:
            onset = part["DTSTART"].dt.replace(tzinfo=None)
            before, after = part["TZOFFSETFROM"].td, part["TZOFFSETTO"].td
            if before == after:
                continue  # a zone with no change in the span: one observance that just states the offset
            onsets = [onset]
            if "RRULE" in part:
                # In a VTIMEZONE, DTSTART is local and UNTIL is UTC (RFC 5545),
                # a mix dateutil refuses: apply UNTIL by hand.
                rrule = dict(part["RRULE"])
                until = rrule.pop("UNTIL", [None])[0]
                text = ";".join(f"{k}={','.join(str(x) for x in v)}" for k, v in rrule.items())
                rule = rrulestr(text, dtstart=onset)
                onsets = list(rule.between(onset, (last + after).replace(tzinfo=None), inc=True))
                if until is not None:
                    onsets = [o for o in onsets if (o - before).replace(tzinfo=UTC) <= until]
            for local in onsets:
                instant = (local - before).replace(tzinfo=UTC)
                if instant > last:
                    continue
                real = ((instant - timedelta(seconds=1)).astimezone(tz).utcoffset(), instant.astimezone(tz).utcoffset())
                if real != (before, after):
                    wrong.append((local, before, after))
    return wrong


def predates_every_change(data: bytes) -> bool:
    """An event earlier than the first onset the VTIMEZONE states, so its offset is unstated."""
    cal = icalendar.Calendar.from_ical(data)
    firsts = [
        (part["DTSTART"].dt - part["TZOFFSETFROM"].td).replace(tzinfo=UTC)
        for vtz in cal.walk("VTIMEZONE")
        for part in vtz.subcomponents
    ]
    return bool(firsts) and any(v["DTSTART"].dt.astimezone(UTC) < min(firsts) for v in cal.walk("VEVENT"))


def export_ics(zone: str, first: IsoWeek, count: int, specs):
    plan = make_plan(zone, specs)
    weeks = [first]
    while len(weeks) < count:
        weeks.append(weeks[-1].next())
    built = build(plan, weeks, notes=NOTES)
    return built, to_ical(list(built.events), plan.calendar_name, plan.timezone, NOW)


def check_round_trip(built, data: bytes) -> None:
    expected = {e.uid: (e.start.astimezone(UTC), e.end.astimezone(UTC)) for e in built.events}
    assert len(expected) == len(built.events)
    assert utc_times_from_icalendar(data) == expected
    assert utc_times_from_vobject(data) == expected


@ICS
@given(zones, iso_weeks, st.integers(1, 3), st.lists(planned, min_size=1, max_size=3))
@example("Pacific/Tongatapu", IsoWeek(2001, 52), 1, [(0, time(12, 0), 60, "easy")])  # a rule ending east of UTC
def test_ics_reads_back_to_the_same_utc_instants(zone, first, count, specs):
    built, data = export_ics(zone, first, count, specs)
    assert not false_onsets(data, zone)
    assert not predates_every_change(data)
    check_round_trip(built, data)


@ICS
@given(zones, iso_weeks, st.integers(1, 3))
@example("Europe/London", IsoWeek(2026, 10), 3)
@example("Australia/Lord_Howe", IsoWeek(2026, 14), 1)
@example("Asia/Oral", IsoWeek(2001, 1), 2)  # a rule that ends inside the span: RRULE with UNTIL
@example("America/Mexico_City", IsoWeek(2021, 30), 2)
def test_vtimezone_claims_only_real_offset_changes(zone, first, count):
    """Every onset our VTIMEZONE states, up to its last event, is a real change in zones that kept their rules."""
    built, data = export_ics(zone, first, count, [(0, time(12, 0), 60, "easy")])
    assert false_onsets(data, zone) == []


@pytest.mark.parametrize(
    ("zone", "week"),
    [
        ("America/Mexico_City", IsoWeek(2023, 30)),  # vobject: 17:00Z, should be 18:00Z (Mexico dropped DST in 2022)
        ("Asia/Tehran", IsoWeek(2023, 30)),  # vobject: 07:30Z, should be 08:30Z (Iran dropped DST in 2022)
        ("America/Ojinaga", IsoWeek(2023, 11)),  # vobject: 18:00Z, should be 17:00Z (two DAYLIGHT rules on one day)
    ],
)
def test_ics_round_trip_where_a_zone_dropped_or_changed_its_dst_rule(zone, week):
    built, data = export_ics(zone, week, 1, [(0, time(12, 0), 60, "easy")])
    check_round_trip(built, data)


@pytest.mark.parametrize(
    ("zone", "week"), [("America/Mexico_City", IsoWeek(2023, 30)), ("Asia/Tehran", IsoWeek(2023, 30))]
)
def test_vtimezone_claims_only_real_offset_changes_where_a_rule_ended(zone, week):
    _, data = export_ics(zone, week, 1, [(0, time(12, 0), 60, "easy")])
    assert false_onsets(data, zone) == []


@pytest.mark.parametrize(
    ("zone", "week"),
    [
        ("America/Caracas", IsoWeek(2016, 1)),  # vobject: 16:00Z, should be 16:30Z (-04:30 until 2016-05-01)
        ("Asia/Pyongyang", IsoWeek(2018, 1)),  # vobject: 03:00Z, should be 03:30Z (+08:30 until 2018-05-05)
        ("America/Santo_Domingo", IsoWeek(2000, 1)),  # vobject: 17:00Z, should be 16:00Z
    ],
)
def test_ics_round_trip_before_the_first_change_in_the_span(zone, week):
    check_round_trip(*export_ics(zone, week, 1, [(0, time(12, 0), 60, "easy")]))


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(
        [
            ("Europe/London", IsoWeek(2026, 13)),
            ("Europe/London", IsoWeek(2026, 43)),
            ("America/New_York", IsoWeek(2007, 11)),
            ("Australia/Lord_Howe", IsoWeek(2026, 40)),
            ("America/Santiago", IsoWeek(2026, 14)),
            ("Europe/Dublin", IsoWeek(2026, 13)),
            ("Asia/Tehran", IsoWeek(2021, 38)),
            ("Africa/Casablanca", IsoWeek(2026, 7)),
        ]
    ),
    st.lists(st.tuples(st.integers(0, 6), st.integers(0, 23), st.sampled_from([0, 30])), min_size=1, max_size=3),
    st.integers(1, 240),
)
def test_ics_round_trip_in_dst_weeks(case, slots, minutes):
    zone, week = case
    check_round_trip(*export_ics(zone, week, 1, [(day, time(h, m), minutes, "easy") for day, h, m in slots]))
