"""The command line: parse options, call the core, hand results to a formatter.

Errors meant for people are ``SyncplanError``s; ``SyncplanGroup`` turns them
into one clean paragraph on stderr and the documented exit code.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

import click

from syncplan import __version__
from syncplan.errors import EXIT_FAILURE, EXIT_INVALID, InvalidInput, SyncplanError


class SyncplanGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SyncplanError as exc:
            from syncplan.formats import terminal_safe

            click.echo(f"Error: {terminal_safe(str(exc))}", err=True)
            ctx.exit(exc.exit_code)


@click.group(name="syncplan", cls=SyncplanGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="syncplan")
def main() -> None:
    """Lay out a runner-who-lifts training week in the right order.

    Reads a plan (a TOML file, or a built-in template), checks it against the
    concurrent-training rules, and writes calendar events as .ics or into
    Google Calendar.

    \b
    Exit codes: 0 ok, 1 rule errors or failure, 2 usage error or invalid
    input, 3 Google authorisation needed (run `syncplan auth`).
    """


# Shared options ---------------------------------------------------------------

def plan_options(func):
    """PLAN, --template, --notes: where the week comes from and how it is described."""
    func = click.option(
        "--notes",
        "notes_dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="SYNCPLAN_NOTES",
        help="Directory with a notes.toml that rewords the event descriptions.",
    )(func)
    func = click.option("--template", "-t", metavar="NAME", help="Use a built-in template instead of a plan file.")(func)
    return click.argument("plan_path", metavar="[PLAN]", required=False, type=click.Path(path_type=Path))(func)


def week_options(func):
    func = click.option("--weeks", "-n", default=1, show_default=True, type=int, help="How many consecutive weeks (1 to 520).")(func)
    return click.option(
        "--week",
        "-w",
        "week_spec",
        default="next",
        show_default=True,
        help="next, this, an ISO week (2026-W49) or a date in the week (2026-12-01).",
    )(func)


def busy_option(func):
    """--busy FILE: more busy time for placing flexible sessions (refused for a plan without them)."""
    return click.option(
        "--busy",
        "busy_files",
        multiple=True,
        metavar="FILE",
        help="An .ics file (or http(s) URL) of busy time to place flexible sessions around; repeatable.",
    )(func)


def load(plan_path: Path | None, template: str | None, builtin_fallback: bool = True):
    """The plan the user meant: PLAN, else --template, else SYNCPLAN_PLAN or their own plan.

    A path the user named (argument or SYNCPLAN_PLAN) must exist: a typo never
    silently turns into another plan. The built-in default stands in only when
    no path was named and there is nothing at the default place, and only for
    commands that write no further than this machine (``builtin_fallback``).
    """
    from syncplan.paths import default_plan_path, plan_from_environment
    from syncplan.plan import load_plan
    from syncplan.templates import DEFAULT_TEMPLATE, template_path

    if plan_path is not None and template is not None:
        raise click.UsageError("give either a PLAN file or --template, not both.")
    if template is not None:
        return load_plan(template_path(template), f"template {template!r}")
    if plan_path is not None:
        return load_plan(plan_path)
    named = plan_from_environment()
    if named is not None:
        return load_plan(named, f"{named} (from SYNCPLAN_PLAN)")
    own = default_plan_path()
    if own.exists():
        return load_plan(own)
    if not builtin_fallback:
        raise InvalidInput(
            f"there is no plan at {own}, and a built-in template is only used here when you ask for one. "
            f"Write your own with `syncplan init` (then set your weight_kg in it), or pass --template NAME "
            f"(`syncplan templates` lists them)."
        )
    plan = load_plan(template_path(DEFAULT_TEMPLATE), f"template {DEFAULT_TEMPLATE!r}")
    click.echo(
        f"syncplan: no plan at {own}; using the built-in {DEFAULT_TEMPLATE!r} template, whose protein "
        f"figures assume a {plan.weight_kg:g} kg athlete. Create your own with `syncplan init` and set "
        f"your weight_kg in it.",
        err=True,
    )
    return plan


def build_weeks(
    plan,
    week_spec: str,
    weeks: int,
    notes_dir: Path | None = None,
    busy_only: bool = False,
    busy_files=(),
    google_busy=None,
    read_back=None,
):
    """Resolve the weeks in the plan's zone ("next" is the next Monday there) and build them.

    Busy time is read here, at the edge, and only for a plan with flexible sessions.
    """
    from syncplan.build import build
    from syncplan.week import resolve_weeks

    refuse_busy_without_flexible(plan, busy_files)
    today = datetime.now(plan.zone).date()
    resolved = resolve_weeks(week_spec, weeks, today)
    if not plan.flexible:
        if plan.busy_ics or plan.busy_google:
            click.echo(f"syncplan: {plan.source} has no flexible sessions, so its [busy] calendars are not read.", err=True)
        return build(plan, resolved, notes_dir=notes_dir, busy_only=busy_only)
    from syncplan.availability import read_busy_sources

    busy = read_busy_sources(plan, resolved, tuple(busy_files))
    if google_busy is not None:
        busy = google_busy(plan, resolved, busy)
    elif plan.busy_google:
        click.echo("syncplan: the Google calendars under [busy] are read by `sync` only; this placement leaves them out.", err=True)
    before = read_back(resolved[0].previous()) if read_back is not None and resolved else None
    return build(plan, resolved, notes_dir=notes_dir, busy_only=busy_only, busy=tuple(busy), before=before)


def refuse_busy_without_flexible(plan, busy_files) -> None:
    """A --busy the user gave is never silently ignored: with nothing to place, it can only be a mistake."""
    if busy_files and not plan.flexible:
        raise InvalidInput(
            f"--busy {busy_files[0]}: {plan.source} has no flexible sessions (sessions with an id and no start), "
            f"so there is nothing to place around busy time; drop --busy."
        )


def report_findings(built) -> None:
    from syncplan.formats import finding_line, tally

    for f in built.findings:
        if f.severity != "info":
            click.echo(finding_line(f), err=True)
    click.echo(tally(built.findings, len(built.weeks)), err=True)


def refuse_on_errors(built, allow_errors: bool) -> None:
    if built.has_errors and not allow_errors:
        raise SyncplanError("the plan has rule errors (listed above); fix them, or pass --allow-errors to go ahead anyway.")


# Commands ---------------------------------------------------------------------

@main.command()
def templates() -> None:
    """List the built-in week templates."""
    from syncplan.templates import DEFAULT_TEMPLATE, template_names, template_summary

    for name in template_names():
        star = "*" if name == DEFAULT_TEMPLATE else " "
        click.echo(f"{star} {name:<14} {template_summary(name)}")
    click.echo("\n* the default, used when there is no plan file. Start your own with `syncplan init --template NAME`.")


@main.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--template", "-t", metavar="NAME", default=None, help="Built-in template to start from.")
@click.option(
    "--timezone",
    "zone",
    metavar="ZONE",
    help="IANA time zone for the plan, e.g. Europe/London [default: yours, from TZ or /etc/localtime].",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file (a symlink is written through).")
def init(path: Path | None, template: str | None, zone: str | None, force: bool) -> None:
    """Write a plan file to edit, from a built-in template.

    PATH defaults to your plan in the config directory (SYNCPLAN_PLAN overrides);
    a PATH of - prints the plan instead. The plan gets your time zone and an id
    of its own.
    """
    from syncplan.errors import InvalidInput
    from syncplan.files import is_stream, occupied, write_output
    from syncplan.paths import default_plan_path
    from syncplan.plan import system_timezone, zone_problem
    from syncplan.templates import DEFAULT_TEMPLATE, new_plan_id, personalised, template_path, template_zone

    source = template_path(template or DEFAULT_TEMPLATE)
    if zone is not None:
        problem = zone_problem(zone.strip())
        if problem:
            raise InvalidInput(f"--timezone: {problem}")
        zone, origin = zone.strip(), "from --timezone"
    else:
        zone, origin = system_timezone()
    target = path or default_plan_path()
    to_stdout = str(target) == "-"
    if not to_stdout and occupied(target) and not is_stream(target) and not force:
        what = "a symlink to a file not there yet" if not target.exists() else "a file"
        raise SyncplanError(f"{target}: there is already {what} there; pass --force to overwrite it.")
    original = source.read_text(encoding="utf-8")
    text = personalised(original, new_plan_id(), zone)
    if to_stdout:
        click.echo(text, nl=False)
    else:
        if not is_stream(target):
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise SyncplanError(
                    f"{target}: cannot write the plan there ({exc.strerror or exc}); give another PATH, or point "
                    f"SYNCPLAN_PLAN or SYNCPLAN_CONFIG_DIR at a folder you can write to."
                ) from None
        write_output(target, text.encode("utf-8"))
    say = partial(click.echo, err=to_stdout or is_stream(target))  # stdout may be where the plan went
    say(f"Wrote {'the plan to stdout' if to_stdout else target} from the {source.stem!r} template.")
    if zone:
        say(f"Time zone: {zone} ({origin}).")
    else:
        say(
            f"Time zone: kept the template's {template_zone(original)} ({origin}); set [athlete] timezone "
            f"to yours, or rerun with --timezone."
        )
    check_what = "PLAN" if to_stdout else target
    say(
        "Set your weight: [athlete] weight_kg (70 kg is a placeholder; the daily protein target in the notes comes from it). "
        f"Then run `syncplan check {check_what}`."
    )


class _JsonErrors(click.Command):
    """With --json, a bad option value (``--notes`` naming a file, ``--weeks abc``) answers in JSON too.

    Scripts then parse one shape whatever went wrong; only an unknown option,
    which may mean --json itself was mistyped, stays click's plain text.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        wants_json = "--json" in args
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            if not wants_json or isinstance(exc, click.NoSuchOption):
                raise
            from syncplan.formats import error_json

            click.echo(error_json(InvalidInput(exc.format_message())))
            ctx.exit(EXIT_INVALID)


