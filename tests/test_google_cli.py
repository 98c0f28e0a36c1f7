"""`syncplan auth`, `sync` and `cron` as a user runs them, against the loopback fake."""

from __future__ import annotations

import json
import os
import queue
import stat
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from conftest import PLANS
from syncplan.cli import main
from syncplan.errors import EXIT_AUTH, EXIT_FAILURE, EXIT_INVALID
from syncplan.google.cron import TAG, crontab_line, with_line

LONDON = PLANS / "london.toml"
SYNC = ["sync", str(LONDON), "--week", "2026-W49"]


def run(runner, args, fake=None):
    result = runner.invoke(main, args)
    if fake is not None:
        leaked = [s for s in fake.secret_values() if s in result.output]
        assert not leaked, "a secret reached the output"
    return result


def test_sync_prints_the_summary_line_and_a_rerun_writes_nothing(runner, fake_google, google_token):
    first = run(runner, SYNC, fake_google)
    assert first.exit_code == 0, first.output
    assert "Created the calendar 'Training'." in first.output
    assert first.output.strip().splitlines()[-1] == "created 5, updated 0, deleted 0, unchanged 0, conflicts 0"
    fake_google.reset_counts()
    again = run(runner, SYNC, fake_google)
    assert again.exit_code == 0
    assert again.output.strip().splitlines()[-1] == "created 0, updated 0, deleted 0, unchanged 5, conflicts 0"
    assert fake_google.writes == 0 and len(fake_google.api_requests()) <= 2


def test_conflicts_are_listed_one_per_line(runner, fake_google, google_token):
    run(runner, SYNC)
    cal = fake_google.calendar_named("Training")
    first, second = sorted(fake_google.live(cal.id))[:2]
    fake_google.edit_by_hand(cal.id, first, summary="Moved by me")
    fake_google.delete_by_hand(cal.id, second)
    result = run(runner, SYNC, fake_google)
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert lines[-1].endswith("conflicts 2")
    conflicts = [line for line in lines if line.startswith("conflict")]
    assert len(conflicts) == 2
    assert any("edited by hand" in line for line in conflicts) and any("deleted by hand" in line for line in conflicts)
    assert fake_google.calendars[cal.id].events[first]["summary"] == "Moved by me"
    fixed = run(runner, [*SYNC, "--overwrite-edits"])
    assert fixed.output.strip().splitlines()[-1] == "created 0, updated 2, deleted 0, unchanged 3, conflicts 0"


def test_dry_run_lists_actions_and_writes_nothing(runner, fake_google, google_token):
    result = run(runner, [*SYNC, "--dry-run"], fake_google)
    assert result.exit_code == 0
    assert "Would create the calendar 'Training'." in result.output
    assert sum(line.startswith("create ") for line in result.output.splitlines()) == 5
    assert "Dry run, nothing written. Would be: created 5, updated 0, deleted 0, unchanged 0, conflicts 0" in result.output
    assert fake_google.writes == 0 and len(fake_google.calendars) == 1


def test_an_empty_plan_refuses_mass_delete_without_force(runner, fake_google, google_token, plan_file):
    run(runner, SYNC)
    text = LONDON.read_text()
    empty = plan_file(text[: text.index("[[session]]")])
    refused = run(runner, ["sync", str(empty), "--week", "2026-W49"], fake_google)
    assert refused.exit_code == EXIT_FAILURE
    assert "refusing to delete them all" in refused.output and "--force" in refused.output
    assert fake_google.writes == 5  # only the first sync's
    forced = run(runner, ["sync", str(empty), "--week", "2026-W49", "--force"], fake_google)
    assert forced.exit_code == 0 and "deleted 5" in forced.output


def test_invalid_grant_exits_3_with_the_fix(runner, fake_google, google_token):
    info = json.loads(google_token.read_text())
    info["expiry"] = "2020-01-01T00:00:00Z"
    google_token.write_text(json.dumps(info))
    fake_google.invalid_grant = True
    result = run(runner, SYNC, fake_google)
    assert result.exit_code == EXIT_AUTH == 3
    assert "invalid_grant" in result.output and "Run `syncplan auth`" in result.output
    assert "Traceback" not in result.output


def test_a_missing_token_exits_3(runner, fake_google, tmp_path):
    result = run(runner, [*SYNC, "--token", str(tmp_path / "nope.json")])
    assert result.exit_code == EXIT_AUTH
    assert f"no Google token at {tmp_path / 'nope.json'}" in result.output


