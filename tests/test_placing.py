"""Flexible sessions through the commands: the plan contract, busy sources, `place`, `unplaced`.

Weeks here are 2026-W20 in London (Monday 11 May to Sunday 17 May, BST)
unless a test says otherwise.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest

from syncplan.cli import main

LONDON = ZoneInfo("Europe/London")
WEEK = "2026-W20"

HEAD = """[athlete]
timezone = "Europe/London"
weight_kg = 70
goal = "both"

[calendar]
id = "placing-test"
"""

AVAILABILITY = """
[availability]
default = ["06:00-21:00"]
mon = ["06:00-08:30", "17:30-21:00"]
sun = []
buffer_minutes = 15
"""

SESSIONS = """
[[session]]
id = "sat-long"
day = "sat"
start = "08:00"
kind = "long"
minutes = 100

[[session]]
id = "lift-a"
kind = "strength"
focus = "lower"
minutes = 60
days = ["mon", "tue", "wed"]
prefer = "morning"

[[session]]
id = "tempo"
kind = "tempo"
minutes = 45
day = "thu"
prefer = "evening"
"""


def meeting_ics(*spans: tuple[str, str], summary: str = "Meeting") -> str:
    """A calendar of one-off events, each (start, end) as local London "YYYY-MM-DD HH:MM"."""
    events = []
    for i, (a, b) in enumerate(spans):
        start = datetime.strptime(a, "%Y-%m-%d %H:%M")
        end = datetime.strptime(b, "%Y-%m-%d %H:%M")
        events.append(
            "BEGIN:VEVENT\r\n"
            f"UID:meeting-{i}@example.com\r\n"
            "DTSTAMP:20260501T000000Z\r\n"
            f"DTSTART;TZID=Europe/London:{start:%Y%m%dT%H%M%S}\r\n"
            f"DTEND;TZID=Europe/London:{end:%Y%m%dT%H%M%S}\r\n"
            f"SUMMARY:{summary} {i}\r\n"
            "END:VEVENT\r\n"
        )
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + "".join(events) + "END:VCALENDAR\r\n"


def events(data: bytes) -> dict[str, dict]:
    """Parsed VEVENTs by their key (the end of the UID is not needed: SUMMARY and times tell them apart)."""
    out = {}
    for ve in icalendar.Calendar.from_ical(data).walk("VEVENT"):
        start = ve["DTSTART"].dt.astimezone(LONDON)
        out[str(ve["UID"])] = {"start": start, "end": ve["DTEND"].dt.astimezone(LONDON), "summary": str(ve["SUMMARY"])}
    return out


def by_summary(data: bytes) -> dict[str, datetime]:
    return {e["summary"]: e["start"] for e in events(data).values()}


def export(runner, *args):
    return runner.invoke(main, ["export", *map(str, args), "--week", WEEK, "-o", "-"])


# The plan contract ----------------------------------------------------------------


def test_flexible_sessions_are_placed_inside_their_windows_and_days(runner, plan_file):
    path = plan_file(HEAD + AVAILABILITY + SESSIONS)
    result = export(runner, path)
    assert result.exit_code == 0, result.output
    starts = by_summary(result.stdout_bytes)
    lift = next(v for k, v in starts.items() if k.startswith("Strength"))
    tempo = next(v for k, v in starts.items() if k.startswith("Tempo"))
    assert lift.strftime("%a %H:%M") == "Mon 06:00"  # the morning, the first allowed day
    assert tempo.strftime("%a") == "Thu" and tempo.hour >= 17  # its one day, in the evening
    assert len(starts) == 3


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ('[availability]\nmon = ["08:30-06:00"]\n', ["[availability] field 'mon' item 1", "'08:30-06:00'"]),
        ('[availability]\ntue = ["06:00-09:00", "08:00-10:00"]\n', ["[availability] field 'tue'", "overlap"]),
        ("[availability]\nbuffer_minutes = -5\n", ["[availability] field 'buffer_minutes'", "-5"]),
        ('[availability]\nmonday = ["06:00-09:00"]\n', ["[availability]", "unknown field 'monday'"]),
        ('[busy]\nics = "work.ics"\ngoogle = [3]\n', ["[busy] field 'google' item 1", "3"]),
        ('[[session]]\nid = "x"\nkind = "easy"\nminutes = 30\nprefer = "dawn"\n', ["session 1 (x) field 'prefer'", "'dawn'"]),
        ('[[session]]\nid = "x"\nkind = "easy"\nminutes = 30\nprefer = "09:00-25:00"\n', ["session 1 (x) field 'prefer'", "25:00"]),
        ('[[session]]\nid = "x"\nkind = "easy"\nminutes = 30\ndays = ["mon", "funday"]\n', ["session 1 (x) field 'days'", "'funday'"]),
        ('[[session]]\nid = "x"\nkind = "easy"\nminutes = 30\nday = "mon"\ndays = ["tue"]\n', ["session 1 (x)", "not both"]),
        ('[[session]]\nkind = "easy"\nminutes = 30\n', ["session 1", "give it an id"]),
        ('[[session]]\nid = "x"\nkind = "easy"\nminutes = 30\n[[session]]\nid = "x"\nday = "mon"\nstart = "07:00"\nkind = "easy"\nminutes = 30\n',
         ["session id 'x'", "more than one session"]),
    ],
    ids=["window backwards", "windows overlap", "buffer", "day name", "busy google", "prefer word", "prefer window",
         "days", "day and days", "no id", "duplicate id"],
)
def test_bad_placing_fields_give_one_paragraph_naming_file_and_field(runner, plan_file, snippet, expected):
    path = plan_file(HEAD + snippet)
    result = export(runner, path)
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert message.startswith(f"Error: {path}:")
    assert "\n" not in message and "Traceback" not in result.output
    for fragment in expected:
        assert fragment in message


def test_a_day_without_a_start_or_id_still_reads_as_a_fixed_session_missing_its_start(runner, plan_file):
    result = export(runner, plan_file(HEAD + '[[session]]\nday = "tue"\nkind = "easy"\nminutes = 30\n'))
    assert result.exit_code == 2
    assert "field 'start' is missing" in result.stderr


# Busy time ---------------------------------------------------------------------------


def test_busy_file_named_in_the_plan_is_read_relative_to_the_plan(runner, plan_file, tmp_path, monkeypatch):
    (tmp_path / "work.ics").write_text(meeting_ics(("2026-05-11 05:00", "2026-05-11 09:00")))
    path = plan_file(HEAD + AVAILABILITY + '[busy]\nics = ["work.ics"]\n' + SESSIONS)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = export(runner, path)
    assert result.exit_code == 0, result.output
    lift = next(v for k, v in by_summary(result.stdout_bytes).items() if k.startswith("Strength"))
    assert lift.strftime("%a %H:%M") == "Tue 06:00"  # Monday morning is taken


def test_busy_option_moves_only_the_session_it_collides_with_and_keeps_its_uid(runner, plan_file, tmp_path):
    path = plan_file(HEAD + AVAILABILITY + SESSIONS)
    before = events(export(runner, path).stdout_bytes)
    busy = tmp_path / "extra.ics"
    busy.write_text(meeting_ics(("2026-05-11 06:00", "2026-05-11 07:00")))
    result = runner.invoke(main, ["export", str(path), "--week", WEEK, "-o", "-", "--busy", str(busy)])
    assert result.exit_code == 0, result.output
    after = events(result.stdout_bytes)
    assert set(after) == set(before)  # same UIDs: a moved session updates its event in place
    moved = [uid for uid in after if after[uid]["start"] != before[uid]["start"]]
    assert len(moved) == 1 and after[moved[0]]["summary"].startswith("Strength")
    assert after[moved[0]]["start"] >= datetime(2026, 5, 11, 7, 15, tzinfo=LONDON)  # after the meeting and its buffer


def test_busy_block_touching_no_session_moves_nothing(runner, plan_file, tmp_path):
    path = plan_file(HEAD + AVAILABILITY + SESSIONS)
    before = events(export(runner, path).stdout_bytes)
    busy = tmp_path / "extra.ics"
    busy.write_text(meeting_ics(("2026-05-13 10:00", "2026-05-13 16:00"), ("2026-05-15 09:00", "2026-05-15 17:00")))
    after = events(runner.invoke(main, ["export", str(path), "--week", WEEK, "-o", "-", "--busy", str(busy)]).stdout_bytes)
    assert {u: e["start"] for u, e in after.items()} == {u: e["start"] for u, e in before.items()}


def test_missing_busy_file_is_invalid_input(runner, plan_file, tmp_path):
    path = plan_file(HEAD + AVAILABILITY + SESSIONS)
    result = runner.invoke(main, ["show", str(path), "--week", WEEK, "--busy", str(tmp_path / "nope.ics")])
    assert result.exit_code == 2
    assert "nope.ics" in result.stderr and "no such busy calendar file" in result.stderr
    assert "Traceback" not in result.output


def test_same_inputs_give_byte_identical_exports(runner, plan_file, tmp_path):
    busy = tmp_path / "extra.ics"
    busy.write_text(meeting_ics(("2026-05-11 06:00", "2026-05-11 07:00"), ("2026-05-12 17:00", "2026-05-12 19:00")))
    path = plan_file(HEAD + AVAILABILITY + SESSIONS)
    outputs = []
    for name in ("a.ics", "b.ics"):
        out = tmp_path / name
        result = runner.invoke(main, ["export", str(path), "--week", WEEK, "-o", str(out), "--busy", str(busy)])
        assert result.exit_code == 0, result.output
        outputs.append(_without_stamps(out.read_bytes()))
    assert outputs[0] == outputs[1]


def _without_stamps(data: bytes) -> bytes:
    return b"\n".join(line for line in data.splitlines() if not line.startswith(b"DTSTAMP"))


# Unplaced ----------------------------------------------------------------------------

FULL_WEEK = '[[session]]\nid = "lift-a"\nkind = "strength"\nminutes = 60\ndays = ["mon"]\n'


def test_unplaced_session_is_an_error_naming_it_and_the_constraint(runner, plan_file, tmp_path):
    busy = tmp_path / "busy.ics"
    busy.write_text(meeting_ics(("2026-05-11 00:00", "2026-05-12 00:00")))
    path = plan_file(HEAD + FULL_WEEK + SESSIONS.split("[[session]]\nid = \"lift-a\"")[0])
    result = runner.invoke(main, ["export", str(path), "--week", WEEK, "-o", str(tmp_path / "w.ics"), "--busy", str(busy)])
    assert result.exit_code == 1
    assert "unplaced" in result.stderr and "lift-a" in result.stderr and "busy time" in result.stderr
    assert not (tmp_path / "w.ics").exists()

    check = runner.invoke(main, ["check", str(path), "--week", WEEK, "--busy", str(busy), "--json"])
    assert check.exit_code == 1
    answer = json.loads(check.output)
    (finding,) = [f for f in answer["findings"] if f["rule"] == "unplaced"]
    assert finding["sessions"] == ["lift-a"]
    # A script can tell why without parsing the message: the constraint is a field of its own.
    assert answer["unplaced"] == [{"week": WEEK, "key": "lift-a", "constraint": "busy", "message": finding["message"]}]


def test_allow_errors_writes_the_week_without_the_unplaced_session(runner, plan_file, tmp_path):
    busy = tmp_path / "busy.ics"
    busy.write_text(meeting_ics(("2026-05-11 00:00", "2026-05-12 00:00")))
    path = plan_file(HEAD + FULL_WEEK + SESSIONS.split("[[session]]\nid = \"lift-a\"")[0])
    out = tmp_path / "w.ics"
    result = runner.invoke(
        main, ["export", str(path), "--week", WEEK, "-o", str(out), "--busy", str(busy), "--allow-errors"]
    )
    assert result.exit_code == 0, result.output
    summaries = [e["summary"] for e in events(out.read_bytes()).values()]
    assert summaries == ["Long run · 100 min"] or all(not s.startswith("Strength") for s in summaries)


def test_unplaced_can_be_disabled_like_any_rule(runner, plan_file, tmp_path):
    busy = tmp_path / "busy.ics"
    busy.write_text(meeting_ics(("2026-05-11 00:00", "2026-05-12 00:00")))
    path = plan_file(HEAD + '[rules]\ndisable = ["unplaced"]\n' + FULL_WEEK)
    result = runner.invoke(main, ["check", str(path), "--week", WEEK, "--busy", str(busy)])
    assert "unplaced" not in result.output


# Rules the plan disables ---------------------------------------------------------------


def test_disabled_gap_lets_a_run_follow_a_lift_on_the_same_day(runner, plan_file):
    one_day = '[availability]\ndefault = []\nwed = ["06:00-09:00"]\nbuffer_minutes = 0\n'
    sessions = (
        '[[session]]\nid = "lift"\nkind = "strength"\nminutes = 60\n'
        '[[session]]\nid = "run"\nkind = "tempo"\nminutes = 45\n'
    )
    strict = export(runner, plan_file(HEAD + one_day + sessions, "strict.toml"))
    assert strict.exit_code == 1 and "unplaced" in strict.stderr  # 6 h apart cannot fit in three hours
    relaxed = export(runner, plan_file(HEAD + '[rules]\ndisable = ["gap"]\n' + one_day + sessions, "relaxed.toml"))
    assert relaxed.exit_code == 0, relaxed.output
    starts = sorted((v, k) for k, v in by_summary(relaxed.stdout_bytes).items())
    assert [k.split()[0] for _, k in starts] == ["Strength", "Tempo"]  # order still holds: the lift first


# Week boundaries ---------------------------------------------------------------------------

BOUNDARY = """
[rules]
min_gap_hours = 8
[availability]
default = []
mon = ["05:00-06:00", "20:00-21:00"]
sun = ["21:00-23:00"]
buffer_minutes = 0
[[session]]
id = "sun-lift"
kind = "strength"
focus = "lower"
minutes = 60
days = ["sun"]
[[session]]
id = "mon-run"
kind = "tempo"
minutes = 45
days = ["mon"]
"""


def test_a_week_is_placed_the_same_alone_or_after_the_week_before(runner, plan_file):
    """Sunday's late lift of the week before leaves Monday 05:00 too close for the run, exported with it or not."""
    import json

    path = plan_file(HEAD + BOUNDARY)
    starts = []
    for first, count in (("2026-W20", "1"), ("2026-W19", "2"), ("2026-W20", "2")):
        result = runner.invoke(main, ["check", str(path), "--week", first, "--weeks", count, "--json"])
        answer = json.loads(result.output)
        starts.append({s["key"]: s["start"] for s in answer["sessions"] if s["week"] == WEEK})
        assert not [f for f in answer["findings"] if f["rule"] in ("gap", "order", "overlap")]
    assert starts[0] == starts[1] == starts[2]
    assert starts[0]["mon-run"] == "2026-05-11T20:00:00+01:00"  # 05:00 is 7 h after Sunday's lift


