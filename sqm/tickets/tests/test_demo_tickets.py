"""The demo's tickets: a believable year (rhythm, languages, threads, statuses), the same for the
same seed, written in bulk with one audit entry per chunk and agent loads that match."""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

import pytest

from sqm.tickets import demo

ZONE = ZoneInfo("Asia/Shanghai")
ORIGIN = dt.datetime.combine(demo.WINDOW_START, dt.time(), tzinfo=ZONE)


def _index(day: dt.date) -> int:
    return (day - demo.WINDOW_START).days


def centre() -> demo.Centre:
    """A small centre by hand: every category's skill, both languages, every channel, one leaver."""
    skills = {skill for _code, _zh, _en, skill in demo.CATEGORIES}
    agents = []
    for n, skill in enumerate(sorted(skills)):
        for m, channels in enumerate((("phone", "chat", "walk_in"), ("web", "email"))):
            held = {f"category:{skill}", "language:zh", *(f"channel:{c}" for c in channels)}
            if m == 0:
                held.add("language:en")
            agents.append(demo.Agent(100 + 2 * n + m, 1 + n % 3, frozenset(held), -100, 10**6, True))
    agents.append(demo.Agent(99, 1, frozenset({"category:billing", "language:zh"}), -100, 200, False))
    steps = {
        kind: [
            demo.Step(10 * i + 1, True, [1000 + 10 * i + 1, 1000 + 10 * i + 2]),
            demo.Step(10 * i + 2, True, [1000 + 10 * i + 3]),
            demo.Step(10 * i + 3, False, [1000 + 10 * i + 4]),
        ]
        for i, kind in enumerate(demo.TYPES)
    }
    return demo.Centre(
        admin_id=1,
        categories={code: (n, skill) for n, (code, _zh, _en, skill) in enumerate(demo.CATEGORIES, start=1)},
        customers=[(500 + n, f"客户{n}") for n in range(50)],
        english_customers=[(600 + n, f"Customer {n}") for n in range(5)],
        agents=agents,
        steps=steps,
    )


def rows_for(seed: int, total: int) -> demo.Rows:
    everything = demo.Rows()
    for chunk in demo.generate(centre(), random.Random(seed), total, chunk=1000):
        for key in ("tickets", "messages", "events", "progress", "checks"):
            getattr(everything, key).extend(getattr(chunk, key))
    return everything


@pytest.fixture(scope="module")
def year() -> demo.Rows:
    return rows_for(7, 20_000)


COL = {name: i for i, name in enumerate(demo.COLUMNS["tickets"])}


def local_day(text: str) -> dt.date:
    return (dt.datetime.fromisoformat(text) + dt.timedelta(hours=demo.UTC_OFFSET_HOURS)).date()


# --- the calendar ---------------------------------------------------------------------------


def test_plan_adds_up_and_follows_the_week_and_the_holidays():
    counts = demo.plan_days(random.Random(1), 100_000)
    assert sum(counts) == 100_000 and len(counts) == 365
    by_weekday = defaultdict(list)
    for i, n in enumerate(counts):
        day = demo.WINDOW_START + dt.timedelta(days=i)
        if day not in demo.HOLIDAYS and day not in demo.MAKEUP_WORKDAYS:
            by_weekday[day.weekday()].append(n)
    mean = {d: statistics.mean(v) for d, v in by_weekday.items()}
    assert mean[0] == max(mean.values()), "Monday is the busiest day"
    assert mean[6] < 0.6 * mean[0] and mean[5] < 0.7 * mean[2], "weekends are quiet"
    spring = [counts[_index(d)] for d in demo.HOLIDAYS if demo.HOLIDAYS[d] == "Spring Festival"]
    assert max(spring) < 0.5 * mean[2], "the Spring Festival is quiet"
    after = counts[_index(dt.date(2026, 2, 24))]  # first working day after the Spring Festival
    assert after > 1.3 * mean[1], "the backlog arrives after the holiday"
    national = [counts[_index(dt.date(2026, 10, d))] for d in range(1, 8)]
    assert max(national) < 0.55 * mean[3]
    makeup = counts[_index(dt.date(2026, 2, 28))]  # a Saturday worked in exchange
    assert makeup > 1.25 * mean[5]


def test_holiday_list_matches_the_official_schedule():
    assert len([d for d in demo.HOLIDAYS if d.year == 2026]) == 33
    assert demo.is_workday(dt.date(2026, 2, 14)) and not demo.is_workday(dt.date(2026, 2, 16))
    assert not demo.is_workday(dt.date(2026, 10, 7)) and demo.is_workday(dt.date(2026, 10, 10))


