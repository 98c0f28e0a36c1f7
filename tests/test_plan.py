"""The plan file: what loads, what is refused and how, and what keeps a session's identity."""

import pytest

from conftest import PLANS
from syncplan.build import build
from syncplan.cli import main
from syncplan.plan import load_plan, parse_plan
from syncplan.week import IsoWeek

GOOD_HEAD = '[athlete]\nweight_kg = 70\ntimezone = "Europe/London"\n'
LIFT = '[[session]]\nid = "tue-lift"\nday = "tue"\nstart = "07:00"\nkind = "strength"\nminutes = 60\n'


def test_fixture_plan_loads_with_defaults_and_keys():
    plan = load_plan(PLANS / "london.toml")
    assert plan.timezone == "Europe/London"
    assert plan.reminders == (30, 10)
    assert plan.min_gap_hours == 6
    assert [s.key for s in plan.sessions] == ["tue-lift", "tue-run", "thu-easy", "thu-strength", "sun-long"]
    assert plan.sessions[0].focus == "lower"
    assert plan.sessions[3].focus == "upper"


def test_a_toml_time_on_the_minute_is_a_start(plan_file):
    (s,) = load_plan(plan_file(GOOD_HEAD + LIFT.replace('"07:00"', "07:15:00"))).sessions
    assert s.start.strftime("%H:%M:%S") == "07:15:00"


def test_kind_aliases_and_full_day_names(plan_file):
    plan = load_plan(plan_file(GOOD_HEAD + '[[session]]\nday = "Wednesday"\nstart = "7:05"\nkind = "Hill Repeats"\nminutes = 40\n'))
    (s,) = plan.sessions
    assert (s.day_name, s.kind.id, s.start.strftime("%H:%M"), s.key) == ("wed", "hills", "07:05", "wed-hills")


BAD = [
    ("not toml", "[athlete\n", ["line 1"]),
    ("unknown field", GOOD_HEAD + LIFT + "minuts = 3\n", ["session 1 (tue-lift)", "'minuts'", "Did you mean 'minutes'?"]),
    ("unknown section", "[athelte]\n", ["unknown field 'athelte'", "Did you mean 'athlete'?"]),
    ("bad time", GOOD_HEAD + LIFT.replace("07:00", "7am"), ["session 1 (tue-lift)", "field 'start'", "'7am'", "HH:MM"]),
    ("hour 24", GOOD_HEAD + LIFT.replace("07:00", "24:00"), ["field 'start'", "'24:00'"]),
    ("unknown zone", GOOD_HEAD.replace("Europe/London", "Europe/Lundon"), ["field 'timezone'", "'Europe/Lundon'"]),
    ("missing zone", "[athlete]\nweight_kg = 70\n", ["'timezone' is missing"]),
    ("unknown kind", GOOD_HEAD + LIFT.replace('"strength"', '"swim"'), ["field 'kind'", "'swim'", "easy, long, tempo"]),
    ("duplicate ids", GOOD_HEAD + LIFT + LIFT.replace("07:00", "18:00"), ["'tue-lift'", "more than one session"]),
    ("zero minutes", GOOD_HEAD + LIFT.replace("minutes = 60", "minutes = 0"), ["field 'minutes'", "0 is out of range"]),
    ("negative minutes", GOOD_HEAD + LIFT.replace("minutes = 60", "minutes = -30"), ["field 'minutes'", "-30"]),
    ("absurd weight", GOOD_HEAD.replace("70", "700"), ["field 'weight_kg'", "700"]),
    ("bad day", GOOD_HEAD + LIFT.replace('"tue"', '"someday"'), ["field 'day'", "'someday'"]),
    ("focus on a run", GOOD_HEAD + LIFT.replace('"strength"', '"easy"') + 'focus = "lower"\n', ["field 'focus'"]),
    ("bad goal", GOOD_HEAD + 'goal = "fame"\n', ["field 'goal'", "'fame'"]),
    ("missing field", GOOD_HEAD + '[[session]]\nday = "tue"\nkind = "easy"\nminutes = 30\n', ["session 1 (tue easy, line 4)", "'start'"]),
    ("bad reminder", GOOD_HEAD + "[calendar]\nreminders = [-5]\n", ["'reminders'", "-5"]),
    ("too many reminders", GOOD_HEAD + "[calendar]\nreminders = [5, 10, 15, 30, 60, 120]\n", ["'reminders'", "at most 5"]),
    ("id with a newline", GOOD_HEAD + LIFT.replace('id = "tue-lift"', 'id = "a\\nb"'), ["session 1 (tue strength, line 4) field 'id'", "'a\\nb'"]),
    ("zone is a folder", GOOD_HEAD.replace("Europe/London", "America"), ["field 'timezone'", "'America'"]),
    ("unknown rule", GOOD_HEAD + '[rules]\ndisable = ["speed"]\n', ["'disable'", "'speed'"]),
    # TOML values are shown as the file spells them, and a time is never cut to the minute silently.
    ("start with seconds", GOOD_HEAD + LIFT.replace('"07:00"', "07:00:30"), ["field 'start'", "07:00:30 is not a time of day"]),
    ("start is a datetime", GOOD_HEAD + LIFT.replace('"07:00"', "2026-01-01T07:00:00"), ["2026-01-01T07:00:00 is not a time of day"]),
    ("minutes is a boolean", GOOD_HEAD + LIFT.replace("minutes = 60", "minutes = true"), ["field 'minutes'", "true is not a whole number"]),
    ("kind is a list", GOOD_HEAD + LIFT.replace('kind = "strength"', 'kind = ["easy", [[["x"]]]]'), ["['easy', [[[...]]]] is not a session kind"]),
    ("kind is a table", GOOD_HEAD + LIFT.replace('kind = "strength"', 'kind = {a = "x"}'), ["{a = 'x'} is not a session kind"]),
]


