"""Demo history of the standards library, on top of the starter library the migration installed.

* The satisfaction standard QS-SAT has a v2 in force since 1 July 2026 that raised the CSAT
  target from 90 % to 92 % (v1 is superseded), taken up from a team lead's proposal that cited
  three months of CSAT above 94 %.
* An open proposal (lower the average-response target of PS-RSP to 25 minutes) with its evidence.
* An accepted proposal (call complaining customers back within 4 working hours) that opened the
  draft v2 of PS-CMP, in which the quality manager is rewriting the follow-up clause.
* A declined proposal (drop the closing phrase on live chat).

Everything goes through the services, so it is audited and valid; only the dates of the past
events (a version cannot be approved for a past date any more) are set afterwards.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from sqm.audit.services import audit_append
from sqm.core.roles import Role
from sqm.org.models import User
from sqm.standards import selectors, services
from sqm.standards.models import ChangeProposal, Clause, Standard, StandardVersion, VersionStatus

V2_FROM = dt.date(2026, 7, 1)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _indicator_values(indicator: Any, **changes: Any) -> dict[str, Any]:
    fields = (
        "code",
        "name_zh",
        "name_en",
        "kpi",
        "unit",
        "target",
        "yellow",
        "orange",
        "red",
        "weight",
        "scope",
        "scope_key",
        "min_volume",
        "review_margin",
        "review_periods",
    )
    return {**{f: getattr(indicator, f) for f in fields}, **changes}


def load(*, rng: random.Random, shared: dict[str, Any]) -> str:
    """Create the demo history; later loaders find it as ``shared["standards"]``. Returns a summary."""
    today = timezone.localdate()
    qm = User.objects.filter(role=Role.QUALITY_MANAGER, is_active=True).order_by("pk").first()
    org = shared.get("org")
    leads = [t.lead for t in getattr(org, "teams", []) if t.lead is not None] or list(
        User.objects.filter(role=Role.TEAM_LEAD, is_active=True).order_by("pk")[:3]
    )
    agents = list(getattr(org, "agents", [])) or list(User.objects.filter(role=Role.AGENT, is_active=True)[:10])
    if qm is None or not leads or not agents:
        return "skipped: the demo organisation has no quality manager, team leads or agents"
    v2_from = min(V2_FROM, today - dt.timedelta(days=30))

    csat_v2 = _satisfaction_v2(qm, rng.choice(leads), v2_from)
    open_one = _open_proposal(rng.choice(leads), today)
    draft = _accepted_into_draft(qm, rng.choice(agents), today)
    declined = _declined(qm, rng.choice(agents), today)
    shared["standards"] = {"satisfaction_v2": csat_v2, "draft": draft, "open_proposal": open_one}
    return (
        f"{Standard.objects.count()} standards; QS-SAT v2 in force since {v2_from.isoformat()} (CSAT target 92 %); "
        f"proposals: 1 open, 2 accepted, 1 declined (#{declined.pk}); draft {draft.standard.code} v{draft.number}"
    )


def _satisfaction_v2(qm: User, lead: User, effective: dt.date) -> StandardVersion:
    """QS-SAT v2 (CSAT target 92 %) from a proposal, in force since ``effective``."""
    standard = Standard.objects.get(code="QS-SAT")
    v1 = selectors.version_in_force(standard, effective - dt.timedelta(days=1))
    assert v1 is not None
    proposal = services.proposal_create(
        actor=lead,
        standard=standard,
        base_version=v1,
        indicator_code="csat",
        title="客户满意度目标由 90% 提高到 92%",
        rationale=(
            "2026 年 3–5 月中心满意度分别为 94.3%、94.8%、95.1%，连续三个月高于目标 4 个百分点以上，"
            "现行目标已起不到牵引作用。建议将目标提高到 92%，预警线相应上调。"
        ),
        evidence=[
            {"kind": "kpi_trend", "reference": "CSAT 2026-03 / 04 / 05：94.3% / 94.8% / 95.1%", "note": "月度报表"},
            {"kind": "evaluation", "reference": "2026 年一季度服务质量测评", "note": "满意度维度得分 4.6/5"},
        ],
    )
    approved = services.proposal_approve(actor=qm, proposal=proposal, note="同意，7 月 1 日起执行。")
    draft = approved.result_version
    assert draft is not None
    csat = draft.indicators.get(code="csat")
    services.indicator_update(
        actor=qm,
        indicator=csat,
        **_indicator_values(csat, target=Decimal("92"), yellow=Decimal("90"), orange=Decimal("87"), red=Decimal("82")),
    )
    services.version_update(
        actor=qm,
        version=draft,
        title_zh="客户满意度标准（2026 年 7 月修订）",
        title_en="Customer satisfaction standard (July 2026 revision)",
        purpose_zh=draft.purpose_zh,
        purpose_en=draft.purpose_en,
        change_note="满意度目标 90% → 92%，黄/橙/红预警线 90/87/82。 / CSAT target 90 % → 92 %; alert lines 90/87/82.",
    )
    services.version_submit(actor=qm, version=draft)
    # Recorded as approved on 20 June (a version cannot be approved for a past date through the service).
    approved_on = effective - dt.timedelta(days=11)
    StandardVersion.objects.filter(pk=draft.pk).update(
        status=VersionStatus.APPROVED,
        effective_from=effective,
        approved_by=qm,
        approved_at=_at(approved_on, 16),
        review_note="同意，按期执行。",
        created_at=_at(approved_on - dt.timedelta(days=10)),
        submitted_at=_at(approved_on - dt.timedelta(days=3)),
    )
    audit_append(
        actor=qm,
        action="approve",
        target=draft,
        changes={"status": {"before": "in_review", "after": "approved"}, "effective_from": {"after": effective}},
    )
    services.version_activate(version=draft, today=effective)
    ChangeProposal.objects.filter(pk=proposal.pk).update(
        created_at=_at(approved_on - dt.timedelta(days=14)), decided_at=_at(approved_on - dt.timedelta(days=10))
    )
    draft.refresh_from_db()
    return draft


def _open_proposal(lead: User, today: dt.date) -> ChangeProposal:
    standard = Standard.objects.get(code="PS-RSP")
    proposal = services.proposal_create(
        actor=lead,
        standard=standard,
        indicator_code="avg-response",
        title="平均响应时间目标由 30 分钟缩短为 25 分钟",
        rationale=(
            "智能分配上线后，近三个月平均响应时间稳定在 18–21 分钟；客户在满意度回访中多次提到希望更快得到答复。"
            "建议将目标缩短为 25 分钟，黄色预警线 30 分钟。"
        ),
        evidence=[
            {"kind": "kpi_trend", "reference": "平均响应时间 2026-08 / 09 / 10：21.4 / 19.8 / 18.6 分钟", "note": ""},
            {"kind": "customer_suggestion", "reference": "满意度回访意见 37 条（“回复再快一点”）", "note": "10 月汇总"},
        ],
    )
    ChangeProposal.objects.filter(pk=proposal.pk).update(created_at=_at(today - dt.timedelta(days=9), 15))
    return proposal


def _accepted_into_draft(qm: User, agent: User, today: dt.date) -> StandardVersion:
    standard = Standard.objects.get(code="PS-CMP")
    proposal = services.proposal_create(
        actor=agent,
        standard=standard,
        title="紧急投诉办结后 4 个工作小时内回访",
        rationale="紧急投诉的客户在办结后两天才接到回访电话，已有客户因此再次投诉。建议紧急投诉办结后 4 个工作小时内回访。",
        evidence=[
            {"kind": "corrective_action", "reference": "纠正措施 CA-2026-031（回访滞后）", "note": ""},
            {"kind": "customer_suggestion", "reference": "投诉工单 T-2026-10-0412 客户留言", "note": ""},
        ],
    )
    approved = services.proposal_approve(actor=qm, proposal=proposal, note="同意，纳入投诉处理标准 v2。")
    draft = approved.result_version
    assert draft is not None
    steps = Clause.objects.get(version=draft, number="3")
    services.clause_update(
        actor=qm,
        clause=steps,
        number=steps.number,
        title_zh=steps.title_zh,
        title_en=steps.title_en,
        body_zh=steps.body_zh.replace(
            "6. 回访：办结后 2 个工作日内回访满意度；",
            "6. 回访：办结后 2 个工作日内回访满意度，紧急投诉 4 个工作小时内回访；",
        ),
        body_en=steps.body_en.replace(
            "6. Follow up on satisfaction within 2 working days of resolution.",
            "6. Follow up on satisfaction within 2 working days of resolution; urgent complaints within 4 working hours.",
        ),
        sop_kind=steps.sop_kind,
        ticket_types=steps.ticket_types,
    )
    services.version_update(
        actor=qm,
        version=draft,
        title_zh=draft.title_zh,
        title_en=draft.title_en,
        purpose_zh=draft.purpose_zh,
        purpose_en=draft.purpose_en,
        change_note="紧急投诉办结后 4 个工作小时内回访（来自改进建议）。",
    )
    ChangeProposal.objects.filter(pk=proposal.pk).update(
        created_at=_at(today - dt.timedelta(days=6)), decided_at=_at(today - dt.timedelta(days=4))
    )
    StandardVersion.objects.filter(pk=draft.pk).update(created_at=_at(today - dt.timedelta(days=4), 11))
    return draft


def _declined(qm: User, agent: User, today: dt.date) -> ChangeProposal:
    standard = Standard.objects.get(code="CS-SCR")
    proposal = services.proposal_create(
        actor=agent,
        standard=standard,
        title="在线客服取消固定结束语",
        rationale="在线客服同时接待多位客户，固定结束语占用时间，建议取消。",
        evidence=[{"kind": "other", "reference": "在线客服班组讨论记录 2026-09", "note": ""}],
    )
    services.proposal_reject(
        actor=qm,
        proposal=proposal,
        note="结束语是满意度评价邀请的一部分，不能取消；可使用快捷短语减少输入时间。",
    )
    ChangeProposal.objects.filter(pk=proposal.pk).update(
        created_at=_at(today - dt.timedelta(days=40)), decided_at=_at(today - dt.timedelta(days=37))
    )
    return proposal