# --- the tickets --------------------------------------------------------------------------------


def test_same_seed_same_tickets_other_seed_other_tickets():
    first, again, other = rows_for(3, 3000), rows_for(3, 3000), rows_for(4, 3000)
    assert first.tickets == again.tickets and first.messages == again.messages and first.events == again.events
    assert first.tickets != other.tickets


def test_the_producer_process_makes_the_same_rows_as_this_one():
    seed, total = 11, demo.PRODUCER_FROM + 500
    here = [c.tickets for c in demo.generate(centre(), random.Random(seed), total)]
    forked = [c.tickets for c in demo.chunks(centre(), seed, total)]
    assert forked == here


def test_mix_of_languages_types_channels_and_texts(year):
    tickets = year.tickets
    languages = Counter(t[COL["language"]] for t in tickets)
    assert 0.86 < languages["zh"] / len(tickets) < 0.94
    assert set(Counter(t[COL["type"]] for t in tickets)) == set(demo.TYPES)
    assert set(Counter(t[COL["channel"]] for t in tickets)) == set(demo.CHANNELS)
    assert len({t[COL["subject"]] for t in tickets}) > 60
    assert len({t[COL["description"]] for t in tickets}) > 2000, "slots make descriptions vary"
    for t in tickets:
        text = t[COL["subject"]] + t[COL["description"]]
        chinese = any("\u4e00" <= ch <= "\u9fff" for ch in text)
        assert chinese == (t[COL["language"]] == "zh"), text
        assert "{" not in text and len(t[COL["subject"]]) <= 200
        assert t[COL["priority_rank"]] == ("urgent", "high", "normal", "low").index(t[COL["priority"]])


def test_statuses_and_times_are_consistent(year):
    end = demo.Clock("")(demo.END)
    last_day = demo.WINDOW_START + dt.timedelta(days=demo.WINDOW_DAYS - 1)
    for t in year.tickets:
        created, first, resolved, closed = (
            t[COL[k]] for k in ("created_at", "first_response_at", "resolved_at", "closed_at")
        )
        status = t[COL["status"]]
        assert demo.WINDOW_START <= local_day(created) <= last_day
        assert created <= t[COL["updated_at"]] <= end
        assert first is None or created <= first <= end
        if status == "closed":
            assert first <= resolved <= closed <= end
            assert t[COL["current_step"]] is None
        elif status == "resolved":
            assert first <= resolved <= end and closed is None
        else:
            assert resolved is None and closed is None and t[COL["reopen_count"]] == 0
            assert t[COL["current_step"]] is not None
        if status == "new":
            assert t[COL["assignee"]] is None and first is None
        else:
            assert t[COL["assignee"]] is not None
    statuses = Counter(t[COL["status"]] for t in year.tickets)
    assert statuses["closed"] > 0.95 * len(year.tickets)
    assert statuses["open"] and statuses["pending"] and statuses["resolved"]
    active_days = [
        local_day(t[COL["created_at"]]) for t in year.tickets if t[COL["status"]] in ("new", "open", "pending")
    ]
    assert min(active_days) > last_day - dt.timedelta(days=60), "only recent tickets are still open"


def test_threads_have_one_to_four_messages_and_few_events(year):
    per_ticket = Counter(m[0] for m in year.messages)
    assert set(per_ticket.values()) <= {1, 2, 3, 4}
    assert len(per_ticket) == len(year.tickets)
    created = {t[0]: t[COL["created_at"]] for t in year.tickets}
    kinds = Counter(m[1] for m in year.messages)
    assert kinds["customer"] >= len(year.tickets) and kinds["reply"] and kinds["note"]
    for ticket_id, _kind, _author, body, _mid, at, _mailed in year.messages:
        assert at >= created[ticket_id] and body
    events = Counter(e[1] for e in year.events)
    assert events["created"] == len(year.tickets)
    assert set(events) <= {"created", "assigned", "status", "reopened"}
    assert len(year.events) < 5 * len(year.tickets)
    for e in year.events:
        json.loads(e[4])
    tickets = {t[0]: t for t in year.tickets}
    last_status = {}
    for e in sorted((e for e in year.events if e[1] == "status"), key=lambda e: (e[0], e[3])):
        last_status[e[0]] = json.loads(e[4])["after"]
    for ticket_id, after in last_status.items():
        assert after == tickets[ticket_id][COL["status"]]