@main.command(cls=_JsonErrors)
@plan_options
@week_options
@busy_option
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON, errors included.")
def check(plan_path, template, notes_dir, week_spec, weeks, as_json, busy_files=()) -> None:
    """Check a plan against the rules; exit 1 if there are errors."""
    from syncplan.formats import error_json, findings_json, findings_text

    try:
        plan = load(plan_path, template)
        built = build_weeks(plan, week_spec, weeks, notes_dir, busy_files=busy_files)
    except (SyncplanError, click.UsageError) as exc:
        if not as_json:
            raise
        if isinstance(exc, click.UsageError):
            exc = InvalidInput(exc.format_message())
        click.echo(error_json(exc))
        sys.exit(exc.exit_code)
    click.echo(findings_json(built) if as_json else findings_text(built))
    if built.has_errors:
        sys.exit(EXIT_FAILURE)


@main.command()
@plan_options
@week_options
@click.option("--block", "as_block", is_flag=True, help="One line per week: run and strength minutes, phase, long run, findings.")
@busy_option
def show(plan_path, template, notes_dir, week_spec, weeks, as_block, busy_files=()) -> None:
    """Show the week as a grid, with findings marked."""
    from syncplan.formats import tally, week_grid

    plan = load(plan_path, template)
    built = build_weeks(plan, week_spec, weeks, notes_dir, busy_files=busy_files)
    if as_block:
        from syncplan.formats import block_chart, week_rows

        first, last = built.weeks[0].week.label, built.weeks[-1].week.label
        span = f"Week {first}" if first == last else f"Weeks {first} to {last}"
        click.echo(block_chart(week_rows(built), f"{span} ({plan.timezone})"))
    else:
        click.echo("\n\n".join(week_grid(w, built.findings) for w in built.weeks))
    click.echo("\n" + tally(built.findings, len(built.weeks)))


