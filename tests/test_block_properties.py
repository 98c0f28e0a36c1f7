"""Properties of random training blocks: lengths, deload periods, progressions, overrides."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncplan.block import run_minutes
from syncplan.build import build
from syncplan.notes import load_notes
from syncplan.plan import DAYS, parse_plan
from syncplan.week import IsoWeek

NOTES = load_notes()
START = date(2027, 1, 4)  # a Monday
RUN_KINDS = ("easy", "long", "tempo", "intervals", "hills")


@st.composite
def blocks(draw, overrides: bool = True):
    weeks = draw(st.integers(1, 24))
    race = draw(st.booleans())
    lines = ['[athlete]\ntimezone = "Europe/Madrid"\ngoal = "performance"\n', "[block]", f'start = "{START}"']
    if race:
        race_day = START + timedelta(weeks=weeks - 1, days=draw(st.integers(0, 6)))
        lines.append(f'race = "{race_day}"')
        if draw(st.booleans()):
            lines.append('race_start = "09:00"')
        lines.append(f"taper_weeks = {draw(st.integers(0, min(3, max(weeks - 1, 0))))}")
    else:
        lines.append(f"weeks = {weeks}")
    lines.append(f"deload_every = {draw(st.sampled_from([0, 2, 3, 4, 5]))}")
    lines.append(f"deload = {draw(st.sampled_from([0.5, 0.6, 0.7, 0.8]))}")
    days = draw(st.lists(st.integers(0, 6), min_size=1, max_size=5, unique=True))
    keys = []
    for i, day in enumerate(days):
        kind = draw(st.sampled_from(RUN_KINDS if i == 0 else (*RUN_KINDS, "strength")))
        minutes = draw(st.integers(20, 120))
        key = f"s{i}"
        keys.append(key)
        lines += ["", "[[session]]", f'id = "{key}"', f'day = "{DAYS[day]}"', 'start = "07:00"', f'kind = "{kind}"', f"minutes = {minutes}"]
        if kind != "strength" and draw(st.booleans()):
            amount = draw(st.integers(1, 15))
            lines.append(f'progress = "+{amount}{draw(st.sampled_from(["", "%"]))}"')
            if draw(st.booleans()):
                lines.append(f"max_minutes = {minutes + draw(st.integers(0, 60))}")
    touched: set[int] = set()
    if overrides:
        for number in draw(st.lists(st.integers(1, weeks), max_size=3, unique=True)):
            touched.add(number)
            lines += ["", "[[week]]", f"number = {number}"]
            what = draw(st.sampled_from(["skip", "rest", "session"]))
            if what == "rest" and not (race and number == weeks):
                lines.append("rest = true")
            elif what == "skip":
                lines.append(f'skip = ["{draw(st.sampled_from(keys))}"]')
            else:
                lines += ["[[week.session]]", f'id = "{draw(st.sampled_from(keys))}"', 'day = "wed"', 'start = "12:00"',
                          'kind = "long"', f"minutes = {draw(st.integers(20, 200))}"]
    plan = parse_plan("\n".join(lines) + "\n", "random.toml")
    return plan, touched


def built(plan):
    first = IsoWeek.containing(START)
    weeks = [first]
    while len(weeks) < plan.block.weeks:
        weeks.append(weeks[-1].next())
    return build(plan, weeks, notes=NOTES)


def week_runs(result) -> list[int]:
    return [run_minutes(d.session for d in w.sessions) for w in result.weeks]


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(blocks())
def test_ramp_fires_exactly_on_weeks_that_grow_more_than_ten_percent(case):
    plan, _ = case
    result = built(plan)
    runs = week_runs(result)
    ramped = {f.week for f in result.findings if f.rule == "ramp"}
    for i, week in enumerate(result.weeks):
        base = next((runs[j] for j in range(i - 1, -1, -1) if result.weeks[j].phase.name != "deload" and runs[j] > 0), None)
        grows = base is not None and runs[i] > base * 1.1
        assert (week.week.label in ramped) == grows, (week.week.label, runs)


@SETTINGS
@given(blocks(overrides=False))
def test_without_progress_or_overrides_no_week_ramps(case):
    plan, _ = case
    steady = plan._replace(block=plan.block._replace(progress=()))
    assert not [f for f in built(steady).findings if f.rule == "ramp"]


@SETTINGS
@given(blocks())
def test_deload_weeks_are_lighter_than_their_build_neighbours(case):
    plan, touched = case
    result = built(plan)
    runs = week_runs(result)
    phases = [w.phase for w in result.weeks]
    for i, phase in enumerate(phases):
        if phase.name != "deload" or phase.rest or phase.number in touched:
            continue
        for j in (i - 1, i + 1):
            if 0 <= j < len(phases) and phases[j].name == "build" and not phases[j].rest and phases[j].number not in touched:
                assert runs[i] < runs[j], (i, j, runs)


@SETTINGS
@given(blocks())
def test_taper_weeks_are_lighter_than_the_last_build_week(case):
    plan, touched = case
    result = built(plan)
    runs = week_runs(result)
    phases = [w.phase for w in result.weeks]
    builds = [i for i, p in enumerate(phases) if p.name == "build" and not p.rest]
    if not builds or phases[builds[-1]].number in touched:
        return
    last = builds[-1]
    tapered = ("taper", "race") if plan.block.taper_weeks else ("taper",)  # taper_weeks = 0: race week at full volume
    for i, phase in enumerate(phases):
        if phase.name in tapered and phase.number not in touched and i > last:
            assert runs[i] < runs[last], (i, last, runs)


@SETTINGS
@given(blocks())
def test_max_minutes_is_never_exceeded_and_durations_are_whole_fives_when_computed(case):
    plan, _ = case
    result = built(plan)
    caps = {key: p.max_minutes for key, p in plan.block.progress}
    written = {s.key: s.minutes for s in plan.sessions}
    for week in result.weeks:
        extra = {s.key for o in plan.block.overrides if o.number == week.phase.number for s in o.sessions}
        for d in week.sessions:
            if d.key in extra or d.key == "race":
                continue
            if caps.get(d.key) is not None:
                assert d.session.minutes <= caps[d.key]
            if d.session.minutes != written[d.key]:
                assert d.session.minutes % 5 == 0 or d.session.minutes == caps.get(d.key)


@SETTINGS
@given(blocks())
def test_uids_are_unique_across_the_block_and_stable_across_runs(case):
    plan, _ = case
    first = [e.uid for e in built(plan).events]
    assert len(first) == len(set(first))
    assert first == [e.uid for e in built(plan).events]


def as_flexible(plan):
    """The same plan with every session flexible, allowed only on its own day."""
    from syncplan.place import Flexible

    return plan._replace(sessions=(), flexible=tuple(Flexible(s, (s.day,)) for s in plan.sessions))


@SETTINGS
@given(blocks())
def test_a_flexible_session_gets_the_minutes_its_fixed_twin_gets_every_week(case):
    """One rule sizes both: progress, cap, deload and taper, rounding; skips, replacements and race day too."""
    from syncplan.block import block_totals, week_flexible, week_sessions

    plan, _ = case
    flexible = as_flexible(plan)
    written = {s.key for s in plan.sessions}
    for number in range(1, plan.block.weeks + 1):
        week = IsoWeek.containing(START + timedelta(weeks=number - 1))
        fixed, phase = week_sessions(plan, week)
        added = {s.key for o in plan.block.overrides if o.number == number for s in o.sessions}
        expected = {s.key: s.minutes for s in fixed if s.key in written and s.key not in added}
        assert {f.key: f.session.minutes for f in week_flexible(flexible, phase)} == expected, number
    assert block_totals(flexible) == block_totals(plan)


ANY = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 200),
    st.floats(allow_nan=True),
    st.sampled_from(["2026-12-07", "0001-01-02", "9999-12-31", "2027-W02", "+10", "+10%", "09:00", "sat-long", "", "x"]),
    st.lists(st.sampled_from(["sat-long", "x", 3]), max_size=2),
    st.dictionaries(st.sampled_from(["a", "id"]), st.integers(), max_size=1),
)
_BLOCK_FIELDS = ["start", "weeks", "race", "race_start", "race_minutes", "deload_every", "deload", "taper_weeks", "nope"]
_WEEK_FIELDS = ["number", "week", "skip", "rest", "session"]


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.sampled_from(_BLOCK_FIELDS), ANY, max_size=6),
    st.lists(st.dictionaries(st.sampled_from(_WEEK_FIELDS), ANY, max_size=3), max_size=3),
    st.dictionaries(st.sampled_from(["progress", "max_minutes"]), ANY, max_size=2),
)
def test_any_block_table_is_a_plan_or_one_invalid_input(block, weeks, extra):
    """Whatever the [block], [[week]] and progression fields hold: a plan or exit 2, never a traceback."""
    from syncplan.errors import InvalidInput
    from syncplan.plan import _Reader

    session = {"id": "sat-long", "day": "sat", "start": "08:00", "kind": "long", "minutes": 80, **extra}
    data = {"athlete": {"timezone": "UTC"}, "block": block, "week": weeks, "session": [session]}
    try:
        plan = _Reader("fuzz.toml").plan(data)
    except InvalidInput:
        return
    if plan.block is not None:
        from syncplan.block import block_totals

        assert len(block_totals(plan)) == plan.block.weeks