def test_assignees_fit_the_ticket_and_own_complaints(year):
    agents = {a.id: a for a in centre().agents}
    skills = {code: skill for code, (_id, skill) in centre().categories.items()}
    category_codes = {cid: code for code, (cid, _s) in centre().categories.items()}
    for t in year.tickets:
        assignee = t[COL["assignee"]]
        if assignee is None:
            continue
        agent = agents[assignee]
        assert f"language:{t[COL['language']]}" in agent.skills
        assert f"category:{skills[category_codes[t[COL['category']]]]}" in agent.skills
        assert t[COL["team"]] == agent.team_id
        if t[COL["status"]] in ("open", "pending"):
            assert agent.working, "only agents at work hold open tickets"
        assert t[COL["owner"]] == (assignee if t[COL["type"]] == "complaint" else None)
        if t[COL["channel"]] in demo.AGENT_LOGGED:
            assert t[COL["created_by"]] == assignee


def test_progress_of_tickets_still_being_worked_on(year):
    tickets = {t[0]: t for t in year.tickets}
    steps = centre().steps
    by_ticket = defaultdict(list)
    for row in year.progress:
        by_ticket[row[0]].append(row)
    for ticket_id, t in tickets.items():
        rows = by_ticket.get(ticket_id, [])
        if t[COL["status"]] == "closed":
            assert not rows
            continue
        open_rows = [r for r in rows if r[3] is None]
        assert len(open_rows) == 1 and open_rows[0][1] == t[COL["current_step"]]
        if t[COL["status"]] == "resolved":
            before = [s.id for s in steps[t[COL["type"]]] if s.before_resolution]
            assert {r[1] for r in rows if r[3]} == set(before)
    ticked = {(c[0], c[1]) for c in year.checks}
    for ticket_id, step_id, _started, completed, by in year.progress:
        if completed:
            step = next(s for s in steps[tickets[ticket_id][COL["type"]]] if s.id == step_id)
            assert by == tickets[ticket_id][COL["assignee"]]
            assert all((ticket_id, p) in ticked for p in step.control_points)


# --- in the database -----------------------------------------------------------------------------


@pytest.fixture
def loaded(db):
    from sqm.org import demo as org_demo

    assert demo.WINDOW_START + dt.timedelta(days=demo.WINDOW_DAYS) == org_demo.DEMO_TODAY
    rng = random.Random(5)
    shared: dict = {}
    org_demo.load(rng=rng, shared=shared)
    shared["tickets"] = 2500
    summary = demo.load(rng=rng, shared=shared)
    return shared, summary


def test_load_writes_tickets_threads_and_an_honest_audit_chain(loaded):
    from sqm.audit.models import AuditEntry
    from sqm.audit.services import chain_verify
    from sqm.tickets.models import Category, Ticket, TicketEvent, TicketMessage

    _shared, summary = loaded
    assert "2,500 tickets" in summary
    assert Ticket.objects.count() == 2500
    assert TicketMessage.objects.count() >= 2500 and TicketEvent.objects.count() >= 5000
    children = Category.objects.filter(code="billing.dispute").select_related("parent", "skill").get()
    assert children.parent.code == "billing" and children.skill.code == "billing"
    chunks = list(AuditEntry.objects.filter(action="import", object_type="tickets.ticket").order_by("seq"))
    assert sum(e.changes["tickets"] for e in chunks) == 2500
    ids = list(Ticket.objects.order_by("pk").values_list("pk", flat=True))
    first = chunks[0].changes
    assert first["ids_sha256"] == demo.ids_digest(ids[: first["tickets"]])
    assert chain_verify().ok
    ticket = Ticket.objects.select_related("customer", "assignee").filter(status="closed").first()
    assert ticket.created_at.tzinfo is not None and ticket.closed_at > ticket.created_at
    assert ticket.customer.role == "customer" and ticket.assignee.role == "agent"