@main.command()
@plan_options
@week_options
@busy_option
def place(plan_path, template, notes_dir, week_spec, weeks, busy_files) -> None:
    """Place the flexible sessions around busy time: the week grid, then where each went and why."""
    from syncplan.formats import placement_lines, tally, week_grid

    plan = load(plan_path, template)
    refuse_busy_without_flexible(plan, busy_files)
    if not plan.flexible:
        raise InvalidInput(
            f"{plan.source}: the plan has no flexible sessions (a [[session]] with an id and no start); "
            f"every session already has its day and start."
        )
    built = build_weeks(plan, week_spec, weeks, notes_dir, busy_files=busy_files)
    placed = {p.week: p for p in built.placements}
    for i, week in enumerate(built.weeks):
        click.echo(("\n\n" if i else "") + week_grid(week, built.findings))
        if week.week.label in placed:
            click.echo("\n" + "\n".join(placement_lines(placed[week.week.label])))
    click.echo("\n" + tally(built.findings, len(built.weeks)))
    if built.has_errors:
        sys.exit(EXIT_FAILURE)


BUSY_CALENDAR_NAME = "Busy"  # a busy-only feed must not say whose plan, or what kind, it is


@main.command()
@plan_options
@week_options
@click.option(
    "--output", "-o", default="-", show_default=True, metavar="FILE", help="Where to write the .ics; - is stdout."
)
@click.option("--busy-only", is_flag=True, help="Same times, neutral title, no details or alarms (for a work calendar).")
@click.option("--allow-errors", is_flag=True, help="Export even when the plan breaks an error-level rule.")
@click.option(
    "--keep-past",
    metavar="N",
    default=0,
    type=click.IntRange(0, 520),
    help="When rewriting a file, keep its events of the N weeks before the exported ones.",
)
@click.option("--force", is_flag=True, help="Replace an existing -o file even when it is not an iCalendar file.")
@busy_option
def export(plan_path, template, notes_dir, week_spec, weeks, output, busy_only, allow_errors, keep_past, force, busy_files=()) -> None:
    """Write the week's sessions as an .ics file for any calendar app."""
    from syncplan.files import looks_like_icalendar, read_existing, refuse_foreign, same_file, write_stdout
    from syncplan.ics import KEEP_PAST_BYTES, past_events, placed_week, to_ical, write_ics

    if not output.strip():
        raise click.UsageError("-o is empty; give a file name, or - for stdout.")
    if keep_past and output == "-":
        raise click.UsageError("--keep-past reads the file being rewritten; give it with -o FILE.")
    plan = load(plan_path, template)
    out = None if output == "-" else Path(output)
    if out is not None and plan.path is not None and same_file(out, Path(plan.path)):
        raise InvalidInput(
            f"-o {output}: is the plan file being exported, and the calendar would replace it; "
            f"give another -o path. Nothing was written."
        )
    old = None if out is None else read_existing(out, limit=KEEP_PAST_BYTES)
    # Last run's file holds the week before as the calendar has it: the first week is placed next to that.
    read_back = partial(placed_week, old, plan, busy_only=busy_only) if old and plan.flexible else None
    built = build_weeks(plan, week_spec, weeks, notes_dir, busy_only, busy_files=busy_files, read_back=read_back)
    report_findings(built)
    refuse_on_errors(built, allow_errors)
    if out is not None and not force:
        refuse_foreign(out, old, looks_like_icalendar, "an iCalendar file (it does not start with BEGIN:VCALENDAR)")
    first_monday = built.weeks[0].week.window(plan.zone)[0]
    kept = past_events(old, plan.timezone, first_monday, keep_past, busy_only, out) if keep_past else []
    name = BUSY_CALENDAR_NAME if busy_only else plan.calendar_name
    data = to_ical(list(built.calendar_events), name, plan.timezone, datetime.now(timezone.utc), private=busy_only, kept=kept)
    labels = f"{built.weeks[0].week.label}" + (f" to {built.weeks[-1].week.label}" if len(built.weeks) > 1 else "")
    if out is None:
        write_stdout(data)
        return
    past = f" and kept {len(kept)} past one{'' if len(kept) == 1 else 's'}" if kept else ""
    if write_ics(out, data, old):
        count = len(built.events)
        click.echo(f"Wrote {count} session{'' if count == 1 else 's'} ({labels}){past} to {output}.", err=True)
    else:
        click.echo(f"{output} is up to date ({labels}); left untouched.", err=True)


