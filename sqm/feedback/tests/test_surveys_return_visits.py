"""Return visits (回访): scheduled for every closed complaint, idempotently, round-robin over the
team's agents but not the one who handled it, due N working days later; agents record calls;
"problem persists" reopens the complaint through the ticket workflow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sqm.audit.models import AuditEntry
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Role
from sqm.feedback.surveys import services, tasks
from sqm.feedback.surveys.models import ReturnVisit, ReturnVisitAttempt, ReturnVisitCursor
from sqm.feedback.tests.surveys_factories import ClosedComplaintFactory, ClosedTicketFactory, ReturnVisitFactory
from sqm.org.models import StaffStatus
from sqm.org.tests.factories import TeamFactory, UserFactory
from sqm.tickets.models import EventKind, Status, TicketEvent
from sqm.tickets.sla.models import CalendarDay, DayKind, WorkCalendar

pytestmark = pytest.mark.django_db

MON_TO_FRI = [[["09:00", "18:00"]]] * 5 + [[], []]


def _team_with_agents(n: int):
    team = TeamFactory()
    agents = [UserFactory(role=Role.AGENT, team=team) for _ in range(n)]
    return team, sorted(agents, key=lambda a: a.pk)


def test_every_closed_complaint_gets_one_visit_round_robin_not_to_its_handler(settings):
    settings.SQM_RETURN_VISIT_DAYS = 2
    team, (a1, a2, a3) = _team_with_agents(3)
    now = timezone.now()
    complaints = [
        ClosedComplaintFactory(team=team, assignee=handler, closed_at=now - dt.timedelta(hours=h))
        for h, handler in ((5, a1), (4, a1), (3, a2), (2, a3))
    ]
    ClosedTicketFactory(team=team, assignee=a1, closed_at=now - dt.timedelta(hours=1))  # not a complaint
    open_complaint = ClosedComplaintFactory(team=team, assignee=a1, status=Status.OPEN, closed_at=None)
    created = services.return_visits_schedule(now=now)
    assert [v.ticket_id for v in created] == [c.pk for c in complaints]
    assert open_complaint.pk not in {v.ticket_id for v in created}
    agents = [v.agent_id for v in created]
    assert agents == [a2.pk, a3.pk, a1.pk, a2.pk]  # round robin in id order, skipping each handler
    assert all(v.agent_id != v.handled_by_id for v in created)
    assert services.return_visits_schedule(now=now) == []  # idempotent
    assert services.return_visits_schedule(now=now, since=now - dt.timedelta(days=30)) == []
    assert ReturnVisit.objects.count() == 4
    assert ReturnVisitCursor.objects.get().scanned_to == now
    assert AuditEntry.objects.filter(object_type="feedback.returnvisit", action="schedule").count() == 4
    later = ClosedComplaintFactory(team=team, assignee=a2, closed_at=now + dt.timedelta(minutes=5))
    assert [v.ticket_id for v in services.return_visits_schedule(now=now + dt.timedelta(minutes=10))] == [later.pk]
    assert ReturnVisit.objects.get(ticket=later).agent_id == a3.pk, "the round robin goes on where it stopped"


def test_a_reopened_and_closed_again_complaint_gets_a_new_visit():
    team, (a1, _a2) = _team_with_agents(2)
    now = timezone.now()
    complaint = ClosedComplaintFactory(team=team, assignee=a1, closed_at=now - dt.timedelta(hours=3))
    services.return_visits_schedule(now=now)
    complaint.closed_at = now + dt.timedelta(hours=1)
    complaint.save()
    services.return_visits_schedule(now=now + dt.timedelta(hours=2))
    assert ReturnVisit.objects.filter(ticket=complaint).count() == 2


def test_the_handler_gets_it_when_nobody_else_is_at_work_and_leavers_are_skipped():
    team, (only, away) = _team_with_agents(2)
    away.profile.status = StaffStatus.ON_LEAVE
    away.profile.save()
    complaint = ClosedComplaintFactory(team=team, assignee=only, closed_at=timezone.now() - dt.timedelta(hours=1))
    lone = ClosedComplaintFactory(team=TeamFactory(), closed_at=timezone.now() - dt.timedelta(hours=1))
    visits = {v.ticket_id: v for v in services.return_visits_schedule()}
    assert visits[complaint.pk].agent_id == only.pk
    assert visits[lone.pk].agent_id is None, "a team without agents at work leaves it for a team lead to assign"


def test_due_date_counts_working_days_of_the_centre_calendar(settings):
    settings.SQM_RETURN_VISIT_DAYS = 2
    calendar = WorkCalendar.objects.filter(is_default=True).first() or WorkCalendar(name="centre", is_default=True)
    calendar.weekly_hours, calendar.is_24x7 = MON_TO_FRI, False
    calendar.save()
    CalendarDay.objects.filter(calendar=calendar).delete()
    CalendarDay.objects.create(calendar=calendar, date=dt.date(2026, 10, 5), kind=DayKind.HOLIDAY)
    team, _agents = _team_with_agents(2)
    friday = timezone.make_aware(dt.datetime(2026, 10, 2, 16, 0))
    complaint = ClosedComplaintFactory(team=team, closed_at=friday)
    (visit,) = services.return_visits_schedule(now=friday + dt.timedelta(hours=1))
    # Friday 2 October: Saturday, Sunday, Monday 5 (holiday) are skipped: Tuesday 6, Wednesday 7
    assert visit.ticket_id == complaint.pk and visit.due_on == dt.date(2026, 10, 7)
    assert services.add_working_days(dt.date(2026, 10, 2), 0, lambda d: True) == dt.date(2026, 10, 2)


def test_the_periodic_task_schedules():
    ClosedComplaintFactory(closed_at=timezone.now() - dt.timedelta(hours=2))
    assert tasks.schedule_return_visits() == 1
    assert tasks.schedule_return_visits() == 0


# --- recording calls -------------------------------------------------------------------------------


@pytest.fixture
def visit():
    team, (agent, handler) = _team_with_agents(2)
    complaint = ClosedComplaintFactory(team=team, assignee=handler, closed_at=timezone.now() - dt.timedelta(days=2))
    return ReturnVisitFactory(ticket=complaint, agent=agent, team=team, handled_by=handler)


def test_satisfied_finishes_the_visit(visit):
    done = services.return_visit_record(actor=visit.agent, visit=visit, outcome="satisfied", notes="已解决")
    assert (done.status, done.outcome, done.attempts, done.reopened) == ("done", "satisfied", 1, False)
    assert done.completed_at is not None and done.calls.count() == 1
    with pytest.raises(DomainError) as exc:
        services.return_visit_record(actor=visit.agent, visit=visit, outcome="satisfied")
    assert "status" in exc.value.errors
    entry = AuditEntry.objects.get(object_type="feedback.returnvisit", action="record")
    assert entry.changes["status"] == {"before": "pending", "after": "done"}


def test_not_reached_retries_three_times_then_unreachable(visit):
    due = visit.due_on
    for call in range(1, services.RETURN_VISIT_RETRIES + 1):
        visit = services.return_visit_record(actor=visit.agent, visit=visit, outcome="not_reached")
        assert visit.status == "pending" and visit.attempts == call and visit.due_on > min(due, timezone.localdate())
    visit = services.return_visit_record(actor=visit.agent, visit=visit, outcome="not_reached", notes="关机")
    assert (visit.status, visit.outcome, visit.attempts) == ("unreachable", "not_reached", 4)
    assert ReturnVisitAttempt.objects.filter(visit=visit).count() == 4


def test_problem_persists_reopens_the_complaint_through_the_workflow(visit):
    ticket = visit.ticket
    with pytest.raises(DomainError) as exc:
        services.return_visit_record(actor=visit.agent, visit=visit, outcome="persists")
    assert "notes" in exc.value.errors, "the reason for reopening is required"
    done = services.return_visit_record(actor=visit.agent, visit=visit, outcome="persists", notes="宽带仍然掉线")
    ticket.refresh_from_db()
    assert done.reopened and done.status == "done"
    assert ticket.status == Status.OPEN and ticket.reopen_count == 1 and ticket.closed_at is None
    reopened = TicketEvent.objects.get(ticket=ticket, kind=EventKind.REOPENED)
    assert reopened.actor_id == visit.agent_id
    note = ticket.messages.get(kind="note")
    assert "宽带仍然掉线" in note.body and note.author_id == visit.agent_id
    assert AuditEntry.objects.filter(object_type="tickets.ticket", action="status").exists()


def test_problem_persists_on_an_already_reopened_complaint_records_only(visit):
    visit.ticket.status = Status.OPEN
    visit.ticket.save()
    done = services.return_visit_record(actor=visit.agent, visit=visit, outcome="persists", notes="仍未解决")
    assert not done.reopened and done.status == "done"


def test_only_the_assigned_agent_records_and_reassignment_rules(visit, make_user):
    other = UserFactory(role=Role.AGENT, team=visit.team)
    with pytest.raises(PermissionDeniedError):
        services.return_visit_record(actor=other, visit=visit, outcome="satisfied")
    for role in (Role.TEAM_LEAD, Role.QUALITY_MANAGER, Role.CUSTOMER):
        with pytest.raises(PermissionDeniedError):
            services.return_visit_record(actor=make_user(role), visit=visit, outcome="satisfied")
    with pytest.raises(DomainError) as exc:
        services.return_visit_record(actor=visit.agent, visit=visit, outcome="happy")
    assert "outcome" in exc.value.errors
    lead = make_user(Role.TEAM_LEAD)
    with pytest.raises(PermissionDeniedError):
        services.return_visit_reassign(actor=visit.agent, visit=visit, agent=other)
    with pytest.raises(DomainError) as exc:
        services.return_visit_reassign(actor=lead, visit=visit, agent=make_user(Role.CUSTOMER))
    assert "agent" in exc.value.errors
    moved = services.return_visit_reassign(actor=lead, visit=visit, agent=other)
    assert moved.agent_id == other.pk
    assert services.return_visit_record(actor=other, visit=visit, outcome="reached").status == "done"
    with pytest.raises(DomainError):
        services.return_visit_reassign(actor=lead, visit=visit, agent=visit.agent)
