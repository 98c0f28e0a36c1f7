"""`syncplan show --block`: the weeks drawn as one line each, within 80 columns, without colour."""

import pytest

from conftest import PLANS
from syncplan.cli import main
from syncplan.formats import RUN_CELL, STRENGTH_CELL, WeekRow, block_chart
from syncplan.rules import Finding


def rows_of(output: str) -> list[str]:
    return [line for line in output.splitlines() if line[:4].isdigit() and "-W" in line[:9] and "  " in line]


def test_one_row_per_week_with_phase_totals_and_long_run(runner):
    result = runner.invoke(main, ["show", str(PLANS / "london.toml"), "--week", "2026-W10", "--weeks", "4", "--block"])
    assert result.exit_code == 0, result.output
    rows = rows_of(result.output)
    assert [r.split()[0] for r in rows] == ["2026-W10", "2026-W11", "2026-W12", "2026-W13"]
    for row in rows:
        label, phase, bar, run, lift, long_run, *mark = row.split()
        assert phase == "plan"
        # london.toml: hills 50 + easy 25 + long 90 = 165 run minutes, two 60-minute lifts
        assert (run, lift, long_run) == ("165", "120", "90")
        # 10-minute cells: 165 -> 17 run cells, 120 -> 12 strength cells, run first
        assert bar == RUN_CELL * 17 + STRENGTH_CELL * 12
    assert "4 weeks checked" in result.output


def test_findings_are_marked_on_their_week_and_listed_once(runner):
    result = runner.invoke(main, ["show", str(PLANS / "london.toml"), "--week", "2026-W12", "--weeks", "2", "--block"])
    rows = rows_of(result.output)
    # W12: only the weekly strength-count info; W13 adds two clock-change infos.
    assert rows[0].endswith("i1") and rows[1].endswith("i3")
    assert "i strength-count (2026-W12, 2026-W13):" in result.output
    assert "i dst (2026-W13):" in result.output


def test_a_warning_outranks_info_in_the_mark(runner, plan_file):
    path = plan_file(
        '[athlete]\nweight_kg = 70\ntimezone = "UTC"\n'
        '[[session]]\nday = "mon"\nstart = "07:00"\nkind = "strength"\nminutes = 60\n'
        '[[session]]\nday = "mon"\nstart = "09:00"\nkind = "hills"\nminutes = 40\n'
    )
    result = runner.invoke(main, ["show", str(path), "--week", "2026-W49", "--block"])
    (row,) = rows_of(result.output)
    assert row.split()[-1][0] in "✗!"


@pytest.mark.parametrize("template", ["four-day", "hybrid", "muscle-first", "race-first"])
def test_the_chart_fits_80_columns_and_sends_no_terminal_codes(runner, template):
    result = runner.invoke(main, ["show", "--template", template, "--week", "2026-W10", "--weeks", "26", "--block"])
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    assert "\x1b" not in result.output
    assert len(rows_of(result.output)) == 26


def test_a_huge_week_still_fits(runner, plan_file):
    sessions = "".join(
        f'[[session]]\nday = "{d}"\nstart = "0{h}:00"\nkind = "long"\nminutes = 720\n'
        for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        for h in (0,)
    )
    path = plan_file('[athlete]\nweight_kg = 70\ntimezone = "UTC"\n[rules]\ndisable = ["overlap"]\n' + sessions)
    result = runner.invoke(main, ["show", str(path), "--week", "2026-W49", "--block"])
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    (row,) = rows_of(result.output)
    assert "5040" in row.split()


def test_a_blocks_own_phases_show_in_the_phase_column():
    """The shape the block planner fills: phases other than "plan" draw as given."""
    rows = [
        WeekRow("2027-W01", "build", 200, 120, 90),
        WeekRow("2027-W02", "deload", 140, 120, 60, (Finding("ramp", "warning", "too much", "2027-W02"),)),
        WeekRow("2027-W03", "taper", 100, 90, 0),
    ]
    lines = block_chart(rows).splitlines()
    body = [line for line in lines if line.startswith("2027-")]
    assert [line.split()[1] for line in body] == ["build", "deload", "taper"]
    assert body[1].endswith("!1") and body[2].split()[5] == "–"
    assert "! ramp (2027-W02): too much" in lines


def test_without_block_show_still_draws_the_week_grid(runner):
    result = runner.invoke(main, ["show", str(PLANS / "london.toml"), "--week", "2026-W10"])
    assert result.exit_code == 0
    assert "Tue 03 Mar" in result.output and RUN_CELL not in result.output


def test_check_json_gives_the_same_per_week_totals(runner):
    import json

    result = runner.invoke(main, ["check", str(PLANS / "london.toml"), "--week", "2026-W12", "--weeks", "2", "--json"])
    totals = json.loads(result.stdout)["week_totals"]
    assert totals == [
        {
            "week": "2026-W12",
            "phase": "plan",
            "run_minutes": 165,
            "strength_minutes": 120,
            "long_run_minutes": 90,
            "findings": {"error": 0, "warning": 0, "info": 1},
        },
        {
            "week": "2026-W13",
            "phase": "plan",
            "run_minutes": 165,
            "strength_minutes": 120,
            "long_run_minutes": 90,
            "findings": {"error": 0, "warning": 0, "info": 3},
        },
    ]


def test_a_week_off_shows_as_off_and_one_week_is_named_once(runner, plan_file):
    from test_block import PLAN

    path = plan_file(PLAN + "\n[[week]]\nnumber = 2\nrest = true\n")
    result = runner.invoke(main, ["show", str(path), "--week", "2026-W50", "--weeks", "3", "--block"])
    assert result.exit_code == 0, result.output
    assert [r.split()[1] for r in rows_of(result.output)] == ["build", "off", "build"]
    single = runner.invoke(main, ["show", str(path), "--week", "2026-W50", "--block"])
    assert "Week 2026-W50 (Europe/London)" in single.output and " to " not in single.output.splitlines()[0]
