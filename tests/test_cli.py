"""Every command as a user runs it, through click's CliRunner."""

import json

import icalendar

from conftest import PLANS
from syncplan import __version__
from syncplan.cli import main
from syncplan.templates import template_names


def test_version_and_help(runner):
    assert runner.invoke(main, ["--version"]).output.strip().endswith(__version__)
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("auth", "check", "cron", "export", "init", "show", "sync", "templates"):
        assert command in result.output
        sub = runner.invoke(main, [command, "--help"])
        assert sub.exit_code == 0 and "Usage: syncplan " + command in sub.output


def test_unknown_option_is_a_usage_error(runner):
    result = runner.invoke(main, ["export", "--wek", "next"])
    assert result.exit_code == 2
    assert "No such option" in result.output


def test_templates_lists_the_built_ins(runner):
    result = runner.invoke(main, ["templates"])
    assert result.exit_code == 0
    names = [line[2:].split()[0] for line in result.output.splitlines() if line[:1] in ("*", " ") and line[2:].strip()]
    assert set(template_names()) <= set(names)
    assert len(template_names()) >= 4


def test_every_builtin_template_passes_check_without_errors(runner):
    for name in template_names():
        for week in ("2026-W13", "2026-W43", "2026-W49"):
            result = runner.invoke(main, ["check", "--template", name, "--week", week, "--json"])
            assert result.exit_code == 0, (name, week, result.output)
            report = json.loads(result.stdout)
            assert report["ok"] is True
            assert not [f for f in report["findings"] if f["severity"] == "error"]


def test_init_writes_a_plan_and_never_overwrites_without_force(runner, tmp_path):
    target = tmp_path / "plan.toml"
    assert runner.invoke(main, ["init", str(target), "--template", "hybrid"]).exit_code == 0
    assert "hybrid" in target.read_text()
    target.write_text("# my edits\n")
    again = runner.invoke(main, ["init", str(target)])
    assert again.exit_code == 1
    assert "--force" in again.stderr
    assert target.read_text() == "# my edits\n"
    assert runner.invoke(main, ["init", str(target), "--force"]).exit_code == 0
    assert "4-day" in target.read_text()


def test_init_default_path_is_then_used_by_other_commands(runner, isolated_user_dirs):
    assert runner.invoke(main, ["init", "--template", "muscle-first"]).exit_code == 0
    own = isolated_user_dirs / "config" / "plan.toml"
    assert own.is_file()
    result = runner.invoke(main, ["check", "--week", "2026-W49", "--json"])
    assert "using the built-in" not in result.stderr
    keys = {s["key"] for s in json.loads(result.stdout)["sessions"]}
    assert "tue-sprints" in keys


def test_without_a_plan_the_default_template_is_used_and_stderr_says_so(runner):
    result = runner.invoke(main, ["check", "--week", "2026-W49"])
    assert result.exit_code == 0
    assert "using the built-in 'four-day' template" in result.stderr


def test_syncplan_plan_variable_points_at_the_plan(runner, monkeypatch):
    monkeypatch.setenv("SYNCPLAN_PLAN", str(PLANS / "kolkata.toml"))
    result = runner.invoke(main, ["check", "--week", "2026-W49", "--json"])
    assert {s["key"] for s in json.loads(result.stdout)["sessions"]} == {"tue-intervals", "thu-strength", "sat-strength"}


def test_plan_and_template_together_is_a_usage_error(runner):
    result = runner.invoke(main, ["check", str(PLANS / "london.toml"), "--template", "hybrid"])
    assert result.exit_code == 2
    assert "not both" in result.output


def test_check_exits_1_on_rule_errors_and_lists_them(runner, plan_file):
    path = plan_file(
        '[athlete]\ntimezone = "UTC"\n'
        '[[session]]\nid = "a"\nday = "mon"\nstart = "07:00"\nkind = "strength"\nminutes = 60\n'
        '[[session]]\nid = "b"\nday = "mon"\nstart = "07:30"\nkind = "easy"\nminutes = 30\n'
    )
    result = runner.invoke(main, ["check", str(path), "--week", "2026-W49"])
    assert result.exit_code == 1
    assert "error    overlap" in result.stdout
    report = json.loads(runner.invoke(main, ["check", str(path), "--week", "2026-W49", "--json"]).stdout)
    assert report["ok"] is False
    assert {"rule": "overlap", "severity": "error"}.items() <= report["findings"][0].items()


