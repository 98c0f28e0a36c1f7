"""`sync --calendar NAME` never renames the plan's calendar: only the plan's `[calendar] name` does.

Every built-in template has the identity "training" (as has an older plan
named "Training" without an id), so a name given on the command line used to
rename, and take over, whatever calendar that identity already had.
"""

from __future__ import annotations

import json

import pytest

from conftest import PLANS
from syncplan.cli import main
from syncplan.errors import EXIT_INVALID

LONDON = PLANS / "london.toml"  # [calendar] name = "Training", no id: identity "training"
WEEK = ["--week", "2026-W49", "--non-interactive"]
APP_CREATED = "https://www.googleapis.com/auth/calendar.app.created"


def sync(runner, *args):
    return runner.invoke(main, ["sync", *args])


def writes_of(fake) -> list[tuple[str, str]]:
    return [(method, path) for method, path in fake.api_requests() if method != "GET"]


def own_calendars(fake) -> dict[str, int]:
    """syncplan's calendars in the fake: display name -> live events."""
    return {c.summary: len(fake.live(c.id)) for c in fake.calendars.values() if not c.primary}


def assert_refused_untouched(result, fake, before: dict[str, int]) -> None:
    assert result.exit_code == EXIT_INVALID, result.output
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()[-1:]) == 1 and result.stderr.count("Error:") == 1
    assert "--calendar does not rename" in result.stderr
    assert writes_of(fake) == []
    assert own_calendars(fake) == before


def test_the_testers_two_templates_leave_the_first_calendar_alone(runner, fake_google, google_token):
    first = sync(runner, "--template", "race-block", "--week", "2027-W05", "--calendar", "Block", "--non-interactive")
    assert first.exit_code == 0, first.output
    assert "Created the calendar 'Block'." in first.output
    assert first.output.strip().splitlines()[-1].startswith("created 7,")
    fake_google.reset_counts()

    second = sync(runner, "--template", "hybrid", "--week", "2027-W05", "--calendar", "Hy", "--non-interactive")

    assert_refused_untouched(second, fake_google, {"Block": 7})
    message = second.stderr
    assert "'Block'" in message and "'training'" in message  # where this plan's calendar is, and why it is shared
    assert '[calendar] name = "Hy"' in message  # how to rename it
    assert "syncplan init --template hybrid" in message  # how to keep the plan apart
    assert "Renamed" not in second.output


@pytest.mark.parametrize("list_scope", [True, False], ids=["with calendar list", "state file only"])
def test_a_typo_in_calendar_is_refused_and_the_calendar_keeps_its_name(runner, fake_google, google_token, list_scope):
    if not list_scope:
        google_token.write_text(json.dumps(fake_google.token_info([APP_CREATED])))
    assert sync(runner, str(LONDON), *WEEK).exit_code == 0
    fake_google.reset_counts()

    typo = sync(runner, str(LONDON), *WEEK, "--calendar", "Trainnig")

    assert_refused_untouched(typo, fake_google, {"Training": 5})
    assert str(LONDON) in typo.stderr and "'Training'" in typo.stderr
    assert '[calendar] name = "Trainnig"' in typo.stderr
    again = sync(runner, str(LONDON), *WEEK)
    assert again.exit_code == 0 and "Renamed" not in again.output
    assert again.output.strip().splitlines()[-1] == "created 0, updated 0, deleted 0, unchanged 5, conflicts 0"


def test_calendar_equal_to_the_plans_own_name_renames_as_the_plan_does(runner, fake_google, google_token):
    """The plan's calendar exists as 'Block' (a first sync with --calendar Block made it)."""
    assert sync(runner, str(LONDON), *WEEK, "--calendar", "Block").exit_code == 0
    fake_google.reset_counts()
    assert sync(runner, str(LONDON), *WEEK, "--calendar", "Hy").exit_code == EXIT_INVALID  # another name: refused
    assert own_calendars(fake_google) == {"Block": 5}

    own = sync(runner, str(LONDON), *WEEK, "--calendar", "Training")

    assert own.exit_code == 0, own.output
    assert "Renamed the calendar 'Block' to 'Training'." in own.output
    assert own_calendars(fake_google) == {"Training": 5}
    assert own.output.strip().splitlines()[-1].endswith("unchanged 5, conflicts 0")


