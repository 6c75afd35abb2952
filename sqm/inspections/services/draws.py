"""The double-random draw (双随机) of a sampling plan: which tickets are inspected and by whom,
both at random from one recorded seed. The pure draw is :mod:`sqm.inspections.sampling`; here it
is fed from the database and its result stored, digested and audited so anyone can re-check it
(``selectors.plan_verify``)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from sqm.audit.services import audit_append, diff, snapshot
from sqm.core.errors import DomainError
from sqm.core.roles import Cap
from sqm.inspections import sampling
from sqm.inspections.models import Inspection, InspectionStatus, PlanStatus, PlanStratum, SamplingPlan, Scorecard
from sqm.inspections.services.base import MAX_SEED, PLAN_FIELDS, local_midnight, notify, now, require
from sqm.inspections.services.base import today as centre_today
from sqm.inspections.services.eligibility import eligible_inspectors, inspector_infos, thread_writers
from sqm.inspections.services.scorecards import scorecard_in_force

Row = tuple[int, str, int | None, int | None, int | None]  # ticket, type, team, assignee, owner
ROW_FIELDS = ("pk", "type", "team_id", "assignee_id", "owner_id")


def _handled_in(plan: SamplingPlan) -> dict[int, Row]:
    """Tickets resolved in the plan's period (centre time) that have an agent and were never inspected."""
    from sqm.tickets.models import Ticket

    start = local_midnight(plan.period_start)
    end = local_midnight(plan.period_end + dt.timedelta(days=1))
    handled = (
        Ticket.objects.filter(resolved_at__gte=start, resolved_at__lt=end)
        .filter(Q(assignee__isnull=False) | Q(owner__isnull=False))
        .exclude(pk__in=Inspection.objects.filter(calibration__isnull=True).values("ticket_id"))
        .values_list(*ROW_FIELDS)
    )
    return {row[0]: row for row in handled}


def _low_rated(plan: SamplingPlan, rows: Mapping[int, Row]) -> tuple[set[int], dict[int, Row]]:
    """Of ``rows``, those with a counted low rating; and tickets resolved before the period that got
    a low rating during it (added to the sample outside the strata)."""
    from sqm.feedback.models import Rating
    from sqm.tickets.models import Ticket

    start = local_midnight(plan.period_start)
    end = local_midnight(plan.period_end + dt.timedelta(days=1))
    ratings = Rating.objects.filter(ticket__isnull=False, counted=True, score__lte=plan.low_rating_max)
    low = set(ratings.filter(ticket_id__in=list(rows)).values_list("ticket_id", flat=True)) if rows else set()
    late_rows = (
        Ticket.objects.filter(
            pk__in=ratings.filter(created_at__gte=start, created_at__lt=end).values("ticket_id"),
            resolved_at__lt=start,
        )
        .filter(Q(assignee__isnull=False) | Q(owner__isnull=False))
        .exclude(pk__in=Inspection.objects.filter(calibration__isnull=True).values("ticket_id"))
        .values_list(*ROW_FIELDS)
    )
    return low, {row[0]: row for row in late_rows}


def _forced(plan: SamplingPlan, pk: int, ticket_type: str, *, low: set[int], late: set[int]) -> str:
    from sqm.tickets.models import TicketType

    if plan.include_complaints and ticket_type == TicketType.COMPLAINT and pk not in late:
        return sampling.FORCED_COMPLAINT
    if pk in low or pk in late:
        return sampling.FORCED_LOW_RATING
    return ""


