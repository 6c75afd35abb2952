"""Demo quality inspection: a year of monthly sampling plans drawn double-random with recorded
seeds, the inspections completed with believable scores, some appeals (decided and pending) and
one calibration session with four inspectors.

The plans are drawn through the real service (``plan_draw``), so every plan can be re-checked from
its seed on its page. Scoring thousands of inspections one service call at a time would take
minutes, so the answers of the completed ones are written in bulk (``executemany``) with the
scores computed by the real scoring rule; one audit entry per plan records how many were written
and a SHA-256 over their ids, as the ticket demo does.

Story: the centre inspects 20 % of each agent's handled tickets per type plus every complaint and
low rating, with six QA inspectors (the organisation demo has three; this loader hires three more
through the organisation services, since three people cannot inspect 2,800 tickets a month).
Older plans are final; the month before last has its results out with a few appeals still waiting;
last month's plan was drawn on 1 November and is being worked on.

How many months get plans depends on the demo size, to keep the loader to a few seconds: the whole
year for ``small`` (about 2,000 inspections), the last three months for ``normal`` (about 8,000
inspections, the double-random programme "started" in August), the last month for ``large``.
Earlier months can be planned and drawn from the plans page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import defaultdict
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from sqm.audit.services import audit_append
from sqm.core.roles import Role
from sqm.inspections import scoring, services
from sqm.inspections.defaults import DEFAULT_CODE
from sqm.inspections.defaults import install as install_default
from sqm.inspections.models import (
    Appeal,
    AppealOutcome,
    Inspection,
    InspectionAnswer,
    InspectionStatus,
    SamplingPlan,
    Scorecard,
    ScorecardItem,
    ScorecardSection,
    TrainingNeed,
)

DEMO_TODAY = dt.date(2026, 11, 1)  # sqm.org.demo.DEMO_TODAY
FIRST_MONTH = dt.date(2025, 11, 1)
MONTHS_BY_SIZE = {"small": 12, "normal": 3, "large": 1}
EXTRA_INSPECTORS = 3
APPEAL_SHARE = 0.035
CRITICAL_FAIL = 0.004

COMMENTS_LOW = {
    "服务态度": ["开场未自报工号", "语气生硬，客户两次表示不满", "客户情绪激动时未先致歉"],
    "业务能力": ["资费说明与知识库不一致", "未确认客户诉求即给出方案", "遗漏了退费条件"],
    "流程规范": ["未勾选身份核验控制点", "工单类别选错", "超过首次响应时限"],
    "沟通技巧": ["使用了客户听不懂的术语", "结束前未询问其他问题"],
    "合规与安全": ["未核验身份即变更套餐", "向来电人透露了机主号码", "承诺了无权给予的减免"],
}
COMMENTS_GOOD = ["处理规范，值得表扬", "安抚到位，客户表示感谢", "一次解决，记录完整"]
APPEAL_REASONS = [
    "客户在通话开头已确认身份，录音第2分钟可证。",
    "该工单转派前的延误不在我处理期间。",
    "资费说明是按当时有效的套餐规则，知识库后来才更新。",
    "客户已在后续回复中表示问题解决，请复核第6项。",
    "The customer confirmed the fix in the follow-up message; please re-check item 6.",
]
DECISIONS = {
    AppealOutcome.REJECTED: "复核录音与工单记录，原评分依据充分，维持原评分。",
    AppealOutcome.PARTLY_UPHELD: "申诉部分成立：相关项目酌情加分，其余维持。",
    AppealOutcome.UPHELD: "申诉成立：原扣分依据不足，予以更正。",
}


def _months(shared: dict[str, Any]) -> list[dt.date]:
    months, day = [], FIRST_MONTH
    while day < DEMO_TODAY:
        months.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    tickets = shared.get("tickets")
    size = "small" if tickets and int(tickets) <= 20_000 else (shared.get("size") or "normal")
    return months[-MONTHS_BY_SIZE.get(size, 3) :]


def _hire_inspectors(rng: random.Random) -> int:
    """Three more QA inspectors (qa4 …), through the organisation services, with the demo password."""
    from django.conf import settings

    from sqm.org import services as org_services
    from sqm.org.models import User

    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    if admin is None:
        return 0
    start = User.objects.filter(role=Role.QA_INSPECTOR).count() + 1
    names = ["沈佳怡", "魏子涵", "顾晨阳", "陶思远", "蒋雨桐"]
    hired = [
        org_services.user_create(
            actor=admin,
            username=f"qa{n}",
            display_name=names[(n - start) % len(names)],
            role=Role.QA_INSPECTOR,
            email=f"qa{n}@demo-centre.example",
            hire_date=dt.date(2021 + rng.randrange(4), 1 + rng.randrange(12), 1 + rng.randrange(28)),
            title="质检员",
        )
        for n in range(start, start + EXTRA_INSPECTORS)
        if not User.objects.filter(username=f"qa{n}").exists()
    ]
    org_services.users_set_initial_password(actor=admin, users=hired, password=settings.SQM_DEMO_PASSWORD)
    return len(hired)


def _at(day: dt.date, rng: random.Random, hours: tuple[int, int] = (9, 18)) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time(rng.randrange(*hours), rng.randrange(60)))
    return timezone.make_aware(moment)


def load(*, rng: random.Random, shared: dict[str, Any]) -> str:
    """Draw the year's plans and complete their inspections; returns a summary."""
    from sqm.org.models import User

    seed = rng.getrandbits(32)  # this loader's own generator: later loaders see the same rng either way
    own = random.Random(seed)
    qm = User.objects.filter(role=Role.QUALITY_MANAGER, is_active=True).order_by("pk").first()
    if qm is None:
        return "skipped: the demo centre has no quality manager"
    _hire_inspectors(own)
    card = Scorecard.objects.filter(code=DEFAULT_CODE, status="effective").first()
    if card is None:  # the data migration ships it; a flushed test database may have lost it
        card = install_default(Scorecard, ScorecardSection, ScorecardItem, timezone.now())
    items = list(
        ScorecardItem.objects.filter(scorecard=card).select_related("section").order_by("section__position", "position")
    )
    agent_skill = {a.pk: own.gauss(0.0, 0.6) for a in User.objects.filter(role=Role.AGENT)}
    harsh = {u.pk: own.gauss(0.0, 0.25) for u in services.eligible_inspectors()}
    counts: dict[str, int] = defaultdict(int)
    months = _months(shared)
    for month in months:
        plan = services.plan_create(actor=qm, period_start=month, scorecard=card)
        plan_seed = own.getrandbits(40)
        services.plan_draw(actor=qm, plan=plan, seed=plan_seed, today=DEMO_TODAY)
        drawn_at = _at(plan.period_end + dt.timedelta(days=1), own, (1, 2))
        SamplingPlan.objects.filter(pk=plan.pk).update(drawn_at=drawn_at)
        Inspection.objects.filter(plan=plan).update(assigned_at=drawn_at, updated_at=drawn_at)
        stage = "current" if month == months[-1] else ("recent" if len(months) > 1 and month == months[-2] else "final")
        made = _complete(plan, card, items, own, agent_skill, harsh, qm, stage, drawn_at)
        for key, n in made.items():
            counts[key] += n
        if stage == "final":
            services.plan_close(actor=qm, plan=plan)
    session = _calibration(card, items, own, qm)
    return (
        f"{len(months)} monthly plans drawn (seeds recorded), {counts['inspections']:,} inspections "
        f"({counts['done']:,} scored, {counts['appeals']} appeals, {counts['pending']} pending), "
        f"{counts['needs']} training needs, calibration “{session.name}”"
    )


