"""The demo's surveys, return visits and mystery-shopper visits: written through the services,
believable (perceptions a little below expectations, responsiveness worst), audited."""

from __future__ import annotations

import random

import pytest

from sqm.feedback.surveys import demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    from sqm.org import demo as org_demo
    from sqm.tickets import demo as tickets_demo
    from sqm.tickets.sla.defaults import install_sla_defaults

    install_sla_defaults()
    rng = random.Random(5)
    shared: dict = {"tickets": 6000}
    org_demo.load(rng=rng, shared=shared)
    tickets_demo.load(rng=rng, shared=shared)
    return demo.load(rng=rng, shared=shared)


def test_demo_surveys_visits_and_mystery_shoppers(loaded):
    from sqm.audit.services import chain_verify
    from sqm.feedback.surveys import selectors
    from sqm.feedback.surveys.models import (
        Dimension,
        Invitation,
        MysteryEvidence,
        MysteryVisit,
        ReturnVisit,
        Survey,
        SurveyResponse,
    )

    assert set(Survey.objects.filter(is_template=True).values_list("template_code", flat=True)) == {
        "csat",
        "nps",
        "servqual",
    }
    wave = Survey.objects.get(kind="servqual", is_template=False)
    invited = Invitation.objects.filter(survey=wave).count()
    answered = SurveyResponse.objects.filter(survey=wave).count()
    assert invited >= 100 and 0.25 < answered / invited < 0.45, (invited, answered)
    results = selectors.survey_results(wave)
    gaps = {d.code: d.gap for d in results.servqual.dimensions}
    assert set(gaps) == set(Dimension.values)
    assert all(gap < 0 for gap in gaps.values()), gaps
    assert min(gaps, key=gaps.get) == "responsiveness", gaps
    assert results.servqual.weighted < 0 and results.servqual.weighted_respondents == answered
    pulses = Survey.objects.filter(kind="csat", is_template=False)
    assert pulses.count() == 4 and pulses.filter(status="closed").count() >= 2
    assert all(p.questions.filter(kind="nps").exists() for p in pulses)
    visits = ReturnVisit.objects.all()
    assert visits.exists() and all(v.ticket.type == "complaint" for v in visits)
    assert visits.filter(status="done").exists() and visits.filter(attempts__gte=1).exists()
    assert all(v.agent_id != v.handled_by_id for v in visits if v.agent_id)
    for visit in visits.filter(reopened=True):
        assert visit.ticket.status == "open" and visit.ticket.reopen_count >= 1
    assert MysteryVisit.objects.count() == demo.MYSTERY_VISITS
    assert MysteryEvidence.objects.exists()
    assert MysteryVisit.objects.exclude(status="submitted").exists()
    assert "mystery-shopper visits" in loaded and "SERVQUAL wave" in loaded
    assert chain_verify().ok
