"""Never own work (双随机's second half): whoever wrote in a ticket's thread — a reply or a note —
is not drawn for it, may not score it in a calibration session and may not decide an appeal on
it, even when the ticket is now someone else's. Team leads see their own teams' work only,
calibration practice included."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sqm.core.errors import DomainError
from sqm.inspections import sampling, selectors, services
from sqm.inspections.models import Inspection
from sqm.inspections.tests.factories import PERIOD, full_answers, handled_ticket, make_inspection
from sqm.tickets.models import MessageKind, TicketMessage

pytestmark = pytest.mark.django_db


def _note(ticket, author) -> None:
    TicketMessage.objects.create(
        ticket=ticket, kind=MessageKind.NOTE, author=author, body="已核实客户身份", created_at=timezone.now()
    )


def _appealed(centre, *, agent, inspector):
    inspection = make_inspection(inspector=inspector, agent=agent, scorecard=centre.card)
    services.inspection_submit(actor=inspector, inspection=inspection, answers=full_answers(centre.card, {1: 1}))
    return services.appeal_file(actor=agent, inspection=inspection, reason="第1项我已按规范问候。")


def test_a_quality_manager_who_wrote_in_the_thread_may_not_decide_its_appeal(centre):
    appeal = _appealed(centre, agent=centre.agents[0], inspector=centre.inspectors[0])
    assert appeal in selectors.appeals_pending(centre.qm)
    _note(appeal.inspection.ticket, centre.qm)
    assert appeal not in selectors.appeals_pending(centre.qm)
    inspection = selectors.inspection_visible(centre.qm, appeal.inspection_id)
    assert not services.may_decide_appeal(centre.qm, inspection)
    with pytest.raises(DomainError) as exc:
        services.appeal_decide(actor=centre.qm, appeal=appeal, outcome="rejected", note="维持原判")
    assert list(exc.value.errors) == ["decided_by"] and exc.value.code == "own_team"
    assert services.may_decide_appeal(centre.inspectors[1], inspection)  # someone else still may
    services.appeal_decide(actor=centre.inspectors[1], appeal=appeal, outcome="rejected", note="维持原判")


def test_whoever_handled_the_ticket_sees_no_appeal_on_it(centre):
    appeal = _appealed(centre, agent=centre.agents[0], inspector=centre.inspectors[0])
    ticket = appeal.inspection.ticket
    ticket.owner = centre.qm  # took the first contact, handed it on
    ticket.save(update_fields=["owner"])
    assert appeal not in selectors.appeals_pending(centre.qm)
    assert appeal in selectors.appeals_pending(centre.inspectors[1])


def test_an_inspector_who_wrote_in_a_thread_is_never_drawn_for_it(centre):
    tickets = [handled_ticket(agent, day=PERIOD[0] + dt.timedelta(days=n)) for agent in centre.agents for n in (2, 3)]
    former_agent = centre.inspectors[0]  # moved to QA; wrote in these threads before that
    written = tickets[:4]
    for ticket in written:
        _note(ticket, former_agent)
    plan = services.plan_create(actor=centre.qm, period_start=PERIOD[0], scorecard=centre.card, rate="1")
    plan = services.plan_draw(actor=centre.qm, plan=plan, seed=5)
    drawn = dict(Inspection.objects.filter(plan=plan).values_list("ticket_id", "inspector_id"))
    assert set(drawn) == {t.pk for t in tickets}
    assert all(drawn[t.pk] != former_agent.pk for t in written)
    stored = {row[0]: row for row in plan.inputs["tickets"]}
    assert all(former_agent.pk in stored[t.pk][5] for t in written)  # the writers are in the stored inputs
    assert selectors.plan_verify(plan.pk).ok
    again = sampling.draw(sampling.DrawInputs.from_json(plan.inputs), 5)
    assert sorted(tuple(r) for r in again.rows()) == sorted(tuple(r) for r in plan.result)
    # without the writers among the handlers the same seed gives them some of these tickets:
    blind = {**plan.inputs, "tickets": [[*row[:5], [row[1]], *row[6:]] for row in plan.inputs["tickets"]]}
    picks = {p.ticket_id: p.inspector_id for p in sampling.draw(sampling.DrawInputs.from_json(blind), 5).picks}
    assert any(picks[t.pk] == former_agent.pk for t in written)


def test_nobody_scores_a_ticket_they_wrote_in_during_calibration_or_after_reassignment(centre):
    ticket = handled_ticket(centre.agents_b[0])
    _note(ticket, centre.qm)
    with pytest.raises(DomainError) as exc:
        services.calibration_create(
            actor=centre.qm,
            name="校准",
            tickets=[ticket],
            inspectors=[centre.inspectors[0], centre.qm],
            scorecard=centre.card,
        )
    assert list(exc.value.errors) == ["inspectors"]
    open_work = make_inspection(inspector=centre.inspectors[0], agent=centre.agents_b[0], ticket=ticket)
    with pytest.raises(DomainError) as exc:
        services.inspection_reassign(actor=centre.qm, inspection=open_work, inspector=centre.qm)
    assert list(exc.value.errors) == ["inspector"]
    services.inspection_reassign(actor=centre.qm, inspection=open_work, inspector=centre.inspectors[1])


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["sqm_language"] = "en"
    return client


def test_team_leads_do_not_open_other_teams_calibration_inspections(centre):
    session = services.calibration_create(
        actor=centre.qm,
        name="校准",
        tickets=[handled_ticket(centre.agents_b[0])],
        inspectors=centre.inspectors[:2],
        scorecard=centre.card,
    )
    row = Inspection.objects.filter(calibration=session).first()
    services.inspection_submit(actor=row.inspector, inspection=row, answers=full_answers(centre.card))
    url = reverse("inspections:inspection_detail", args=[row.pk])
    assert _client(centre.lead_a).get(url).status_code == 404
    assert _client(centre.lead_b).get(url).status_code == 200
    assert _client(centre.auditor).get(url).status_code == 200
    api = _client(centre.lead_a)
    assert api.get(f"/api/inspections/inspections/{row.pk}").status_code == 404
    assert _client(centre.lead_b).get(f"/api/inspections/inspections/{row.pk}").status_code == 200