def test_loads_match_open_tickets_and_new_tickets_continue_numbering(loaded):
    from django.db.models import Count

    from sqm.tickets import selectors
    from sqm.tickets.models import ACTIVE_STATUSES, AgentAvailability, Ticket
    from sqm.tickets.services import ticket_create

    active = dict(
        Ticket.objects.filter(status__in=ACTIVE_STATUSES, assignee__isnull=False)
        .values_list("assignee")
        .annotate(n=Count("pk"))
        .values_list("assignee", "n")
    )
    for row in AgentAvailability.objects.all():
        assert row.load == active.get(row.user_id, 0)
    assert AgentAvailability.objects.filter(on_shift=True).exists()
    page = selectors.queue(selectors.QueueFilters(), sort="priority")
    assert page.items and all(t.status in ACTIVE_STATUSES for t in page.items)
    customer = Ticket.objects.order_by("pk").first().customer
    ticket, created = ticket_create(
        actor=customer, customer=customer, type="consultation", subject="新工单", channel="web"
    )
    assert created and ticket.pk > 2500 and ticket.number == f"T{ticket.pk:08d}"


def test_demo_search_rows_match_what_the_triggers_write(loaded):
    from django.db import connection

    from sqm.tickets import selectors
    from sqm.tickets.models import Ticket

    if not selectors._search_ready():
        pytest.skip("no search index in this database")
    for word in ("宽带", "退订", "携号转网", "roaming", "Invoice"):
        indexed = set(selectors._search_ids(selectors.search_grams(word), 10**6))
        assert indexed == set(Ticket.objects.filter(subject__icontains=word).values_list("pk", flat=True)), word
    ticket = Ticket.objects.filter(subject__contains="宽带").order_by("pk").first()
    Ticket.objects.filter(pk=ticket.pk).update(
        subject="改过的主题：光纤入户"
    )  # the update trigger deletes the old grams
    assert ticket.pk not in selectors._search_ids(selectors.search_grams(ticket.subject), 10**6)
    assert selectors._search_ids(selectors.search_grams("光纤入户"), 10) == [ticket.pk]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO tickets_ticket_search(tickets_ticket_search) VALUES ('integrity-check')")


# --- text search ----------------------------------------------------------------------------------

SUBJECTS = (
    "宽带无法上网",
    "家里宽带断网",
    "带宽不足",
    "Roaming in Japan",
    "roaming charges",
    "发票开错了",
    "Wi-Fi 很慢",
)


@pytest.fixture(params=["by id", "ordered scan", "no index"])
def search_mode(request, monkeypatch, db):
    from sqm.tickets import selectors

    if request.param == "ordered scan":
        monkeypatch.setattr(selectors, "SEARCH_FEW", 0)
    elif request.param == "no index":
        monkeypatch.setattr(selectors, "_search_ready", lambda: False)
    return request.param


def found(text: str) -> set[str]:
    from sqm.tickets import selectors
    from sqm.tickets.models import Status

    page = selectors.queue(selectors.QueueFilters(text=text, status=list(Status.values)))
    return {t.subject for t in page.items}


def test_text_search_finds_exactly_the_subjects_holding_the_words(search_mode):
    from sqm.tickets.models import Ticket
    from sqm.tickets.tests.factories import TicketFactory

    tickets = {subject: TicketFactory(subject=subject) for subject in SUBJECTS}
    assert found("宽带") == {"宽带无法上网", "家里宽带断网"}
    assert found("带宽") == {"带宽不足"}
    assert found("宽带断网") == {"家里宽带断网"}
    assert found("ROAM") == {"Roaming in Japan", "roaming charges"}
    assert found("wi-fi") == {"Wi-Fi 很慢"}
    assert found("带") == {"宽带无法上网", "家里宽带断网", "带宽不足"}, "one character: scanned"
    assert found("无此") == set() and found("上网了") == set()
    assert found(tickets["发票开错了"].number) == {"发票开错了"}
    Ticket.objects.filter(pk=tickets["带宽不足"].pk).update(subject="光纤入户")
    assert found("带宽") == set() and found("光纤入户") == {"光纤入户"}
    Ticket.objects.filter(pk=tickets["家里宽带断网"].pk).delete()
    assert found("宽带") == {"宽带无法上网"}


def test_search_grams():
    from sqm.tickets.selectors import search_grams

    assert search_grams("宽带断网") == "宽带 带断 断网"
    assert search_grams("宽带", 4) == "宽带 带  "


# --- SLA clocks of the demo tickets ----------------------------------------------------------------


@pytest.fixture(scope="module")
def small_demo(django_db_setup, django_db_blocker):
    """``sqm demo --size small``'s tickets (5,000) with their SLA clocks, loaded once for the module
    inside a transaction that is rolled back at the end."""
    from django.db import transaction

    from sqm.org import demo as org_demo
    from sqm.tickets.sla.defaults import install_sla_defaults

    with django_db_blocker.unblock(), transaction.atomic():
        install_sla_defaults()
        rng = random.Random(2026)
        shared: dict = {"size": "small"}
        org_demo.load(rng=rng, shared=shared)
        summary = demo.load(rng=rng, shared=shared)
        yield summary
        transaction.set_rollback(True)


