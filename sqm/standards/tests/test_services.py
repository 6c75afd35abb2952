"""Services of the standards library: the lifecycle, every validation rule (with the message naming
the field), version in force by date, retiring, proposals and their permissions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from sqm.audit.models import AuditEntry
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Role
from sqm.standards import selectors, services
from sqm.standards.models import (
    ChangeProposal,
    Clause,
    Indicator,
    ProposalStatus,
    Standard,
    StandardCategory,
    StandardVersion,
    VersionStatus,
)
from sqm.standards.tests.factories import (
    ClauseFactory,
    IndicatorFactory,
    ProposalFactory,
    StandardFactory,
    VersionFactory,
    effective_standard,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def _english():
    """Messages are formatted when raised, in the active language: read them in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def qm(make_user):
    return make_user(Role.QUALITY_MANAGER, language="en")


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


def _error(excinfo: pytest.ExceptionInfo[DomainError]) -> tuple[str, str]:
    """(field, message in English) of the single error raised."""
    [(field, [message])] = excinfo.value.errors.items()
    with translation.override("en"):
        return field, str(message)


INDICATOR = {
    "code": "csat",
    "name_zh": "客户满意度",
    "name_en": "CSAT",
    "kpi": "csat",
    "target": "90",
    "yellow": "88",
    "orange": "85",
    "red": "80",
    "weight": "100",
}


def _draft(qm, **standard) -> StandardVersion:
    created = services.standard_create(
        actor=qm,
        code=standard.get("code", "QS-NEW"),
        category=standard.get("category", StandardCategory.QUALITY),
        name_zh="新标准",
        name_en="New standard",
    )
    return created.versions.get()


def _approved_today(qm, version: StandardVersion) -> StandardVersion:
    services.version_submit(actor=qm, version=version)
    return services.version_approve(actor=qm, version=version, effective_from=TODAY(), note="OK")


# --- version in force ---------------------------------------------------------------------------


def test_version_in_force_follows_the_effective_dates():
    v1 = effective_standard(since=dt.date(2025, 1, 1))
    v1.status, v1.effective_until = VersionStatus.SUPERSEDED, dt.date(2026, 7, 1)
    v1.save()
    v2 = VersionFactory(
        standard=v1.standard, number=2, status=VersionStatus.EFFECTIVE, effective_from=dt.date(2026, 7, 1)
    )
    v3 = VersionFactory(
        standard=v1.standard, number=3, status=VersionStatus.APPROVED, effective_from=dt.date(2099, 1, 1)
    )
    standard = v1.standard
    assert selectors.version_in_force(standard, dt.date(2024, 12, 31)) is None
    assert selectors.version_in_force(standard, dt.date(2025, 1, 1)) == v1
    assert selectors.version_in_force(standard.pk, dt.date(2026, 6, 30)) == v1
    assert selectors.version_in_force(standard, dt.date(2026, 7, 1)) == v2
    assert selectors.version_in_force(standard, dt.date(2099, 1, 2)) == v2  # approved is not in force until activated
    assert v3.status == VersionStatus.APPROVED


def test_indicators_in_force_loads_standards_and_skips_retired(django_assert_num_queries):
    live = effective_standard()
    retired = effective_standard()
    Standard.objects.filter(pk=retired.standard_id).update(is_retired=True)
    with django_assert_num_queries(1):
        rows = selectors.indicators_in_force(TODAY())
        codes = {(i.version.standard.code, i.code) for i in rows}
    assert (live.standard.code, "csat") in codes
    assert all(code != retired.standard.code for code, _ in codes)
    found = selectors.indicator_in_force(standard_id=live.standard_id, code="csat", on=TODAY())
    assert found is not None and found.version == live
    assert selectors.indicator_in_force(standard_id=live.standard_id, code="nope", on=TODAY()) is None
    assert selectors.indicator_in_force(standard_id=live.standard_id, code="csat", on=dt.date(2024, 1, 1)) is None


