"""Reads of quality inspection: querysets with related rows loaded, scoped to what the reader may
see, and the figures pages show (achieved rates, calibration agreement, the KPI feed).

Who sees which results: quality managers, QA inspectors, trainers, auditors and admins see every
result (``INSPECTION_VIEW``); team leads see the results of the teams they lead or belong to;
every inspected person sees their own (``INSPECTION_APPEAL``). Results are inspections that were
submitted (appealed or final included); calibration practice is never a result.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.utils import timezone

from sqm.core.roles import Cap, Role, can
from sqm.inspections import agreement, sampling, scoring
from sqm.inspections.models import (
    OPEN_STATUSES,
    RESULT_STATUSES,
    AnswerStage,
    Appeal,
    CalibrationSession,
    Inspection,
    InspectionAnswer,
    InspectionStatus,
    PlanStratum,
    SamplingPlan,
    Scorecard,
    ScorecardItem,
    ScorecardSection,
    ScorecardStatus,
    TrainingNeed,
)

# --- scorecards -----------------------------------------------------------------------------------------


def scorecards() -> QuerySet[Scorecard]:
    """Every scorecard version, newest version of each code first, with its item count and weight sum."""
    from django.db.models import Sum

    return Scorecard.objects.annotate(item_count=Count("items"), weight_sum=Sum("items__weight")).order_by(
        "code", "-version"
    )


def scorecard_detail(pk: int) -> Scorecard | None:
    """A scorecard with its sections and their items in order."""
    return (
        Scorecard.objects.select_related("created_by", "published_by")
        .prefetch_related(
            Prefetch(
                "sections",
                queryset=ScorecardSection.objects.order_by("position", "pk").prefetch_related(
                    Prefetch("items", queryset=ScorecardItem.objects.order_by("position", "pk"))
                ),
            )
        )
        .filter(pk=pk)
        .first()
    )


def published_scorecards() -> QuerySet[Scorecard]:
    """Published versions (effective or superseded), the ones plans and sessions may use."""
    return Scorecard.objects.exclude(status=ScorecardStatus.DRAFT).order_by("code", "-version")


def section_by_pk(pk: int) -> ScorecardSection | None:
    """A section with its scorecard."""
    return ScorecardSection.objects.select_related("scorecard").filter(pk=pk).first()


def item_by_pk(pk: int) -> ScorecardItem | None:
    """An item with its scorecard and section."""
    return ScorecardItem.objects.select_related("scorecard", "section").filter(pk=pk).first()


def weight_sum(card: Scorecard) -> Decimal:
    """The sum of the item weights of a scorecard loaded by :func:`scorecard_detail`."""
    return scoring.weight_total([i.weight for s in card.sections.all() for i in s.items.all()])


# --- plans ------------------------------------------------------------------------------------------------


def plans() -> QuerySet[SamplingPlan]:
    """Plans, newest period first, with the scorecard and how many inspections are done."""
    return (
        SamplingPlan.objects.select_related("scorecard", "drawn_by")
        .defer("inputs", "result")
        .annotate(done=Count("inspections", filter=Q(inspections__status__in=RESULT_STATUSES)))
        .order_by("-period_start", "-pk")
    )


def plan_detail(pk: int) -> SamplingPlan | None:
    """One plan as :func:`plans` loads it."""
    return plans().filter(pk=pk).first()


def plan_by_pk(pk: int) -> SamplingPlan | None:
    """One plan without its (large) stored inputs and result."""
    return SamplingPlan.objects.defer("inputs", "result").filter(pk=pk).first()


def percent(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` as a percentage with one decimal (exact, half up); None for 0 of 0."""
    if not whole:
        return None
    return agreement.rounded(Fraction(100 * part, whole), 1)


@dataclass
class StratumRow:
    agent: Any
    team: Any
    ticket_type: str
    type_label: str
    handled: int
    quota: int
    sampled: int
    done: int
    sampled_rate: Decimal | None
    done_rate: Decimal | None