# --- Google commands (owned by the sync helper) ---
# Google imports stay inside these functions: `export` and `--help` never load them.

PROGRESS_FROM = 20  # writes; fewer finish before a bar would be worth drawing


@main.command()
@click.option(
    "--credentials",
    "credentials_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The Desktop-app OAuth client JSON from the Google Cloud console [default: credentials.json in the config dir].",
)
@click.option("--no-browser", is_flag=True, help="Print the URL instead of opening a browser (e.g. over SSH).")
@click.option("--status", "show_status", is_flag=True, help="Show the saved token's scopes and expiry (never its secrets).")
@click.option("--logout", is_flag=True, help="Delete the saved token.")
@click.option("--token", "token_file", type=click.Path(dir_okay=False, path_type=Path), help="Token file [env SYNCPLAN_TOKEN_FILE].")
@click.option(
    "--calendar",
    metavar="primary|ID",
    help="Also allow syncing into an existing calendar (asks for calendar.events.owned).",
)
@click.option(
    "--busy", "read_busy", is_flag=True, help="Also allow reading busy times for [busy] google (asks for calendar.freebusy)."
)
def auth(credentials_file, no_browser, show_status, logout, token_file, calendar, read_busy=False) -> None:
    """Authorise syncplan with Google once; the token is kept for `sync`.

    \b
    By default syncplan asks to manage calendars it creates itself
    (calendar.app.created) and to read the list of your calendars
    (calendar.calendarlist.readonly), so that it can find its own calendar
    again instead of making a second one. On a server without a browser, run this on a
    machine with one and copy the token file over, or use --no-browser with an
    SSH port-forward of the port shown in the URL.
    """
    from syncplan.google import auth as google_auth

    if show_status and logout:
        raise click.UsageError("give --status or --logout, not both.")
    path = google_auth.token_path(token_file)
    if show_status:
        for line in google_auth.status(path).lines():
            click.echo(line)
        return
    if logout:
        gone = google_auth.logout(path)
        click.echo(f"Deleted {path}." if gone else f"No token at {path}; nothing to do.")
        if gone:
            click.echo("To revoke syncplan's access at Google too: https://myaccount.google.com/permissions")
        return
    if calendar and not google_auth.is_calendar_id(calendar):
        raise click.UsageError(f"--calendar {calendar}: give primary or a calendar ID (it contains an @).")
    interactive = sys.stdin.isatty() and not no_browser
    if not interactive and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)  # the URL must reach a pipe (tee, a log) before the wait
    google_auth.authorise(
        credentials_file or google_auth.default_credentials_path(),
        path,
        google_auth.scopes_for(calendar) + ([google_auth.FREEBUSY] if read_busy else []),
        open_browser=interactive,
        say=click.echo,
    )


