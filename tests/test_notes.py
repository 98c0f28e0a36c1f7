"""What each event's text says: true for the week as planned, and every warning on it."""

from datetime import datetime, timezone

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncplan.build import build
from syncplan.cli import main
from syncplan.ics import to_ical
from syncplan.kinds import KINDS
from syncplan.plan import DAYS, parse_plan
from syncplan.week import IsoWeek

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
HEAD = '[athlete]\ntimezone = "{zone}"\ngoal = "muscle"\nweight_kg = 70\n{athlete}\n'


def session(day, start, kind, minutes, **extra):
    lines = [f'day = "{day}"', f'start = "{start}"', f'kind = "{kind}"', f"minutes = {minutes}"]
    lines += [f'{k} = "{v}"' for k, v in extra.items()]
    return "[[session]]\n" + "\n".join(lines) + "\n"


def texts(*sessions, week=IsoWeek(2026, 49), weeks=1, zone="Europe/London", athlete=""):
    """Event key -> description, read back from the exported .ics as a calendar app would."""
    plan = parse_plan(HEAD.format(zone=zone, athlete=athlete) + "".join(sessions), "notes.toml")
    span = [week]
    while len(span) < weeks:
        span.append(span[-1].next())
    built = build(plan, span)
    data = to_ical(list(built.events), plan.calendar_name, plan.timezone, NOW)
    by_uid = {e.uid: e.key for e in built.events}
    return {by_uid[str(ve["UID"])]: str(ve["DESCRIPTION"]) for ve in icalendar.Calendar.from_ical(data).walk("VEVENT")}


def test_a_run_too_soon_after_lifting_says_how_soon_on_both_events():
    text = texts(session("wed", "08:00", "strength", 60, id="lift"), session("wed", "13:00", "intervals", 45, id="run"))
    run, lift = text["2026-W49/run"], text["2026-W49/lift"]
    assert "only 4 h after lifting (08:00-09:00)" in run
    assert "advice is at least 6 h" in run
    assert "≥6 h after" not in run
    assert "only 4 h between the end of this lift and the intervals at 13:00" in lift
    assert "not before 15:00" in lift
    assert "run ≥6 h later" not in lift


def test_a_well_spaced_run_and_lift_say_the_real_gap():
    text = texts(session("tue", "07:00", "strength", 60, id="lift"), session("tue", "18:00", "hills", 50, id="run"))
    assert "Planned: the hill repeats at 18:00, 10 h after this ends." in text["2026-W49/lift"]
    assert "starts 10 h after lifting ends: ≥6 h after today's lifting (07:00-08:00)" in text["2026-W49/run"]


def test_a_run_before_lifting_is_noted_on_both_events():
    text = texts(session("fri", "07:00", "tempo", 45, id="run"), session("fri", "17:00", "strength", 60, id="lift"))
    assert "lifting follows at 17:00, 9 h 15 min after this run ends" in text["2026-W49/run"]
    assert "Heads-up: the tempo run at 07:00 ends 9 h 15 min before this lift" in text["2026-W49/lift"]
    assert "lift first" in text["2026-W49/run"] and "lift first" in text["2026-W49/lift"]


def test_the_allowed_easy_morning_jog_says_so():
    text = texts(session("thu", "07:00", "easy", 25, id="jog"), session("thu", "13:00", "strength", 60, id="lift"))
    assert "allowed easy morning jog before afternoon lifting (13:00)" in text["2026-W49/jog"]
    assert "needs no 6 h gap" in text["2026-W49/lift"]


def test_notes_across_midnight_name_the_day():
    text = texts(session("sat", "22:30", "strength", 89, id="lift"), session("sun", "01:00", "tempo", 30, id="run"))
    assert "only 1 h 01 min after lifting (Sat 22:30-23:59)" in text["2026-W49/run"]
    assert "the tempo run at Sun 01:00" in text["2026-W49/lift"]
    assert "(not before Sun 05:59)" in text["2026-W49/lift"]