def test_a_token_refreshed_by_sync_stays_0600_and_secret(runner, fake_google, google_token):
    info = json.loads(google_token.read_text())
    info["expiry"] = "2020-01-01T00:00:00Z"
    google_token.write_text(json.dumps(info))
    result = run(runner, SYNC, fake_google)
    assert result.exit_code == 0
    assert stat.S_IMODE(google_token.stat().st_mode) == 0o600
    assert json.loads(google_token.read_text())["token"] != info["token"]


def test_auth_status_shows_scopes_and_expiry_never_secrets(runner, fake_google, google_token):
    result = run(runner, ["auth", "--status"], fake_google)
    assert result.exit_code == 0
    assert "calendar.app.created" in result.output
    assert "2099-01-01 00:00 UTC" in result.output
    assert "refresh token: present" in result.output
    assert "mode 600" in result.output
    assert "account: not known until the first sync" in result.output
    run(runner, SYNC)
    assert "account: runner@example.com" in run(runner, ["auth", "--status"], fake_google).output
    assert stat.S_IMODE(google_token.stat().st_mode) == 0o600


def test_auth_logout_removes_the_token(runner, fake_google, google_token):
    assert run(runner, ["auth", "--logout"]).exit_code == 0
    assert not google_token.exists()
    assert run(runner, SYNC).exit_code == EXIT_AUTH
    assert "nothing to do" in run(runner, ["auth", "--logout"]).output


TOKEN_JSON = {"token": "t", "refresh_token": "r", "client_id": "c", "client_secret": "s", "scopes": []}


@pytest.mark.parametrize(
    "content, why",
    [
        ((PLANS / "london.toml").read_text(), "does not hold JSON"),
        ('{"name": "not a token"}', "without a Google token's fields"),
        ("[1, 2]", "not a Google token"),
    ],
    ids=["a plan", "other JSON", "a JSON list"],
)
def test_auth_logout_keeps_a_file_that_is_not_a_token(runner, tmp_path, content, why):
    other = tmp_path / "plan.toml"
    other.write_text(content)
    result = run(runner, ["auth", "--logout", "--token", str(other)])
    assert result.exit_code == EXIT_INVALID and why in result.output and str(other) in result.output
    assert other.read_text() == content


def test_auth_logout_refuses_a_symlink_and_keeps_link_and_token(runner, tmp_path, monkeypatch):
    token = tmp_path / "token.json"
    token.write_text(json.dumps(TOKEN_JSON))
    link = tmp_path / "link.json"
    link.symlink_to(token)
    monkeypatch.setenv("SYNCPLAN_TOKEN_FILE", str(link))
    result = run(runner, ["auth", "--logout"])
    assert result.exit_code == EXIT_INVALID and "symbolic link" in result.output
    assert link.is_symlink() and token.exists()