def test_an_event_of_the_week_before_moved_out_of_it_by_hand_is_not_read_back(runner, plan_file, tmp_path):
    """The feed holds the week before as the calendar shows it: an event moved into the new week is not in it.

    The next export drops that event (it is not one of the new week's), so placing around it would
    move Monday's run for a lift no calendar holds any more; `sync` lists the week's own window too.
    """
    path, feed = plan_file(HEAD + BOUNDARY), tmp_path / "feed.ics"
    assert runner.invoke(main, ["export", str(path), "--week", "2026-W19", "-o", str(feed)]).exit_code == 0
    text = feed.read_text()
    assert "20260510T210000" in text and "20260510T220000" in text  # Sunday's lift of 2026-W19
    moved = text.replace("20260510T210000", "20260511T050000").replace("20260510T220000", "20260511T060000")
    feed.write_text(moved)
    result = runner.invoke(main, ["export", str(path), "--week", WEEK, "-o", str(feed)])
    assert result.exit_code == 0, result.output
    (run,) = [e for e in events(feed.read_bytes()).values() if e["summary"].startswith("Tempo")]
    assert run["start"].strftime("%a %H:%M") == "Mon 05:00"  # as with no Sunday lift held: nothing is 8 h before it


CRON_FLIP = """
[rules]
min_gap_hours = 10
[availability]
buffer_minutes = 0
default = ["06:00-08:00", "18:00-21:00"]
mon = ["05:45-07:15", "21:45-22:45"]
sun = ["08:00-09:00", "19:00-23:00"]
[[session]]
id = "sun-jog"
kind = "easy"
minutes = 45
days = ["sun"]
[[session]]
id = "squat"
kind = "strength"
focus = "lower"
minutes = 45
days = ["mon", "sun"]
[[session]]
id = "intervals"
kind = "intervals"
minutes = 45
days = ["mon"]
[[session]]
id = "full-body"
kind = "strength"
focus = "full"
minutes = 30
days = ["sun"]
"""