def plan_strata(plan: SamplingPlan) -> list[StratumRow]:
    """Per agent and ticket type: handled, quota, drawn and inspected tickets, and the achieved rates
    (drawn ÷ handled; results so far ÷ handled)."""
    from sqm.tickets.models import TicketType

    labels = dict(TicketType.choices)
    done: dict[tuple[int, str], int] = defaultdict(int)
    for agent_id, ticket_type, n in (
        Inspection.objects.filter(plan=plan, status__in=RESULT_STATUSES, ticket__resolved_at__isnull=False)
        .values_list("agent_id", "ticket__type")
        .annotate(n=Count("pk"))
    ):
        done[(agent_id, ticket_type)] += n
    rows = []
    for s in (
        PlanStratum.objects.filter(plan=plan)
        .select_related("agent", "team")
        .order_by("agent__display_name", "agent_id", "ticket_type")
    ):
        finished = min(done[(s.agent_id, s.ticket_type)], s.sampled)
        rows.append(
            StratumRow(
                agent=s.agent,
                team=s.team,
                ticket_type=s.ticket_type,
                type_label=str(labels.get(s.ticket_type, s.ticket_type)),
                handled=s.handled,
                quota=s.quota,
                sampled=s.sampled,
                done=finished,
                sampled_rate=percent(s.sampled, s.handled),
                done_rate=percent(finished, s.handled),
            )
        )
    return rows


def plan_workload(plan: SamplingPlan) -> list[dict[str, Any]]:
    """Per inspector: assigned inspections and how many have a result."""
    rows = (
        Inspection.objects.filter(plan=plan)
        .values("inspector_id", "inspector__display_name", "inspector__username")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(status__in=RESULT_STATUSES)))
        .order_by("inspector__display_name", "inspector_id")
    )
    return [
        {
            "inspector_id": r["inspector_id"],
            "name": r["inspector__display_name"] or r["inspector__username"],
            "total": r["total"],
            "done": r["done"],
        }
        for r in rows
    ]


@dataclass
class DrawCheck:
    """What re-running a plan's draw from its stored inputs and seed shows."""

    seed: int | None
    inputs_ok: bool
    result_ok: bool
    recomputed_digest: str
    stored_digest: str
    reassigned: list[tuple[int, int, int]] = field(default_factory=list)  # ticket, drawn, current
    missing: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.inputs_ok and self.result_ok


def plan_verify(plan_id: int) -> DrawCheck | None:
    """Re-run the draw of a drawn plan from its stored inputs and seed: the digests must match, and
    the inspections must be those drawn (later reassignments are listed, not hidden)."""
    plan = SamplingPlan.objects.filter(pk=plan_id).first()
    if plan is None or plan.seed is None:
        return None
    inputs_ok = sampling.digest(plan.inputs) == plan.inputs_digest
    result = sampling.draw(sampling.DrawInputs.from_json(plan.inputs), plan.seed)
    recomputed = sampling.digest(result.rows())
    current = dict(Inspection.objects.filter(plan=plan).values_list("ticket_id", "inspector_id"))
    reassigned = [
        (p.ticket_id, p.inspector_id, current[p.ticket_id])
        for p in result.picks
        if p.ticket_id in current and current[p.ticket_id] != p.inspector_id
    ]
    missing = [p.ticket_id for p in result.picks if p.ticket_id not in current]
    return DrawCheck(
        seed=plan.seed,
        inputs_ok=inputs_ok,
        result_ok=recomputed == plan.result_digest,
        recomputed_digest=recomputed,
        stored_digest=plan.result_digest,
        reassigned=reassigned,
        missing=missing,
    )


# --- inspections ----------------------------------------------------------------------------------------


def _inspections() -> QuerySet[Inspection]:
    return Inspection.objects.select_related(
        "ticket", "agent", "team", "inspector", "scorecard", "plan", "calibration"
    ).defer("plan__inputs", "plan__result")


def led_team_ids(user: Any) -> set[int]:
    """The teams ``user`` leads, plus their own team."""
    from sqm.org.models import Team

    ids = set(Team.objects.filter(lead=user).values_list("pk", flat=True))
    if user.team_id:
        ids.add(user.team_id)
    return ids


def results_for(user: Any) -> QuerySet[Inspection]:
    """The results ``user`` may see through ``INSPECTION_VIEW`` (team leads: their teams')."""
    qs = _inspections().filter(calibration__isnull=True, status__in=RESULT_STATUSES)
    if not can(user, Cap.INSPECTION_VIEW):
        return qs.none()
    if user.role == Role.TEAM_LEAD:
        return qs.filter(team_id__in=led_team_ids(user))
    return qs


def own_results(user: Any) -> QuerySet[Inspection]:
    """``user``'s own results (as the inspected agent), newest first."""
    return (
        _inspections()
        .filter(calibration__isnull=True, status__in=RESULT_STATUSES, agent_id=user.pk)
        .select_related("appeal")
        .order_by("-submitted_at", "-pk")
    )