def draw_inputs(plan: SamplingPlan) -> sampling.DrawInputs:
    """What a draw of ``plan`` sees now: the tickets handled (resolved) in the period by an agent and
    not inspected before, the forced ones marked, plus low-rated tickets handled earlier; and the
    inspectors who may be drawn. A ticket's handlers are its assignee and owner, plus any of those
    inspectors who wrote in its thread."""
    from sqm.org.models import User

    rows = _handled_in(plan)
    low: set[int] = set()
    late: dict[int, Row] = {}
    if plan.include_low_ratings:
        low, late = _low_rated(plan, rows)
        rows.update(late)
    agents = {row[3] or row[4] for row in rows.values()}
    teams = dict(User.objects.filter(pk__in=agents).values_list("pk", "team_id")) if agents else {}
    inspectors = inspector_infos(eligible_inspectors())
    writers = thread_writers(rows, [i.id for i in inspectors])
    late_ids = set(late)
    candidates = []
    for pk, ticket_type, team_id, assignee_id, owner_id in rows.values():
        agent = assignee_id or owner_id
        assert agent is not None
        candidates.append(
            sampling.Candidate(
                ticket_id=pk,
                agent_id=agent,
                ticket_type=ticket_type,
                agent_team_id=teams.get(agent),
                ticket_team_id=team_id,
                handlers=tuple(sorted({h for h in (assignee_id, owner_id) if h} | writers.get(pk, set()))),
                forced=_forced(plan, pk, ticket_type, low=low, late=late_ids),
                in_population=pk not in late,
            )
        )
    return sampling.DrawInputs(
        rate=Fraction(plan.rate),
        candidates=tuple(sorted(candidates, key=lambda c: c.ticket_id)),
        inspectors=tuple(inspectors),
    )


def _scorecard_for_draw(plan: SamplingPlan) -> Scorecard:
    if plan.scorecard is not None:
        return plan.scorecard
    card = scorecard_in_force()
    if card is None:
        raise DomainError(_("Choose the scorecard: none or several are in force."), field="scorecard", code="required")
    return card


def _ticket_numbers(ids: Iterable[int]) -> str:
    return ", ".join(f"T{pk:08d}" for pk in list(ids)[:5])


@transaction.atomic
def plan_draw(*, actor: Any, plan: SamplingPlan, seed: int | None = None, today: dt.date | None = None) -> SamplingPlan:
    """Draw the plan (双随机): which tickets are inspected and by whom, both at random from ``seed``
    (a new random seed when none is given). The seed, the inputs and the result are stored with
    their digests; drawing again with the same seed over the same inputs gives the same result.

    Refused before the period has ended (``today``: the centre's date, for the demo's fixed
    calendar), for a plan already drawn or closed, and when some sampled ticket has no eligible
    inspector (every inspector is the agent or in the agent's team).
    """
    require(actor, Cap.INSPECTION_MANAGE)
    return _draw(actor=actor, plan=plan, seed=seed, today=today)


@transaction.atomic
def system_plan_draw(*, plan: SamplingPlan, seed: int | None = None, today: dt.date | None = None) -> SamplingPlan:
    """The system's draw of its monthly plan (the task), with the same rules as :func:`plan_draw`."""
    return _draw(actor=None, plan=plan, seed=seed, today=today)


def _check_drawable(plan: SamplingPlan, day: dt.date) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise DomainError(
            _("This plan was drawn already (seed %(seed)s); a draw is never repeated.") % {"seed": plan.seed},
            field="status",
            code="drawn",
        )
    if plan.period_end >= day:
        raise DomainError(
            _("The period ends on %(day)s; draw after it is over, so every handled ticket is in it.")
            % {"day": plan.period_end},
            field="period_end",
            code="too_early",
        )


def _checked_seed(seed: int | None) -> int:
    if seed is None:
        seed = secrets.randbits(48)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED:
        raise DomainError(_("The seed is a whole number from 0 to 2⁶³ − 1."), field="seed", code="range")
    return seed


def _checked_draw(inputs: sampling.DrawInputs, seed: int) -> sampling.DrawResult:
    """The draw, refused when there is work and no inspector, or a ticket nobody may inspect."""
    if inputs.candidates and not inputs.inspectors:
        raise DomainError(_("No active QA inspector can be drawn."), field="inspectors", code="none")
    result = sampling.draw(inputs, seed)
    if result.unassignable:
        raise DomainError(
            _("No inspector may inspect %(tickets)s: every active inspector is the agent or in the agent's team.")
            % {"tickets": _ticket_numbers(c.ticket_id for c in result.unassignable)},
            field="inspectors",
            code="unassignable",
        )
    return result