@pytest.mark.parametrize(("case", "text", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_plan_gives_one_clear_paragraph_and_exit_2(runner, plan_file, tmp_path, case, text, expected):
    path = plan_file(text, "bad-plan.toml")
    out = tmp_path / "week.ics"
    result = runner.invoke(main, ["export", str(path), "--week", "2026-W49", "-o", str(out)])
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert message.startswith(f"Error: {path}:")
    assert "\n" not in message
    assert "Traceback" not in result.output
    for fragment in expected:
        assert fragment in message
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [path]  # no temp files left behind either


def test_missing_plan_file_is_invalid_input(runner, tmp_path):
    result = runner.invoke(main, ["check", str(tmp_path / "nope.toml")])
    assert result.exit_code == 2
    assert "no such plan file" in result.stderr


def week_uids(text: str) -> dict[str, str]:
    plan = parse_plan(text, "p.toml")
    return {e.key: e.uid for e in build(plan, [IsoWeek(2026, 49)]).events}


def test_uid_survives_edits_to_time_length_details_and_order():
    jog = '[[session]]\nday = "thu"\nstart = "07:00"\nkind = "easy"\nminutes = 25\n'
    before = week_uids(GOOD_HEAD + LIFT + jog)
    edited = LIFT.replace("07:00", "06:15").replace("60", "75") + 'details = ["squat 5x5"]\n'
    after = week_uids(GOOD_HEAD + jog.replace("25", "30") + edited)  # reordered too
    assert after == before
    assert len(set(before.values())) == 2


def test_uid_changes_with_id_day_or_kind_and_differs_per_week():
    base = week_uids(GOOD_HEAD + LIFT)["2026-W49/tue-lift"]
    assert week_uids(GOOD_HEAD + LIFT.replace('id = "tue-lift"', 'id = "tue-gym"'))["2026-W49/tue-gym"] != base
    no_id = LIFT.replace('id = "tue-lift"\n', "")
    assert week_uids(GOOD_HEAD + no_id)["2026-W49/tue-strength"] != week_uids(
        GOOD_HEAD + no_id.replace('"tue"', '"wed"')
    )["2026-W49/wed-strength"]
    plan = parse_plan(GOOD_HEAD + LIFT, "p.toml")
    w49, w50 = build(plan, [IsoWeek(2026, 49), IsoWeek(2026, 50)]).events
    assert w49.uid != w50.uid


def test_uid_does_not_depend_on_the_file_path(tmp_path):
    a = tmp_path / "a.toml"
    b = tmp_path / "moved" / "b.toml"
    b.parent.mkdir()
    for path in (a, b):
        path.write_text(GOOD_HEAD + LIFT)
    uids = [build(load_plan(p), [IsoWeek(2026, 49)]).events[0].uid for p in (a, b)]
    assert uids[0] == uids[1]


# Time zones: a name that means the same on every machine -----------------------

ZONE_HEAD = '[athlete]\ntimezone = "{}"\n' + LIFT


@pytest.mark.parametrize(
    ("zone", "suggestion"),
    [
        ("localtime", None),
        ("posixrules", None),
        ("Factory", None),
        ("right/Europe/London", '"Europe/London"'),
        ("posix/Europe/London", '"Europe/London"'),
        ("EST", '"America/New_York"'),
        ("MST", '"America/Denver"'),
        ("HST", '"Pacific/Honolulu"'),
        ("EST5EDT", '"America/New_York"'),
        ("Etc/GMT+3", None),
        ("GMT", '"UTC"'),
        ("Etc/GMT", '"UTC"'),
        ("US/Eastern", '"America/New_York"'),
        ("GB", '"Europe/London"'),
        ("london", '"Europe/London"'),
        ("LONDON", '"Europe/London"'),
        ("europe/london", '"Europe/London"'),
        ("new york", '"America/New_York"'),
        ("Europe/Lundon", '"Europe/London"'),
    ],
)
def test_zones_that_can_mean_different_things_are_refused_with_a_suggestion(runner, plan_file, zone, suggestion):
    path = plan_file(ZONE_HEAD.format(zone))
    result = runner.invoke(main, ["check", str(path), "--week", "2026-W49"])
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert "\n" not in message and "Traceback" not in result.output
    assert f"[athlete] field 'timezone': {zone!r}" in message
    assert '"Europe/London" or "America/New_York", or "UTC"' in message
    if suggestion:
        assert f"Did you mean {suggestion}?" in message


@pytest.mark.parametrize("zone", ["UTC", "Etc/UTC", "Europe/London", "America/Argentina/Buenos_Aires", "Asia/Kolkata"])
def test_place_zones_and_utc_are_accepted(plan_file, zone):
    assert load_plan(plan_file(ZONE_HEAD.format(zone))).timezone == zone


# "Did you mean", line numbers, byte-order mark -----------------------------------

@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('"strength"', '"strenght"'), ["field 'kind'", "'strenght'", "Did you mean 'strength'?"]),
        (('"tue"', '"thrusday"'), ["field 'day'", "'thrusday'", "Did you mean 'thursday'?"]),
        (("minutes = 60", "minutes = 60\nfocus = \"lowr\""), ["field 'focus'", "Did you mean 'lower'?"]),
    ],
)
def test_misspelt_values_get_a_suggestion(runner, plan_file, change, expected):
    path = plan_file(GOOD_HEAD + LIFT.replace(*change))
    result = runner.invoke(main, ["check", str(path)])
    assert result.exit_code == 2
    for fragment in expected:
        assert fragment in result.stderr


