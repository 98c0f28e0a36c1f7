"""A plan's identity: plans never share events, and renaming the calendar keeps them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncplan.build import build
from syncplan.cli import main
from syncplan.errors import InvalidInput
from syncplan.plan import load_plan, parse_plan
from syncplan.week import IsoWeek

HEAD = '[athlete]\ntimezone = "Europe/London"\n'
WEEK = (
    '[[session]]\nid = "tue-lift"\nday = "tue"\nstart = "07:00"\nkind = "strength"\nminutes = 60\n'
    '[[session]]\nday = "thu"\nstart = "07:00"\nkind = "easy"\nminutes = 30\n'
)


def plan_text(name: str | None = None, plan_id: str | None = None) -> str:
    calendar = "[calendar]\n"
    if name is not None:
        calendar += f"name = {toml_string(name)}\n"
    if plan_id is not None:
        calendar += f'id = "{plan_id}"\n'
    return HEAD + calendar + WEEK


def toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def uids(text: str) -> dict[str, str]:
    plan = parse_plan(text, "p.toml")
    return {e.key: e.uid for e in build(plan, [IsoWeek(2026, 49)]).events}


NAMES = ["跑步", "Лыжи", "🏃", "Training!", "Training"]


def test_names_in_any_script_give_different_identities_and_no_shared_uid():
    identities = [parse_plan(plan_text(n), "p.toml").identity for n in NAMES]
    assert len(set(identities)) == len(NAMES), identities
    seen: set[str] = set()
    for name in NAMES:
        mine = set(uids(plan_text(name)).values())
        assert len(mine) == 2
        assert not mine & seen, name
        seen |= mine


def test_plain_ascii_names_keep_the_uids_earlier_versions_made():
    # The UID earlier versions wrote for this session of a plan named "Training".
    assert uids(plan_text("Training"))["2026-W49/tue-lift"] == "5cac5b40a40c2688efc6502149095e57@syncplan"
    assert uids(plan_text(None)) == uids(plan_text("Training"))
    assert parse_plan(plan_text("My  Run_plan-2"), "p.toml").identity == "my-run-plan-2"


def test_an_old_slug_as_id_keeps_the_uids_of_a_name_with_punctuation():
    # "Run & Lift" used to become "run-lift"; now it is its own identity, and
    # `id = "run-lift"` is how an existing plan keeps its events.
    assert uids(plan_text("Run & Lift")) != uids(plan_text("Run Lift"))
    assert uids(plan_text("Run & Lift", "run-lift")) == uids(plan_text("Run Lift"))


def test_renaming_the_calendar_keeps_every_uid_when_the_plan_has_an_id():
    before = uids(plan_text("Training", "training-3f9a1c2e"))
    after = uids(plan_text("Marathon block 🏃", "training-3f9a1c2e"))
    assert before == after
    assert parse_plan(plan_text("Marathon block 🏃", "training-3f9a1c2e"), "p.toml").calendar_name == "Marathon block 🏃"


def test_the_same_name_in_two_unicode_forms_is_one_identity():
    composed, decomposed = "Entraînement", "Entrai\u0302nement"
    assert uids(plan_text(composed)) == uids(plan_text(decomposed))


@pytest.mark.parametrize("bad", ["", "has space", "-leading", "a" * 65, "colon:x", "tab\tx"])
def test_a_calendar_id_that_is_not_an_id_is_refused(runner, plan_file, bad):
    path = plan_file(plan_text("Training", bad))
    result = runner.invoke(main, ["check", str(path), "--week", "2026-W49"])
    assert result.exit_code == 2, result.output
    assert "[calendar] field 'id'" in result.stderr
    assert "Traceback" not in result.output


def test_init_gives_each_new_plan_its_own_id(runner, tmp_path):
    paths = [tmp_path / "a.toml", tmp_path / "b.toml"]
    for path in paths:
        assert runner.invoke(main, ["init", str(path), "--timezone", "Europe/London"]).exit_code == 0
    a, b = (load_plan(p) for p in paths)
    assert a.calendar_id and b.calendar_id and a.calendar_id != b.calendar_id
    assert a.calendar_name == b.calendar_name == "Training"
    events = [set(e.uid for e in build(p, [IsoWeek(2026, 49)]).events) for p in (a, b)]
    assert events[0] and not events[0] & events[1]


@given(st.text(min_size=1, max_size=12), st.text(min_size=1, max_size=12))
def test_different_identities_never_share_a_uid(a, b):
    plans = []
    for name in (a, b):
        try:
            plans.append(parse_plan(plan_text(name), "p.toml"))
        except InvalidInput:  # names the loader refuses (blank, control characters) are not plans
            return
    if plans[0].identity == plans[1].identity:
        return
    one, two = ({e.uid for e in build(p, [IsoWeek(2026, 49)]).events} for p in plans)
    assert not one & two


def test_a_busy_only_copy_never_shares_uids_with_another_plan():
    busy = {e.uid for e in build(parse_plan(plan_text("跑步"), "p.toml"), [IsoWeek(2026, 49)], busy_only=True).events}
    for other in ("跑步/busy", "跑步%2Fbusy", "跑步"):
        full = set(uids(plan_text(other)).values())
        assert full and not busy & full, other
