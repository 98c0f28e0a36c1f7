"""The day's fuel: estimated energy of each session and of the day, as plain numbers.

Pure arithmetic on a session's kind and minutes and the athlete's body; the
wording lives in notes.toml. Every figure here is an estimate, and the notes
say so: a MET value describes an average person at an average pace, not you.

Energy of a session (gross, resting energy included, as the Compendium's
METs are): kcal = MET x kg x hours. The day's maintenance adds only the
*net* part of training (MET - 1) to the resting estimate, since the hours
spent training are already counted once in the resting energy.
"""

from __future__ import annotations

from typing import NamedTuple

# MET values from the Compendium of Physical Activities (Ainsworth et al. 2011;
# the 2024 update revises some values, so read these as close, not exact).
# Where no single activity code describes a kind of session, the value is an
# approximate blend of codes and is marked so; no code is given for it.
#   easy, long  12030  running, 5 mph (12 min/mile)                        8.3
#   tempo       12070  running, 7 mph (8.5 min/mile)                      11.0
#   intervals   approximate: fast repeats (12090, 8 mph, 11.8) with jog
#               recoveries (12020, jogging general, 7.0)                  10.0
#   hills       approximate: hard uphill efforts with walk/jog descents    9.0
#   sprints     approximate: near-maximal efforts with full standing or
#               walking recovery, which takes most of the session         8.0
#   strength    02052  resistance (weight) training, multiple exercises,
#                      8-15 repetitions at varied resistance               3.5
#   mobility    02101  stretching, mild                                    2.3
#   race        approximate: race effort, taken as the tempo value (12070) 11.0
MET = {
    "easy": 8.3,
    "long": 8.3,
    "tempo": 11.0,
    "intervals": 10.0,
    "hills": 9.0,
    "sprints": 8.0,
    "strength": 3.5,
    "mobility": 2.3,
    "race": 11.0,
}

# Resting energy x this covers a day of ordinary living without exercise
# (the usual "sedentary" factor); training is then added on top, so a runner
# is not counted as active twice.
DAILY_LIFE_FACTOR = 1.2
SEXES = ("female", "male")


class Body(NamedTuple):
    """What the resting-energy equation needs besides weight."""

    height_cm: float
    age: int
    sex: str  # "female" | "male"


def session_kcal(kind: str, minutes: int, weight_kg: float) -> int:
    """Gross energy of one session, rounded to 10 kcal (more digits would claim a precision METs lack)."""
    return _round10(MET[kind] * weight_kg * minutes / 60)


def net_kcal(kind: str, minutes: int, weight_kg: float) -> float:
    """Energy above resting for one session: what training adds to a day."""
    return (MET[kind] - 1) * weight_kg * minutes / 60


def resting_kcal(weight_kg: float, body: Body) -> float:
    """Mifflin-St Jeor resting energy per day."""
    base = 10 * weight_kg + 6.25 * body.height_cm - 5 * body.age
    return base + (5 if body.sex == "male" else -161)


class Maintenance(NamedTuple):
    resting: int  # Mifflin-St Jeor, kcal/day
    daily_life: int  # resting x DAILY_LIFE_FACTOR
    training: int  # net energy of the day's sessions
    total: int


def maintenance(weight_kg: float, body: Body, sessions: list[tuple[str, int]]) -> Maintenance:
    """The day's maintenance estimate: daily life plus the net energy of ``sessions`` (kind, minutes)."""
    resting = resting_kcal(weight_kg, body)
    daily = resting * DAILY_LIFE_FACTOR
    training = sum(net_kcal(kind, minutes, weight_kg) for kind, minutes in sessions)
    return Maintenance(_round10(resting), _round10(daily), _round10(training), _round10(daily + training))


def _round10(x: float) -> int:
    return int(x / 10 + 0.5) * 10