def test_export_refuses_rule_errors_unless_allowed(runner, plan_file, tmp_path):
    path = plan_file(
        '[athlete]\ntimezone = "UTC"\n'
        '[[session]]\nday = "mon"\nstart = "07:00"\nkind = "strength"\nminutes = 60\n'
        '[[session]]\nday = "mon"\nstart = "07:30"\nkind = "easy"\nminutes = 30\n'
    )
    out = tmp_path / "week.ics"
    refused = runner.invoke(main, ["export", str(path), "--week", "2026-W49", "-o", str(out)])
    assert refused.exit_code == 1
    assert "--allow-errors" in refused.stderr
    assert not out.exists()
    allowed = runner.invoke(main, ["export", str(path), "--week", "2026-W49", "-o", str(out), "--allow-errors"])
    assert allowed.exit_code == 0
    assert len(icalendar.Calendar.from_ical(out.read_bytes()).walk("VEVENT")) == 2


def test_show_prints_a_week_grid_with_findings_marked(runner):
    result = runner.invoke(main, ["show", str(PLANS / "london.toml"), "--week", "2026-W13"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("2026-W13  23 Mar – 29 Mar 2026  (Europe/London)")
    assert any(line.startswith("Tue 24 Mar") and "07:00–08:00  Strength (lower) · 60 min" in line for line in lines)
    assert any(line.startswith("Wed 25 Mar") and "rest" in line for line in lines)
    assert any("i 02:30–04:00  Long run · 90 min" in line for line in lines)  # moved by the DST gap
    assert any("clocks go forward" in line for line in lines)


def test_export_to_stdout_and_to_a_file(runner, tmp_path):
    result = runner.invoke(main, ["export", str(PLANS / "london.toml"), "--week", "2026-W49", "-o", "-"])
    assert result.exit_code == 0
    assert len(icalendar.Calendar.from_ical(result.stdout_bytes).walk("VEVENT")) == 5
    out = tmp_path / "week.ics"
    first = runner.invoke(main, ["export", str(PLANS / "london.toml"), "--week", "2026-W49", "--weeks", "3", "-o", str(out)])
    assert first.exit_code == 0
    assert "Wrote 15 sessions (2026-W49 to 2026-W51)" in first.stderr
    second = runner.invoke(main, ["export", str(PLANS / "london.toml"), "--week", "2026-W49", "--weeks", "3", "-o", str(out)])
    assert "up to date" in second.stderr


def test_export_busy_only(runner):
    result = runner.invoke(main, ["export", "--template", "hybrid", "--week", "2026-W49", "--busy-only"])
    summaries = {str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(result.stdout_bytes).walk("VEVENT")}
    assert summaries == {"Busy"}


def test_export_into_a_missing_directory_fails_cleanly(runner, tmp_path):
    out = tmp_path / "no" / "such" / "dir" / "week.ics"
    result = runner.invoke(main, ["export", "--week", "2026-W49", "-o", str(out)])
    assert result.exit_code == 1
    assert str(out) in result.stderr and "Traceback" not in result.output


def test_notes_directory_rewords_descriptions(runner, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "notes.toml").write_text('[note]\nprotein_after = "Shake by ${until}!"\n')
    result = runner.invoke(
        main, ["export", str(PLANS / "london.toml"), "--week", "2026-W49", "--notes", str(notes)]
    )
    assert result.exit_code == 0, result.output
    descriptions = [str(e["DESCRIPTION"]) for e in icalendar.Calendar.from_ical(result.stdout_bytes).walk("VEVENT")]
    assert any("Shake by 10:00!" in d for d in descriptions)


def test_bad_notes_placeholder_is_reported_with_the_file(runner, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "notes.toml").write_text('[note]\nprotein_after = "Shake by ${unti}!"\n')
    result = runner.invoke(main, ["export", "--week", "2026-W49", "--notes", str(notes)])
    assert result.exit_code == 2
    assert str(notes / "notes.toml") in result.stderr and "unti" in result.stderr


def test_bad_week_is_exit_2(runner):
    result = runner.invoke(main, ["export", "--week", "soon"])
    assert result.exit_code == 2
    assert "--week soon" in result.stderr


# --- issue 6, item 3: no silent fallback, no silent surprise ---------------------

import pytest  # noqa: E402


@pytest.mark.parametrize("command", ["check", "show", "export", "sync", "cron"])
def test_a_missing_plan_argument_is_exit_2_naming_it_in_every_command(runner, tmp_path, command):
    missing = tmp_path / "plna.toml"
    out = tmp_path / "week.ics"
    args = [command, str(missing)] + (["-o", str(out)] if command == "export" else [])
    result = runner.invoke(main, args)
    assert result.exit_code == 2, result.output
    assert str(missing) in result.stderr and "Traceback" not in result.output
    assert "using the built-in" not in result.stderr
    assert not out.exists() and result.stdout == ""


@pytest.mark.parametrize("command", ["check", "show", "export", "sync", "cron"])
def test_a_missing_plan_in_syncplan_plan_is_exit_2_naming_it(runner, tmp_path, monkeypatch, command):
    missing = tmp_path / "nope" / "plan.toml"
    monkeypatch.setenv("SYNCPLAN_PLAN", str(missing))
    result = runner.invoke(main, [command])
    assert result.exit_code == 2, result.output
    assert str(missing) in result.stderr and "SYNCPLAN_PLAN" in result.stderr
    assert "using the built-in" not in result.stderr and result.stdout == ""


def test_the_no_plan_message_says_to_set_the_weight(runner):
    result = runner.invoke(main, ["check", "--week", "2026-W49"])
    assert result.exit_code == 0
    assert "weight" in result.stderr and "syncplan init" in result.stderr


def test_sync_never_pushes_the_builtin_template_unless_asked(runner, fake_google, google_token):
    result = runner.invoke(main, ["sync", "--week", "2026-W49", "--non-interactive"])
    assert result.exit_code == 2, result.output
    assert "syncplan init" in result.stderr and "--template" in result.stderr
    assert [c for c in fake_google.calendars.values() if not c.primary] == []
    asked = runner.invoke(main, ["sync", "--template", "four-day", "--week", "2026-W49", "--non-interactive"])
    assert asked.exit_code == 0, asked.output


def test_check_json_prints_json_for_an_invalid_plan(runner, plan_file):
    path = plan_file('[athlete]\ntimezone = "UTC"\n[[session]]\nday = "mon"\nstart = "25:00"\nkind = "easy"\nminutes = 30\n')
    result = runner.invoke(main, ["check", str(path), "--week", "2026-W49", "--json"])
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert str(path) in report["error"]["message"] and "25:00" in report["error"]["message"]
    assert report["error"]["exit_code"] == 2
    missing = runner.invoke(main, ["check", str(path) + ".missing", "--json"])
    assert missing.exit_code == 2 and "no such plan" in json.loads(missing.stdout)["error"]["message"]


def test_busy_only_has_no_alarms_is_private_and_has_a_neutral_calendar_name(runner, plan_file):
    path = plan_file(
        '[athlete]\ntimezone = "UTC"\n[calendar]\nname = "Dr Smith physio"\nreminders = [30, 10]\n'
        '[[session]]\nday = "mon"\nstart = "07:00"\nkind = "easy"\nminutes = 30\n'
    )
    result = runner.invoke(main, ["export", str(path), "--week", "2026-W49", "--busy-only"])
    assert result.exit_code == 0, result.output
    cal = icalendar.Calendar.from_ical(result.stdout_bytes)
    (event,) = cal.walk("VEVENT")
    assert cal.walk("VALARM") == []
    assert str(event["CLASS"]) == "PRIVATE"
    assert "physio" not in str(cal["X-WR-CALNAME"]) and b"physio" not in result.stdout_bytes


# --- issue 6, item 5: show never sends raw control characters to a terminal ------


def test_show_escapes_control_characters_whatever_the_plan_holds():
    from syncplan.build import build
    from syncplan.formats import findings_text, week_grid
    from syncplan.plan import load_plan
    from syncplan.week import IsoWeek

    plan = load_plan(PLANS / "london.toml")
    nasty = "\x1b]0;owned\x07\x1b[2J Lift\u202e\x9b"
    plan = plan._replace(sessions=tuple(s._replace(title=nasty) for s in plan.sessions), timezone="Europe/London")
    built = build(plan, [IsoWeek(2026, 13)])
    shown = week_grid(built.weeks[0], built.findings) + findings_text(built)
    assert not any(ord(c) < 0x20 and c != "\n" or 0x7F <= ord(c) <= 0x9F or c == "\u202e" for c in shown)
    assert "\\x1b[2J Lift" in shown


def test_show_on_a_plan_with_an_escape_sequence_prints_none(runner, plan_file):
    path = plan_file(
        '[athlete]\ntimezone = "UTC"\n'
        '[[session]]\nday = "mon"\nstart = "07:00"\nkind = "easy"\nminutes = 30\ntitle = "Jog\\u001b[2J\\u001b]0;x\\u0007"\n'
    )
    for command in (["show"], ["check"], ["check", "--json"]):
        result = runner.invoke(main, [*command, str(path), "--week", "2026-W49"])
        assert "\x1b" not in result.output and "\x07" not in result.output, command
        assert "Traceback" not in result.output


def test_keep_past_needs_a_file(runner):
    result = runner.invoke(main, ["export", str(PLANS / "london.toml"), "--week", "2026-W49", "--keep-past", "2"])
    assert result.exit_code == 2 and "-o FILE" in result.output


# --- issue 6 (safety 5): check --json answers in JSON whatever went wrong ---------


def test_check_json_reports_bad_option_values_and_arguments_as_json(runner, tmp_path):
    a_file = tmp_path / "notes.toml"
    a_file.write_text("")
    london = str(PLANS / "london.toml")
    for args, words in (
        (["--notes", str(a_file), london], "--notes"),
        (["--weeks", "abc", london], "--weeks"),
        ([london, "--template", "four-day"], "not both"),
        ([str(tmp_path / "missing.toml")], "missing.toml"),
    ):
        result = runner.invoke(main, ["check", "--json", *args])
        assert result.exit_code == 2, (args, result.output)
        error = json.loads(result.stdout)["error"]
        assert words in error["message"] and error["exit_code"] == 2
    plain = runner.invoke(main, ["check", "--json", "--wek", "next"])
    assert plain.exit_code == 2 and "No such option" in plain.output


# --- issue 6 (safety 8): an empty -o is a usage error ------------------------------


def test_an_empty_output_path_is_a_usage_error(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for empty in ("", " "):
        result = runner.invoke(main, ["export", str(PLANS / "london.toml"), "--week", "2026-W49", "-o", empty])
        assert result.exit_code == 2 and "-o is empty" in result.output
    assert list(tmp_path.iterdir()) == []


# --- issue 6 (safety 10): one session is one session -------------------------------


def test_export_says_one_session_in_the_singular(runner, plan_file, tmp_path):
    plan = plan_file(
        '[athlete]\nweight_kg = 70\ntimezone = "Europe/London"\n\n'
        '[[session]]\nday = "tue"\nstart = "07:00"\nkind = "easy"\nminutes = 30\n'
    )
    out = tmp_path / "week.ics"
    result = runner.invoke(main, ["export", str(plan), "--week", "2026-W49", "-o", str(out), "--allow-errors"])
    assert result.exit_code == 0, result.output
    assert "Wrote 1 session (2026-W49)" in result.stderr