@main.command()
@plan_options
@week_options
@click.option(
    "--calendar",
    metavar="NAME|ID",
    help=(
        "primary, a calendar ID, or a NAME for the plan's calendar when sync makes it [default: the plan's "
        "[calendar] name]. A NAME never renames the plan's calendar: if it exists under another name, sync stops "
        "(exit 2); set [calendar] name in the plan to rename it."
    ),
)
@click.option("--dry-run", is_flag=True, help="Show what would change in Google; change nothing.")
@click.option("--overwrite-edits", is_flag=True, help="Replace events edited or deleted by hand in Google.")
@click.option("--force", is_flag=True, help="Allow deleting every syncplan event of a week the plan leaves empty.")
@click.option("--non-interactive", is_flag=True, help="No progress bar (sync never prompts or opens a browser anyway).")
@click.option("--token", "token_file", type=click.Path(dir_okay=False, path_type=Path), help="Token file [env SYNCPLAN_TOKEN_FILE].")
@click.option("--allow-errors", is_flag=True, help="Sync even when the plan breaks an error-level rule.")
@busy_option
def sync(plan_path, template, notes_dir, week_spec, weeks, calendar, dry_run, overwrite_edits, force, non_interactive, token_file, allow_errors, busy_files=()) -> None:
    """Make Google Calendar show exactly the planned weeks.

    Creates new sessions, updates changed ones in place and deletes removed
    ones, only ever touching events syncplan made; sessions that come back
    are restored. Events edited or deleted by hand in Google are reported and
    left alone. syncplan's calendar is found by its marker, renamed when the
    plan's [calendar] name changes (never by --calendar), and never made
    twice. Safe to run from cron: it exits 3 only when Google authorisation
    is needed, 1 for a failure worth retrying later.
    """
    from syncplan.google.auth import is_calendar_id, token_path
    from syncplan.google.push import NotRenamed, Target, push
    from syncplan.plan import text_problem

    if calendar is not None:  # held to what [calendar] name is held to: it may become a calendar's name
        problem = text_problem(calendar, 500 if is_calendar_id(calendar) else 100)
        if problem:
            raise click.UsageError(f"--calendar {calendar[:60]!r}: {problem}")
    plan = load(plan_path, template, builtin_fallback=False)
    target = Target(calendar or plan.calendar_name, plan.timezone, renames=not calendar or calendar == plan.calendar_name)
    read_back = _google_read_back(plan, target, token_file) if plan.flexible else None
    built = build_weeks(
        plan, week_spec, weeks, notes_dir, busy_files=busy_files, google_busy=_google_busy(token_file), read_back=read_back
    )
    report_findings(built)
    refuse_on_errors(built, allow_errors)
    window = (built.weeks[0].week.window(plan.zone)[0], built.weeks[-1].week.window(plan.zone)[1])
    bar = _SyncProgress(enabled=not non_interactive and sys.stdout.isatty())
    try:
        outcome = push(
            built.calendar_events,
            window,
            plan.identity,
            target,
            token_path(token_file),
            dry_run=dry_run,
            overwrite_edits=overwrite_edits,
            force=force,
            progress=bar.start,
            weeks_off=frozenset(w.week.label for w in built.weeks if w.phase is not None and w.phase.rest),
        )
    except NotRenamed as exc:
        raise InvalidInput(not_renamed(plan, template, exc.current, exc.wanted)) from None
    finally:
        bar.finish()
    for note in outcome.notes:
        click.echo(note[0].upper() + note[1:] + ".")
    if dry_run:
        for action in outcome.planned:
            if action.verb != "unchanged":
                click.echo(action.describe())
        click.echo(f"Dry run, nothing written. Would be: {outcome.summary()}")
        return
    for conflict in outcome.conflicts:
        click.echo(conflict.describe())
    click.echo(outcome.summary())


