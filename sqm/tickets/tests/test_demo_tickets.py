"""The demo's tickets: a believable year (rhythm, languages, threads, statuses), the same for the
same seed, written in bulk with one audit entry per chunk and agent loads that match."""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
from collections import Counter, defaultdict

import pytest

from sqm.tickets import demo


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