def test_misspelt_section_and_field_names_get_a_suggestion(runner, plan_file):
    result = runner.invoke(main, ["check", str(plan_file(GOOD_HEAD + "[calender]\nname = 'x'\n"))])
    assert result.exit_code == 2 and "Did you mean 'calendar'?" in result.stderr
    result = runner.invoke(main, ["check", str(plan_file(GOOD_HEAD + "[calendar]\nnmae = 'x'\n"))])
    assert result.exit_code == 2 and "Did you mean 'name'?" in result.stderr


def test_a_session_without_an_id_is_named_by_day_kind_and_line(runner, plan_file):
    text = (
        GOOD_HEAD
        + "\n# my week\n\n"
        + LIFT
        + '\n[[session]]   # the hill day\nday = "wed"\nstart = "7am"\nkind = "hills"\nminutes = 40\n'
    )
    line = text.splitlines().index("[[session]]   # the hill day") + 1
    result = runner.invoke(main, ["check", str(plan_file(text))])
    assert result.exit_code == 2
    assert f"session 2 (wed hills, line {line}) field 'start': '7am'" in result.stderr


def test_a_byte_order_mark_at_the_start_is_accepted(tmp_path):
    path = tmp_path / "windows.toml"
    path.write_bytes(b"\xef\xbb\xbf" + (GOOD_HEAD + LIFT).encode())
    assert [s.key for s in load_plan(path).sessions] == ["tue-lift"]