def test_the_weekly_run_places_next_week_next_to_the_week_its_file_already_holds(runner, plan_file, tmp_path):
    """A tester's plan: placed afresh, the week before has its lifts elsewhere than last run wrote them.

    Two Sundays of `export --week next --weeks 2 --keep-past 1` into one feed: the second run
    reads the week before back from the file, so the week both runs place comes out the same,
    and Monday's intervals keep 10 h from the Sunday lifts the feed already holds.
    """
    path, feed = plan_file(HEAD + CRON_FLIP), tmp_path / "feed.ics"

    def run(first):
        result = runner.invoke(main, ["export", str(path), "--week", first, "--weeks", "2", "-o", str(feed), "--keep-past", "1"])
        assert result.exit_code == 0, result.output
        return {uid: (e["start"], e["end"], e["summary"]) for uid, e in events(feed.read_bytes()).items()}

    first = run("2026-W20")
    second = run("2026-W21")
    week21 = {uid: v for uid, v in first.items() if "2026-05-18" <= v[0].isoformat()[:10] <= "2026-05-24"}
    assert week21 and all(second[uid] == v for uid, v in week21.items())
    lifts = [v for v in second.values() if v[2].startswith("Strength") and v[0].isoformat()[:10] == "2026-05-17"]
    (intervals,) = [v for v in second.values() if v[2].startswith("Intervals") and v[0].isoformat()[:10] == "2026-05-18"]
    assert lifts and all((intervals[0] - end).total_seconds() >= 10 * 3600 for _, end, _ in lifts)