def test_spring_forward_night_counts_the_hour_that_is_not_there():
    # Sun 29 Mar 2026: a lift 00:00 GMT for 60 min ends at 02:00 BST; 07:30 BST is 5 h 30 min later.
    text = texts(
        session("sun", "00:00", "strength", 60, id="lift"),
        session("sun", "07:30", "easy", 40, id="run"),
        week=IsoWeek(2026, 13),
    )
    assert "only 5 h 30 min after lifting (00:00-02:00)" in text["2026-W13/run"]
    assert "not before 08:00" in text["2026-W13/lift"]


def test_fall_back_night_clock_times_are_elapsed_time():
    # Sun 25 Oct 2026: a lift 00:00-01:00 BST; two hours later it is 02:00 GMT, not 03:00.
    text = texts(
        session("sun", "00:00", "strength", 60, id="lift"),
        session("sun", "07:00", "easy", 40, id="run"),
        week=IsoWeek(2026, 43),
    )
    lift = text["2026-W43/lift"]
    assert "(by 02:00)" in lift
    assert "not before 06:00" in lift
    assert "starts 7 h after lifting ends" in text["2026-W43/run"]


def test_a_session_moved_by_the_clock_change_says_so():
    text = texts(session("sun", "01:30", "long", 90, id="long"), week=IsoWeek(2026, 13))
    assert (
        "01:30 does not exist on Sun 29 Mar (clocks go forward), so this starts at 02:30 BST" in text["2026-W13/long"]
    )


def test_overlapping_sessions_both_say_they_clash():
    text = texts(
        session("sun", "23:30", "long", 60, id="late"), session("mon", "00:00", "mobility", 20, id="early"), weeks=2
    )
    assert "overlaps Mobility · 20 min at Mon 00:00" in text["2026-W49/late"]
    assert "overlaps Long run · 60 min at Sun 23:30" in text["2026-W50/early"]


def test_the_weeks_first_event_carries_the_week_warnings():
    text = texts(
        session("tue", "07:00", "easy", 40, id="first"), session("thu", "07:00", "strength", 60, focus="upper", id="up")
    )
    first = text["2026-W49/first"]
    assert "no hill, sprint or interval session" in first
    assert "Lower-body strength sessions this week (focus lower or full): 0." in first
    assert "no hill" not in text["2026-W49/up"]


def test_each_days_first_event_gives_calories_and_protein_per_meal():
    text = texts(
        session("tue", "07:00", "strength", 60, id="lift"),
        session("tue", "18:00", "hills", 50, id="run"),
        athlete="meals = 4",
    )
    assert "at or slightly above maintenance" in text["2026-W49/lift"]
    assert "112-154 g" in text["2026-W49/lift"]
    assert "about 28-39 g at each of 4 meals" in text["2026-W49/lift"]
    assert "maintenance" not in text["2026-W49/run"]


@pytest.mark.parametrize(("meals", "said"), [(1, "1 meal"), (2, "2 meals")])
def test_one_or_two_meals_get_the_articles_advice_to_spread_protein_over_three_to_five(meals, said):
    text = texts(session("tue", "07:00", "hills", 50, id="run"), athlete=f"meals = {meals}")["2026-W49/run"]
    assert f"The plan has {said} a day." in text
    assert "spread the day's protein over 3-5 meals and snacks rather than eating it in one or two" in text
    assert "with 3, each carries about 37-51 g" in text
    assert f"about 37-51 g each, rather than in {said}." in text
    for wrong in ("still works", "1 meals", "at each of 1", "at each of 2"):
        assert wrong not in text


def test_more_than_five_meals_are_noted_with_their_share():
    text = texts(session("tue", "07:00", "hills", 50, id="run"), athlete="meals = 6")["2026-W49/run"]
    assert "more than the 3-5 meals and snacks" in text
    assert "about 19-26 g at each of 6 meals" in text