def _local(moment: dt.datetime) -> dt.datetime:
    from django.utils import timezone

    return timezone.localtime(moment)


def _compliance(events) -> float:
    met = [e.on_time for e in events]
    return sum(met) / len(met)


def test_every_demo_ticket_has_a_clock_and_compliance_is_believable(small_demo, db):
    from sqm.tickets.models import SlaEvent, Ticket, TicketClock

    assert "5,000 SLA clocks" in small_demo
    assert TicketClock.objects.count() == Ticket.objects.count() == 5000
    kinds = Counter(SlaEvent.objects.values_list("kind", flat=True))
    assert kinds["started"] == 5000
    assert {"met", "warned", "breached", "escalated", "paused", "resumed"} <= set(kinds)
    met = list(SlaEvent.objects.filter(kind="met").select_related("ticket"))
    overall = _compliance(met)
    assert 0.85 <= overall <= 0.95, overall
    assert kinds["warned"] > kinds["breached"] > 0.02 * len(met), "some warned, a few breached"

    def during(first: dt.date, last: dt.date) -> float:
        return _compliance([e for e in met if first <= _local(e.ticket.created_at).date() <= last])

    spring = during(dt.date(2026, 2, 14), dt.date(2026, 3, 1))  # the holiday and the backlog after it
    national = during(dt.date(2026, 9, 30), dt.date(2026, 10, 11))
    ordinary = during(dt.date(2026, 3, 9), dt.date(2026, 3, 29))
    assert spring < overall - 0.03 and national < overall - 0.03, (spring, national, overall)
    assert ordinary > overall - 0.02


def test_no_due_time_falls_in_closed_time_and_matches_the_calendar(small_demo, db):
    from sqm.tickets.models import TicketClock
    from sqm.tickets.sla.calendars import business_calendar

    second = dt.timedelta(seconds=1)
    checked = 0
    for clock in TicketClock.objects.select_related("calendar").order_by("pk"):
        calendar = business_calendar(clock.calendar)
        for name in ("warn_response_at", "due_response_at", "warn_resolution_at", "due_resolution_at"):
            due = getattr(clock, name)
            assert calendar.elapsed(due - second, due) == second, (clock.ticket_id, name, due)
        if not clock.paused_business:  # no waiting: the due times are the plain calendar sums
            start = clock.started_at
            assert clock.due_response_at == calendar.add(start, dt.timedelta(minutes=clock.response_minutes))
            assert clock.due_resolution_at == calendar.add(start, dt.timedelta(minutes=clock.resolution_minutes))
            checked += 1
    assert checked > 4000


def test_met_events_agree_with_the_ticket_rows(small_demo, db):
    from sqm.tickets.models import SlaEvent, Ticket, TicketClock

    clocks = {c.ticket_id: c for c in TicketClock.objects.all()}
    events = defaultdict(list)
    for e in SlaEvent.objects.order_by("at", "pk"):
        events[e.ticket_id].append(e)
    for ticket in Ticket.objects.all():
        clock, mine = clocks[ticket.pk], events[ticket.pk]
        assert (ticket.due_response_at, ticket.due_resolution_at) == (clock.due_response_at, clock.due_resolution_at)
        response = [e for e in mine if e.kind == "met" and e.target == "response"]
        resolution = [e for e in mine if e.kind == "met" and e.target == "resolution"]
        if ticket.first_response_at is None:
            assert not response and clock.response_met_at is None
        else:
            assert [e.at for e in response] == [ticket.first_response_at] == [clock.response_met_at]
        if ticket.status in ("resolved", "closed"):
            assert resolution[-1].at == ticket.resolved_at == clock.resolution_met_at
            assert len(resolution) == 1 + ticket.reopen_count
            assert clock.pause_reason == "resolved" and clock.next_check_at is None
        else:
            assert not resolution
        for e in response + resolution:
            due = dt.datetime.fromisoformat(e.data["due"])
            assert e.on_time == (e.at < due), "met by its due time (a breach fires at the due moment)"
            breached = [b for b in mine if b.kind == "breached" and b.target == e.target and b.at <= e.at]
            assert bool(breached) == (not e.on_time), ticket.pk
        for e in mine:
            assert (e.ticket_type, e.priority, e.policy_id) == (ticket.type, ticket.priority, clock.policy_id)
            if e.kind == "met":
                assert (e.team_id, e.agent_id) == (ticket.team_id, ticket.assignee_id)
        assert mine[0].kind == "started" and mine[0].at == ticket.created_at