# `syncplan place` ------------------------------------------------------------------------


def test_place_prints_the_grid_and_why_each_session_went_where(runner, plan_file):
    result = runner.invoke(main, ["place", str(plan_file(HEAD + AVAILABILITY + SESSIONS)), "--week", WEEK])
    assert result.exit_code == 0, result.output
    assert "Mon 11 May" in result.output and "[lift-a]" in result.output
    assert "lift-a: Mon 06:00: in its preferred morning time" in result.output
    assert "tempo: Thu " in result.output and "free for 45 min + 15 min buffers" in result.output


def test_check_json_gives_each_placed_session_its_reason(runner, plan_file):
    import json

    path = plan_file(HEAD + AVAILABILITY + SESSIONS)
    answer = json.loads(runner.invoke(main, ["check", str(path), "--week", WEEK, "--json"]).output)
    placed = {s["key"]: s["placed"] for s in answer["sessions"] if "placed" in s}
    assert placed["lift-a"].startswith("Mon 06:00: in its preferred morning time")
    printed = runner.invoke(main, ["place", str(path), "--week", WEEK]).output
    assert all(f"{key}: {reason}" in printed for key, reason in placed.items())
    fixed = [s for s in answer["sessions"] if s["key"] not in placed]
    assert fixed and all("placed" not in s for s in fixed)