@pytest.mark.parametrize(("meals", "said"), [(1, "rather than one meal"), (2, "rather than two meals")])
def test_the_meals_finding_gives_the_articles_advice(runner, plan_file, meals, said):
    path = plan_file(HEAD.format(zone="Europe/London", athlete=f"meals = {meals}") + session("tue", "07:00", "hills", 50))
    result = runner.invoke(main, ["check", str(path), "--week", "2026-W49"])
    line = next(line for line in result.output.splitlines() if " meals: " in line)
    assert "advises spreading the day's protein over 3-5 meals and snacks" in line and said in line
    assert "works too" not in line and "37-51 g" in line


# The notes texts are a checked contract: each key may use only its own placeholders.


def _override(tmp_path, text):
    notes = tmp_path / "notes"
    notes.mkdir(exist_ok=True)
    (notes / "notes.toml").write_text(text, encoding="utf-8")
    return notes


def test_an_unknown_placeholder_is_refused_when_the_notes_are_loaded(runner, tmp_path):
    notes = _override(tmp_path, '[note]\ndst_gap = "x ${bogus}"\n')
    # Week 49 has no clock change: the text would never be used, and is refused all the same.
    result = runner.invoke(main, ["export", "--template", "four-day", "--week", "2026-W49", "--notes", str(notes), "-o", str(tmp_path / "w.ics")])
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert str(notes / "notes.toml") in message and "[note] dst_gap" in message and "${bogus}" in message
    assert "${date}, ${planned}, ${start}" in message
    assert "Traceback" not in result.output and not (tmp_path / "w.ics").exists()


def test_a_lone_dollar_sign_gets_a_clear_message(runner, tmp_path):
    notes = _override(tmp_path, '[note]\ncalories = "Budget $5 for food."\n')
    result = runner.invoke(main, ["check", "--template", "four-day", "--week", "2026-W49", "--notes", str(notes)])
    assert result.exit_code == 2, result.output
    assert "[note] calories: the '$' at character 8 starts no placeholder; write $$ for a dollar sign" in result.stderr
    assert "Invalid placeholder" not in result.stderr


def test_dollar_signs_and_bare_placeholders_render(tmp_path):
    from syncplan.notes import load_notes

    notes = load_notes(_override(tmp_path, '[note]\ncalories = "Budget $$5."\nprotein_after = "Shake by $until."\n'))
    plan = parse_plan(HEAD.format(zone="Europe/London", athlete="") + session("tue", "07:00", "strength", 60), "p")
    text = build(plan, [IsoWeek(2026, 49)], notes=notes).events[0].description
    assert "Budget $5." in text and "Shake by 10:00." in text


def test_every_built_in_text_uses_only_its_allowed_placeholders():
    from string import Template

    from syncplan.notes import allowed_placeholders, load_notes

    def walk(node, table=""):
        for key, value in node.items():
            if isinstance(value, dict):
                yield from walk(value, f"{table}.{key}".strip("."))
            else:
                yield table, key, value

    for table, key, text in walk(load_notes().texts):
        used = {m["named"] or m["braced"] for m in Template.pattern.finditer(text)} - {None}
        assert used <= allowed_placeholders(table, key), (table, key, used)