def test_starter_library_is_installed_and_consistent():
    standards = {s.code: s for s in Standard.objects.all()}
    assert {"QS-SAT", "QS-OUT", "PS-CMP", "PS-RSP", "SS-CND", "ES-HALL", "CS-SCR", "SA-DATA"} <= set(standards)
    assert {s.category for s in standards.values()} == set(StandardCategory.values)
    for standard in standards.values():
        version = selectors.version_in_force(standard, dt.date(2025, 1, 1))
        assert version is not None and version.effective_from == dt.date(2025, 1, 1)
        assert version.title_zh and version.title_en and version.clauses.exists()
        for clause in version.clauses.all():
            assert clause.body_zh and clause.body_en
        if version.indicators.exists():
            services.check_weights(version)  # weights add up to 100
        for indicator in version.indicators.all():
            services.check_thresholds(
                direction=indicator.direction,
                target=indicator.target,
                yellow=indicator.yellow,
                orange=indicator.orange,
                red=indicator.red,
            )
    csat = selectors.indicator_in_force(standard_id=standards["QS-SAT"].pk, code="csat", on=TODAY())
    assert csat.target == Decimal("90") and csat.kpi == "csat"
    hall = Clause.objects.get(version__standard__code="ES-HALL", sop_kind="steps")
    assert "迎候" in hall.body_zh and "Greet" in hall.body_en


# --- lifecycle -----------------------------------------------------------------------------------------