TEMPLATE_IDENTITY = "training"  # the built-in templates are all named "Training" and have no id


def not_renamed(plan, template: str | None, current: str, wanted: str) -> str:
    """Why ``--calendar NAME`` stopped: where the plan's calendar is, and the two ways to get what was meant."""
    import json
    import shlex

    if current == plan.calendar_name:
        keep = "Leave out --calendar to sync into it."
    else:
        keep = f"`--calendar {shlex.quote(current)}` syncs into it under its name."
    setting = f"`[calendar] name = {json.dumps(wanted, ensure_ascii=False)}`"
    if template is not None:
        fix = (
            f"A template is not edited: `syncplan init --template {template}` writes a copy of it with its own "
            f"`[calendar] id`, which keeps it apart from other plans; set {setting} in that copy and sync it."
        )
    else:
        fix = (
            f"To rename it, set {setting} in {plan.source}; to keep this plan apart from other plans, give it its "
            f"own `[calendar] id` (`syncplan init --template NAME` writes a copy of a template with its own id)."
        )
    templates = " (every built-in template is one)" if plan.identity == TEMPLATE_IDENTITY else ""
    shared = (
        f" A plan without an `[calendar] id` takes its identity from its name, so the plans named "
        f"{plan.calendar_name!r} without an id{templates} share that calendar."
        if plan.calendar_id is None
        else ""
    )
    return (
        f"--calendar {wanted}: {plan.source} has the identity {plan.identity!r}, whose Google calendar already "
        f"exists as {current!r} and holds its events; --calendar does not rename it, so nothing was written.{shared} "
        f"{fix} {keep}"
    )


