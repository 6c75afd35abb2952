"""The double-random draw (双随机) of a sampling plan, as a pure function of its inputs and seed.

Nothing here reads the database: :func:`draw` gets every candidate ticket and every inspector
(``DrawInputs``, which the plan stores as JSON) and a seed, and returns the sample with an
inspector for each ticket. The same inputs and seed always give the same result, so a stored draw
can be re-checked at any time (docs/inspections.md says how).

1. Strata: the candidates handled in the period, grouped by (agent, ticket type), in ascending
   order of agent id, then type. Each stratum's quota is ⌈rate × handled⌉ (so every agent with
   handled tickets gets at least one inspection per type). Forced tickets (complaints, low
   ratings) are always taken and count towards the quota; the rest of the quota is drawn at
   random from the stratum's other tickets (ascending ticket id, partial Fisher–Yates).
   Forced tickets handled before the period (a low rating that came in later) are added too.
2. Inspectors: the sample is shuffled, then sorted (stably) so that tickets with the fewest
   eligible inspectors come first; each ticket goes to the eligible inspector with the fewest
   tickets so far, ties broken at random. An inspector is eligible unless they are the agent,
   handled the ticket, belong to the agent's or the ticket's team, or lead one of those teams.

All randomness comes from one ``random.Random(seed)`` through ``randrange`` only, in that order.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

FORCED_COMPLAINT = "complaint"
FORCED_LOW_RATING = "low_rating"
RANDOM = "random"


@dataclass(frozen=True)
class Candidate:
    """A ticket that may be inspected. ``in_population``: handled in the period (counts in the
    strata); forced tickets from before the period have it False."""

    ticket_id: int
    agent_id: int
    ticket_type: str
    agent_team_id: int | None
    ticket_team_id: int | None
    handlers: tuple[int, ...]
    forced: str = ""
    in_population: bool = True

    def as_row(self) -> list[Any]:
        return [
            self.ticket_id,
            self.agent_id,
            self.ticket_type,
            self.agent_team_id,
            self.ticket_team_id,
            list(self.handlers),
            self.forced,
            self.in_population,
        ]

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> Candidate:
        return cls(row[0], row[1], row[2], row[3], row[4], tuple(row[5]), row[6], bool(row[7]))


@dataclass(frozen=True)
class InspectorInfo:
    id: int
    team_id: int | None
    led_team_ids: tuple[int, ...] = ()

    def as_row(self) -> list[Any]:
        return [self.id, self.team_id, list(self.led_team_ids)]

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> InspectorInfo:
        return cls(row[0], row[1], tuple(row[2]))


@dataclass(frozen=True)
class DrawInputs:
    rate: Fraction
    candidates: tuple[Candidate, ...]
    inspectors: tuple[InspectorInfo, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "rate": f"{self.rate.numerator}/{self.rate.denominator}",
            "tickets": [c.as_row() for c in sorted(self.candidates, key=lambda c: c.ticket_id)],
            "inspectors": [i.as_row() for i in sorted(self.inspectors, key=lambda i: i.id)],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DrawInputs:
        return cls(
            rate=Fraction(data["rate"]),
            candidates=tuple(Candidate.from_row(row) for row in data["tickets"]),
            inspectors=tuple(InspectorInfo.from_row(row) for row in data["inspectors"]),
        )


@dataclass(frozen=True)
class Pick:
    ticket_id: int
    inspector_id: int
    reason: str

    def as_row(self) -> list[Any]:
        return [self.ticket_id, self.inspector_id, self.reason]


@dataclass(frozen=True)
class StratumCount:
    agent_id: int
    agent_team_id: int | None
    ticket_type: str
    handled: int
    quota: int
    sampled: int


@dataclass
class DrawResult:
    picks: list[Pick]
    strata: list[StratumCount]
    unassignable: list[Candidate] = field(default_factory=list)

    def rows(self) -> list[list[Any]]:
        return [p.as_row() for p in self.picks]


def digest(data: Any) -> str:
    """SHA-256 over a canonical JSON text of ``data``."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def may_inspect(inspector: InspectorInfo, candidate: Candidate) -> bool:
    """Never own work, never own team's work (nor a team the inspector leads)."""
    if inspector.id == candidate.agent_id or inspector.id in candidate.handlers:
        return False
    teams = {t for t in (candidate.agent_team_id, candidate.ticket_team_id) if t is not None}
    if inspector.team_id is not None and inspector.team_id in teams:
        return False
    return not teams.intersection(inspector.led_team_ids)


def quota(rate: Fraction, handled: int) -> int:
    """⌈rate × handled⌉: at least the rate, and at least one ticket of a non-empty stratum."""
    return math.ceil(rate * handled)


def _shuffle(rng: random.Random, items: list[Any]) -> None:
    """Fisher–Yates with ``randrange`` (the same on every Python version)."""
    for i in range(len(items) - 1, 0, -1):
        j = rng.randrange(i + 1)
        items[i], items[j] = items[j], items[i]


def _choose(rng: random.Random, items: list[Any], k: int) -> list[Any]:
    """``k`` items of ``items`` at random (partial Fisher–Yates from the front), in drawn order."""
    pool = list(items)
    for i in range(k):
        j = i + rng.randrange(len(pool) - i)
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:k]


def draw(inputs: DrawInputs, seed: int) -> DrawResult:
    """The sample and the inspector of each sampled ticket (see the module docstring)."""
    rng = random.Random(seed)
    candidates = sorted(inputs.candidates, key=lambda c: c.ticket_id)
    strata: dict[tuple[int, str], list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        if candidate.in_population:
            strata[(candidate.agent_id, candidate.ticket_type)].append(candidate)
    sample: list[tuple[Candidate, str]] = []
    counts: list[StratumCount] = []
    for key in sorted(strata):
        group = strata[key]
        need = quota(inputs.rate, len(group))
        forced = [c for c in group if c.forced]
        rest = [c for c in group if not c.forced]
        picked = _choose(rng, rest, max(0, min(len(rest), need - len(forced))))
        sample.extend((c, c.forced) for c in forced)
        sample.extend((c, RANDOM) for c in picked)
        counts.append(StratumCount(key[0], group[0].agent_team_id, key[1], len(group), need, len(forced) + len(picked)))
    sample.extend((c, c.forced) for c in candidates if not c.in_population and c.forced)

    inspectors = sorted(inputs.inspectors, key=lambda i: i.id)
    order = sorted(sample, key=lambda pair: pair[0].ticket_id)
    _shuffle(rng, order)
    eligible = {c.ticket_id: [i.id for i in inspectors if may_inspect(i, c)] for c, _reason in order}
    order.sort(key=lambda pair: len(eligible[pair[0].ticket_id]))
    load = {i.id: 0 for i in inspectors}
    picks: list[Pick] = []
    unassignable: list[Candidate] = []
    for candidate, reason in order:
        allowed = eligible[candidate.ticket_id]
        if not allowed:
            unassignable.append(candidate)
            continue
        least = min(load[i] for i in allowed)
        tied = [i for i in allowed if load[i] == least]
        chosen = tied[rng.randrange(len(tied))]
        load[chosen] += 1
        picks.append(Pick(candidate.ticket_id, chosen, reason))
    picks.sort(key=lambda p: p.ticket_id)
    return DrawResult(picks=picks, strata=counts, unassignable=unassignable)