def test_full_lifecycle_and_nothing_edited_in_place_once_effective(qm):
    draft = _draft(qm)
    assert draft.number == 1 and draft.status == VersionStatus.DRAFT
    clause = services.clause_add(actor=qm, version=draft, number="1", title_zh="范围", body_zh="适用于全部工单。")
    indicator = services.indicator_add(actor=qm, version=draft, **INDICATOR)
    assert indicator.unit == "%" and indicator.direction == "higher"  # from the KPI catalogue
    v1 = _approved_today(qm, draft)
    assert v1.status == VersionStatus.EFFECTIVE and v1.effective_from == TODAY()
    assert v1.approved_by == qm and v1.review_note == "OK"

    for attempt in (
        lambda: services.clause_add(actor=qm, version=v1, number="2", title_zh="新", body_zh="新条款"),
        lambda: services.clause_update(actor=qm, clause=clause, number="1", title_zh="改", body_zh="改了"),
        lambda: services.clause_remove(actor=qm, clause=clause),
        lambda: services.indicator_update(actor=qm, indicator=indicator, **{**INDICATOR, "target": "95"}),
        lambda: services.indicator_remove(actor=qm, indicator=indicator),
        lambda: services.version_update(actor=qm, version=v1, title_zh="改标题"),
    ):
        with pytest.raises(DomainError) as excinfo:
            attempt()
        assert excinfo.value.code == "not_editable"
        assert "new draft" in _error(excinfo)[1]
    clause.refresh_from_db()
    indicator.refresh_from_db()
    assert clause.title_zh == "范围" and indicator.target == Decimal("90")

    v2 = services.version_create_draft(actor=qm, standard=v1.standard)
    assert v2.number == 2 and v2.status == VersionStatus.DRAFT
    assert [c.number for c in v2.clauses.all()] == ["1"]
    copied = v2.indicators.get()
    assert copied.pk != indicator.pk and copied.target == Decimal("90")
    with pytest.raises(DomainError) as excinfo:
        services.version_create_draft(actor=qm, standard=v1.standard)
    assert excinfo.value.code == "open_draft"

    services.indicator_update(actor=qm, indicator=copied, **{**INDICATOR, "target": "92", "yellow": "90"})
    services.version_submit(actor=qm, version=v2)
    tomorrow = TODAY() + dt.timedelta(days=1)
    v2 = services.version_approve(actor=qm, version=v2, effective_from=tomorrow)
    assert v2.status == VersionStatus.APPROVED
    assert selectors.version_in_force(v1.standard, TODAY()) == v1
    assert services.activate_due(TODAY()) == 0
    assert services.activate_due(tomorrow) == 1
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v1.effective_until) == (VersionStatus.SUPERSEDED, tomorrow)
    assert v2.status == VersionStatus.EFFECTIVE
    assert selectors.version_in_force(v1.standard, TODAY()) == v1
    assert selectors.version_in_force(v1.standard, tomorrow) == v2
    assert services.activate_due(tomorrow) == 0  # idempotent
    actions = set(
        AuditEntry.objects.filter(object_type="standards.standardversion", object_id=str(v1.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"create", "submit", "approve", "activate", "supersede"} <= actions


def test_reject_needs_a_note_and_the_next_draft_copies_the_rejected_text(qm):
    draft = _draft(qm)
    services.clause_add(actor=qm, version=draft, number="1", title_zh="范围", body_zh="草稿内容")
    services.version_submit(actor=qm, version=draft)
    with pytest.raises(DomainError) as excinfo:
        services.version_reject(actor=qm, version=draft, note=" ")
    assert _error(excinfo)[0] == "note"
    rejected = services.version_reject(actor=qm, version=draft, note="条款不完整")
    assert rejected.status == VersionStatus.REJECTED and rejected.review_note == "条款不完整"
    again = services.version_create_draft(actor=qm, standard=draft.standard)
    assert again.number == 2 and again.clauses.get().body_zh == "草稿内容"


def test_only_drafts_are_submitted_and_only_in_review_approved(qm):
    v1 = effective_standard()
    with pytest.raises(DomainError):
        services.version_submit(actor=qm, version=v1)
    draft = services.version_create_draft(actor=qm, standard=v1.standard)
    with pytest.raises(DomainError) as excinfo:
        services.version_approve(actor=qm, version=draft, effective_from=TODAY() + dt.timedelta(days=1))
    assert excinfo.value.code == "not_in_review"


def test_a_version_whose_day_the_task_missed_takes_effect_before_a_later_one(qm):
    """v2 was approved for yesterday but the hourly task did not run; v3 approved for today must
    not leave v2 waiting (it would later supersede v3 and take its period): v2 takes effect first,
    each version keeps its own period and the task finds nothing left to do."""
    yesterday = TODAY() - dt.timedelta(days=1)
    v1 = effective_standard(since=dt.date(2025, 1, 1))
    v2 = VersionFactory(standard=v1.standard, number=2, status=VersionStatus.APPROVED, effective_from=yesterday)
    v3 = services.version_create_draft(actor=qm, standard=v1.standard)
    services.clause_add(actor=qm, version=v3, number="1", title_zh="范围", body_zh="第三版")
    _approved_today(qm, v3)
    assert services.activate_due(TODAY()) == 0
    v1.refresh_from_db()
    v2.refresh_from_db()
    v3.refresh_from_db()
    assert (v1.status, v1.effective_until) == (VersionStatus.SUPERSEDED, yesterday)
    assert (v2.status, v2.effective_from, v2.effective_until) == (VersionStatus.SUPERSEDED, yesterday, TODAY())
    assert (v3.status, v3.effective_from, v3.effective_until) == (VersionStatus.EFFECTIVE, TODAY(), None)
    assert selectors.version_in_force(v1.standard, yesterday) == v2
    assert selectors.version_in_force(v1.standard, TODAY()) == v3


def test_a_retired_standard_still_judges_the_days_before_it_was_retired(qm):
    v1 = effective_standard(since=dt.date(2025, 1, 1))
    services.standard_retire(actor=qm, standard=v1.standard, note="并入新标准")
    yesterday = TODAY() - dt.timedelta(days=1)
    assert [i.version for i in selectors.indicators_in_force(yesterday) if i.version.standard_id == v1.standard_id] == [
        v1
    ]
    assert not [i for i in selectors.indicators_in_force(TODAY()) if i.version.standard_id == v1.standard_id]


# --- validation -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"yellow": "91"}, "yellow", "must not be above the target"),
        ({"orange": "89"}, "orange", "must not be above yellow"),
        ({"red": "86"}, "red", "must not be above orange"),
        ({"red": "95", "orange": "85"}, "red", "target ≥ yellow ≥ orange ≥ red"),
    ],
)
def test_thresholds_against_higher_is_better(qm, values, field, words):
    draft = _draft(qm)
    with pytest.raises(DomainError) as excinfo:
        services.indicator_add(actor=qm, version=draft, **{**INDICATOR, **values})
    got_field, message = _error(excinfo)
    assert got_field == field and words in message and "higher is better" in message