def _google_read_back(plan, target, token_file):
    """The week before as Google already shows it (one events.list), for placing the first week next to it."""

    def read(week):
        from syncplan.google.auth import token_path
        from syncplan.google.push import held_events
        from syncplan.placing import held_week

        found = held_events(week.window(plan.zone), plan.identity, target, token_path(token_file))
        return held_week(plan, week, found, plan.identity) if found else None

    return read


def _google_busy(token_file):
    """Adds the busy time of the Google calendars under [busy] google, from one freeBusy query (none named: no query)."""

    def read(plan, weeks, busy):
        if not plan.busy_google:
            return busy
        from syncplan.availability import span
        from syncplan.busy import merge
        from syncplan.google.auth import token_path
        from syncplan.google.freebusy import read_freebusy

        start, end = span(plan, weeks)
        return merge([*busy, *read_freebusy(token_path(token_file), plan.busy_google, start, end, plan.zone, plan.source)])

    return read


class _SyncProgress:
    """A click progress bar on a terminal, only once there is much to write."""

    def __init__(self, enabled: bool):
        self.enabled, self.bar = enabled, None

    def start(self, total: int):
        if not self.enabled or total < PROGRESS_FROM:
            return None
        self.bar = click.progressbar(length=total, label="Writing to Google Calendar")
        self.bar.__enter__()
        return self.bar.update

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


DEFAULT_CRON_KEEP_PAST = 1  # weeks; the one the weekly run happens in


def refuse_export_target(feed: Path, plan: Path) -> None:
    """What the weekly export would refuse on Sunday is refused now, while someone reads the message."""
    from syncplan.files import looks_like_icalendar, read_existing, refuse_foreign, same_file

    if same_file(feed, plan):
        raise InvalidInput(f"--export {feed}: is the plan file itself, and each run would replace it; give another file.")
    refuse_foreign(feed, read_existing(feed, limit=4096), looks_like_icalendar, "an iCalendar file", "Give another file, or move that one away first.")


def cron_calendar_note(plan, template: str | None, calendar: str) -> str:
    """What a weekly sync with someone else's name does: cron cannot ask Google now, so it says it."""
    import json

    where = f"a copy from `syncplan init --template {template}`" if template is not None else str(plan.source)
    return (
        f"syncplan: --calendar {calendar} is not the plan's [calendar] name ({plan.calendar_name!r}). The weekly "
        f"sync makes a calendar {calendar!r} only while this plan's calendar does not exist yet: --calendar does "
        f"not rename it, so if it exists under another name each run stops with exit 2 and writes nothing. To "
        f"rename it, set `[calendar] name = {json.dumps(calendar, ensure_ascii=False)}` in {where} and leave out --calendar."
    )