def test_busy_calendars_in_a_plan_without_flexible_sessions_are_said_to_be_unread(runner, plan_file, tmp_path):
    """Not silently: the user named a calendar, so they hear why it did nothing (a missing one is not an error yet)."""
    fixed_only = SESSIONS.split('[[session]]\nid = "lift-a"')[0]
    path = plan_file(HEAD + '[busy]\nics = ["missing.ics"]\n' + fixed_only)
    result = runner.invoke(main, ["export", str(path), "--week", WEEK, "-o", str(tmp_path / "w.ics")])
    assert result.exit_code == 0, result.output
    assert "has no flexible sessions, so its [busy] calendars are not read" in result.stderr


def test_place_on_a_plan_without_flexible_sessions_says_so(runner):
    result = runner.invoke(main, ["place", "--template", "four-day", "--week", WEEK])
    assert result.exit_code == 2
    assert "no flexible sessions" in result.stderr


# Plans without flexible sessions ------------------------------------------------------------


BUSY_COMMANDS = {
    "show": ["show"],
    "check": ["check"],
    "check-json": ["check", "--json"],
    "export": ["export", "-o", "{tmp}/w.ics"],
    "place": ["place"],
    "sync": ["sync", "--dry-run"],
}


@pytest.mark.parametrize("command", BUSY_COMMANDS.values(), ids=BUSY_COMMANDS.keys())
def test_busy_option_on_a_plan_without_flexible_sessions_is_refused(runner, tmp_path, command):
    """A path the user gave is never silently ignored, even one that would not have been read."""
    args = [a.format(tmp=tmp_path) for a in command]
    result = runner.invoke(main, [*args, "--template", "four-day", "--week", WEEK, "--busy", "/nonexistent.ics"])
    assert result.exit_code == 2
    if "--json" in args:
        message = json.loads(result.stdout)["error"]["message"]
    else:
        assert isinstance(result.exception, SystemExit) and len(result.stderr.strip().splitlines()) == 1, result.stderr
        message = result.stderr
    assert message.startswith(("--busy /nonexistent.ics: template 'four-day' has no flexible sessions", "Error: --busy"))
    assert "no flexible sessions (sessions with an id and no start)" in message and "drop --busy" in message
    assert not (tmp_path / "w.ics").exists()