def filter_results(
    qs: QuerySet[Inspection],
    *,
    agent_id: int | None = None,
    team_id: int | None = None,
    status: str = "",
    plan_id: int | None = None,
    inspector_id: int | None = None,
) -> QuerySet[Inspection]:
    """``qs`` narrowed by the filters given, newest submission first."""
    if agent_id:
        qs = qs.filter(agent_id=agent_id)
    if team_id:
        qs = qs.filter(team_id=team_id)
    if status:
        qs = qs.filter(status=status)
    if plan_id:
        qs = qs.filter(plan_id=plan_id)
    if inspector_id:
        qs = qs.filter(inspector_id=inspector_id)
    return qs.order_by("-submitted_at", "-pk")


def assignments(user: Any) -> QuerySet[Inspection]:
    """The inspector's open work: assigned or in progress, calibration included, oldest first."""
    return _inspections().filter(inspector_id=user.pk, status__in=OPEN_STATUSES).order_by("assigned_at", "pk")


def _with_answers(qs: QuerySet[Inspection]) -> QuerySet[Inspection]:
    return qs.select_related("appeal", "appeal__decided_by", "appeal__filed_by").prefetch_related(
        Prefetch("answers", queryset=InspectionAnswer.objects.order_by("item_id", "stage"))
    )


def inspection_for_inspector(user: Any, pk: int) -> Inspection | None:
    """An inspection ``user`` scores (theirs, any status)."""
    return _with_answers(_inspections().filter(inspector_id=user.pk)).filter(pk=pk).first()


def inspection_visible(user: Any, pk: int) -> Inspection | None:
    """An inspection as a result page shows it: visible through ``INSPECTION_VIEW`` scope, or the
    reader's own assignment (any status)."""
    qs = _with_answers(_inspections()).filter(pk=pk)
    found = qs.first()
    if found is None:
        return None
    if found.inspector_id == user.pk and can(user, Cap.INSPECTION_PERFORM):
        return found
    if not can(user, Cap.INSPECTION_VIEW):
        return None
    if user.role == Role.TEAM_LEAD and found.team_id not in led_team_ids(user):
        return None  # team leads: their teams' work only, calibration practice included
    if found.is_calibration:
        return found
    if found.status not in RESULT_STATUSES:
        return found if user.role in (Role.QUALITY_MANAGER, Role.QA_INSPECTOR) else None
    return found


def own_result(user: Any, pk: int) -> Inspection | None:
    """One of ``user``'s own results."""
    return _with_answers(own_results(user)).filter(pk=pk).first()


def appealable(user: Any, pk: int) -> Inspection | None:
    """An inspection ``user`` may try to accept or appeal: their own result or one they can see
    (the service then refuses anyone but the inspected agent, naming the rule)."""
    return own_result(user, pk) or inspection_visible(user, pk)


@dataclass
class ScoredItem:
    item: ScorecardItem
    answer: InspectionAnswer | None
    original: InspectionAnswer | None
    changed: bool
    failed: bool
    evidence_refs: list[tuple[int, int | None]] = field(default_factory=list)  # message id, number in thread


@dataclass
class ScoredSection:
    section: ScorecardSection
    items: list[ScoredItem]


def scored_sections(
    inspection: Inspection, card: Scorecard | None = None, numbers: dict[int, int] | None = None
) -> list[ScoredSection]:
    """The scorecard of an inspection with each item's answer (the final one) and, where an appeal
    changed it, the inspector's original; evidence as (message id, its number in the thread)."""
    numbers = numbers or {}
    card = card or scorecard_detail(inspection.scorecard_id)
    answers = list(inspection.answers.all())
    inspector = {a.item_id: a for a in answers if a.stage == AnswerStage.INSPECTOR}
    appeal = {a.item_id: a for a in answers if a.stage == AnswerStage.APPEAL}
    result = []
    assert card is not None
    for section in card.sections.all():
        rows = []
        for item in section.items.all():
            original = inspector.get(item.pk)
            final = appeal.get(item.pk, original)
            changed = (
                bool(appeal) and item.pk in appeal and (original is None or appeal[item.pk].points != original.points)
            )
            failed = final is not None and scoring.is_failed(final.points, item.max_points)
            refs = [(mid, numbers.get(mid)) for mid in (final.evidence if final else [])]
            rows.append(ScoredItem(item, final, original, changed, failed, refs))
        result.append(ScoredSection(section, rows))
    return result