def _points(item: ScorecardItem, rng: random.Random, skill: float, harshness: float) -> int:
    if item.critical:
        return 0 if rng.random() < CRITICAL_FAIL else 1
    mean = 3.1 + 0.6 * skill - harshness
    return max(0, min(item.max_points, round(rng.gauss(mean, 0.8))))


def _comment(item: ScorecardItem, points: int | None, rng: random.Random) -> str:
    if points is None:
        return ""
    if scoring.is_failed(points, item.max_points):
        return rng.choice(COMMENTS_LOW.get(item.section.name_zh, ["未达到标准"]))
    if points == item.max_points and rng.random() < 0.05:
        return rng.choice(COMMENTS_GOOD)
    return ""


def _complete(
    plan: SamplingPlan,
    card: Scorecard,
    items: list[ScorecardItem],
    rng: random.Random,
    skill: dict[int, float],
    harsh: dict[int, float],
    qm: Any,
    stage: str,
    drawn_at: dt.datetime,
) -> dict[str, int]:
    """Score the plan's inspections in bulk: all of them for past months, most for September,
    about a third for October (the rest assigned or in progress)."""
    rules = [scoring.ItemRule(i.pk, i.weight, i.max_points, i.critical) for i in items]
    rows = list(
        Inspection.objects.filter(plan=plan).order_by("pk").values_list("pk", "agent_id", "inspector_id", "ticket_id")
    )
    reply_of = _reply_messages([r[3] for r in rows])
    answers: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    appeals: list[Appeal] = []
    needs: list[tuple[Any, ...]] = []
    inspectors = sorted({r[2] for r in rows} | {qm.pk})
    done = pending = 0
    for pk, agent_id, inspector_id, ticket_id in rows:
        share = {"final": 1.0, "recent": 0.97, "current": 0.35}[stage]
        if rng.random() >= share:
            if stage == "current" and rng.random() < 0.4:
                started = drawn_at + dt.timedelta(days=1)
                updates.append(("in_progress", None, False, None, False, None, None, None, started, pk))
            continue
        points = {i.pk: _points(i, rng, skill.get(agent_id, 0.0), harsh.get(inspector_id, 0.0)) for i in items}
        if rng.random() < 0.15:  # "asks whether anything else is needed" does not arise on a one-line e-mail
            optional = items[-4]
            if not optional.critical:
                points[optional.pk] = None
        result = scoring.compute(rules, points)
        span = 20 if stage != "current" else 1
        submitted = _at(drawn_at.date() + dt.timedelta(days=rng.randrange(span)), rng)
        deadline = submitted + dt.timedelta(days=services.appeal_days())
        status, final_at = InspectionStatus.SUBMITTED, None
        appealed = rng.random() < APPEAL_SHARE or (result.failed_critical and rng.random() < 0.5)
        if stage == "final":
            status, final_at = InspectionStatus.FINAL, deadline
        elif stage == "recent" and not appealed:
            status, final_at = (
                (InspectionStatus.FINAL, deadline) if rng.random() < 0.6 else (InspectionStatus.SUBMITTED, None)
            )
        final = result
        for item in items:
            value = points[item.pk]
            evidence = (
                [reply_of[ticket_id]]
                if ticket_id in reply_of and value is not None and scoring.is_failed(value, item.max_points)
                else []
            )
            answers.append((pk, item.pk, "inspector", value, _comment(item, value, rng), _json(evidence)))
        if appealed and stage != "current":
            filed = submitted + dt.timedelta(hours=rng.randrange(2, 90))
            appeal = Appeal(
                inspection_id=pk,
                filed_by_id=agent_id,
                reason=rng.choice(APPEAL_REASONS),
                filed_at=filed,
                original_score=result.score,
                original_failed_critical=result.failed_critical,
            )
            if stage == "final" or rng.random() < 0.5:
                outcome = rng.choices(list(DECISIONS), weights=(60, 25, 15))[0]
                decider = rng.choice([u for u in inspectors if u != inspector_id])
                revised = dict(points)
                if outcome != AppealOutcome.REJECTED:
                    lowest = min(
                        (i for i in items if revised[i.pk] is not None),
                        key=lambda i: (revised[i.pk] or 0) / i.max_points,
                    )
                    revised[lowest.pk] = (
                        lowest.max_points
                        if outcome == AppealOutcome.UPHELD
                        else min(lowest.max_points, (revised[lowest.pk] or 0) + 1)
                    )
                    for item in items:
                        answers.append(
                            (
                                pk,
                                item.pk,
                                "appeal",
                                revised[item.pk],
                                "申诉复核后调整" if item.pk == lowest.pk else "",
                                "[]",
                            )
                        )
                    final = scoring.compute(rules, revised)
                    points = revised
                appeal.outcome = outcome
                appeal.decided_by_id = decider
                appeal.decided_at = filed + dt.timedelta(days=rng.randrange(1, 4), hours=rng.randrange(8))
                appeal.decision_note = DECISIONS[outcome]
                appeal.revised_score = final.score
                appeal.revised_failed_critical = final.failed_critical
                status, final_at = InspectionStatus.FINAL, appeal.decided_at
            else:
                status, final_at = InspectionStatus.APPEALED, None
                pending += 1
            appeals.append(appeal)
        updates.append(
            (
                status,
                final.score,
                final.failed_critical,
                result.score,
                result.failed_critical,
                submitted,
                deadline,
                final_at,
                submitted,
                pk,
            )
        )
        if status == InspectionStatus.FINAL:
            for item in items:
                if scoring.is_failed(points[item.pk], item.max_points):
                    needs.append((agent_id, item.pk, pk, _comment(item, points[item.pk], rng), final_at))
        done += 1
    with transaction.atomic():
        with connection.cursor() as cursor:
            table = InspectionAnswer._meta.db_table
            cursor.executemany(
                f"INSERT INTO {table} (inspection_id, item_id, stage, points, comment, evidence) VALUES (%s, %s, %s, %s, %s, %s)",
                answers,
            )
            cursor.executemany(
                f"UPDATE {Inspection._meta.db_table} SET status = %s, score = %s, failed_critical = %s, "
                "original_score = %s, original_failed_critical = %s, submitted_at = %s, appeal_deadline = %s, "
                "finalised_at = %s, started_at = %s, updated_at = %s WHERE id = %s",
                [
                    (u[0], _n(u[1]), u[2], _n(u[3]), u[4], _t(u[5]), _t(u[6]), _t(u[7]), _t(u[8]), _t(u[8]), u[9])
                    for u in updates
                ],
            )
            cursor.executemany(
                f"INSERT INTO {TrainingNeed._meta.db_table} (agent_id, item_id, inspection_id, note, status, created_at) "
                "VALUES (%s, %s, %s, %s, 'proposed', %s)",
                [(*need[:4], _t(need[4])) for need in needs],
            )
        Appeal.objects.bulk_create(appeals, batch_size=500)
        ids = [u[-1] for u in updates]
        audit_append(
            actor=qm,
            action="import",
            target=plan,
            changes={
                "inspections_scored": {"before": None, "after": done},
                "ids_sha256": {"before": None, "after": hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()},
            },
        )
    return {"inspections": len(rows), "done": done, "appeals": len(appeals), "pending": pending, "needs": len(needs)}