def test_a_ticket_just_before_national_day_is_due_after_the_holiday(small_demo, db):
    from sqm.tickets.models import Ticket
    from sqm.tickets.sla.calendars import business_calendar

    holiday_over = dt.datetime(2026, 10, 8, 9, 0, tzinfo=ZONE)
    eve = [
        t
        for t in Ticket.objects.select_related("sla_clock__calendar").filter(
            created_at__gte=dt.datetime(2026, 9, 30, tzinfo=ZONE), created_at__lt=dt.datetime(2026, 10, 1, tzinfo=ZONE)
        )
    ]
    assert eve
    for ticket in eve:
        assert ticket.due_resolution_at > holiday_over, ticket.pk  # every target is longer than what is left
        calendar = business_calendar(ticket.sla_clock.calendar)
        left = calendar.elapsed(ticket.created_at, dt.datetime(2026, 9, 30, 18, 0, tzinfo=ZONE))
        if left < dt.timedelta(minutes=ticket.sla_clock.response_minutes):
            assert ticket.due_response_at > holiday_over, ticket.pk
    # The same arithmetic for a complaint arriving at 17:30 on the eve: one hour, half of it after the holiday.
    from sqm.tickets.sla.demo_clocks import Demand, clock_rows

    sla = demo.demo_sla()
    created = int((dt.datetime(2026, 9, 30, 17, 30, tzinfo=ZONE) - ORIGIN).total_seconds())
    clock = demo.Clock("")
    demand = Demand(1, "complaint", "normal", "standard", dt.date(2026, 9, 30), None, None, 10**9, created)
    _row, _events, (due_response, _due_resolution) = clock_rows(sla, demand, clock, clock.iso)
    assert due_response == "2026-10-08 01:30:00"  # 09:30 in Shanghai


def test_open_tickets_have_live_clocks_the_sweep_picks_up(small_demo, db):
    from sqm.tickets.models import SlaEvent, Ticket, TicketClock
    from sqm.tickets.sla.sweep import sweep

    now = ORIGIN + dt.timedelta(seconds=demo.END)
    active = list(Ticket.objects.filter(status__in=("new", "open", "pending")).select_related("sla_clock"))
    assert active
    for ticket in active:
        clock = ticket.sla_clock
        if ticket.status == "pending":
            assert clock.paused_since is not None and clock.pause_reason == "waiting_customer"
            assert clock.next_check_at is None
        else:
            assert clock.paused_since is None
            if clock.next_check_at is None:  # nothing left to fire: every open target escalated
                assert clock.resolution_escalated and (clock.response_met_at or clock.response_escalated)
            else:
                assert clock.next_check_at > now, "alarms already due were fired by the demo"
    live = set(TicketClock.objects.filter(next_check_at__isnull=False).values_list("ticket_id", flat=True))
    assert live == {t.pk for t in active if t.sla_clock.next_check_at}, "only open tickets have alarms to come"
    waiting = len(live)
    before = SlaEvent.objects.count()
    result = sweep(now=now + dt.timedelta(days=30))
    assert result.clocks == waiting and SlaEvent.objects.count() > before
    assert not TicketClock.objects.filter(next_check_at__lte=now + dt.timedelta(days=30)).exists()
    assert any(t.status != "pending" and t.sla_clock.next_check_at for t in active)


def test_demo_customers_have_tiers_and_vips_run_under_the_vip_policies(small_demo, db):
    from sqm.org.models import User
    from sqm.tickets.models import TicketClock

    tiers = Counter(User.objects.filter(role="customer").values_list("customer_tier", flat=True))
    assert tiers["vip"] > 10 and tiers["key_account"] > 0 and tiers["standard"] > 150
    vip_clocks = TicketClock.objects.filter(ticket__customer__customer_tier="vip")
    codes = Counter(vip_clocks.values_list("policy__code", flat=True))
    assert codes["vip-service"] > 0 and codes["vip-complaint"] > 0
    assert (
        not TicketClock.objects.exclude(ticket__customer__customer_tier="vip")
        .filter(policy__code__startswith="vip")
        .exists()
    )