def thread(ticket_id: int) -> Any:
    """The ticket with its thread, read through the ticket selectors."""
    from sqm.tickets.selectors import ticket_page

    return ticket_page(ticket_id)


def appeals_pending(user: Any) -> QuerySet[Appeal]:
    """Undecided appeals ``user`` may decide: not on results they scored, not their own or their
    team's work, not on tickets they handled or wrote in (the rule of ``services.may_judge``)."""
    qs = (
        Appeal.objects.filter(decided_at__isnull=True)
        .select_related(
            "inspection",
            "inspection__ticket",
            "inspection__agent",
            "inspection__inspector",
            "inspection__team",
            "filed_by",
        )
        .exclude(inspection__inspector_id=user.pk)
        .exclude(inspection__agent_id=user.pk)
        .exclude(Q(inspection__ticket__assignee_id=user.pk) | Q(inspection__ticket__owner_id=user.pk))
        .exclude(inspection__ticket_id__in=_written_in(user))
        .order_by("filed_at", "pk")
    )
    teams = led_team_ids(user)
    if teams:
        qs = qs.exclude(inspection__team_id__in=teams).exclude(inspection__ticket__team_id__in=teams)
    return qs


def _written_in(user: Any) -> QuerySet[Any]:
    """The tickets ``user`` wrote a message in (a subquery)."""
    from sqm.tickets.models import TicketMessage

    return TicketMessage.objects.filter(author_id=user.pk).values("ticket_id")


def appeal_by_pk(pk: int) -> Appeal | None:
    """An appeal with its inspection and the people on it."""
    return Appeal.objects.select_related("inspection", "filed_by", "decided_by").filter(pk=pk).first()


# --- agents ------------------------------------------------------------------------------------------------


def user_by_pk(pk: int) -> Any:
    """A user with their team, or None."""
    from sqm.org.models import User

    return User.objects.select_related("team").filter(pk=pk).first()


def users_by_ids(ids: Iterable[int]) -> list[Any]:
    """The users with these ids (those that exist), in ascending id."""
    from sqm.org.models import User

    return list(User.objects.filter(pk__in=set(ids)).order_by("pk"))


def tickets_by_ids(ids: Iterable[int]) -> list[Any]:
    """The tickets with these ids (those that exist), in ascending id."""
    from sqm.tickets.models import Ticket

    return list(Ticket.objects.filter(pk__in=set(ids)).order_by("pk"))


def calibrators() -> list[Any]:
    """Who may take part in a calibration session: active QA inspectors and quality managers."""
    from sqm.org.models import User

    return list(
        User.objects.filter(role__in=[Role.QA_INSPECTOR, Role.QUALITY_MANAGER], is_active=True).order_by(
            "role", "display_name", "pk"
        )
    )


def may_see_agent(user: Any, agent: Any) -> bool:
    """Whether ``user`` may open ``agent``'s QA page: their own, or through ``INSPECTION_VIEW``
    (team leads: members of their teams)."""
    if agent.pk == user.pk:
        return True
    if not can(user, Cap.INSPECTION_VIEW):
        return False
    if user.role == Role.TEAM_LEAD:
        return agent.team_id in led_team_ids(user)
    return True


@dataclass
class AgentSummary:
    count: int
    average: Decimal | None
    failed_critical: int
    appealed: int
    open_needs: int


def agent_summary(agent_id: int) -> AgentSummary:
    """Final and submitted results of one agent: how many, the mean score, critical failures, appeals."""
    qs = Inspection.objects.filter(agent_id=agent_id, calibration__isnull=True, status__in=RESULT_STATUSES)
    row = qs.aggregate(
        n=Count("pk"),
        avg=Avg("score"),
        crit=Count("pk", filter=Q(failed_critical=True)),
        appealed=Count("appeal"),
    )
    average = row["avg"]
    return AgentSummary(
        count=row["n"],
        average=Decimal(str(average)).quantize(Decimal("0.01")) if average is not None else None,
        failed_critical=row["crit"],
        appealed=row["appealed"],
        open_needs=TrainingNeed.objects.filter(agent_id=agent_id, status="proposed").count(),
    )