def _t(moment: dt.datetime | None) -> Any:
    """A time as the database backend takes it in a raw statement."""
    return connection.ops.adapt_datetimefield_value(moment)


def _n(number: Any) -> Any:
    return None if number is None else str(number)


def _json(ids: list[int]) -> str:
    return "[" + ",".join(str(i) for i in ids) + "]"


def _reply_messages(ticket_ids: list[int]) -> dict[int, int]:
    """The first reply of each ticket: the evidence a low score points at."""
    from sqm.tickets.models import TicketMessage

    found: dict[int, int] = {}
    for start in range(0, len(ticket_ids), 800):
        chunk = ticket_ids[start : start + 800]
        for ticket_id, pk in (
            TicketMessage.objects.filter(ticket_id__in=chunk, kind="reply")
            .order_by("ticket_id", "pk")
            .values_list("ticket_id", "pk")
        ):
            found.setdefault(ticket_id, pk)
    return found


def _calibration(card: Scorecard, items: list[ScorecardItem], rng: random.Random, qm: Any) -> Any:
    """One session: three QA inspectors and the quality manager score the same five tickets; the
    third inspector is harsher on service attitude, which the agreement table shows."""
    from sqm.tickets.models import Ticket

    inspectors = [*services.eligible_inspectors()[:3], qm]
    final = list(
        Inspection.objects.filter(status=InspectionStatus.FINAL, calibration__isnull=True, team__isnull=False)
        .order_by("pk")
        .values_list("ticket_id", flat=True)[:400]
    )
    picks = sorted(rng.sample(final, min(5, len(final))))
    tickets = list(Ticket.objects.filter(pk__in=picks))
    session = services.calibration_create(
        actor=qm,
        name="2026年10月 质检校准会",
        tickets=tickets,
        inspectors=inspectors,
        scorecard=card,
        note="校准服务态度与业务能力两部分的评分尺度。",
    )
    truth = {t.pk: {i.pk: _points(i, rng, rng.gauss(0, 0.5), 0.0) for i in items} for t in tickets}
    harsh_one = inspectors[2].pk
    for inspection in Inspection.objects.filter(calibration=session).select_related("inspector"):
        answers = {}
        for item in items:
            value = truth[inspection.ticket_id][item.pk]
            if value is not None and not item.critical:
                drift = rng.choice((-1, 0, 0, 0, 1))
                if inspection.inspector_id == harsh_one and item.section.position == 1:
                    drift -= 2
                value = max(0, min(item.max_points, value + drift))
            comment = "向第三方透露了客户信息" if item.critical and value == 0 else ""
            answers[item.pk] = services.AnswerIn(points=value, comment=comment)
        services.inspection_submit(actor=inspection.inspector, inspection=inspection, answers=answers)
    return session