def test_a_file_that_is_not_utf8_is_exit_2(runner, tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes((GOOD_HEAD + LIFT + 'title = "Kraftübung"\n').encode("latin-1"))
    result = runner.invoke(main, ["check", str(path)])
    assert result.exit_code == 2
    assert str(path) in result.stderr and "UTF-8" in result.stderr


# Control characters in text ------------------------------------------------------

@pytest.mark.parametrize(
    ("field", "toml", "where"),
    [
        ("name", '[calendar]\nname = "Train\\ning"\n', "[calendar] field 'name'"),
        ("name CR", '[calendar]\nname = "Train\\r\\nBEGIN:VEVENT"\n', "[calendar] field 'name'"),
        ("title ESC", LIFT + 'title = "Gym \\u001b[31m"\n', "session 1 (tue-lift) field 'title'"),
        ("title TAB", LIFT + 'title = "Gym\\tday"\n', "session 1 (tue-lift) field 'title'"),
        ("title DEL", LIFT + 'title = "Gym\\u007f"\n', "session 1 (tue-lift) field 'title'"),
        ("details NUL", LIFT + 'details = ["squat", "bench\\u0000"]\n', "session 1 (tue-lift) field 'details' item 2"),
        ("details C1", LIFT + 'details = ["squat\\u0085"]\n', "session 1 (tue-lift) field 'details' item 1"),
        ("notes BEL", LIFT + 'notes = "belt\\u0007"\n', "session 1 (tue-lift) field 'notes'"),
        ("notes CR", LIFT + 'notes = "belt\\r"\n', "session 1 (tue-lift) field 'notes'"),
        ("notes U+2028", LIFT + 'notes = "belt\\u2028chalk"\n', "session 1 (tue-lift) field 'notes'"),
        ("notes U+2029", LIFT + 'notes = "belt\\u2029chalk"\n', "session 1 (tue-lift) field 'notes'"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 16 else None,
)
def test_control_characters_in_text_are_refused_naming_the_field(runner, plan_file, tmp_path, field, toml, where):
    path = plan_file(GOOD_HEAD + toml)
    out = tmp_path / "week.ics"
    result = runner.invoke(main, ["export", str(path), "--week", "2026-W49", "-o", str(out)])
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert "\n" not in message and "Traceback" not in result.output
    assert where in message and "control character U+" in message
    assert not out.exists()


def test_notes_keep_tabs_and_line_breaks_and_a_literal_backslash_n_stays(plan_file):
    text = GOOD_HEAD + LIFT + "title = 'Gym \\N day'\ndetails = ['a\\Nb']\nnotes = \"\"\"Belt\n\tchalk \\\\N\"\"\"\n"
    plan = load_plan(plan_file(text))
    (s,) = plan.sessions
    assert s.title == "Gym \\N day"
    assert s.details == ("a\\Nb",)
    assert s.notes == "Belt\n\tchalk \\N"
    (event,) = build(plan, [IsoWeek(2026, 49)]).events
    assert "Gym \\N day" in event.summary
    assert "a\\Nb" in event.description and "chalk \\N" in event.description


# init: the user's zone, a plan id, a word about weight ----------------------------


def init_in(runner, tmp_path, monkeypatch, *args, tz=None):
    if tz is None:
        monkeypatch.delenv("TZ", raising=False)
    else:
        monkeypatch.setenv("TZ", tz)
    path = tmp_path / "plan.toml"
    return path, runner.invoke(main, ["init", str(path), *args])


def test_init_writes_the_zone_from_tz_and_keeps_the_templates_comments(runner, tmp_path, monkeypatch):
    from syncplan.templates import template_path

    path, result = init_in(runner, tmp_path, monkeypatch, tz="America/Chicago")
    assert result.exit_code == 0, result.output
    plan = load_plan(path)
    assert plan.timezone == "America/Chicago"
    assert "America/Chicago (from TZ)" in result.output
    assert "weight_kg" in result.output
    template = template_path("four-day").read_text().splitlines()
    written = path.read_text().splitlines()
    assert [line for line in written if line not in template] == [
        next(line for line in written if line.startswith("timezone")),
        next(line for line in written if line.startswith("id =")),
    ]
    assert "# IANA zone" in next(line for line in written if line.startswith("timezone"))
    assert written.index(next(line for line in written if line.startswith("id ="))) == written.index("[calendar]") + 1


def test_init_timezone_flag_wins_and_is_checked(runner, tmp_path, monkeypatch):
    path, result = init_in(runner, tmp_path, monkeypatch, "--timezone", "Asia/Tokyo", tz="America/Chicago")
    assert result.exit_code == 0 and load_plan(path).timezone == "Asia/Tokyo"
    assert "(from --timezone)" in result.output
    path.unlink()
    path, result = init_in(runner, tmp_path, monkeypatch, "--timezone", "london")
    assert result.exit_code == 2
    assert 'Did you mean "Europe/London"?' in result.stderr and "Traceback" not in result.output
    assert not path.exists()


@pytest.mark.parametrize("tz", ["EST5EDT,M3.2.0,M11.1.0", "localtime", "Nowhere/City"])
def test_init_keeps_the_templates_zone_and_says_so_when_tz_is_no_portable_name(runner, tmp_path, monkeypatch, tz):
    path, result = init_in(runner, tmp_path, monkeypatch, tz=tz)
    assert result.exit_code == 0, result.output
    assert load_plan(path).timezone == "Europe/London"
    assert "kept the template's Europe/London" in result.output and repr(tz) in result.output
    assert "--timezone" in result.output


def test_init_reads_the_localtime_link(tmp_path):
    from syncplan.plan import system_timezone

    link = tmp_path / "localtime"
    link.symlink_to("/usr/share/zoneinfo/Europe/Berlin")
    assert system_timezone({}, link) == ("Europe/Berlin", f"from {link}")
    assert system_timezone({"TZ": ":Asia/Tokyo"}, link) == ("Asia/Tokyo", "from TZ")
    other = tmp_path / "other"
    other.symlink_to("/usr/share/zoneinfo/posixrules")
    assert system_timezone({}, other)[0] is None
    assert system_timezone({}, tmp_path / "missing")[0] is None


def test_init_says_so_cleanly_when_the_config_folder_cannot_be_made(runner, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("SYNCPLAN_CONFIG_DIR", str(blocker / "syncplan"))
    result = runner.invoke(main, ["init", "--timezone", "UTC"])
    assert result.exit_code == 1, result.output
    message = result.stderr.strip()
    assert message.startswith(f"Error: {blocker / 'syncplan' / 'plan.toml'}: cannot write the plan there")
    assert "\n" not in message and "Traceback" not in result.output
    assert "SYNCPLAN_CONFIG_DIR" in message


@pytest.mark.parametrize(
    "first_notes",
    ["", 'notes = """\n[[session]]\nsee "x" \\""" and more\n"""\n', "notes = '''\n  [[ session ]]\n'''\n"],
    ids=["plain", "header-in-a-basic-multiline-string", "header-in-a-literal-multiline-string"],
)
@pytest.mark.parametrize("header", ["[[ session ]]", "[[\tsession ]]  # it's the hill day", "[[ 'session' ]]"])
def test_a_session_header_written_with_spaces_keeps_its_line_number(runner, plan_file, header, first_notes):
    text = GOOD_HEAD + "\n" + LIFT + first_notes + f'\n{header}\nday = "wed"\nstart = "7am"\nkind = "hills"\nminutes = 40\n'
    line = text.splitlines().index(header) + 1
    result = runner.invoke(main, ["check", str(plan_file(text))])
    assert result.exit_code == 2, result.output
    assert f"session 2 (wed hills, line {line}) field 'start': '7am'" in result.stderr