def training_needs(agent_id: int) -> QuerySet[TrainingNeed]:
    """An agent's training needs, newest first, with item, section, inspection and ticket."""
    return (
        TrainingNeed.objects.filter(agent_id=agent_id)
        .select_related("item", "item__section", "inspection", "inspection__ticket")
        .order_by("-created_at", "-pk")
    )


# --- calibration ----------------------------------------------------------------------------------------


def calibrations() -> QuerySet[CalibrationSession]:
    """Calibration sessions, newest first, with how many of their inspections are submitted."""
    return (
        CalibrationSession.objects.select_related("scorecard", "created_by")
        .annotate(
            total=Count("inspections"),
            done=Count("inspections", filter=Q(inspections__status=InspectionStatus.SUBMITTED)),
        )
        .order_by("-created_at", "-pk")
    )


def calibration_detail(pk: int) -> CalibrationSession | None:
    """One session as :func:`calibrations` loads it."""
    return calibrations().filter(pk=pk).first()


@dataclass
class ItemAgreement:
    item: ScorecardItem
    scores: dict[int, list[int | None]]  # inspector id -> points per ticket (in ticket order)
    cells: list[list[int | None]]  # per inspector (in inspector order): points per ticket
    sd: Decimal | None
    range: Decimal | None
    alpha: Decimal | None


@dataclass
class InspectorDeviation:
    inspector: Any
    scored: int
    mean_deviation: Decimal | None  # signed, percentage points of an item, against the others' consensus
    mean_abs_deviation: Decimal | None
    alpha_without: Decimal | None


@dataclass
class CalibrationReport:
    session: CalibrationSession
    tickets: list[Any]
    inspectors: list[Any]
    items: list[ItemAgreement]
    totals: dict[int, dict[int, Decimal | None]]  # ticket -> inspector -> score
    total_sd: dict[int, Decimal | None]
    alpha_overall: Decimal | None
    alpha_scores: Decimal | None
    deviations: list[InspectorDeviation]
    submitted: int
    expected: int
    ticket_rows: list[tuple[Any, list[Decimal | None], Decimal | None]] = field(default_factory=list)


Points = dict[tuple[int, int], dict[int, int | None]]  # (ticket, item) -> inspector -> points


def _item_agreement(item: ScorecardItem, tickets: list[Any], inspectors: list[Any], points: Points) -> ItemAgreement:
    """One item: each inspector's points per ticket, the mean SD and largest range per ticket, alpha."""
    per_inspector = {u.pk: [points.get((t.pk, item.pk), {}).get(u.pk) for t in tickets] for u in inspectors}
    sds = []
    ranges = []
    for t in tickets:
        unit = [v for v in points.get((t.pk, item.pk), {}).values() if v is not None]
        if len(unit) >= 2:
            sd, rng = agreement.spread(unit)
            sds.append(sd)
            ranges.append(rng)
    alpha = agreement.krippendorff_alpha([list(points.get((t.pk, item.pk), {}).values()) for t in tickets])
    return ItemAgreement(
        item=item,
        scores=per_inspector,
        cells=[per_inspector[u.pk] for u in inspectors],
        sd=agreement.rounded(agreement.mean([s for s in sds if s is not None]), 2) if sds else None,
        range=max((r for r in ranges if r is not None), default=None),
        alpha=agreement.rounded(alpha),
    )


def _share_units(points: Points, max_points: dict[int, int], exclude: int | None = None) -> list[list[Fraction | None]]:
    """Every (ticket, item) unit's points as shares of the item's scale, without ``exclude``'s."""
    return [
        [
            Fraction(v, max_points[item_id]) if v is not None else None
            for inspector_id, v in coders.items()
            if inspector_id != exclude
        ]
        for (_ticket_id, item_id), coders in sorted(points.items())
    ]


def _deviation(
    inspector: Any, points: Points, max_points: dict[int, int], *, scored: int, many: bool
) -> InspectorDeviation:
    """How far ``inspector`` scores from the consensus of each unit, and alpha without them."""
    signed: list[Fraction] = []
    for (_ticket_id, item_id), coders in points.items():
        mine = coders.get(inspector.pk)
        everyone = [Fraction(v, max_points[item_id]) for v in coders.values() if v is not None]
        if mine is None or len(everyone) < 2:
            continue
        consensus = sum(everyone, Fraction(0)) / len(everyone)
        signed.append(100 * (Fraction(mine, max_points[item_id]) - consensus))
    without = agreement.krippendorff_alpha(_share_units(points, max_points, exclude=inspector.pk)) if many else None
    return InspectorDeviation(
        inspector=inspector,
        scored=scored,
        mean_deviation=agreement.rounded(agreement.mean(signed), 1) if signed else None,
        mean_abs_deviation=agreement.rounded(agreement.mean([abs(s) for s in signed]), 1) if signed else None,
        alpha_without=agreement.rounded(without),
    )