# Several weeks, blocks, and Google sources outside `sync` ---------------------------------


def test_each_exported_week_gets_its_own_placement_and_uids(runner, plan_file, tmp_path):
    busy = tmp_path / "busy.ics"
    busy.write_text(meeting_ics(("2026-05-18 05:00", "2026-05-18 09:00")))  # only the second Monday morning
    path = plan_file(HEAD + AVAILABILITY + SESSIONS)
    result = runner.invoke(main, ["export", str(path), "--week", WEEK, "--weeks", "2", "-o", "-", "--busy", str(busy)])
    assert result.exit_code == 0, result.output
    found = events(result.stdout_bytes)
    assert len(found) == 6 and len(set(found)) == 6
    lifts = sorted(e["start"].strftime("%d %a %H:%M") for e in found.values() if e["summary"].startswith("Strength"))
    assert lifts == ["11 Mon 06:00", "19 Tue 06:00"]


def test_a_rest_week_of_a_block_places_nothing(runner, plan_file):
    block = '[block]\nstart = "2026-05-04"\nweeks = 4\n[[week]]\nnumber = 2\nrest = true\n'
    result = export(runner, plan_file(HEAD + AVAILABILITY + SESSIONS + block))
    assert result.exit_code == 0, result.output
    assert events(result.stdout_bytes) == {}