def test_thresholds_against_lower_is_better(qm):
    draft = _draft(qm)
    lower = {**INDICATOR, "code": "resp", "kpi": "avg_response", "target": "30", "yellow": "35", "orange": "45"}
    services.indicator_add(actor=qm, version=draft, **{**lower, "red": "60"})
    with pytest.raises(DomainError) as excinfo:
        services.indicator_add(
            actor=qm, version=draft, **{**lower, "code": "resp2", "red": "40"}
        )  # red better than orange
    field, message = _error(excinfo)
    assert field == "red" and "must not be below orange" in message and "lower is better" in message
    with pytest.raises(DomainError) as excinfo:
        services.indicator_add(actor=qm, version=draft, **{**lower, "code": "resp3", "yellow": "25", "red": "60"})
    assert _error(excinfo)[0] == "yellow"


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"kpi": "happiness"}, "kpi", "not one of the allowed choices"),
        ({"direction": "lower"}, "direction", "higher is better"),
        ({"target": "120", "yellow": "110", "orange": "105", "red": "101"}, "target", "between 0 and 100"),
        ({"weight": "0"}, "weight", "share of 100"),
        ({"weight": "120"}, "weight", "share of 100"),
        ({"target": "abc"}, "target", "Enter a number"),
        ({"code": "has space"}, "code", "no spaces"),
        ({"scope": "centre", "scope_key": "T001"}, "scope_key", "leave it blank"),
        ({"scope": "channel", "scope_key": "pigeon"}, "scope_key", "not one of the allowed choices"),
        ({"scope": "team", "scope_key": "NOPE"}, "scope_key", "No team"),
        ({"review_margin": "2"}, "review_margin", "between 0 and 1"),
        ({"review_periods": "0"}, "review_periods", "from 1 to 24"),
        ({"name_en": ""}, "name_en", "required"),
    ],
)
def test_indicator_field_rules(qm, values, field, words):
    draft = _draft(qm)
    with pytest.raises(DomainError) as excinfo:
        services.indicator_add(actor=qm, version=draft, **{**INDICATOR, **values})
    got_field, message = _error(excinfo)
    assert got_field == field and words in message


def test_codes_and_numbers_are_unique_within_a_version(qm):
    draft = _draft(qm)
    services.indicator_add(actor=qm, version=draft, **INDICATOR)
    with pytest.raises(DomainError) as excinfo:
        services.indicator_add(actor=qm, version=draft, **INDICATOR)
    assert _error(excinfo) == ("code", "Indicator csat exists already in this version.")
    services.clause_add(actor=qm, version=draft, number="1", title_zh="一", body_zh="内容")
    with pytest.raises(DomainError) as excinfo:
        services.clause_add(actor=qm, version=draft, number="1", title_zh="二", body_zh="内容")
    assert _error(excinfo)[0] == "number"
    with pytest.raises(DomainError) as excinfo:
        services.standard_create(actor=qm, code="qs-new", category="quality", name_zh="重复", name_en="Dup")
    assert _error(excinfo)[0] == "code"