def _total_sd(totals: dict[int, dict[int, Decimal | None]]) -> dict[int, Decimal | None]:
    return {
        t: agreement.spread([s for s in by.values() if s is not None])[0]
        if sum(s is not None for s in by.values()) >= 2
        else None
        for t, by in totals.items()
    }


def calibration_report(session: CalibrationSession) -> CalibrationReport:
    """Per item, each inspector's points on each ticket, their spread (population SD and range)
    and Krippendorff's alpha (interval metric; units = tickets); overall alpha over every
    (ticket, item) unit with points as a share of the item's scale, and over the total scores; per
    inspector the mean deviation from the consensus (the mean of all submitted scores of a unit),
    in percentage points of the item, and alpha without that inspector."""
    rows = list(
        Inspection.objects.filter(calibration=session)
        .select_related("ticket", "inspector")
        .prefetch_related(Prefetch("answers", queryset=InspectionAnswer.objects.filter(stage=AnswerStage.INSPECTOR)))
        .order_by("ticket_id", "inspector_id")
    )
    card = scorecard_detail(session.scorecard_id)
    assert card is not None
    items = [i for s in card.sections.all() for i in s.items.all()]
    tickets = sorted({r.ticket_id: r.ticket for r in rows}.values(), key=lambda t: t.pk)
    inspectors = sorted({r.inspector_id: r.inspector for r in rows}.values(), key=lambda u: u.pk)
    submitted = [r for r in rows if r.status == InspectionStatus.SUBMITTED]
    points: Points = defaultdict(dict)
    totals: dict[int, dict[int, Decimal | None]] = {t.pk: {u.pk: None for u in inspectors} for t in tickets}
    for r in submitted:
        totals[r.ticket_id][r.inspector_id] = r.score
        for a in r.answers.all():
            points[(r.ticket_id, a.item_id)][r.inspector_id] = a.points
    max_points = {i.pk: i.max_points for i in items}
    scores_alpha = agreement.krippendorff_alpha(
        [[s for s in by_inspector.values() if s is not None] for by_inspector in totals.values()]
    )
    deviations = [
        _deviation(
            u,
            points,
            max_points,
            scored=sum(1 for r in submitted if r.inspector_id == u.pk),
            many=len(inspectors) > 2,
        )
        for u in inspectors
    ]
    total_sd = _total_sd(totals)
    return CalibrationReport(
        session=session,
        tickets=tickets,
        inspectors=inspectors,
        items=[_item_agreement(item, tickets, inspectors, points) for item in items],
        totals=totals,
        total_sd=total_sd,
        alpha_overall=agreement.rounded(agreement.krippendorff_alpha(_share_units(points, max_points))),
        alpha_scores=agreement.rounded(scores_alpha),
        deviations=deviations,
        submitted=len(submitted),
        expected=len(rows),
        ticket_rows=[(t, [totals[t.pk][u.pk] for u in inspectors], total_sd[t.pk]) for t in tickets],
    )


# --- the KPI feed -----------------------------------------------------------------------------------------


def inspection_scores_for_kpis(
    changed_since: dt.datetime | None = None,
) -> Iterator[tuple[int, int, int, int | None, Decimal, dt.date]]:
    """Final QA results for the QA-score KPI: ``(inspection id, ticket id, agent id, team id, final
    score, final day)``, the day in the centre's time zone, oldest first. Final results never
    change, so ``changed_since`` (compared with the time a result became final) gives the new ones.
    Calibration practice is never included."""
    qs = Inspection.objects.filter(status=InspectionStatus.FINAL, calibration__isnull=True, finalised_at__isnull=False)
    if changed_since is not None:
        qs = qs.filter(finalised_at__gte=changed_since)
    rows = qs.order_by("finalised_at", "pk").values_list(
        "pk", "ticket_id", "agent_id", "team_id", "score", "finalised_at"
    )
    for pk, ticket_id, agent_id, team_id, score, finalised_at in rows.iterator(chunk_size=2000):
        if score is not None:
            yield pk, ticket_id, agent_id, team_id, score, timezone.localtime(finalised_at).date()
