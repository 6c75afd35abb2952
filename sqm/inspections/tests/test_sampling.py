"""The double-random draw as a pure function: reproducible from its seed, every agent covered at
the rate, forced tickets always in, never own or own-team work, workload even."""

from __future__ import annotations

import math
from collections import Counter
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from sqm.inspections.sampling import Candidate, DrawInputs, InspectorInfo, draw, may_inspect

TYPES = ("consultation", "complaint", "fault")


def _inputs(n_agents: int = 6, per_agent: int = 23, inspectors: int = 3, rate: str = "1/5") -> DrawInputs:
    candidates = []
    ticket = 1
    for agent in range(1, n_agents + 1):
        team = 100 + agent % 2
        for k in range(per_agent):
            kind = TYPES[k % 3]
            candidates.append(
                Candidate(
                    ticket, agent, kind, team, team, (agent,), "complaint" if kind == "complaint" and k % 2 else ""
                )
            )
            ticket += 1
    people = tuple(InspectorInfo(1000 + i, None) for i in range(inspectors))
    return DrawInputs(Fraction(rate), tuple(candidates), people)


def test_same_seed_same_result_other_seed_other_result():
    inputs = _inputs()
    first, again, other = draw(inputs, 42), draw(inputs, 42), draw(inputs, 43)
    assert first.rows() == again.rows()
    assert first.rows() != other.rows()


def test_result_does_not_depend_on_the_order_inputs_arrive_in():
    inputs = _inputs()
    shuffled = DrawInputs(inputs.rate, tuple(reversed(inputs.candidates)), tuple(reversed(inputs.inspectors)))
    assert draw(inputs, 7).rows() == draw(shuffled, 7).rows()


def test_inputs_survive_their_json_form():
    inputs = _inputs()
    assert draw(DrawInputs.from_json(inputs.as_json()), 9).rows() == draw(inputs, 9).rows()


def test_every_stratum_reaches_its_quota_and_forced_tickets_are_in():
    inputs = _inputs()
    result = draw(inputs, 1)
    picked = {p.ticket_id for p in result.picks}
    for stratum in result.strata:
        assert stratum.quota == math.ceil(Fraction(1, 5) * stratum.handled)
        assert stratum.sampled >= stratum.quota
    forced = {c.ticket_id for c in inputs.candidates if c.forced}
    assert forced <= picked
    assert {c.agent_id for c in inputs.candidates} == {s.agent_id for s in result.strata}


def test_a_single_ticket_stratum_is_still_covered():
    inputs = DrawInputs(Fraction(1, 5), (Candidate(1, 7, "praise", 1, 1, (7,)),), (InspectorInfo(9, None),))
    assert [(p.ticket_id, p.inspector_id) for p in draw(inputs, 3).picks] == [(1, 9)]


def test_workload_is_even_without_constraints():
    result = draw(_inputs(inspectors=4), 5)
    loads = Counter(p.inspector_id for p in result.picks)
    assert len(loads) == 4 and max(loads.values()) - min(loads.values()) <= 1


def test_never_own_or_own_team_work():
    candidates = tuple(
        Candidate(n, 1 + n % 4, "consultation", 10 + n % 2, 10 + n % 2, (1 + n % 4,)) for n in range(1, 60)
    )
    inspectors = (
        InspectorInfo(1, 10),  # an agent of team 10 who also inspects
        InspectorInfo(50, 11),  # a member of team 11
        InspectorInfo(51, None, (10,)),  # the lead of team 10
        InspectorInfo(52, None),
    )
    result = draw(DrawInputs(Fraction(1, 2), candidates, inspectors), 11)
    by_id = {c.ticket_id: c for c in candidates}
    people = {i.id: i for i in inspectors}
    for pick in result.picks:
        candidate = by_id[pick.ticket_id]
        assert may_inspect(people[pick.inspector_id], candidate)
        assert pick.inspector_id != candidate.agent_id
        assert people[pick.inspector_id].team_id != candidate.agent_team_id
        assert candidate.agent_team_id not in people[pick.inspector_id].led_team_ids


def test_tickets_nobody_may_inspect_are_reported():
    candidates = (Candidate(1, 5, "consultation", 10, 10, (5,)),)
    result = draw(DrawInputs(Fraction(1), candidates, (InspectorInfo(6, 10),)), 1)
    assert result.picks == [] and [c.ticket_id for c in result.unassignable] == [1]


def test_late_low_ratings_are_added_outside_the_strata():
    candidates = (
        Candidate(1, 5, "consultation", 10, 10, (5,)),
        Candidate(2, 5, "consultation", 10, 10, (5,), forced="low_rating", in_population=False),
    )
    result = draw(DrawInputs(Fraction(1, 5), candidates, (InspectorInfo(6, None),)), 1)
    assert {p.ticket_id: p.reason for p in result.picks} == {1: "random", 2: "low_rating"}
    assert [(s.handled, s.sampled) for s in result.strata] == [(1, 1)]


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**63 - 1),
    agents=st.integers(min_value=1, max_value=8),
    per_agent=st.integers(min_value=1, max_value=30),
    inspectors=st.integers(min_value=1, max_value=5),
    rate=st.sampled_from(["1/5", "1/10", "1/2", "1"]),
)
def test_draw_properties_hold_for_any_seed(seed, agents, per_agent, inspectors, rate):
    inputs = _inputs(agents, per_agent, inspectors, rate)
    result = draw(inputs, seed)
    assert result.rows() == draw(inputs, seed).rows()
    loads = Counter(p.inspector_id for p in result.picks)
    counts = [loads.get(i.id, 0) for i in inputs.inspectors]
    assert max(counts) - min(counts) <= 1
    assert len({p.ticket_id for p in result.picks}) == len(result.picks)
    for stratum in result.strata:
        assert stratum.sampled >= min(stratum.quota, stratum.handled) >= 1