@main.command()
@click.argument("plan_path", metavar="[PLAN]", required=False, type=click.Path(path_type=Path))
@click.option("--template", "-t", metavar="NAME", help="Schedule a built-in template instead of a plan file.")
@click.option("--day", default="sun", show_default=True, help="Day of the week to run on (mon..sun).")
@click.option("--time", "at", default="18:00", show_default=True, help="Time of day, HH:MM.")
@click.option(
    "--calendar", metavar="NAME|ID", help="Passed on to `syncplan sync` (a NAME there never renames the plan's calendar)."
)
@click.option("--token", "token_file", type=click.Path(dir_okay=False, path_type=Path), help="Passed on to `syncplan sync`.")
@click.option(
    "--export",
    "export_file",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Schedule an .ics export to FILE instead of a Google sync.",
)
@click.option("--weeks", "-n", default=1, show_default=True, type=click.IntRange(1, 52), help="How many weeks each run writes.")
@click.option(
    "--keep-past",
    metavar="N",
    default=None,
    type=click.IntRange(0, 520),
    help="With --export: keep N past weeks in the file [default: 1, the week under way when it runs].",
)
@click.option("--busy-only", is_flag=True, help="With --export: a busy-only feed.")
@click.option("--install", is_flag=True, help="Add the line to your crontab (replacing syncplan's earlier line of that kind).")
def cron(plan_path, template, day, at, calendar, token_file, export_file, weeks, keep_past, busy_only, install) -> None:
    """Print (or --install) a crontab line that syncs (or exports) next week every week.

    Cron starts with a bare environment, so the line names every path
    absolutely and carries the directory variables set here (SYNCPLAN_*,
    XDG_*_HOME). The plan and the options are checked now, not on Sunday.
    """
    from syncplan.google import auth as google_auth
    from syncplan.google import cron as crontab
    from syncplan.paths import default_plan_path, state_dir

    crontab.schedule(day, at)
    if export_file is None and (keep_past is not None or busy_only):
        raise click.UsageError("--keep-past and --busy-only go with --export FILE.")
    if export_file is not None and (calendar or token_file):
        raise click.UsageError("--calendar and --token are for syncing; an --export line writes a file.")
    plan = load(plan_path, template, builtin_fallback=False)
    if plan_path is None and template is None:
        plan_path = default_plan_path()
    if export_file is None:
        command = crontab.sync_command(plan_path, template, calendar, token_file, weeks)
        if calendar and calendar != plan.calendar_name and not google_auth.is_calendar_id(calendar):
            click.echo(cron_calendar_note(plan, template, calendar), err=True)
        log, tag = state_dir() / "sync.log", crontab.TAG
    else:
        if str(export_file) == "-":
            raise click.UsageError("--export needs a file: on cron's stdout the .ics would only reach the log.")
        # On Sunday evening "next" starts tomorrow: without the week under way,
        # its remaining sessions would vanish from subscribed calendars.
        keep_past = DEFAULT_CRON_KEEP_PAST if keep_past is None else keep_past
        command = crontab.export_command(plan_path, template, export_file, weeks, keep_past, busy_only)
        folder = export_file.expanduser().absolute().parent
        if not folder.is_dir():
            raise InvalidInput(f"--export {export_file}: the folder {folder} does not exist; create it first.")
        refuse_export_target(export_file.expanduser(), Path(plan.path))
        log, tag = state_dir() / "export.log", crontab.EXPORT_TAG
    line = crontab.crontab_line(command, day, at, log, crontab.carried_environment(), tag)
    crontab.make_log_folder(log)
    if not install:
        click.echo(line)
        return
    changed = crontab.install(line)
    click.echo(line)
    click.echo("Added to your crontab." if changed else "Already in your crontab; nothing changed.")
