"""Permission-matrix rows of the standards pages (merged by sqm/core/tests/test_permission_matrix.py).

Reading needs ``Cap.STANDARD_VIEW`` (every staff role), drafting ``Cap.STANDARD_EDIT``, reviewing
and retiring ``Cap.STANDARD_APPROVE``, proposing ``Cap.STANDARD_PROPOSE``. ``prepare`` builds a
standard with an effective v1, a draft v2 (with a clause, an indicator and an SLA term) and a
second standard with a version in review, plus an open proposal; ``refresh`` puts back whatever
a call changed (a removed row, a submitted draft, an approved proposal), so every call has a target.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from sqm.core.roles import Cap
from sqm.core.tests.matrix import Page


def prepare(w: SimpleNamespace) -> None:
    from sqm.standards.tests.factories import (
        ClauseFactory,
        IndicatorFactory,
        ProposalFactory,
        SlaTermFactory,
        StandardFactory,
        VersionFactory,
    )

    w.std = StandardFactory(code="MX-STD", category="process")
    w.std_v1 = VersionFactory(standard=w.std, number=1, status="effective", effective_from=dt.date(2025, 1, 1))
    IndicatorFactory(version=w.std_v1, code="csat")
    w.std_sop = ClauseFactory(version=w.std_v1, number="1", sop_kind="steps")
    w.std_draft = VersionFactory(standard=w.std, number=2, status="draft")
    w.std_clause = ClauseFactory(version=w.std_draft, number="1")
    w.std_indicator = IndicatorFactory(version=w.std_draft, code="csat")
    w.std_term = SlaTermFactory(version=w.std_draft, policy_code="mx-term")
    other = StandardFactory(code="MX-REV")
    VersionFactory(standard=other, number=1, status="effective", effective_from=dt.date(2025, 1, 1))
    w.std_review = VersionFactory(standard=other, number=2, status="in_review")
    ClauseFactory(version=w.std_review, number="1")
    w.std_proposal = ProposalFactory(base_version=w.std_v1, raised_by=w.users["agent"])
    w.std_factories = SimpleNamespace(
        ClauseFactory=ClauseFactory,
        IndicatorFactory=IndicatorFactory,
        SlaTermFactory=SlaTermFactory,
        ProposalFactory=ProposalFactory,
    )


def refresh(w: SimpleNamespace) -> None:
    from sqm.standards.models import ChangeProposal, Clause, Indicator, SlaTerm, Standard, StandardVersion

    f = w.std_factories
    Standard.objects.filter(pk=w.std.pk).update(is_retired=False)
    StandardVersion.objects.filter(pk=w.std_draft.pk).update(status="draft", submitted_at=None)
    StandardVersion.objects.filter(pk=w.std_review.pk).update(status="in_review")
    # a draft opened by a call (new draft, approved proposal) would block the fixed one: drop it
    StandardVersion.objects.filter(standard=w.std, number__gt=2).delete()
    if not Clause.objects.filter(pk=w.std_clause.pk).exists():
        w.std_clause = f.ClauseFactory(version=w.std_draft, number="1")
    if not Indicator.objects.filter(pk=w.std_indicator.pk).exists():
        w.std_indicator = f.IndicatorFactory(version=w.std_draft, code="csat")
    Indicator.objects.filter(version=w.std_draft).exclude(pk=w.std_indicator.pk).delete()  # weights stay at 100
    if not SlaTerm.objects.filter(pk=w.std_term.pk).exists():
        w.std_term = f.SlaTermFactory(version=w.std_draft, policy_code="mx-term")
    if not ChangeProposal.objects.filter(pk=w.std_proposal.pk, status="open").exists():
        w.std_proposal = f.ProposalFactory(base_version=w.std_v1, raised_by=w.users["agent"])


def _std(w: SimpleNamespace, u: object) -> dict[str, int]:
    return {"pk": w.std.pk}


def _draft(w: SimpleNamespace, u: object) -> dict[str, int]:
    return {"pk": w.std_draft.pk}


def _review(w: SimpleNamespace, u: object) -> dict[str, int]:
    return {"pk": w.std_review.pk}


def _proposal(w: SimpleNamespace, u: object) -> dict[str, int]:
    return {"pk": w.std_proposal.pk}


PAGES = {
    "standards:standard_list": Page(Cap.STANDARD_VIEW),
    "standards:standard_create": Page(Cap.STANDARD_EDIT),
    "standards:standard_detail": Page(Cap.STANDARD_VIEW, kwargs=_std),
    "standards:standard_retire": Page(Cap.STANDARD_APPROVE, "POST", _std),
    "standards:version_create_draft": Page(Cap.STANDARD_EDIT, "POST", _std),
    "standards:standard_diff": Page(Cap.STANDARD_VIEW, kwargs=_std),
    "standards:version_detail": Page(Cap.STANDARD_VIEW, kwargs=_draft),
    "standards:version_edit": Page(Cap.STANDARD_EDIT, kwargs=_draft),
    "standards:version_submit": Page(Cap.STANDARD_EDIT, "POST", _draft),
    "standards:version_approve": Page(Cap.STANDARD_APPROVE, "POST", _review),
    "standards:version_reject": Page(Cap.STANDARD_APPROVE, "POST", _review),
    "standards:version_section": Page(
        Cap.STANDARD_VIEW, kwargs=lambda w, u: {"pk": w.std_draft.pk, "section": "clauses"}
    ),
    "standards:clause_add": Page(Cap.STANDARD_EDIT, kwargs=_draft),
    "standards:clause_edit": Page(Cap.STANDARD_EDIT, kwargs=lambda w, u: {"pk": w.std_clause.pk}),
    "standards:clause_remove": Page(Cap.STANDARD_EDIT, "POST", lambda w, u: {"pk": w.std_clause.pk}),
    "standards:indicator_add": Page(Cap.STANDARD_EDIT, kwargs=_draft),
    "standards:indicator_edit": Page(Cap.STANDARD_EDIT, kwargs=lambda w, u: {"pk": w.std_indicator.pk}),
    "standards:indicator_remove": Page(Cap.STANDARD_EDIT, "POST", lambda w, u: {"pk": w.std_indicator.pk}),
    "standards:term_add": Page(Cap.STANDARD_EDIT, kwargs=_draft),
    "standards:term_edit": Page(Cap.STANDARD_EDIT, kwargs=lambda w, u: {"pk": w.std_term.pk}),
    "standards:term_remove": Page(Cap.STANDARD_EDIT, "POST", lambda w, u: {"pk": w.std_term.pk}),
    "standards:proposal_list": Page(Cap.STANDARD_VIEW),
    "standards:proposal_create": Page(Cap.STANDARD_PROPOSE),
    "standards:proposal_detail": Page(Cap.STANDARD_VIEW, kwargs=_proposal),
    "standards:proposal_approve": Page(Cap.STANDARD_APPROVE, "POST", _proposal),
    "standards:proposal_reject": Page(Cap.STANDARD_APPROVE, "POST", _proposal),
    "standards:proposal_withdraw": Page(Cap.STANDARD_PROPOSE, "POST", _proposal),
    "standards:sop_list": Page(Cap.STANDARD_VIEW),
    "standards:sop_detail": Page(Cap.STANDARD_VIEW, kwargs=lambda w, u: {"pk": w.std_sop.pk}),
}