def _draw(*, actor: Any, plan: SamplingPlan, seed: int | None, today: dt.date | None = None) -> SamplingPlan:
    plan = SamplingPlan.objects.select_for_update().get(pk=plan.pk)
    _check_drawable(plan, today or centre_today())
    seed = _checked_seed(seed)
    scorecard = _scorecard_for_draw(plan)
    inputs = draw_inputs(plan)
    result = _checked_draw(inputs, seed)
    at = now()
    _insert_drawn(plan, scorecard, result.picks, {c.ticket_id: c for c in inputs.candidates}, at)
    _insert_strata(plan, result.strata)
    _store_draw(actor, plan, scorecard=scorecard, seed=seed, inputs=inputs, result=result, at=at)
    loads: dict[int, int] = {}
    for pick in result.picks:
        loads[pick.inspector_id] = loads.get(pick.inspector_id, 0) + 1
    transaction.on_commit(lambda: _notify_assigned(plan.pk, loads))
    return plan


def _insert_strata(plan: SamplingPlan, strata: Sequence[sampling.StratumCount]) -> None:
    PlanStratum.objects.bulk_create(
        [
            PlanStratum(
                plan=plan,
                agent_id=s.agent_id,
                team_id=s.agent_team_id,
                ticket_type=s.ticket_type,
                handled=s.handled,
                quota=s.quota,
                sampled=s.sampled,
            )
            for s in strata
        ],
        batch_size=500,
    )


def _store_draw(
    actor: Any,
    plan: SamplingPlan,
    *,
    scorecard: Scorecard,
    seed: int,
    inputs: sampling.DrawInputs,
    result: sampling.DrawResult,
    at: dt.datetime,
) -> None:
    """Keep the seed, the inputs and the result with their digests on the plan, and audit the draw."""
    before = snapshot(plan, PLAN_FIELDS)
    stored_inputs = inputs.as_json()
    plan.inputs = stored_inputs
    plan.inputs_digest = sampling.digest(stored_inputs)
    plan.result = result.rows()
    plan.result_digest = sampling.digest(plan.result)
    plan.seed = seed
    plan.scorecard = scorecard
    plan.status = PlanStatus.DRAWN
    plan.population = sum(s.handled for s in result.strata)
    plan.sampled = len(result.picks)
    plan.drawn_by = actor
    plan.drawn_at = at
    plan.save()
    changes = diff(before, snapshot(plan, PLAN_FIELDS))
    changes.update(
        {
            "seed": {"before": None, "after": seed},
            "inputs_digest": {"before": "", "after": plan.inputs_digest},
            "result_digest": {"before": "", "after": plan.result_digest},
            "population": {"before": 0, "after": plan.population},
            "sampled": {"before": 0, "after": plan.sampled},
        }
    )
    audit_append(actor=actor, action="draw", target=plan, changes=changes)


def _insert_drawn(
    plan: SamplingPlan,
    scorecard: Scorecard,
    picks: Sequence[sampling.Pick],
    by_ticket: Mapping[int, sampling.Candidate],
    at: dt.datetime,
) -> None:
    """Write the drawn inspections with one prepared statement: a month's draw holds thousands of
    rows, and the ORM's per-value preparation of ``bulk_create`` costs seconds there. Every column
    is given; the times go through the backend's own adaptation."""
    table = connection.ops.quote_name(Inspection._meta.db_table)
    columns = (
        "plan_id, ticket_id, agent_id, team_id, inspector_id, scorecard_id, reason, status, failed_critical, "
        "original_failed_critical, summary, assigned_at, updated_at"
    )
    moment = connection.ops.adapt_datetimefield_value(at)
    rows = [
        (
            plan.pk,
            pick.ticket_id,
            by_ticket[pick.ticket_id].agent_id,
            by_ticket[pick.ticket_id].agent_team_id,
            pick.inspector_id,
            scorecard.pk,
            pick.reason,
            InspectionStatus.ASSIGNED.value,
            False,
            False,
            "",
            moment,
            moment,
        )
        for pick in picks
    ]
    placeholders = ", ".join(["%s"] * 13)
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)


def _notify_assigned(plan_id: int, loads: Mapping[int, int]) -> None:
    from sqm.org.models import User

    plan = SamplingPlan.objects.get(pk=plan_id)
    for user in User.objects.filter(pk__in=list(loads)):
        with translation.override(user.language or settings.LANGUAGE_CODE):
            text = _("%(plan)s: %(count)d tickets to inspect were assigned to you.") % {
                "plan": plan.name,
                "count": loads[user.pk],
            }
            notify([user], "qa_assigned", str(text), reverse("inspections:queue"))