def test_weights_must_add_up_to_100_at_submit(qm):
    draft = _draft(qm)
    services.indicator_add(actor=qm, version=draft, **{**INDICATOR, "weight": "60"})
    services.indicator_add(actor=qm, version=draft, **{**INDICATOR, "code": "nps", "kpi": "nps", "weight": "30"})
    with pytest.raises(DomainError) as excinfo:
        services.version_submit(actor=qm, version=draft)
    field, message = _error(excinfo)
    assert field == "weight" and "add up to 90 %" in message and "must add up to 100" in message
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    nps = Indicator.objects.get(version=draft, code="nps")
    services.indicator_update(actor=qm, indicator=nps, **{**INDICATOR, "code": "nps", "kpi": "nps", "weight": "40"})
    assert services.version_submit(actor=qm, version=draft).status == VersionStatus.IN_REVIEW


def test_an_empty_version_cannot_be_submitted(qm):
    draft = _draft(qm)
    with pytest.raises(DomainError) as excinfo:
        services.version_submit(actor=qm, version=draft)
    assert _error(excinfo)[0] == "clauses"


def test_effective_dates_must_not_be_past_or_overlap(qm):
    v1 = effective_standard(since=TODAY())
    draft = services.version_create_draft(actor=qm, standard=v1.standard)
    services.version_submit(actor=qm, version=draft)
    with pytest.raises(DomainError) as excinfo:
        services.version_approve(actor=qm, version=draft, effective_from=TODAY() - dt.timedelta(days=1))
    field, message = _error(excinfo)
    assert field == "effective_from" and "past" in message
    with pytest.raises(DomainError) as excinfo:
        services.version_approve(actor=qm, version=draft, effective_from=TODAY())  # same day as v1
    field, message = _error(excinfo)
    assert field == "effective_from" and excinfo.value.code == "overlap" and TODAY().isoformat() in message
    later = TODAY() + dt.timedelta(days=30)
    services.version_approve(actor=qm, version=draft, effective_from=later)
    # a third version must come after the approved one, not between
    v3 = services.version_create_draft(actor=qm, standard=v1.standard)
    services.version_submit(actor=qm, version=v3)
    with pytest.raises(DomainError) as excinfo:
        services.version_approve(actor=qm, version=v3, effective_from=later - dt.timedelta(days=1))
    assert excinfo.value.code == "overlap" and later.isoformat() in _error(excinfo)[1]


def test_sla_term_rules(qm):
    quality = _draft(qm)
    with pytest.raises(DomainError) as excinfo:
        services.sla_term_add(
            actor=qm, version=quality, policy_code="x", name="x", response_minutes=10, resolution_minutes=20
        )
    field, message = _error(excinfo)
    assert field == "policy_code" and "process category" in message
    process = _draft(qm, code="PS-NEW", category=StandardCategory.PROCESS)
    with pytest.raises(DomainError) as excinfo:
        services.sla_term_add(
            actor=qm, version=process, policy_code="vip", name="VIP", response_minutes=60, resolution_minutes=60
        )
    field, message = _error(excinfo)
    assert field == "resolution_minutes" and "must be longer than the response target (60 minutes)" in message
    with pytest.raises(DomainError) as excinfo:
        services.sla_term_add(
            actor=qm, version=process, policy_code="complaint", name="x", response_minutes=5, resolution_minutes=50
        )
    field, message = _error(excinfo)
    assert field == "policy_code" and "PS-CMP" in message  # the complaint policy belongs to the starter standard
    with pytest.raises(DomainError) as excinfo:
        services.sla_term_add(
            actor=qm,
            version=process,
            policy_code="vip",
            name="x",
            response_minutes=5,
            resolution_minutes=50,
            warn_fraction="1.5",
        )
    assert _error(excinfo)[0] == "warn_fraction"
    term = services.sla_term_add(
        actor=qm, version=process, policy_code="vip", name="VIP", response_minutes=5, resolution_minutes=50
    )
    with pytest.raises(DomainError) as excinfo:
        services.sla_term_add(
            actor=qm, version=process, policy_code="vip", name="VIP", response_minutes=5, resolution_minutes=50
        )
    assert _error(excinfo)[0] == "policy_code"
    services.sla_term_update(
        actor=qm, term=term, policy_code="vip", name="VIP", response_minutes=10, resolution_minutes=100
    )
    term.refresh_from_db()
    assert (term.response_minutes, term.resolution_minutes) == (10, 100)
    services.sla_term_remove(actor=qm, term=term)
    assert not process.sla_terms.exists()