def test_show_says_google_busy_calendars_are_left_to_sync(runner, plan_file):
    path = plan_file(HEAD + AVAILABILITY + '[busy]\ngoogle = ["primary"]\n' + SESSIONS)
    result = runner.invoke(main, ["show", str(path), "--week", WEEK])
    assert result.exit_code == 0, result.output
    assert "read by `sync` only" in result.stderr


# Flexible sessions in a training block -------------------------------------------

BLOCK_PLAN = HEAD + """
[availability]
default = ["06:00-21:00"]
buffer_minutes = 15

[block]
start = "2026-11-30"
race = "2027-01-17"
race_start = "09:00"
deload_every = 4

[[session]]
id = "tempo"
kind = "tempo"
minutes = 40
days = ["tue", "wed", "thu"]
prefer = "evening"

[[session]]
id = "long"
kind = "long"
minutes = 70
days = ["sat", "sun"]
prefer = "morning"
"""


def block_week(runner, path, week):
    result = runner.invoke(main, ["export", str(path), "--week", week, "-o", "-"])
    assert result.exit_code == 0, result.output
    return sorted((e["start"], e["summary"]) for e in events(result.stdout_bytes).values())


def test_flexible_runs_are_shortened_on_deload_taper_and_race_weeks(runner, plan_file):
    path = plan_file(BLOCK_PLAN)
    summaries = lambda week: [s for _, s in block_week(runner, path, week)]  # noqa: E731
    assert summaries("2026-W49") == ["Tempo run · 40 min", "Long run · 70 min"]  # week 1, build
    assert summaries("2026-W52") == ["Tempo run · 25 min", "Long run · 45 min"]  # week 4, deload at 70%
    assert "Long run · 35 min" in summaries("2027-W02")  # race week, 50%


def test_nothing_is_placed_on_race_day_but_the_race(runner, plan_file):
    race_week = block_week(runner, plan_file(BLOCK_PLAN), "2027-W02")
    on_race_day = [s for start, s in race_week if start.date() == datetime(2027, 1, 17).date()]
    assert on_race_day == ["Race · 120 min"]


def test_a_week_session_with_a_flexible_id_replaces_it_and_a_skip_leaves_it_out(runner, plan_file):
    override = """
[[week]]
number = 2
[[week.session]]
id = "long"
day = "sun"
start = "07:00"
kind = "long"
minutes = 80

[[week]]
number = 3
skip = ["tempo"]
"""
    path = plan_file(BLOCK_PLAN + override)
    result = runner.invoke(main, ["export", str(path), "--week", "2026-W50", "-o", "-"])
    uids = [str(ve["UID"]) for ve in icalendar.Calendar.from_ical(result.stdout_bytes).walk("VEVENT")]
    assert len(uids) == len(set(uids)) == 2
    week2 = block_week(runner, path, "2026-W50")
    assert [(start.strftime("%a %H:%M"), s) for start, s in week2 if s.startswith("Long")] == [("Sun 07:00", "Long run · 80 min")]
    assert [s for _, s in block_week(runner, path, "2026-W51")] == ["Long run · 70 min"]


def test_a_session_without_start_or_id_is_told_how_to_be_placed(runner, plan_file):
    path = plan_file(HEAD + '\n[[session]]\nkind = "easy"\nminutes = 30\nday = "tue"\n')
    result = runner.invoke(main, ["check", str(path)])
    assert result.exit_code == 2
    assert "field 'start' is missing" in result.output and "has an id" in result.output
