"""Automatic review proposals raised by the system (issue 5, Standards library point 3)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.utils import translation

from sqm.audit.models import AuditEntry
from sqm.core.errors import DomainError
from sqm.core.roles import Role
from sqm.standards import selectors, services
from sqm.standards.models import ChangeProposal, ProposalKind, ProposalStatus, Standard
from sqm.tickets.models import Notification

EVIDENCE = [{"kind": "kpi_trend", "reference": "CSAT 2026-08..10: 95.2, 96.0, 95.8 (target 90)", "note": ""}]


def _raise(standard: Standard, kind: str = ProposalKind.RAISE_BAR, code: str = "csat") -> ChangeProposal | None:
    return services.proposal_raise_automatic(
        standard=standard,
        indicator_code=code,
        kind=kind,
        rationale="CSAT beat its target by more than 5 % for 3 months in a row.",
        evidence=EVIDENCE,
    )


@pytest.mark.django_db
def test_raised_once_audited_as_system_and_quality_managers_notified(make_user, django_capture_on_commit_callbacks):
    qm_zh = make_user(Role.QUALITY_MANAGER, language="zh-hans")
    qm_en = make_user(Role.QUALITY_MANAGER, language="en")
    make_user(Role.AGENT)
    standard = Standard.objects.get(code="QS-SAT")
    with django_capture_on_commit_callbacks(execute=True):
        proposal = _raise(standard)
    assert proposal is not None
    assert proposal.is_automatic and proposal.raised_by is None and proposal.status == ProposalStatus.OPEN
    assert proposal.base_version == selectors.version_in_force(standard, proposal.created_at.date())
    assert proposal.evidence == [{**EVIDENCE[0]}]
    entry = AuditEntry.objects.filter(object_type="standards.changeproposal", object_id=str(proposal.pk)).get()
    assert entry.actor_id is None and entry.actor_repr == "system"
    notes = {n.user_id: n for n in Notification.objects.filter(kind="standard_raise_bar")}
    assert set(notes) == {qm_zh.pk, qm_en.pk}
    assert "raising the bar" in notes[qm_en.pk].text and "QS-SAT" in notes[qm_en.pk].text
    assert notes[qm_zh.pk].link.endswith(f"/standards/proposals/{proposal.pk}/")
    with translation.override("en"):
        assert proposal.heading == "Raise the bar (target beaten) · csat"

    assert _raise(standard) is None  # one open per standard, indicator and kind
    assert _raise(standard, kind=ProposalKind.INVESTIGATE) is not None  # another kind is another review
    assert _raise(standard, code="nps") is not None
    assert ChangeProposal.objects.filter(is_automatic=True).count() == 3

    services.proposal_reject(actor=qm_en, proposal=proposal, note="Seasonal effect")
    again = _raise(standard)
    assert again is not None and again.pk != proposal.pk  # once decided, the system may ask again


@pytest.mark.django_db
def test_refused_for_unknown_kind_and_skipped_for_retired(make_user):
    standard = Standard.objects.get(code="QS-SAT")
    with pytest.raises(DomainError):
        _raise(standard, kind=ProposalKind.CHANGE)
    Standard.objects.filter(pk=standard.pk).update(is_retired=True)
    assert _raise(standard) is None
    assert not ChangeProposal.objects.exists()


@pytest.mark.django_db
def test_a_racing_duplicate_is_absorbed_by_the_constraint(monkeypatch):
    """Two workers both saw no open proposal; the second insert hits the partial unique constraint,
    returns None and leaves the caller's transaction usable."""
    standard = Standard.objects.get(code="QS-SAT")
    first = _raise(standard)
    assert first is not None
    monkeypatch.setattr(selectors, "open_automatic_proposal", lambda **kwargs: None)  # the check saw nothing
    entries = AuditEntry.objects.count()
    assert _raise(standard) is None
    assert ChangeProposal.objects.filter(is_automatic=True).count() == 1
    assert AuditEntry.objects.count() == entries  # the losing attempt left no audit entry
    assert Standard.objects.filter(pk=standard.pk).exists()  # the connection still works


@pytest.mark.django_db(transaction=True)
def test_concurrent_attempts_make_one_proposal():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL (SQLite serialises writers)")
    from sqm.standards.defaults import install_standard_defaults
    from sqm.tickets.sla.defaults import install_sla_defaults

    install_sla_defaults()
    install_standard_defaults()
    standard = Standard.objects.get(code="QS-SAT")
    barrier = threading.Barrier(4)
    results: list[object] = []
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            barrier.wait()
            results.append(_raise(standard))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(r is not None for r in results) == 1
    assert ChangeProposal.objects.filter(is_automatic=True, status=ProposalStatus.OPEN).count() == 1