def test_auth_logout_refuses_a_fifo_and_a_device(runner, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    result = run(runner, ["auth", "--logout", "--token", str(fifo)])
    assert result.exit_code == EXIT_INVALID and "not a regular file" in result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    null = tmp_path / "null"
    try:
        os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except OSError:
        return  # no device nodes here (not root, or nodev); the FIFO covers the rule
    result = run(runner, ["auth", "--logout", "--token", str(null)])
    assert result.exit_code == EXIT_INVALID and stat.S_ISCHR(os.lstat(null).st_mode)


def test_auth_logout_deletes_a_token_file_given_with_token(runner, tmp_path):
    token = tmp_path / "token.json"
    token.write_text(json.dumps(TOKEN_JSON))
    result = run(runner, ["auth", "--logout", "--token", str(token)])
    assert result.exit_code == 0 and "Deleted" in result.output and not token.exists()


def test_auth_without_a_client_file_says_where_to_get_one(runner, tmp_path):
    result = run(runner, ["auth", "--credentials", str(tmp_path / "missing.json")])
    assert result.exit_code == EXIT_INVALID
    assert "Desktop-app OAuth client" in result.output and "credentials.example.json" in result.output


def test_auth_calendar_needs_an_id(runner):
    result = run(runner, ["auth", "--calendar", "Training"])
    assert result.exit_code == 2 and "primary or a calendar ID" in result.output


def consent(fake, tmp_path, extra_args=()):
    """The real installed-app flow in a child process whose stdout is a pipe: read the URL, give consent on its port.

    PYTHONUNBUFFERED is not set: the URL must reach the pipe by itself.
    """
    client = tmp_path / "client.json"
    client.write_text(json.dumps(fake.client_file()))
    token = tmp_path / "private" / "token.json"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    env["PYTHONPATH"] = str(Path(__file__).parent.parent)
    proc = subprocess.Popen(
        [sys.executable, "-m", "syncplan", "auth", "--no-browser", "--credentials", str(client), "--token", str(token), *extra_args],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        lines: queue.Queue = queue.Queue()
        reader = threading.Thread(target=lambda: [lines.put(line) for line in iter(proc.stdout.readline, "")], daemon=True)
        reader.start()
        printed = []
        deadline = time.monotonic() + 10
        url = None
        while url is None and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break  # nothing reached the pipe: the URL was never flushed
            printed.append(line)
            if "accounts.example" in line:
                url = line.strip()
        assert url, "".join(printed)
        query = parse_qs(urlsplit(url).query)
        redirect = query["redirect_uri"][0]
        assert urlsplit(redirect).hostname == "127.0.0.1" and urlsplit(redirect).port
        assert query["code_challenge_method"] == ["S256"]
        answer = urllib.request.urlopen(redirect + "?" + urlencode({"state": query["state"][0], "code": fake.auth_code, "scope": query["scope"][0]}), timeout=10)
        assert b"authorised" in answer.read()
        proc.wait(timeout=20)
        err = proc.stderr.read()
        reader.join(timeout=10)  # the pipe is at its end once the child is gone
    finally:
        proc.kill()
    rest = []
    while not lines.empty():
        rest.append(lines.get())
    return proc.returncode, "".join(printed + rest) + err, token, query["scope"][0].split()


def test_auth_no_browser_flow_end_to_end(fake_google, tmp_path):
    """URL printed (and flushed into a pipe), consent given on the loopback port, token saved 0600."""
    secrets_before = fake_google.secret_values()
    code, output, token, asked = consent(fake_google, tmp_path)
    assert code == 0, output
    assert f"Saved the Google token to {token} (mode 0600)." in output
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    saved = json.loads(token.read_text())
    assert saved["refresh_token"] == fake_google.refresh_token
    both = ["https://www.googleapis.com/auth/calendar.app.created", "https://www.googleapis.com/auth/calendar.calendarlist.readonly"]
    assert sorted(asked) == both and sorted(saved["granted_scopes"]) == both
    assert not [s for s in secrets_before if s in output]


def test_a_partial_grant_says_what_was_not_allowed_and_sync_checks_the_grant(runner, fake_google, tmp_path, monkeypatch):
    """Granular consent: the user unticks the calendar list. auth says so; sync works from what was granted."""
    fake_google.scopes = ["https://www.googleapis.com/auth/calendar.app.created"]
    code, output, token, asked = consent(fake_google, tmp_path)
    assert code == 0, output
    assert "you did not allow calendar.calendarlist.readonly; syncplan needs it for finding syncplan's calendar again" in output
    saved = json.loads(token.read_text())
    assert "https://www.googleapis.com/auth/calendar.calendarlist.readonly" in saved["scopes"]  # asked for
    assert saved["granted_scopes"] == ["https://www.googleapis.com/auth/calendar.app.created"]
    status = run(runner, ["auth", "--status", "--token", str(token)])
    assert "calendarlist.readonly: not allowed" in status.output and "calendar.app.created: allowed" in status.output
    result = run(runner, [*SYNC, "--token", str(token)], fake_google)
    assert result.exit_code == 0, result.output
    assert "does not allow calendar.calendarlist.readonly" in result.output
    assert not any(p.endswith("calendarList") for _, p in fake_google.api_requests())  # never tried what was refused


def test_a_partial_grant_without_app_created_exits_3(fake_google, tmp_path):
    fake_google.scopes = ["https://www.googleapis.com/auth/calendar.calendarlist.readonly"]
    code, output, token, _ = consent(fake_google, tmp_path)
    assert code == EXIT_AUTH, output
    assert "You did not allow calendar.app.created; syncplan needs it for creating syncplan's own calendar" in output
    assert "Traceback" not in output


def test_progress_bar_only_on_a_terminal(runner, fake_google, google_token):
    """CliRunner's stdout is not a TTY: no bar, even for a year of sessions."""
    result = run(runner, [*SYNC, "--weeks", "10"])
    assert result.exit_code == 0 and "Writing to Google Calendar" not in result.output


def test_export_does_not_import_google_libraries():
    code = (
        "import sys; from click.testing import CliRunner; from syncplan.cli import main; "
        f"r = CliRunner().invoke(main, ['export', {str(LONDON)!r}, '--week', '2026-W49']); "
        "assert r.exit_code == 0, r.output; "
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('google', 'googleapiclient', 'google_auth_oauthlib', 'httplib2') or m.startswith('syncplan.google')]; "
        "print(loaded)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parent.parent)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# --- cron ------------------------------------------------------------------------


def test_crontab_line_is_absolute_weekly_and_logged():
    line = crontab_line(["/opt/bin/syncplan", "sync", "/home/me/plan 1.toml", "--week", "next"], "sun", "18:00", Path("/home/me/.local/state/syncplan/sync.log"))
    assert line == (
        "0 18 * * 0 date -u '+== syncplan run at \\%Y-\\%m-\\%dT\\%H:\\%M:\\%SZ' >> /home/me/.local/state/syncplan/sync.log 2>&1; "
        "/opt/bin/syncplan sync '/home/me/plan 1.toml' --week next "
        f">> /home/me/.local/state/syncplan/sync.log 2>&1 {TAG}"
    )
    assert crontab_line(["/x"], "Monday", "6:05", Path("/l")).startswith("5 6 * * 1 date ")
    assert "\\%" in crontab_line(["/x", "sync", "/p/100%.toml"], "sun", "18:00", Path("/l"))


@pytest.mark.parametrize("day, at", [("sunday-ish", "18:00"), ("sun", "25:00"), ("sun", "6pm")])
def test_cron_rejects_bad_day_or_time(runner, day, at):
    result = run(runner, ["cron", "--day", day, "--time", at])
    assert result.exit_code == EXIT_INVALID and ("--day" in result.output or "--time" in result.output)


def test_cron_prints_the_line_for_a_plan(runner, isolated_user_dirs):
    result = run(runner, ["cron", str(LONDON), "--day", "sat", "--time", "07:15"])
    assert result.exit_code == 0
    line = result.output.strip()
    assert line.startswith("15 7 * * 6 ") and line.endswith(TAG)
    executable = next(word for word in line.split("; ", 1)[1].split() if "=" not in word)  # after the date stamp
    assert executable.startswith("/")  # absolute: cron's PATH is bare
    assert f" sync {LONDON.resolve()} --week next --non-interactive >> {isolated_user_dirs / 'state' / 'sync.log'} 2>&1" in line


def test_cron_names_the_default_plan_and_token_by_absolute_path(runner, isolated_user_dirs, monkeypatch, tmp_path):
    own = isolated_user_dirs / "config" / "plan.toml"
    own.parent.mkdir(parents=True)
    own.write_text(LONDON.read_text())
    monkeypatch.setenv("SYNCPLAN_TOKEN_FILE", str(tmp_path / "tok.json"))
    line = run(runner, ["cron"]).output.strip()
    assert f" sync {own.resolve()} --token {(tmp_path / 'tok.json').resolve()} --week next" in line
    # the directory overrides in force here travel with the line, since cron starts with none
    assert f"SYNCPLAN_STATE_DIR={(isolated_user_dirs / 'state').resolve()} " in line
    assert line.index("SYNCPLAN_CONFIG_DIR=") < line.index(" sync ")


def test_with_line_replaces_its_own_line_and_keeps_the_rest():
    mine = "MAILTO=me\n0 1 * * * backup\n"
    once = with_line(mine, f"0 18 * * 0 /a sync {TAG}")
    assert once == f"MAILTO=me\n0 1 * * * backup\n0 18 * * 0 /a sync {TAG}\n"
    assert with_line(once, f"0 18 * * 0 /a sync {TAG}") == once
    assert with_line(once, f"0 9 * * 1 /a sync {TAG}").count(TAG) == 1


def test_cron_install_is_idempotent(runner, crontab_table):
    first = run(runner, ["cron", str(LONDON), "--install"])
    assert first.exit_code == 0 and "Added to your crontab." in first.output
    second = run(runner, ["cron", str(LONDON), "--install"])
    assert "Already in your crontab; nothing changed." in second.output
    moved = run(runner, ["cron", str(LONDON), "--install", "--day", "mon"])
    assert "Added" in moved.output
    lines = crontab_table.read_text().splitlines()
    assert lines[0] == "0 1 * * * backup" and len(lines) == 2 and lines[1].startswith("0 18 * * 1 ")


def test_the_token_lives_in_the_data_dir_by_default(runner, isolated_user_dirs):
    result = run(runner, ["auth", "--status"])
    assert result.exit_code == EXIT_AUTH
    assert f"no Google token at {isolated_user_dirs / 'data' / 'token.json'}" in result.output


def test_the_progress_bar_waits_for_much_to_do():
    from syncplan.cli import PROGRESS_FROM, _SyncProgress

    assert _SyncProgress(enabled=False).start(1000) is None
    quiet = _SyncProgress(enabled=True)
    assert quiet.start(PROGRESS_FROM - 1) is None
    quiet.finish()


def test_auth_with_a_token_directory_that_cannot_be_made_is_a_clean_error(fake_google, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    code, output, _, _ = consent(fake_google, tmp_path, ["--token", str(blocker / "token.json")])
    assert code == EXIT_FAILURE, output
    assert f"{blocker}: cannot create the directory for the Google token" in output
    assert "Traceback" not in output