def test_every_text_can_use_every_placeholder_it_is_allowed(tmp_path):
    """A notes file using all of each key's placeholders renders in weeks that use every text."""
    from syncplan.notes import allowed_placeholders, load_notes

    builtin = load_notes().texts
    lines = []
    for table, node in [("note", builtin["note"])] + [(f"kind.{k}", v) for k, v in builtin["kind"].items()]:
        lines.append(f"[{table}]")
        for key in node:
            lines.append(f'{key} = "' + " ".join("${" + n + "}" for n in sorted(allowed_placeholders(table, key))) + 'x"')
    notes = load_notes(_override(tmp_path, "\n".join(lines) + "\n"))
    athlete = "meals = {}\nheight_cm = 180\nage = 40\nsex = \"male\"\n[calendar]\nrest_day_notes = true\n"
    sessions = "".join(
        session(*spec)
        for spec in [
            ("mon", "07:00", "easy", 30), ("mon", "17:00", "strength", 60), ("mon", "19:00", "tempo", 30),
            ("tue", "07:00", "intervals", 40), ("tue", "12:00", "strength", 60), ("tue", "12:30", "mobility", 20),
            ("wed", "07:00", "strength", 60), ("wed", "15:00", "hills", 40), ("sun", "01:30", "long", 60),
            ("sun", "02:30", "sprints", 20),
        ]
    )
    for meals in (1, 4, 7):
        plan = parse_plan(HEAD.format(zone="Europe/London", athlete=athlete.format(meals)) + sessions, "p")
        for week in (IsoWeek(2026, 13), IsoWeek(2026, 43)):
            assert build(plan, [week], notes=notes).events


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_kind_text_and_effort_agree(kind):
    text = texts(session("tue", "07:00", kind, 60, id="s"))["2026-W49/s"]
    first = text.split("\n\n")[0]
    effort = first.rsplit("Effort: ", 1)[1]
    assert effort == KINDS[kind].effort + "."


def test_long_run_does_not_call_itself_hard():
    text = texts(session("sun", "09:00", "long", 100, id="long"))["2026-W49/long"]
    assert "Effort: hard" not in text
    assert "easy pace" in text


def test_unknown_notes_key_suggests_the_near_one(runner, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "notes.toml").write_text('[note]\nprotien_after = "Shake by ${until}!"\n')
    result = runner.invoke(main, ["export", "--template", "four-day", "--week", "2026-W49", "--notes", str(notes)])
    assert result.exit_code == 2
    assert "[note] protien_after is not a notes text" in result.stderr
    assert "Did you mean 'protein_after'?" in result.stderr
    assert "Traceback" not in result.output


# Every warning a user could see from `check` can be read in the calendar too.

WEEK_LEVEL = {
    "hill-or-sprint": "no hill, sprint or interval session",
    "strength-count": "Lower-body strength sessions this week",
}
ON_SESSIONS = {"gap": "Heads-up", "order": "Heads-up", "overlap": "Clash"}