def test_sla_term_tier_must_be_a_customer_tier(qm):
    """Refused when the term is written, naming the tiers there are, not later when approving the
    version turns the term into an SLA policy (the version would be stuck in review)."""
    process = _draft(qm, code="PS-NEW", category=StandardCategory.PROCESS)
    term = {"policy_code": "gold", "name": "Gold", "response_minutes": 5, "resolution_minutes": 50}
    with pytest.raises(DomainError) as excinfo:
        services.sla_term_add(actor=qm, version=process, tier="gold", **term)
    field, message = _error(excinfo)
    assert field == "tier" and "“gold”" in message and "vip" in message
    saved = services.sla_term_add(actor=qm, version=process, tier="vip", **term)
    with pytest.raises(DomainError) as excinfo:
        services.sla_term_update(actor=qm, term=saved, tier="platinum", **term)
    assert _error(excinfo)[0] == "tier"
    saved.refresh_from_db()
    assert saved.tier == "vip"


def test_clause_rules(qm):
    draft = _draft(qm)
    with pytest.raises(DomainError) as excinfo:
        services.clause_add(actor=qm, version=draft, number="1", title_zh="t", body_zh="b", sop_kind="poem")
    assert _error(excinfo)[0] == "sop_kind"
    with pytest.raises(DomainError) as excinfo:
        services.clause_add(
            actor=qm, version=draft, number="1", title_zh="t", body_zh="b", sop_kind="steps", ticket_types=["spam"]
        )
    assert _error(excinfo)[0] == "ticket_types"
    with pytest.raises(DomainError) as excinfo:
        services.clause_add(actor=qm, version=draft, number="1", title_zh="t", body_zh="")
    assert _error(excinfo)[0] == "body_zh"
    clause = services.clause_add(
        actor=qm,
        version=draft,
        number="3.1",
        title_zh="t",
        body_zh="b",
        sop_kind="script",
        ticket_types=["complaint", "complaint"],
    )
    assert clause.ticket_types == ["complaint"]


# --- permissions ------------------------------------------------------------------------------------------


def test_roles(make_user, qm):
    agent = make_user(Role.AGENT)
    lead = make_user(Role.TEAM_LEAD)
    auditor = make_user(Role.AUDITOR)
    admin = make_user(Role.ADMIN)
    with pytest.raises(PermissionDeniedError):
        services.standard_create(actor=agent, code="X", category="quality", name_zh="x", name_en="x")
    draft = services.standard_create(actor=admin, code="X", category="quality", name_zh="x", name_en="x").versions.get()
    services.clause_add(actor=admin, version=draft, number="1", title_zh="t", body_zh="b")
    services.version_submit(actor=admin, version=draft)
    with pytest.raises(PermissionDeniedError):
        services.version_approve(actor=admin, version=draft, effective_from=TODAY())  # only the quality manager
    with pytest.raises(PermissionDeniedError):
        services.version_approve(actor=lead, version=draft, effective_from=TODAY())
    v1 = services.version_approve(actor=qm, version=draft, effective_from=TODAY())
    evidence = [{"kind": "customer_suggestion", "reference": "客户留言 #12"}]
    proposal = services.proposal_create(actor=agent, standard=v1.standard, title="t", rationale="r", evidence=evidence)
    assert proposal.raised_by == agent and proposal.base_version == v1
    with pytest.raises(PermissionDeniedError):
        services.proposal_create(actor=auditor, standard=v1.standard, title="t", rationale="r", evidence=evidence)
    with pytest.raises(PermissionDeniedError):
        services.proposal_approve(actor=lead, proposal=proposal)
    with pytest.raises(PermissionDeniedError):
        services.proposal_withdraw(actor=lead, proposal=proposal)  # not the author
    with pytest.raises(PermissionDeniedError):
        services.standard_retire(actor=admin, standard=v1.standard)


