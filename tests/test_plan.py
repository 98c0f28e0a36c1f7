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
