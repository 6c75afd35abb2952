"""Demo surveys, return visits and mystery-shopper visits, written through the services.

Run by :mod:`sqm.feedback.demo` after the ratings (``sqm demo``). On the demo's calendar (its
"now" is the end of the tickets demo, 2026-11-01):

* the CSAT, NPS and SERVQUAL templates are installed by the quality manager;
* a SERVQUAL wave, opened in early August, is sent to a random sample of up to 400 customers with
  tickets closed in May–July (the demo centre has 200 customers, so most of them); about 35 %
  answer within a week. Perceptions sit a little below expectations, worst on responsiveness
  (waiting on the hotline) and best on assurance; importance points favour reliability;
* a monthly CSAT + NPS pulse (the CSAT template with the NPS question added) for July to
  October, each sent to 60 customers of that month's closed tickets; the earlier ones are closed;
* return visits for the complaints closed in the demo's last week, scheduled by the real
  scheduler; the calls already due are recorded (most satisfied, some not reached and called
  again), and a handful of "problem persists" reopen their complaint through the ticket workflow
  (only complaints nobody rated, so the rating demo's closed tickets stay closed);
* 24 mystery-shopper visits over the last three months by the demo's mystery shoppers (two are
  created through the org services if there are none), a third with a small photo as evidence,
  most reviewed by the quality manager.

Every write goes through the services (with ``now=`` set to the demo's time), so the audit chain
holds every step. Deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import random
import struct
import zlib
from typing import Any

from sqm.core.errors import DomainError
from sqm.feedback.surveys.builtin import SERVQUAL_ITEMS

SERVQUAL_SAMPLE = 400
SERVQUAL_ANSWER = 0.35
PULSE_MONTHS = ((2026, 7), (2026, 8), (2026, 9), (2026, 10))
PULSE_SAMPLE = 60
PULSE_ANSWER = 0.40
RETURN_VISIT_DAYS = 7  # complaints closed in the demo's last week get a return visit
REOPENED = 5  # "problem persists"
MYSTERY_VISITS = 24
# mean perception per dimension (7-point scale); expectations sit near 6.2
PERCEPTION = {"tangibles": 5.7, "reliability": 5.3, "responsiveness": 4.7, "assurance": 5.7, "empathy": 5.2}
IMPORTANCE = {"tangibles": 11, "reliability": 31, "responsiveness": 24, "assurance": 18, "empathy": 16}
SERVQUAL_COMMENTS = {
    "zh": [
        "热线高峰期等待时间太长，希望增加人手。",
        "客服人员态度很好，就是处理进度不太透明。",
        "上门维修很准时，点赞。",
        "希望营业厅周末也能延长营业时间。",
        "App 上的账单说明看不太懂。",
    ],
    "en": [
        "The hotline wait at peak times is too long.",
        "Friendly staff, but I was never told how long things would take.",
        "The engineer came exactly on time.",
    ],
}
PULSE_COMMENTS = {
    "zh": ["处理很快，谢谢！", "问题反复出现，希望彻底解决。", "电话总是占线。", "客服解释得很清楚。"],
    "en": ["Quick and helpful, thanks.", "Had to call twice before it was fixed."],
}
VISIT_NOTES = {
    "satisfied": ["客户表示问题已解决，对处理结果满意。", "客户满意，感谢回访。"],
    "reached": ["客户表示基本解决，但对处理时长有意见。", "客户接听，无新的诉求。"],
    "not_reached": ["无人接听。", "客户正忙，约定稍后再联系。", "电话关机。"],
    "persists": [
        "客户反映宽带仍然频繁掉线，问题未解决。",
        "客户称账单差错未更正，本月仍被多扣费。",
        "客户表示维修后故障再次出现。",
    ],
}
SCENARIOS = {
    "walk_in": ["到营业厅办理宽带移机", "咨询5G套餐资费并办理变更", "办理实名认证补登记", "投诉上月话费异常并要求退费"],
    "phone": ["拨打热线查询上月话费异常", "报修家中宽带断网", "咨询国际漫游开通流程", "投诉装维人员迟到"],
    "chat": ["在线咨询流量包叠加规则", "在线办理套餐降档"],
    "web": ["通过网页提交发票申请", "网上营业厅修改账户联系人"],
}
LOW_COMMENTS = {
    "attitude": "接待人员全程未使用礼貌用语，回答不耐烦。",
    "professionalism": "对套餐规则解释错误，需二次确认。",
    "timeliness": "排队等待超过25分钟，无人引导。",
    "environment": "大厅叫号屏故障，座位不足。",
    "sop": "未核验身份即办理业务，结束时未确认客户问题是否解决。",
}
HIGH_COMMENTS = {
    "attitude": "主动问候，耐心倾听。",
    "professionalism": "一次讲清资费差异，并给出更划算的建议。",
    "timeliness": "3分钟内接通并受理。",
    "environment": "环境整洁，指引清晰。",
    "sop": "严格执行身份核验与结束语规范。",
}


def _tiny_png(rng: random.Random, width: int = 48, height: int = 32) -> bytes:
    """A small valid PNG (a coloured card with a stripe) as stand-in evidence."""
    r, g, b = (rng.randrange(80, 230) for _ in range(3))
    rows = b""
    for y in range(height):
        line = bytes((0,))
        for x in range(width):
            stripe = height // 3 <= y < height // 3 + 4 or x < 4
            line += bytes((40, 40, 40) if stripe else (r, g, b))
        rows += line

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _clip(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _points(rng: random.Random) -> dict[str, int]:
    """Importance points around IMPORTANCE, whole numbers adding up to 100 (largest remainder)."""
    raw = {dim: max(1.0, base * rng.uniform(0.6, 1.5)) for dim, base in IMPORTANCE.items()}
    total = sum(raw.values())
    exact = {dim: value * 100 / total for dim, value in raw.items()}
    points = {dim: int(value) for dim, value in exact.items()}
    for dim in sorted(exact, key=lambda d: exact[d] - points[d], reverse=True)[: 100 - sum(points.values())]:
        points[dim] += 1
    return points


def load(*, rng: random.Random, shared: dict[str, Any]) -> str:
    """Templates, a SERVQUAL wave, monthly pulses, return visits and mystery visits; a summary."""
    from sqm.core.roles import Role
    from sqm.feedback.models import Rating
    from sqm.feedback.surveys import selectors, services
    from sqm.feedback.surveys.models import Survey, VisitOutcome
    from sqm.org.models import User
    from sqm.tickets.demo import END, WINDOW_START

    ours = random.Random(rng.getrandbits(64))
    org = shared["org"]
    manager = User.objects.filter(role=Role.QUALITY_MANAGER, is_active=True).order_by("pk").first()
    if manager is None:
        return ""
    tz = dt.timezone(dt.timedelta(hours=8))
    now = dt.datetime.combine(WINDOW_START, dt.time(), tzinfo=tz) + dt.timedelta(seconds=END)
    first_day = now - dt.timedelta(days=200)
    templates = {t.template_code: t for t in services.survey_templates_install(actor=manager, now=first_day)}

    # --- SERVQUAL wave ---
    opened = dt.datetime(2026, 8, 4, 10, 0, tzinfo=tz)
    servqual = services.survey_copy(actor=manager, survey=templates["servqual"], now=opened - dt.timedelta(days=3))
    servqual_title = {
        "title_zh": "2026年第三季度服务质量调查（SERVQUAL）",
        "title_en": "Service quality survey Q3 2026",
    }
    services.survey_update(
        actor=manager,
        survey=servqual,
        intro_zh=servqual.intro_zh,
        intro_en=servqual.intro_en,
        now=opened - dt.timedelta(days=3),
        **servqual_title,
    )
    services.survey_open(actor=manager, survey=servqual, now=opened)
    wave = _distribute(
        services, manager, servqual, dt.date(2026, 5, 1), dt.date(2026, 7, 31), SERVQUAL_SAMPLE, ours, opened
    )
    answered = _answer_servqual(services, servqual, ours, opened)

    # --- monthly CSAT + NPS pulses ---
    pulses = []
    for year, month in PULSE_MONTHS:
        start = dt.date(year, month, 1)
        end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        sent = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(9, 30), tzinfo=tz)
        if sent >= now:
            sent = now - dt.timedelta(days=6)
        survey = services.survey_copy(actor=manager, survey=templates["csat"], now=sent - dt.timedelta(days=1))
        services.survey_update(
            actor=manager,
            survey=survey,
            title_zh=f"月度满意度脉冲（{year}年{month}月）",
            title_en=f"Monthly satisfaction pulse ({year}-{month:02d})",
            intro_zh=survey.intro_zh,
            intro_en=survey.intro_en,
            now=sent - dt.timedelta(days=1),
        )
        nps = templates["nps"].questions.order_by("position").first()
        assert nps is not None
        services.question_add(
            actor=manager, survey=survey, kind="nps", text_zh=nps.text_zh, text_en=nps.text_en, code="NPS",
            now=sent - dt.timedelta(days=1),
        )  # fmt: skip
        services.survey_open(actor=manager, survey=survey, now=sent)
        period_end = min(end, (sent - dt.timedelta(days=1)).date())
        _distribute(services, manager, survey, start, period_end, PULSE_SAMPLE, ours, sent)
        n = _answer_pulse(services, survey, ours, sent, now)
        if sent + dt.timedelta(days=16) < now:
            services.survey_close(actor=manager, survey=survey, now=sent + dt.timedelta(days=16))
        pulses.append(n)

    # --- return visits ---
    visits = services.return_visits_schedule(now=now, since=now - dt.timedelta(days=RETURN_VISIT_DAYS))
    rated = set(Rating.objects.filter(ticket_id__in=[v.ticket_id for v in visits]).values_list("ticket_id", flat=True))
    agents = User.objects.in_bulk({v.agent_id for v in visits if v.agent_id})
    reopened = 0
    for visit in visits:
        agent = agents.get(visit.agent_id or 0)
        due = dt.datetime.combine(visit.due_on, dt.time(10, 0), tzinfo=tz) + dt.timedelta(
            minutes=ours.randrange(0, 420)
        )
        if agent is None or due >= now:
            continue
        for _call in range(1 + services.RETURN_VISIT_RETRIES):
            roll = ours.random()
            if reopened < REOPENED and visit.ticket_id not in rated and roll < 0.06:
                outcome = VisitOutcome.PERSISTS
            elif roll < 0.62:
                outcome = VisitOutcome.SATISFIED
            elif roll < 0.78:
                outcome = VisitOutcome.REACHED
            else:
                outcome = VisitOutcome.NOT_REACHED
            notes = ours.choice(VISIT_NOTES[outcome])
            visit = services.return_visit_record(actor=agent, visit=visit, outcome=outcome, notes=notes, now=due)
            reopened += visit.reopened
            if visit.status != "pending":
                break
            due = dt.datetime.combine(visit.due_on, dt.time(15, 0), tzinfo=tz)
            if due >= now:
                break

    # --- mystery shoppers ---
    shoppers = list(User.objects.filter(role=Role.MYSTERY_SHOPPER, is_active=True).order_by("pk"))
    if not shoppers:
        from sqm.org import services as org_services

        shoppers = [
            org_services.user_create(
                actor=org.admin, username=f"shopper{n}", display_name=name, role=Role.MYSTERY_SHOPPER
            )
            for n, name in ((1, "体验官 林晓"), (2, "体验官 高远"))
        ]
    mystery = _mystery_visits(services, shoppers, manager, ours, now)

    results = selectors.survey_results(Survey.objects.get(pk=servqual.pk))
    gap = results.servqual.overall_gap if results.servqual else None
    weighted = results.servqual.weighted if results.servqual else None
    return (
        f"3 survey templates; SERVQUAL wave {wave} invited, {answered} answered (gap {gap}, weighted {weighted}); "
        f"{len(pulses)} monthly CSAT/NPS pulses ({sum(pulses)} answers); {len(visits)} return visits "
        f"({reopened} reopened); {mystery} mystery-shopper visits"
    )


def _distribute(
    services: Any,
    manager: Any,
    survey: Any,
    start: dt.date,
    end: dt.date,
    size: int,
    rng: random.Random,
    sent: dt.datetime,
) -> int:
    try:
        distribution = services.survey_distribute(
            actor=manager, survey=survey, closed_from=start, closed_to=end, sample_size=size,
            seed=rng.getrandbits(32), send=False, now=sent,
        )  # fmt: skip
    except DomainError:
        return 0  # nobody to invite (a tiny demo)
    return int(distribution.invited)


def _answer_time(rng: random.Random, sent: dt.datetime, now: dt.datetime) -> dt.datetime | None:
    moment = sent + dt.timedelta(hours=rng.expovariate(1 / 30))
    return moment if moment < min(now, sent + dt.timedelta(days=13)) else None


def _answer_servqual(services: Any, survey: Any, rng: random.Random, sent: dt.datetime) -> int:
    from sqm.feedback.surveys.models import Invitation, QuestionKind

    questions = list(survey.questions.order_by("position"))
    answered = 0
    for invitation in Invitation.objects.filter(survey=survey).order_by("pk"):
        if rng.random() >= SERVQUAL_ANSWER:
            continue
        moment = _answer_time(rng, sent, sent + dt.timedelta(days=14))
        if moment is None:
            continue
        mood = rng.gauss(0, 0.55)
        strict = rng.gauss(0, 0.35)
        lang = "en" if invitation.language == "en" else "zh"
        answers: dict[int, Any] = {}
        for q in questions:
            if q.kind == QuestionKind.GAP:
                expectation = _clip(6.2 + strict + rng.gauss(0, 0.55), 3, 7)
                perception = _clip(PERCEPTION[q.dimension] + mood + rng.gauss(0, 0.75), 1, 7)
                answers[q.pk] = services.AnswerIn(expectation=expectation, perception=perception)
            elif q.kind == QuestionKind.WEIGHTS:
                answers[q.pk] = services.AnswerIn(points=_points(rng))
            elif q.kind == QuestionKind.TEXT and rng.random() < 0.3:
                answers[q.pk] = services.AnswerIn(text=rng.choice(SERVQUAL_COMMENTS[lang]))
        services.response_submit(token=services.invitation_token(invitation), answers=answers, now=moment)
        answered += 1
    assert len(SERVQUAL_ITEMS) == 22
    return answered


def _answer_pulse(services: Any, survey: Any, rng: random.Random, sent: dt.datetime, now: dt.datetime) -> int:
    from sqm.feedback.surveys.models import Invitation, QuestionKind

    questions = list(survey.questions.order_by("position"))
    answered = 0
    for invitation in Invitation.objects.filter(survey=survey).order_by("pk"):
        if rng.random() >= PULSE_ANSWER:
            continue
        moment = _answer_time(rng, sent, now)
        if moment is None:
            continue
        lang = "en" if invitation.language == "en" else "zh"
        overall = rng.choices((1, 2, 3, 4, 5), weights=(4, 6, 13, 35, 42))[0]
        answers: dict[int, Any] = {}
        ratings = [q for q in questions if q.kind == QuestionKind.RATING]
        for n, q in enumerate(ratings):
            value = overall if n == 0 else _clip(overall + rng.gauss(-0.3, 0.8), 1, 5)
            answers[q.pk] = services.AnswerIn(value=value)
        for q in questions:
            if q.kind == QuestionKind.SINGLE:
                code = "yes" if overall >= 4 else ("partly" if overall == 3 else rng.choice(("partly", "no")))
                answers[q.pk] = services.AnswerIn(choices=[code])
            elif q.kind == QuestionKind.NPS:
                low, high = {1: (0, 4), 2: (1, 5), 3: (4, 7), 4: (7, 9), 5: (8, 10)}[overall]
                answers[q.pk] = services.AnswerIn(value=rng.randint(low, high))
            elif q.kind == QuestionKind.TEXT and rng.random() < 0.25:
                answers[q.pk] = services.AnswerIn(text=rng.choice(PULSE_COMMENTS[lang]))
        services.response_submit(token=services.invitation_token(invitation), answers=answers, now=moment)
        answered += 1
    return answered


def _mystery_visits(services: Any, shoppers: list[Any], manager: Any, rng: random.Random, now: dt.datetime) -> int:
    from sqm.core.roles import Role
    from sqm.feedback.surveys.models import SCORE_FIELDS
    from sqm.org.models import Team, User
    from sqm.tickets.services.attachments import IncomingFile

    teams = list(Team.objects.filter(is_active=True).order_by("code"))
    agents = list(User.objects.filter(role=Role.AGENT, is_active=True, team__isnull=False).order_by("pk"))
    channels = ("walk_in", "walk_in", "phone", "phone", "phone", "chat", "web")
    made = 0
    for n in range(MYSTERY_VISITS):
        channel = rng.choice(channels)
        day = now - dt.timedelta(days=rng.randrange(2, 92))
        visited = day.replace(hour=rng.randrange(9, 18), minute=rng.randrange(0, 60), second=0, microsecond=0)
        team = rng.choice(teams) if teams else None
        staff = [a for a in agents if team is not None and a.team_id == team.pk]
        agent = rng.choice(staff) if staff and channel in ("walk_in", "phone") and rng.random() < 0.6 else None
        quality = rng.gauss(0, 0.7)
        scores = {
            "attitude": _clip(4.4 + quality + rng.gauss(0, 0.5), 1, 5),
            "professionalism": _clip(4.0 + quality + rng.gauss(0, 0.6), 1, 5),
            "timeliness": _clip(3.6 + quality + rng.gauss(0, 0.7), 1, 5),
            "environment": _clip(4.3 + rng.gauss(0, 0.6), 1, 5),
            "sop": _clip(3.9 + quality + rng.gauss(0, 0.6), 1, 5),
        }
        comments = {
            name: LOW_COMMENTS[name] if scores[name] <= 2 else (HIGH_COMMENTS[name] if rng.random() < 0.3 else "")
            for name in SCORE_FIELDS
        }
        place = {
            "walk_in": f"{team.name if team else ''}营业厅",
            "phone": "客服热线",
            "chat": "在线客服",
            "web": "网上营业厅",
        }[channel]
        files = [IncomingFile(name=f"现场照片{n + 1}.png", content=_tiny_png(rng))] if rng.random() < 0.35 else []
        visit = services.mystery_visit_create(
            actor=shoppers[n % len(shoppers)], channel=channel, visited_at=visited, scenario=rng.choice(SCENARIOS[channel]),
            scores=scores, comments=comments, team=team, place=place, agent=agent, files=files,
            now=visited + dt.timedelta(hours=rng.randrange(1, 30)),
        )  # fmt: skip
        if visited < now - dt.timedelta(days=7) and rng.random() < 0.9:
            rejected = rng.random() < 0.1
            services.mystery_visit_review(
                actor=manager, visit=visit, verdict="rejected" if rejected else "accepted",
                note="录音证据不完整，无法核实。" if rejected else "", now=visited + dt.timedelta(days=3),
            )  # fmt: skip
        made += 1
    return made
