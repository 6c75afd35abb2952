"""Permission-matrix rows of the standards API (merged by sqm/core/tests/test_permission_matrix.py).

Uses the world of :mod:`.matrix` (its draft, clause, indicator, SLA term and version in review)
plus a standard of its own with an effective v1 and nothing open, which ``refresh`` keeps that
way. The approve and reject bodies put the draft in review first (only a version in review can
be decided); each user gets a proposal of their own, so that the author may withdraw it.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from sqm.core.roles import Cap


def prepare(w: SimpleNamespace) -> None:
    from sqm.standards.tests.factories import IndicatorFactory, StandardFactory, VersionFactory

    w.std_api = StandardFactory(code="MX-API", category="quality")
    w.std_api_v1 = VersionFactory(standard=w.std_api, number=1, status="effective", effective_from=dt.date(2025, 1, 1))
    IndicatorFactory(version=w.std_api_v1, code="csat")
    w.std_api_proposals = {}


def refresh(w: SimpleNamespace) -> None:
    from sqm.standards.models import Standard, StandardVersion

    Standard.objects.filter(pk=w.std_api.pk).update(is_retired=False)
    StandardVersion.objects.filter(standard=w.std_api, number__gt=1).delete()


def path_params(w: SimpleNamespace, user: Any) -> dict[str, int]:
    from sqm.standards.models import ChangeProposal
    from sqm.standards.tests.factories import ProposalFactory

    proposal = w.std_api_proposals.get(user.pk)
    if proposal is None or not ChangeProposal.objects.filter(pk=proposal.pk, status="open").exists():
        proposal = w.std_api_proposals[user.pk] = ProposalFactory(base_version=w.std_v1, raised_by=user)
    return {
        "standard_id": w.std_api.pk,
        "version_id": w.std_draft.pk,
        "proposal_id": proposal.pk,
        "clause_id": w.std_clause.pk,
        "indicator_id": w.std_indicator.pk,
        "term_id": w.std_term.pk,
    }


def _in_review(w: SimpleNamespace, body: dict[str, Any]) -> dict[str, Any]:
    from sqm.standards.models import StandardVersion

    StandardVersion.objects.filter(pk=w.std_draft.pk).update(status="in_review")
    return body


def _tomorrow() -> str:
    from django.utils import timezone

    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


API: dict[tuple[str, str], tuple[Cap | str, Any]] = {
    ("GET", "/api/standards/"): (Cap.STANDARD_VIEW, None),
    ("POST", "/api/standards/"): (
        Cap.STANDARD_EDIT,
        lambda w: {"code": f"MX-N{w.counter()}", "category": "staff", "name_zh": "新标准", "name_en": "New"},
    ),
    ("GET", "/api/standards/indicators"): (Cap.STANDARD_VIEW, None),
    ("GET", "/api/standards/sops"): (Cap.STANDARD_VIEW, None),
    ("GET", "/api/standards/proposals"): (Cap.STANDARD_VIEW, None),
    ("POST", "/api/standards/proposals"): (
        Cap.STANDARD_PROPOSE,
        lambda w: {
            "standard_id": w.std_api.pk,
            "title": "提高满意度目标",
            "rationale": "连续三个月超过目标。",
            "evidence": [{"kind": "kpi_trend", "reference": "CSAT 2026-08..10"}],
        },
    ),
    ("GET", "/api/standards/proposals/{proposal_id}"): (Cap.STANDARD_VIEW, None),
    ("POST", "/api/standards/proposals/{proposal_id}/approve"): (Cap.STANDARD_APPROVE, lambda w: {"note": "同意"}),
    ("POST", "/api/standards/proposals/{proposal_id}/reject"): (Cap.STANDARD_APPROVE, lambda w: {"note": "证据不足"}),
    ("POST", "/api/standards/proposals/{proposal_id}/withdraw"): (Cap.STANDARD_PROPOSE, None),
    ("GET", "/api/standards/versions/{version_id}"): (Cap.STANDARD_VIEW, None),
    ("PATCH", "/api/standards/versions/{version_id}"): (Cap.STANDARD_EDIT, lambda w: {"change_note": "调整"}),
    ("POST", "/api/standards/versions/{version_id}/submit"): (Cap.STANDARD_EDIT, None),
    ("POST", "/api/standards/versions/{version_id}/approve"): (
        Cap.STANDARD_APPROVE,
        lambda w: _in_review(w, {"effective_from": _tomorrow(), "note": "同意"}),
    ),
    ("POST", "/api/standards/versions/{version_id}/reject"): (
        Cap.STANDARD_APPROVE,
        lambda w: _in_review(w, {"note": "请补充条款"}),
    ),
    ("POST", "/api/standards/versions/{version_id}/clauses"): (
        Cap.STANDARD_EDIT,
        lambda w: {"number": f"9.{w.counter()}", "title_zh": "新条款", "body_zh": "内容"},
    ),
    ("PATCH", "/api/standards/clauses/{clause_id}"): (Cap.STANDARD_EDIT, lambda w: {"title_en": "Scope"}),
    ("DELETE", "/api/standards/clauses/{clause_id}"): (Cap.STANDARD_EDIT, None),
    ("POST", "/api/standards/versions/{version_id}/indicators"): (
        Cap.STANDARD_EDIT,
        lambda w: {
            "code": f"mx-{w.counter()}",
            "name_zh": "一次解决率",
            "name_en": "FCR",
            "kpi": "fcr",
            "target": "75",
            "yellow": "70",
            "orange": "65",
            "red": "60",
            "weight": "10",
        },
    ),
    ("PATCH", "/api/standards/indicators/{indicator_id}"): (Cap.STANDARD_EDIT, lambda w: {"target": "91"}),
    ("DELETE", "/api/standards/indicators/{indicator_id}"): (Cap.STANDARD_EDIT, None),
    ("POST", "/api/standards/versions/{version_id}/sla-terms"): (
        Cap.STANDARD_EDIT,
        lambda w: {
            "policy_code": f"mx-t{w.counter()}",
            "name": "VIP",
            "response_minutes": 10,
            "resolution_minutes": 60,
        },
    ),
    ("PATCH", "/api/standards/sla-terms/{term_id}"): (Cap.STANDARD_EDIT, lambda w: {"name": "新名称"}),
    ("DELETE", "/api/standards/sla-terms/{term_id}"): (Cap.STANDARD_EDIT, None),
    ("GET", "/api/standards/{standard_id}"): (Cap.STANDARD_VIEW, None),
    ("POST", "/api/standards/{standard_id}/retire"): (Cap.STANDARD_APPROVE, lambda w: {"note": "合并"}),
    ("POST", "/api/standards/{standard_id}/drafts"): (Cap.STANDARD_EDIT, None),
    ("GET", "/api/standards/{standard_id}/diff"): (Cap.STANDARD_VIEW, None),
}
