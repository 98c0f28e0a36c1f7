"""Session kinds: what each one is, how hard it is, which muscles it loads.

The muscle lists follow the article's table of what running builds, and the
strength focus lists follow its advice on what lifting should cover.
"""

from __future__ import annotations

from typing import NamedTuple


class Kind(NamedTuple):
    id: str
    title: str
    run: bool  # a running session (as opposed to lifting or mobility)
    hard: bool  # demanding enough to spoil lifting done after it (a long run is, at easy pace)
    muscles: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    effort: str = "easy"  # what the event text calls the effort; agrees with the kind's text

    @property
    def hill_or_sprint(self) -> bool:
        """The article's most muscle-building running: hills, sprints and high-intensity intervals.

        It puts "sprint and high-intensity interval running" under one heading,
        so intervals satisfy the weekly hill-or-sprint session.
        """
        return self.id in HILL_OR_SPRINT


HILL_OR_SPRINT = ("hills", "sprints", "intervals")

KINDS: dict[str, Kind] = {
    k.id: k
    for k in (
        Kind("easy", "Easy run", True, False, ("calves", "core"), ("run", "jog", "recovery")),
        Kind("long", "Long run", True, True, ("calves", "quads", "core"), ("long-run",), "easy pace, long duration"),
        Kind("tempo", "Tempo run", True, True, ("calves", "hamstrings"), ("threshold",), "comfortably hard"),
        Kind(
            "intervals",
            "Intervals",
            True,
            True,
            ("calves", "hamstrings", "hip flexors"),
            ("interval", "vo2", "speed"),
            "hard",
        ),
        Kind(
            "sprints",
            "Sprints",
            True,
            True,
            ("calves", "hamstrings", "glutes", "hip flexors"),
            ("sprint",),
            "near-maximal",
        ),
        Kind(
            "hills",
            "Hill repeats",
            True,
            True,
            ("calves", "hamstrings", "quads", "glutes"),
            ("hill", "hill-repeats", "hill-sprints"),
            "hard uphill, easy back down",
        ),
        Kind("strength", "Strength", False, True, (), ("lift", "lifting", "gym", "weights"), "hard"),
        Kind("mobility", "Mobility", False, False, ("hips", "core"), ("yoga", "stretch")),
    )
}

# The article's two weekly sessions are "lower-body focused compound movements".
LOWER_BODY_FOCUS = ("lower", "full")

STRENGTH_FOCUS: dict[str, tuple[str, ...]] = {
    "lower": ("quads", "hamstrings", "glutes", "calves"),
    "upper": ("back", "chest", "shoulders", "arms"),
    "full": ("quads", "hamstrings", "glutes", "calves", "back", "shoulders", "core"),
}

_BY_NAME = {name: k for k in KINDS.values() for name in (k.id, *k.aliases)}


def find_kind(name: str) -> Kind | None:
    return _BY_NAME.get(name.strip().lower().replace("_", "-").replace(" ", "-"))


def muscles(kind: Kind, focus: str | None) -> tuple[str, ...]:
    if kind.id == "strength":
        return STRENGTH_FOCUS[focus or "full"]
    return kind.muscles