def test_calendar_on_a_first_sync_creates_that_calendar_and_keeps_using_it(runner, fake_google, google_token):
    dry = sync(runner, str(LONDON), *WEEK, "--calendar", "Block", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Would create the calendar 'Block'." in dry.output
    assert writes_of(fake_google) == [] and own_calendars(fake_google) == {}

    first = sync(runner, str(LONDON), *WEEK, "--calendar", "Block")
    assert first.exit_code == 0, first.output
    assert "Created the calendar 'Block'." in first.output
    assert own_calendars(fake_google) == {"Block": 5}

    again = sync(runner, str(LONDON), *WEEK, "--calendar", "Block")  # a calendar already called NAME: as before
    assert again.exit_code == 0 and "Renamed" not in again.output
    assert again.output.strip().splitlines()[-1].endswith("unchanged 5, conflicts 0")
    fake_google.reset_counts()
    other = sync(runner, str(LONDON), *WEEK, "--calendar", "Hybrid")  # but it is not renamed by the next --calendar
    assert_refused_untouched(other, fake_google, {"Block": 5})


def test_a_dry_run_refuses_what_the_real_run_would_refuse(runner, fake_google, google_token):
    assert sync(runner, str(LONDON), *WEEK).exit_code == 0
    fake_google.reset_counts()

    dry = sync(runner, str(LONDON), *WEEK, "--calendar", "Trainnig", "--dry-run")

    assert_refused_untouched(dry, fake_google, {"Training": 5})
    assert "Would rename" not in dry.output and "Dry run" not in dry.output
    real = sync(runner, str(LONDON), *WEEK, "--calendar", "Trainnig")
    assert real.exit_code == EXIT_INVALID and real.stderr == dry.stderr


def test_a_plan_with_flexible_sessions_is_refused_by_sync_not_by_reading_the_week_before(
    runner, fake_google, google_token, plan_file, isolated_user_dirs
):
    """Reading the week before back finds the calendar (state file lost: by its marker) and changes nothing."""
    from tests.test_placing import CRON_FLIP, HEAD

    path = plan_file(HEAD + CRON_FLIP)  # an id, no name: the calendar is 'Training'
    assert sync(runner, str(path), "--week", "2026-W20", "--non-interactive").exit_code == 0
    (isolated_user_dirs / "state" / "google-calendars.json").unlink()
    fake_google.reset_counts()

    other = sync(runner, str(path), "--week", "2026-W21", "--non-interactive", "--calendar", "Other")

    assert_refused_untouched(other, fake_google, {"Training": len(fake_google.live(fake_google.calendar_named("Training").id))})
    assert f'`[calendar] name = "Other"` in {path}' in other.stderr
    assert "'placing-test'" in other.stderr and "without an id" not in other.stderr


def test_cron_with_another_calendar_name_says_it_will_not_rename(runner, isolated_user_dirs):
    result = runner.invoke(main, ["cron", "--template", "hybrid", "--calendar", "Hy"])
    assert result.exit_code == 0, result.output
    assert " --calendar Hy " in result.stdout
    assert "does not rename" in result.stderr and '[calendar] name = "Hy"' in result.stderr
    plain = runner.invoke(main, ["cron", str(LONDON), "--calendar", "Training"])
    assert plain.exit_code == 0 and plain.stderr == ""


def test_the_templates_share_the_identity_the_message_names():
    """The refusal says every built-in template shares one calendar; that holds only while they share one identity."""
    from syncplan.cli import TEMPLATE_IDENTITY
    from syncplan.plan import load_plan
    from syncplan.templates import template_names, template_path

    assert {load_plan(template_path(name)).identity for name in template_names()} == {TEMPLATE_IDENTITY}


@pytest.mark.parametrize(
    "name, words",
    [("", "not a non-empty string"), ("A\nB\x1b[31m", "control character U+000A"), ("X\u2028Y", "U+2028"), ("n" * 101, "100 characters")],
)
def test_a_calendar_name_the_plan_would_refuse_is_refused_on_the_command_line(runner, fake_google, google_token, name, words):
    """--calendar may name a calendar syncplan makes, so it is held to what [calendar] name is held to."""
    before = own_calendars(fake_google)
    result = sync(runner, str(LONDON), *WEEK, "--calendar", name)
    assert result.exit_code == EXIT_INVALID, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and words in errors[0] and "\x1b" not in result.stderr.replace("\\x1b", "")
    assert own_calendars(fake_google) == before and not writes_of(fake_google)
