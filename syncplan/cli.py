"""The command line: parse options, call the core, hand results to a formatter.

Errors meant for people are ``SyncplanError``s; ``SyncplanGroup`` turns them
into one clean paragraph on stderr and the documented exit code.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from syncplan import __version__
from syncplan.errors import EXIT_FAILURE, SyncplanError


class SyncplanGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SyncplanError as exc:
            click.echo(f"Error: {exc}", err=True)
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
    func = click.option("--weeks", "-n", default=1, show_default=True, type=int, help="How many consecutive weeks.")(func)
    return click.option(
        "--week",
        "-w",
        "week_spec",
        default="next",
        show_default=True,
        help="next, this, an ISO week (2026-W49) or a date in the week (2026-12-01).",
    )(func)


def load(plan_path: Path | None, template: str | None):
    """The plan the user meant: PLAN, else --template, else their own plan, else the default template."""
    from syncplan.paths import default_plan_path
    from syncplan.plan import load_plan
    from syncplan.templates import DEFAULT_TEMPLATE, template_path

    if plan_path is not None and template is not None:
        raise click.UsageError("give either a PLAN file or --template, not both.")
    if template is not None:
        return load_plan(template_path(template), f"template {template!r}")
    if plan_path is not None:
        return load_plan(plan_path)
    own = default_plan_path()
    if own.is_file():
        return load_plan(own)
    click.echo(
        f"syncplan: no plan at {own}; using the built-in {DEFAULT_TEMPLATE!r} template "
        f"(create your own with `syncplan init`).",
        err=True,
    )
    return load_plan(template_path(DEFAULT_TEMPLATE), f"template {DEFAULT_TEMPLATE!r}")


def build_weeks(plan, week_spec: str, weeks: int, notes_dir: Path | None = None, busy_only: bool = False):
    """Resolve the weeks in the plan's zone ("next" is the next Monday there) and build them."""
    from syncplan.build import build
    from syncplan.week import resolve_weeks

    today = datetime.now(plan.zone).date()
    return build(plan, resolve_weeks(week_spec, weeks, today), notes_dir=notes_dir, busy_only=busy_only)


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
    click.echo(f"\n* the default, used when there is no plan file. Start your own with `syncplan init --template NAME`.")


@main.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--template", "-t", metavar="NAME", default=None, help="Built-in template to start from.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: Path | None, template: str | None, force: bool) -> None:
    """Write a plan file to edit, from a built-in template.

    PATH defaults to your plan in the config directory (SYNCPLAN_PLAN overrides).
    """
    from syncplan.files import atomic_write
    from syncplan.paths import default_plan_path
    from syncplan.templates import DEFAULT_TEMPLATE, template_path

    source = template_path(template or DEFAULT_TEMPLATE)
    target = path or default_plan_path()
    if target.exists() and not force:
        raise SyncplanError(f"{target}: already exists; pass --force to overwrite it.")
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, source.read_bytes())
    click.echo(f"Wrote {target} from the {source.stem!r} template. Edit it, then run `syncplan check {target}`.")


@main.command()
@plan_options
@week_options
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def check(plan_path, template, notes_dir, week_spec, weeks, as_json) -> None:
    """Check a plan against the rules; exit 1 if there are errors."""
    from syncplan.formats import findings_json, findings_text

    plan = load(plan_path, template)
    built = build_weeks(plan, week_spec, weeks, notes_dir)
    click.echo(findings_json(built) if as_json else findings_text(built))
    if built.has_errors:
        sys.exit(EXIT_FAILURE)


@main.command()
@plan_options
@week_options
def show(plan_path, template, notes_dir, week_spec, weeks) -> None:
    """Show the week as a grid, with findings marked."""
    from syncplan.formats import tally, week_grid

    plan = load(plan_path, template)
    built = build_weeks(plan, week_spec, weeks, notes_dir)
    click.echo("\n\n".join(week_grid(w, built.findings) for w in built.weeks))
    click.echo("\n" + tally(built.findings, len(built.weeks)))


@main.command()
@plan_options
@week_options
@click.option(
    "--output", "-o", default="-", show_default=True, metavar="FILE", help="Where to write the .ics; - is stdout."
)
@click.option("--busy-only", is_flag=True, help="Same times, neutral title, no details (for a work calendar).")
@click.option("--allow-errors", is_flag=True, help="Export even when the plan breaks an error-level rule.")
def export(plan_path, template, notes_dir, week_spec, weeks, output, busy_only, allow_errors) -> None:
    """Write the week's sessions as an .ics file for any calendar app."""
    from syncplan.ics import to_ical, write_ics

    plan = load(plan_path, template)
    built = build_weeks(plan, week_spec, weeks, notes_dir, busy_only)
    report_findings(built)
    refuse_on_errors(built, allow_errors)
    data = to_ical(list(built.events), plan.calendar_name, plan.timezone, datetime.now(timezone.utc))
    labels = f"{built.weeks[0].week.label}" + (f" to {built.weeks[-1].week.label}" if len(built.weeks) > 1 else "")
    if output == "-":
        click.echo(data, nl=False)
        return
    if write_ics(Path(output), data):
        click.echo(f"Wrote {len(built.events)} sessions ({labels}) to {output}.", err=True)
    else:
        click.echo(f"{output} is up to date ({labels}); left untouched.", err=True)


# --- Google commands (owned by the sync helper) ---
