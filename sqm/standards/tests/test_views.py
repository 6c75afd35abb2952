"""Pages of the standards library per role: the library, a standard, the version editor (full pages
and htmx partials), review, diff, proposals, SOPs and the SOP panel on the ticket page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from sqm.core.roles import Role
from sqm.standards import selectors, services
from sqm.standards.models import ChangeProposal, Clause, Indicator, ProposalStatus, Standard, VersionStatus
from sqm.standards.tests.factories import ProposalFactory, effective_standard

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
INDICATOR_ROW = {
    "name_zh": "客户满意度",
    "name_en": "CSAT",
    "kpi": "csat",
    "target": "90",
    "yellow": "88",
    "orange": "85",
    "red": "80",
    "weight": "1",
}


@pytest.fixture
def en(client_for):
    """A client for a user, reading English."""

    def make(user):
        client = client_for(user)
        client.cookies["sqm_language"] = "en"
        return client

    return make


@pytest.fixture
def qm(make_user):
    return make_user(Role.QUALITY_MANAGER)


@pytest.fixture
def agent(make_user):
    return make_user(Role.AGENT)


def _text(response) -> str:
    return response.content.decode()


# --- library and standard --------------------------------------------------------------------------


def test_library_by_category_with_search_and_htmx(en, agent, django_assert_max_num_queries):
    client = en(agent)
    client.get(reverse("standards:standard_list"))  # warm-up: the first request of a session loads more
    with django_assert_max_num_queries(6):
        response = client.get(reverse("standards:standard_list"))
    page = _text(response)
    assert response.status_code == 200
    for code in ("QS-SAT", "PS-CMP", "SS-CND", "ES-HALL", "CS-SCR", "SA-DATA"):
        assert f'data-standard="{code}"' in page
    assert "Service environment" in page and "New standard" not in page  # agents do not write standards
    found = _text(client.get(reverse("standards:standard_list"), {"q": "complaint"}))
    assert 'data-standard="PS-CMP"' in found and 'data-standard="QS-SAT"' not in found
    by_category = _text(client.get(reverse("standards:standard_list"), {"category": "safety"}))
    assert 'data-standard="SA-DATA"' in by_category and 'data-standard="PS-CMP"' not in by_category
    partial = client.get(reverse("standards:standard_list"), {"q": "投诉"}, **HX)
    assert "<html" not in _text(partial) and 'data-standard="PS-CMP"' in _text(partial)
    assert "HX-Request" in partial["Vary"]


def test_library_query_count_does_not_grow_with_standards(en, agent, django_assert_max_num_queries):
    for _ in range(15):
        effective_standard()
    client = en(agent)
    client.get(reverse("standards:standard_list"))
    with django_assert_max_num_queries(6):
        response = client.get(reverse("standards:standard_list"))
    assert response.status_code == 200


def test_standard_page_shows_version_in_force_thresholds_and_timeline(en, agent, qm, django_assert_max_num_queries):
    standard = Standard.objects.get(code="QS-SAT")
    url = reverse("standards:standard_detail", args=[standard.pk])
    client = en(agent)
    client.get(url)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    page = _text(response)
    assert "In force: v1, since 2025-01-01" in page
    assert '<span class="tier tier-yellow" data-value="yellow">88</span>' in page
    assert '<span class="tier tier-red" data-value="red">80</span>' in page
    assert 'data-version="1"' in page
    assert "Propose a change" in page and "New draft version" not in page and "Retire this standard" not in page
    qm_page = _text(en(qm).get(url))
    assert "New draft version" in qm_page and "Retire this standard" in qm_page


def test_new_standard_page(en, qm, agent):
    assert en(agent).get(reverse("standards:standard_create")).status_code == 403
    response = en(qm).post(
        reverse("standards:standard_create"),
        {"code": "ES-PARK", "category": "environment", "name_zh": "停车场服务标准", "name_en": "Car park standard"},
    )
    standard = Standard.objects.get(code="ES-PARK")
    assert response.status_code == 302 and response["Location"] == reverse(
        "standards:version_detail", args=[standard.versions.get().pk]
    )
    again = en(qm).post(
        reverse("standards:standard_create"),
        {"code": "ES-PARK", "category": "environment", "name_zh": "x", "name_en": "x"},
    )
    assert again.status_code == 400 and "exists already" in _text(again)


def test_retire_needs_a_reason_and_only_the_quality_manager(en, qm, make_user):
    standard = Standard.objects.get(code="CS-SCR")
    url = reverse("standards:standard_retire", args=[standard.pk])
    assert en(make_user(Role.ADMIN)).post(url, {"note": "x"}).status_code == 403
    en(qm).post(url, {})
    standard.refresh_from_db()
    assert not standard.is_retired
    en(qm).post(url, {"note": "并入 CS-NEW"})
    standard.refresh_from_db()
    assert standard.is_retired


# --- the version editor ------------------------------------------------------------------------------


@pytest.fixture
def draft(qm):
    return services.version_create_draft(actor=qm, standard=Standard.objects.get(code="QS-SAT"))


def test_editor_for_editors_read_only_for_others(en, qm, agent, draft):
    url = reverse("standards:version_detail", args=[draft.pk])
    editor = _text(en(qm).get(url))
    assert 'id="add-indicator"' in editor and 'id="add-clause"' in editor and 'id="submit-version"' in editor
    reader = _text(en(agent).get(url))
    assert 'id="add-indicator"' not in reader and "Remove" not in reader
    assert en(agent).get(reverse("standards:clause_add", args=[draft.pk])).status_code == 403


def test_htmx_add_edit_remove_indicator(en, qm, draft):
    client = en(qm)
    form = client.get(reverse("standards:indicator_add", args=[draft.pk]), **HX)
    assert form.status_code == 200 and "<html" not in _text(form) and 'data-form="indicators"' in _text(form)
    data = {
        "code": "fcr",
        "name_zh": "一次解决率",
        "name_en": "First-contact resolution",
        "kpi": "fcr",
        "target": "75",
        "yellow": "70",
        "orange": "65",
        "red": "80",
        "weight": "10",
        "scope": "centre",
        "min_volume": "30",
        "review_margin": "0.1",
        "review_periods": "3",
    }
    bad = client.post(reverse("standards:indicator_add", args=[draft.pk]), data, **HX)
    assert bad.status_code == 200 and "must not be above orange" in _text(bad)  # red better than orange
    assert 'data-field="red"' in _text(bad)
    assert not Indicator.objects.filter(version=draft, code="fcr").exists()
    ok = client.post(reverse("standards:indicator_add", args=[draft.pk]), {**data, "red": "60"}, **HX)
    assert ok.status_code == 200 and 'data-indicator="fcr"' in _text(ok)
    assert "Weights add up to 110 %" in _text(ok)
    fcr = Indicator.objects.get(version=draft, code="fcr")
    edit = client.get(reverse("standards:indicator_edit", args=[fcr.pk]), **HX)
    assert 'value="75' in _text(edit)
    saved = client.post(reverse("standards:indicator_edit", args=[fcr.pk]), {**data, "red": "60", "target": "78"}, **HX)
    assert 'data-value="target">78<' in _text(saved)
    removed = client.post(reverse("standards:indicator_remove", args=[fcr.pk]), **HX)
    assert 'data-indicator="fcr"' not in _text(removed) and "Weights add up to 100 %" in _text(removed)
    cancel = client.get(reverse("standards:version_section", args=[draft.pk, "indicators"]), **HX)
    assert cancel.status_code == 200 and 'id="indicators"' in _text(cancel)


def test_without_javascript_the_editor_is_plain_pages(en, qm, draft):
    client = en(qm)
    page = client.get(reverse("standards:clause_add", args=[draft.pk]))
    assert page.status_code == 200 and "<html" in _text(page) and 'data-form="clauses"' in _text(page)
    bad = client.post(
        reverse("standards:clause_add", args=[draft.pk]), {"number": "1", "title_zh": "x", "body_zh": "y"}
    )
    assert bad.status_code == 400 and "exists already" in _text(bad)
    ok = client.post(
        reverse("standards:clause_add", args=[draft.pk]),
        {
            "number": "4",
            "title_zh": "投诉升级",
            "body_zh": "差评 24 小时内升级。",
            "sop_kind": "steps",
            "ticket_types": ["complaint"],
        },
    )
    assert ok.status_code == 302 and ok["Location"].endswith("#clauses")
    clause = Clause.objects.get(version=draft, number="4")
    assert clause.sop_kind == "steps" and clause.ticket_types == ["complaint"]
    edit = client.post(
        reverse("standards:clause_edit", args=[clause.pk]),
        {"number": "4", "title_zh": "投诉升级", "body_zh": "差评 12 小时内升级。"},
    )
    assert edit.status_code == 302
    clause.refresh_from_db()
    assert clause.body_zh == "差评 12 小时内升级。" and clause.sop_kind == ""
    header = client.post(
        reverse("standards:version_edit", args=[draft.pk]),
        {"title_zh": "客户满意度标准（2027 版）", "change_note": "提高目标"},
    )
    assert header.status_code == 302
    draft.refresh_from_db()
    assert draft.change_note == "提高目标"


def test_sla_terms_inline(en, qm):
    draft = services.version_create_draft(actor=qm, standard=Standard.objects.get(code="PS-CMP"))
    client = en(qm)
    term = draft.sla_terms.get(policy_code="complaint")
    response = client.post(
        reverse("standards:term_edit", args=[term.pk]),
        {
            "policy_code": "complaint",
            "name": "投诉 SLA",
            "ticket_type": "complaint",
            "priority": "",
            "response_minutes": "60",
            "resolution_minutes": "30",
            "warn_fraction": "0.75",
            "escalate_after_minutes": "60",
        },
        **HX,
    )
    assert "must be longer than the response target" in _text(response)
    page = _text(client.get(reverse("standards:version_detail", args=[draft.pk])))
    assert 'data-term="complaint"' in page and 'id="add-term"' in page


def test_nothing_effective_is_editable_through_pages(en, qm):
    v1 = selectors.version_in_force(Standard.objects.get(code="QS-SAT"), timezone.localdate())
    clause = v1.clauses.first()
    page = _text(en(qm).get(reverse("standards:version_detail", args=[v1.pk])))
    assert 'id="add-clause"' not in page
    client = en(qm)
    response = client.post(reverse("standards:clause_remove", args=[clause.pk]))
    assert response.status_code == 302
    assert Clause.objects.filter(pk=clause.pk).exists()
    follow = client.get(response["Location"])
    assert "cannot be edited; open a new draft version instead" in _text(follow)


def test_submit_review_approve_and_reject(en, qm, make_user, draft):
    admin = make_user(Role.ADMIN)
    csat = draft.indicators.get(code="csat")
    csat.weight = 50
    csat.save()
    response = en(admin).post(reverse("standards:version_submit", args=[draft.pk]), follow=True)
    assert "add up to 110 %; they must add up to 100 %" in _text(response)
    csat.weight = 40
    csat.save()
    en(admin).post(reverse("standards:version_submit", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == VersionStatus.IN_REVIEW
    page = _text(en(admin).get(reverse("standards:version_detail", args=[draft.pk])))
    assert 'id="approve-version"' not in page  # the administrator drafts, the quality manager approves
    review = _text(en(qm).get(reverse("standards:version_detail", args=[draft.pk])))
    assert 'id="approve-version"' in review and 'id="reject-version"' in review
    no_note = en(qm).post(reverse("standards:version_reject", args=[draft.pk]), {"note": ""})
    assert no_note.status_code == 400
    past = en(qm).post(reverse("standards:version_approve", args=[draft.pk]), {"effective_from": "2025-06-01"})
    assert past.status_code == 400 and "cannot be in the past" in _text(past)
    ok = en(qm).post(
        reverse("standards:version_approve", args=[draft.pk]), {"effective_from": timezone.localdate().isoformat()}
    )
    assert ok.status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.EFFECTIVE


# --- diff --------------------------------------------------------------------------------------------


def test_diff_page_shows_field_and_word_changes(en, qm, agent, draft, django_assert_max_num_queries):
    csat = draft.indicators.get(code="csat")
    services.indicator_update(
        actor=qm,
        indicator=csat,
        **{
            f: getattr(csat, f)
            for f in ("code", "name_zh", "name_en", "kpi", "unit", "orange", "red", "weight", "scope", "scope_key")
        },
        target="92",
        yellow="90",
    )
    clause = draft.clauses.get(number="3")
    services.clause_update(
        actor=qm,
        clause=clause,
        number="3",
        title_zh=clause.title_zh,
        title_en=clause.title_en,
        body_zh=clause.body_zh.replace("1 个工作日", "4 个工作小时"),
        body_en=clause.body_en,
        sop_kind="steps",
    )
    services.clause_add(actor=qm, version=draft, number="4", title_zh="新增", body_zh="满意度按月公示。")
    v1 = draft.standard.versions.get(number=1)
    url = reverse("standards:standard_diff", args=[draft.standard_id])
    client = en(agent)
    client.get(url)
    with django_assert_max_num_queries(14):
        response = client.get(url, {"a": v1.pk, "b": draft.pk})
    page = _text(response)
    assert response.status_code == 200
    assert "1 added, 0 removed, 2 changed." in page
    assert "<del>90</del>" in page and "<ins>92</ins>" in page
    assert "<del>1</del>" in page and "<ins>4</ins>" in page and "<ins>小时</ins>" in page
    assert 'data-key="4" data-status="added"' in page
    default = en(agent).get(url)  # latest against the one before it
    assert "<ins>92</ins>" in _text(default)
    assert en(agent).get(url, {"a": "999999", "b": draft.pk}).status_code == 400


# --- proposals ---------------------------------------------------------------------------------------


def _proposal_form(standard_pk: int, **evidence: str) -> dict[str, str]:
    data = {
        "standard": str(standard_pk),
        "indicator_code": "csat",
        "title": "满意度目标提高到 92%",
        "rationale": "近三个月满意度均高于 94%。",
        "evidence-TOTAL_FORMS": "3",
        "evidence-INITIAL_FORMS": "0",
        "evidence-MIN_NUM_FORMS": "0",
        "evidence-MAX_NUM_FORMS": "20",
    }
    data.update({f"evidence-0-{k}": v for k, v in evidence.items()})
    return data


def test_propose_with_evidence_then_accept(en, agent, qm, django_capture_on_commit_callbacks):
    standard = Standard.objects.get(code="QS-SAT")
    url = reverse("standards:proposal_create")
    assert f'<option value="{standard.pk}" selected>QS-SAT Customer satisfaction standard' in _text(
        en(agent).get(url, {"standard": standard.pk})
    )
    missing = en(agent).post(url, _proposal_form(standard.pk))
    assert missing.status_code == 400 and "Cite at least one piece of evidence" in _text(missing)
    with django_capture_on_commit_callbacks(execute=True):
        ok = en(agent).post(
            url, _proposal_form(standard.pk, kind="kpi_trend", reference="CSAT 2026-08..10: 94.2/95.0/94.8")
        )
    proposal = ChangeProposal.objects.get()
    assert ok.status_code == 302 and ok["Location"] == reverse("standards:proposal_detail", args=[proposal.pk])
    assert proposal.evidence[0]["kind"] == "kpi_trend" and proposal.raised_by == agent
    assert qm.notifications.filter(kind="standard_proposal").exists()
    detail = _text(en(agent).get(ok["Location"]))
    assert "KPI trend" in detail and 'id="withdraw-proposal"' in detail and 'id="accept-proposal"' not in detail
    assert 'id="accept-proposal"' in _text(en(qm).get(ok["Location"]))
    decline = en(qm).post(reverse("standards:proposal_reject", args=[proposal.pk]), {"note": ""})
    assert decline.status_code == 400
    accepted = en(qm).post(reverse("standards:proposal_approve", args=[proposal.pk]), {"note": "同意"})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED
    assert accepted["Location"] == reverse("standards:version_detail", args=[proposal.result_version_id])


def test_proposal_list_filters_and_query_count(en, agent, django_assert_max_num_queries):
    v1 = effective_standard()
    for _ in range(10):
        ProposalFactory(base_version=v1, raised_by=agent)
    done = ProposalFactory(base_version=v1, raised_by=agent, status=ProposalStatus.REJECTED)
    url = reverse("standards:proposal_list")
    client = en(agent)
    client.get(url)
    with django_assert_max_num_queries(6):
        page = _text(client.get(url))
    assert page.count("data-proposal=") == 10 and f'data-proposal="{done.pk}"' not in page
    assert f'data-proposal="{done.pk}"' in _text(en(agent).get(url, {"status": "all"}))


def test_withdraw_only_by_the_author(en, agent, make_user):
    v1 = effective_standard()
    proposal = ProposalFactory(base_version=v1, raised_by=agent)
    other = make_user(Role.AGENT)
    response = en(other).post(reverse("standards:proposal_withdraw", args=[proposal.pk]), follow=True)
    assert "Only the author can withdraw" in _text(response)
    en(agent).post(reverse("standards:proposal_withdraw", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN


# --- SOPs ----------------------------------------------------------------------------------------------


def test_sop_pages(en, make_user, django_assert_max_num_queries):
    trainer = make_user(Role.TRAINER)
    client = en(trainer)
    client.get(reverse("standards:sop_list"))
    with django_assert_max_num_queries(5):
        page = _text(client.get(reverse("standards:sop_list")))
    hall = Clause.objects.get(version__standard__code="ES-HALL", sop_kind="steps")
    assert f'data-sop="{hall.pk}"' in page and "Reception routine" in page
    detail = _text(en(trainer).get(reverse("standards:sop_detail", args=[hall.pk])))
    assert "Greet" in detail and "迎候" in detail  # the other language folds out
    plain = Clause.objects.filter(sop_kind="").first()
    assert en(trainer).get(reverse("standards:sop_detail", args=[plain.pk])).status_code == 404
    filtered = _text(en(trainer).get(reverse("standards:sop_list"), {"category": "safety"}))
    assert "SA-DATA" in filtered and "ES-HALL" not in filtered
    assert en(make_user(Role.CUSTOMER)).get(reverse("standards:sop_list")).status_code == 403


def test_ticket_page_links_the_sops_of_its_type(en, agent):
    from sqm.tickets.tests.factories import TicketFactory

    complaint = TicketFactory(type="complaint")
    consultation = TicketFactory(type="consultation")
    steps = Clause.objects.get(version__standard__code="PS-CMP", sop_kind="steps")
    phrasing = Clause.objects.filter(version__standard__code="SS-CND", sop_kind="phrasing").first()
    page = _text(en(agent).get(reverse("tickets:ticket_detail", args=[complaint.pk])))
    assert 'id="sops"' in page and f'data-sop="{steps.pk}"' in page and f'data-sop="{phrasing.pk}"' in page
    assert page.index(f'data-sop="{steps.pk}"') < page.index(f'data-sop="{phrasing.pk}"')  # complaint SOPs first
    other = _text(en(agent).get(reverse("tickets:ticket_detail", args=[consultation.pk])))
    assert f'data-sop="{steps.pk}"' not in other and f'data-sop="{phrasing.pk}"' in other


def test_superseded_sop_points_to_the_current_one(en, agent, qm):
    standard = Standard.objects.get(code="ES-HALL")
    draft = services.version_create_draft(actor=qm, standard=standard)
    services.version_submit(actor=qm, version=draft)
    services.version_approve(actor=qm, version=draft, effective_from=timezone.localdate())
    old = Clause.objects.get(version__standard=standard, version__number=1, sop_kind="steps")
    new = Clause.objects.get(version=draft, sop_kind="steps")
    page = _text(en(agent).get(reverse("standards:sop_detail", args=[old.pk])))
    assert "This is an older version" in page and reverse("standards:sop_detail", args=[new.pk]) in page
    listing = _text(en(agent).get(reverse("standards:sop_list")))
    assert f'data-sop="{new.pk}"' in listing and f'data-sop="{old.pk}"' not in listing


def test_nav_entries(en, agent, make_user):
    page = _text(en(agent).get(reverse("standards:standard_list")))
    for label in ("Standards library", "Change proposals", "SOPs"):
        assert label in page


def test_chinese_is_the_default_language(client_for, agent):
    page = _text(client_for(agent).get(reverse("standards:standard_list")))
    assert "投诉处理标准" in page and "服务大厅环境与接待标准" in page and "Complaint handling standard" not in page


def test_django_admin_offers_retiring_instead_of_deleting(client_for, make_user):
    admin = make_user(Role.ADMIN, is_staff=True, is_superuser=True)
    standard = Standard.objects.get(code="QS-SAT")
    client = client_for(admin)
    client.cookies["sqm_language"] = "en"
    assert client.get(f"/django-admin/standards/standard/{standard.pk}/change/").status_code == 200
    response = client.get(f"/django-admin/standards/standard/{standard.pk}/delete/", follow=True)
    assert "retire the standard instead" in _text(response)
    assert Standard.objects.filter(pk=standard.pk).exists()


def test_version_editor_query_count_does_not_grow_with_rows(en, qm, django_assert_max_num_queries):
    """The editor of a process standard's draft (clauses, indicators and SLA terms with their
    policies) reads a fixed number of rows whatever its size."""
    draft = services.version_create_draft(actor=qm, standard=Standard.objects.get(code="PS-CMP"))
    url = reverse("standards:version_detail", args=[draft.pk])
    client = en(qm)
    client.get(url)
    with django_assert_max_num_queries(8) as few:
        assert client.get(url).status_code == 200
    for n in range(10):
        services.clause_add(actor=qm, version=draft, number=f"9.{n}", title_zh="条款", body_zh="内容")
        services.indicator_add(actor=qm, version=draft, **{**INDICATOR_ROW, "code": f"extra-{n}"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = _text(client.get(url))
    assert 'data-clause="9.9"' in page and 'data-indicator="extra-9"' in page