planned = st.tuples(
    st.sampled_from(DAYS),
    st.integers(0, 23),
    st.sampled_from([0, 30, 59]),
    st.sampled_from(sorted(KINDS)),
    st.sampled_from([20, 30, 45, 90]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(planned, min_size=1, max_size=6),
    st.sampled_from([IsoWeek(2026, 13), IsoWeek(2026, 43), IsoWeek(2026, 49)]),
)
def test_every_warning_is_in_the_event_text(specs, week):
    sessions = [
        session(day, f"{h:02d}:{m:02d}", kind, minutes, id=f"s{i}")
        for i, (day, h, m, kind, minutes) in enumerate(specs)
    ]
    plan = parse_plan(HEAD.format(zone="Europe/London", athlete="") + "".join(sessions), "p.toml")
    built = build(plan, [week, week.next()])
    text = {e.key: e.description for e in built.events}
    firsts = {w.week.label: f"{w.week.label}/{w.sessions[0].key}" for w in built.weeks}
    for f in built.findings:
        if f.severity == "info":
            continue
        if f.rule in WEEK_LEVEL:
            assert WEEK_LEVEL[f.rule] in text[firsts[f.week]], f
        else:
            for ref in f.sessions:
                key = ref if "/" in ref else f"{f.week}/{ref}"
                if key not in text:
                    continue  # a neighbour in a context week: not exported
                assert ON_SESSIONS[f.rule] in text[key], (f, text[key])


def test_a_pile_up_names_the_first_clashes_and_counts_the_rest():
    text = texts(*(session("wed", "07:00", "easy", 30, id=f"run{i}") for i in range(6)))["2026-W49/run0"]
    assert text.count("Clash: this overlaps") == 3
    assert "It also clashes with 2 more sessions." in text


@pytest.mark.parametrize(
    ("rule", "first", "second"),
    [
        ("gap", session("wed", "08:00", "strength", 60, id="a"), session("wed", "10:00", "tempo", 45, id="b")),
        ("order", session("wed", "08:00", "tempo", 45, id="a"), session("wed", "12:00", "strength", 60, id="b")),
        ("overlap", session("wed", "08:00", "tempo", 45, id="a"), session("wed", "08:30", "strength", 60, id="b")),
    ],
    ids=["gap", "order", "overlap"],
)
def test_a_disabled_rule_leaves_the_event_text_too(rule, first, second):
    on = texts(first, second)
    assert any(("Heads-up" in t or "Clash" in t) for t in on.values())
    off = texts(first, second, athlete=f'[rules]\ndisable = ["{rule}"]')
    for t in off.values():
        assert "Heads-up" not in t and "Clash" not in t


# Wall times that happen twice (clocks going back) carry their zone; rounding never makes advice wrong.


def test_a_note_time_in_the_repeated_hour_names_its_zone():
    text = texts(
        session("sat", "19:30", "strength", 60, id="lift"), session("sun", "01:00", "hills", 40, id="hills"), week=IsoWeek(2026, 43)
    )
    assert "(not before Sun 01:30 GMT)" in text["2026-W43/lift"]
    assert "(not before Sun 01:30)" not in text["2026-W43/lift"]


def test_a_lift_across_the_repeated_hour_shows_both_zones(runner, plan_file):
    text = texts(
        session("sun", "01:30", "strength", 60, id="lift"), session("sun", "04:00", "tempo", 30, id="run"), week=IsoWeek(2026, 43)
    )
    assert "(01:30 BST-01:30 GMT)" in text["2026-W43/run"]
    path = plan_file(HEAD.format(zone="Europe/London", athlete="") + session("sun", "01:30", "strength", 60, id="lift"))
    result = runner.invoke(main, ["show", str(path), "--week", "2026-W43"])
    assert "01:30 BST–01:30 GMT" in result.output
    assert "01:30–01:30" not in result.output


def test_times_outside_the_repeated_hour_stay_plain(runner, plan_file):
    path = plan_file(HEAD.format(zone="Europe/London", athlete="") + session("sun", "09:30", "strength", 60, id="lift"))
    assert "09:30–10:30  Strength" in runner.invoke(main, ["show", str(path), "--week", "2026-W43"]).output


def test_a_not_before_time_rounds_up_to_the_minute_that_keeps_the_gap():
    lift, run = session("wed", "08:00", "strength", 60, id="lift"), session("wed", "14:59", "tempo", 30, id="run")
    text = texts(lift, run, athlete="[rules]\nmin_gap_hours = 5.99")
    # 09:00 + 5.99 h is 14:59:24: 14:59 is too soon (and flagged), 15:00 is not.
    assert "not before 15:00" in text["2026-W49/lift"]
    assert "Heads-up" in text["2026-W49/lift"]
    ok = texts(lift, session("wed", "15:00", "tempo", 30, id="run"), athlete="[rules]\nmin_gap_hours = 5.99")
    assert "Heads-up" not in ok["2026-W49/lift"] and "not before 15:00" in ok["2026-W49/lift"]


def test_an_easy_run_before_lifting_is_named_once():
    text = texts(session("fri", "07:00", "easy", 45, id="run"), session("fri", "17:00", "strength", 60, id="lift"))
    assert "Heads-up: the easy run at 07:00 ends 9 h 15 min before this lift" in text["2026-W49/lift"]
    assert "an easy run (easy run" not in text["2026-W49/lift"]