# --- proposals ----------------------------------------------------------------------------------------------


def test_proposal_needs_evidence_of_a_known_kind(make_user):
    agent = make_user(Role.AGENT)
    v1 = effective_standard()
    for evidence, words in (
        ([], "at least one piece of evidence"),
        ([{"kind": "", "reference": "", "note": ""}], "at least one piece of evidence"),
        ([{"kind": "rumour", "reference": "x"}], "not one of the allowed choices"),
        ([{"kind": "kpi_trend", "reference": ""}], "required"),
        ("csat went up", "list of items"),
    ):
        with pytest.raises(DomainError) as excinfo:
            services.proposal_create(actor=agent, standard=v1.standard, title="t", rationale="r", evidence=evidence)
        field, message = _error(excinfo)
        assert field == "evidence" and words in message, (evidence, message)
    with pytest.raises(DomainError) as excinfo:
        services.proposal_create(
            actor=agent,
            standard=v1.standard,
            title="t",
            rationale="r",
            evidence=[{"kind": "kpi_trend", "reference": "x"}],
            indicator_code="nps",
        )
    assert _error(excinfo)[0] == "indicator_code"


def test_proposal_for_a_superseded_version_is_refused(make_user, qm):
    agent = make_user(Role.AGENT)
    v1 = effective_standard(since=dt.date(2025, 1, 1))
    v2 = services.version_create_draft(actor=qm, standard=v1.standard)
    services.version_submit(actor=qm, version=v2)
    services.version_approve(actor=qm, version=v2, effective_from=TODAY())
    v1.refresh_from_db()
    assert v1.status == VersionStatus.SUPERSEDED
    with pytest.raises(DomainError) as excinfo:
        services.proposal_create(
            actor=agent,
            standard=v1.standard,
            base_version=v1,
            title="t",
            rationale="r",
            evidence=[{"kind": "evaluation", "reference": "2026 Q3 测评"}],
        )
    field, message = _error(excinfo)
    assert field == "base_version" and excinfo.value.code == "superseded" and "v2" in message
    fine = services.proposal_create(
        actor=agent, standard=v1.standard, title="t", rationale="r", evidence=[{"kind": "evaluation", "reference": "x"}]
    )
    assert fine.base_version == v2


def test_proposal_approve_opens_a_draft_or_links_the_open_one(make_user, qm):
    agent = make_user(Role.AGENT)
    v1 = effective_standard()
    first = ProposalFactory(base_version=v1, raised_by=agent)
    approved = services.proposal_approve(actor=qm, proposal=first, note="同意")
    draft = approved.result_version
    assert approved.status == ProposalStatus.APPROVED and approved.decided_by == qm
    assert draft.status == VersionStatus.DRAFT and draft.number == 2 and draft.proposal == first
    second = ProposalFactory(base_version=v1, raised_by=agent)
    assert services.proposal_approve(actor=qm, proposal=second).result_version == draft  # linked, no new draft
    assert StandardVersion.objects.filter(standard=v1.standard).count() == 2
    with pytest.raises(DomainError):
        services.proposal_approve(actor=qm, proposal=second)  # decided already
    services.clause_add(actor=qm, version=draft, number="9", title_zh="t", body_zh="b")
    services.version_submit(actor=qm, version=draft)
    third = ProposalFactory(base_version=v1, raised_by=agent)
    with pytest.raises(DomainError) as excinfo:
        services.proposal_approve(actor=qm, proposal=third)  # v2 is in review
    assert "in review" in _error(excinfo)[1]


