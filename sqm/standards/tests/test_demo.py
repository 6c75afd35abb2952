"""The demo history of the standards library: consistent with the rules, audited, quick."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from types import SimpleNamespace

import pytest

from sqm.audit.services import chain_verify
from sqm.core.roles import Role
from sqm.standards import demo, selectors, services
from sqm.standards.models import ChangeProposal, ProposalStatus, Standard, VersionStatus

pytestmark = pytest.mark.django_db


def _load(make_user) -> tuple[str, dict]:
    make_user(Role.QUALITY_MANAGER)
    teams = [SimpleNamespace(lead=make_user(Role.TEAM_LEAD)) for _ in range(2)]
    agents = [make_user(Role.AGENT) for _ in range(3)]
    shared = {"org": SimpleNamespace(admin=make_user(Role.ADMIN), teams=teams, agents=agents)}
    return demo.load(rng=random.Random(3), shared=shared), shared


def test_demo_history(make_user):
    summary, shared = _load(make_user)
    satisfaction = Standard.objects.get(code="QS-SAT")
    v1, v2 = satisfaction.versions.get(number=1), satisfaction.versions.get(number=2)
    assert (v1.status, v1.effective_until) == (VersionStatus.SUPERSEDED, dt.date(2026, 7, 1))
    assert (v2.status, v2.effective_from) == (VersionStatus.EFFECTIVE, dt.date(2026, 7, 1))
    before = selectors.indicator_in_force(standard_id=satisfaction.pk, code="csat", on=dt.date(2026, 6, 30))
    after = selectors.indicator_in_force(standard_id=satisfaction.pk, code="csat", on=dt.date(2026, 7, 1))
    assert (before.target, after.target) == (Decimal("90"), Decimal("92"))
    services.check_weights(v2)
    assert v2.proposal is not None and v2.proposal.status == ProposalStatus.APPROVED

    proposals = ChangeProposal.objects.all()
    by_status = {s: proposals.filter(status=s).count() for s in ProposalStatus.values}
    assert by_status == {"open": 1, "approved": 2, "rejected": 1, "withdrawn": 0}
    assert all(p.evidence for p in proposals)
    draft = shared["standards"]["draft"]
    assert draft.status == VersionStatus.DRAFT and draft.standard.code == "PS-CMP"
    assert "4 个工作小时内回访" in draft.clauses.get(number="3").body_zh
    assert "QS-SAT v2" in summary
    assert chain_verify().ok