def test_proposal_reject_and_withdraw(make_user, qm):
    agent = make_user(Role.AGENT)
    v1 = effective_standard()
    proposal = ProposalFactory(base_version=v1, raised_by=agent)
    with pytest.raises(DomainError) as excinfo:
        services.proposal_reject(actor=qm, proposal=proposal, note="")
    assert _error(excinfo)[0] == "note"
    services.proposal_reject(actor=qm, proposal=proposal, note="证据不足")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED and proposal.decision_note == "证据不足"
    other = ProposalFactory(base_version=v1, raised_by=agent)
    services.proposal_withdraw(actor=agent, proposal=other)
    other.refresh_from_db()
    assert other.status == ProposalStatus.WITHDRAWN
    with pytest.raises(DomainError):
        services.proposal_withdraw(actor=agent, proposal=other)


# --- retiring -----------------------------------------------------------------------------------------------


def test_retire_instead_of_delete(make_user, qm):
    agent = make_user(Role.AGENT)
    v1 = effective_standard()
    standard = v1.standard
    draft = services.version_create_draft(actor=qm, standard=standard)
    proposal = ProposalFactory(base_version=v1, raised_by=agent)
    with pytest.raises(DomainError) as excinfo:
        services.standard_delete(actor=qm, standard=standard)
    assert excinfo.value.code == "retire_instead" and "Retire the standard instead" in _error(excinfo)[1]
    services.standard_retire(actor=qm, standard=standard, note="并入新标准")
    standard.refresh_from_db()
    assert standard.is_retired and standard.retired_at is not None
    draft.refresh_from_db()
    proposal.refresh_from_db()
    assert draft.status == VersionStatus.REJECTED and proposal.status == ProposalStatus.REJECTED
    assert all(i.version.standard_id != standard.pk for i in selectors.indicators_in_force(TODAY()))
    assert selectors.version_in_force(standard, TODAY()) == v1  # history stays readable
    with pytest.raises(DomainError):
        services.version_create_draft(actor=qm, standard=standard)
    with pytest.raises(DomainError):
        services.proposal_create(
            actor=agent, standard=standard, title="t", rationale="r", evidence=[{"kind": "other", "reference": "x"}]
        )
    with pytest.raises(DomainError):
        services.standard_retire(actor=qm, standard=standard)
    assert Standard.objects.filter(pk=standard.pk).exists()


def test_update_names_is_audited(qm):
    standard = StandardFactory()
    services.standard_update(actor=qm, standard=standard, name_zh="新名称", name_en="New name")
    standard.refresh_from_db()
    assert standard.name_zh == "新名称"
    entry = AuditEntry.objects.filter(object_type="standards.standard", object_id=str(standard.pk)).latest("seq")
    assert entry.changes["name_zh"]["after"] == "新名称"


def test_factories_make_valid_rows():
    clause = ClauseFactory()
    indicator = IndicatorFactory(version=clause.version)
    assert indicator.version == clause.version
    assert ChangeProposal.objects.count() == 0


def test_activation_task_is_scheduled_hourly_and_idempotent(qm):
    from sqm import schedule
    from sqm.standards import tasks

    assert "standards.activate_due" in schedule.PERIODIC
    v1 = effective_standard(since=TODAY() - dt.timedelta(days=10))
    draft = services.version_create_draft(actor=qm, standard=v1.standard)
    services.version_submit(actor=qm, version=draft)
    services.version_approve(actor=qm, version=draft, effective_from=TODAY() + dt.timedelta(days=1))
    assert tasks.activate_due() == 0  # its day has not come
    StandardVersion.objects.filter(pk=draft.pk).update(effective_from=TODAY())  # as if the day had come
    assert tasks.activate_due() == 1 and tasks.activate_due() == 0
    draft.refresh_from_db()
    assert draft.status == VersionStatus.EFFECTIVE
