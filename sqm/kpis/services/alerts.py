"""Writes of tiered alerts (分级预警), alert rules, the contingency-plan library and the automatic
review proposals of standards (DESIGN.md §2.4, §2.1).

**Evaluation** (:func:`alerts_evaluate`, every 5 minutes): each active rule reads rollups (or, for
group complaints, the complaints of its window) and hands the numbers to the pure judgements in
:mod:`sqm.kpis.alerting`; each *finding* names a condition (``condition_key``) and a level.

* A condition with an alert that is not closed never gets a second one: if the new level is
  worse, the open alert's level goes up (event ``level_raised``, notified once per level); a
  partial unique constraint on ``condition_key`` (non-closed alerts) backs this up when two
  evaluators run at once — the loser's insert fails, it rolls back its savepoint (notifications
  included) and treats the winner's alert as the open one.
* A condition judged per period (thresholds, complaint growth, surges, p-chart) raises again only
  for a later period than the last closed alert covered; group complaints count only complaints
  after the last closed alert of their group. So closing an alert does not bring it straight back.
* Red alerts link the active contingency plan of their rule's scenario; surges and group
  complaints name a task force (the leads of the teams involved and the quality managers).

**Lifecycle**: open → acknowledged (the acknowledger owns it) → plan submitted → verified →
closed; a failed verification goes back to acknowledged with a new due date. The plan is due
``rule.plan_due_days`` after the alert was raised; an overdue plan escalates one level up per
interval (:func:`alerts_escalate_overdue`, hourly): the scope team's lead, then the quality
managers, then the administrators — each step notified, ``escalation_level`` counting them.
Whoever wrote the plan may not verify it. Every transition writes an :class:`AlertEvent` and
an audit entry in the same transaction.

Notifications go through ``notifications_create`` (inbox + e-mail after commit), each text in
its recipient's language.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sqm.audit.services import audit_append, diff, snapshot
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Cap, can
from sqm.core.validation import check_choice, clean_text
from sqm.kpis import alert_defaults, alerting
from sqm.kpis.alerting import Finding
from sqm.kpis.models import (
    ALERT_LEVEL_RANK,
    Alert,
    AlertEvent,
    AlertLevel,
    AlertRule,
    AlertStatus,
    ContingencyDrill,
    ContingencyPlan,
    ContingencyScenario,
    Dimension,
    Grain,
    RuleKind,
)
from sqm.kpis.periods import local_day, next_period, period_start, previous_period
from sqm.kpis.selectors import alerts as sel
from sqm.kpis.selectors.rollups import rollup_breakdown, rollup_series, rollup_value
from sqm.standards.catalogue import CATALOGUE, KpiCode
from sqm.standards.selectors import indicators_in_force

log = logging.getLogger(__name__)

MIN_PLAN = 20
MAX_PLAN = 10_000
MAX_NOTE = 2_000
MAX_INCIDENT_TITLE = 200
MAX_DESCRIPTION = 5_000
PLAN_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
RULE_CODE = PLAN_CODE

ALERT_FIELDS = (
    "level",
    "status",
    "owner",
    "plan_due_at",
    "plan",
    "plan_submitted_at",
    "plan_submitted_by",
    "verified_by",
    "verified_at",
    "verification_note",
    "closed_at",
    "escalation_level",
    "contingency_plan",
)


class EventKind:
    RAISED = "raised"
    LEVEL_RAISED = "level_raised"
    ACKNOWLEDGED = "acknowledged"
    ASSIGNED = "assigned"
    PLAN_SUBMITTED = "plan_submitted"
    VERIFIED = "verified"
    REOPENED = "reopened"
    CLOSED = "closed"
    ESCALATED = "escalated"


EVENT_LABELS: dict[str, Any] = {
    EventKind.RAISED: _("Raised"),
    EventKind.LEVEL_RAISED: _("Level raised"),
    EventKind.ACKNOWLEDGED: _("Acknowledged"),
    EventKind.ASSIGNED: _("Owner assigned"),
    EventKind.PLAN_SUBMITTED: _("Rectification plan submitted"),
    EventKind.VERIFIED: _("Verified"),
    EventKind.REOPENED: _("Verification failed, reopened"),
    EventKind.CLOSED: _("Closed"),
    EventKind.ESCALATED: _("Overdue plan escalated"),
}


def _require(actor: Any, *caps: Cap) -> None:
    if not all(can(actor, cap) for cap in caps):
        raise PermissionDeniedError()


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _alert_link(alert: Alert) -> str:
    return reverse("kpis:alert_detail", args=[alert.pk])


def _snapshot(alert: Alert) -> dict[str, Any]:
    return snapshot(alert, ALERT_FIELDS)


def install_alert_defaults(now: dt.datetime | None = None) -> tuple[int, int]:
    """Add the shipped rules and contingency plans that are missing (idempotent; see alert_defaults)."""
    return alert_defaults.install(AlertRule, ContingencyPlan, now=_now(now))


# --- notifications ----------------------------------------------------------------------------------


def _notify(users: Iterable[Any], kind: str, alert: Alert, message: Callable[[], str]) -> int:
    """One notice per person, ``message()`` rendered in each recipient's language."""
    from sqm.tickets.sla.services import notifications_create

    by_language: dict[str, list[Any]] = defaultdict(list)
    for user in {u.pk: u for u in users if u is not None and u.is_active}.values():
        by_language[user.language or settings.LANGUAGE_CODE].append(user)
    link = _alert_link(alert)
    sent = 0
    for language, group in by_language.items():
        with translation.override(language):
            sent += len(notifications_create(users=group, kind=kind, text=message(), link=link))
    return sent


def _scope_leads(alert: Alert) -> list[Any]:
    """The lead of the team an alert is about: its team (team scope) or the agent's team (agent scope)."""
    if not alert.key.isdigit():
        return []
    if alert.dimension == Dimension.TEAM:
        return sel.team_leads([int(alert.key)])
    if alert.dimension == Dimension.AGENT:
        return sel.team_leads(sel.teams_of_users([int(alert.key)]))
    return []


def _audience(alert: Alert) -> list[Any]:
    """Who hears of a raised alert: the quality managers, the lead of the team it is about,
    the task force and the owner."""
    people: list[Any] = list(sel.quality_managers())
    people.extend(_scope_leads(alert))
    people.extend(alert.task_force.all())
    if alert.owner_id:
        people.append(alert.owner)
    return people


def _level_label(alert: Alert) -> str:
    return str(AlertLevel(alert.level).label)


# --- evaluation -------------------------------------------------------------------------------------


@dataclass
class EvaluationResult:
    """What one evaluation did."""

    raised: list[int] = field(default_factory=list)
    level_raised: list[int] = field(default_factory=list)
    unchanged: int = 0
    skipped: int = 0
    broken_rules: list[str] = field(default_factory=list)


def _last_complete(today: dt.date, grain: str) -> dt.date:
    return previous_period(period_start(today, grain), grain)


def _covers(rule: AlertRule, standard_id: int, indicator_code: str) -> bool:
    return rule.standard_id == standard_id and rule.indicator_code in ("", indicator_code)


def _threshold_indicators(rule: AlertRule, on: dt.date, threshold_rules: list[AlertRule]) -> list[Any]:
    """The indicators a threshold rule judges: its own standard's, or (the general rule) every
    indicator in force that no standard-specific threshold rule (active or not) has taken over."""
    specific = [r for r in threshold_rules if r.standard_id is not None]
    chosen = []
    for indicator in indicators_in_force(on):
        standard_id = indicator.version.standard_id
        if rule.standard_id is not None:
            if _covers(rule, standard_id, indicator.code):
                chosen.append(indicator)
        elif not any(_covers(r, standard_id, indicator.code) for r in specific):
            chosen.append(indicator)
    return chosen


def _findings_threshold(
    rule: AlertRule, params: Mapping[str, Any], now: dt.datetime, ctx: dict[str, Any]
) -> list[Finding]:
    grain = params["grain"]
    start = _last_complete(local_day(now), grain)
    last_day = next_period(start, grain) - dt.timedelta(days=1)
    indicators = _threshold_indicators(rule, last_day, ctx.setdefault("threshold_rules", sel.threshold_rules()))
    team_ids = sel.team_ids_by_code(i.scope_key for i in indicators if i.scope == Dimension.TEAM and i.scope_key)
    judged: list[tuple[Any, str, Any]] = []
    for indicator in indicators:
        dimension = indicator.scope
        if dimension == Dimension.CENTRE:
            values = {"": rollup_value(indicator.kpi, grain, start)}
        elif indicator.scope_key:
            key = str(team_ids.get(indicator.scope_key, "")) if dimension == Dimension.TEAM else indicator.scope_key
            values = {key: rollup_value(indicator.kpi, grain, start, dimension, key)} if key else {}
        else:
            values = rollup_breakdown(indicator.kpi, grain, start, dimension)
        for key, value in values.items():
            if dimension != Dimension.CENTRE and not key:
                continue  # work without a team (or channel/type) is judged at centre level only
            if value.value is None or value.volume < indicator.min_volume:
                continue
            judged.append((indicator, key, value))
    names = sel.team_names(key for ind, key, _v in judged if ind.scope == Dimension.TEAM)
    findings = []
    for indicator, key, value in judged:
        level = alerting.threshold_level(
            indicator.direction, indicator.yellow, indicator.orange, indicator.red, value.value
        )
        if level is None:
            continue
        standard = indicator.version.standard
        evidence = {
            "kind": RuleKind.THRESHOLD,
            "standard": standard.code,
            "standard_zh": standard.name_zh,
            "standard_en": standard.name_en,
            "version": indicator.version.number,
            "indicator": indicator.code,
            "indicator_zh": indicator.name_zh,
            "indicator_en": indicator.name_en,
            "metric": indicator.kpi,
            "unit": indicator.unit,
            "direction": indicator.direction,
            "grain": grain,
            "period": start.isoformat(),
            "dimension": indicator.scope,
            "key": key,
            "scope_name": names.get(key, key) if indicator.scope == Dimension.TEAM else key,
            "value": str(value.value),
            "num": value.num,
            "den": value.den,
            "volume": value.volume,
            "level": str(level),
            "threshold": alerting.plain(
                alerting.threshold_of(level, indicator.yellow, indicator.orange, indicator.red)
            ),
            "target": alerting.plain(indicator.target),
            "yellow": alerting.plain(indicator.yellow),
            "orange": alerting.plain(indicator.orange),
            "red": alerting.plain(indicator.red),
        }
        findings.append(
            Finding(
                condition_key=f"threshold:{standard.code}:{indicator.code}:{indicator.scope}:{key}",
                level=level,
                evidence=evidence,
                dimension=indicator.scope,
                key=key,
                period_start=start,
                standard_version_id=indicator.version_id,
                scenario=alerting.scenario_for(params, indicator.kpi),
            )
        )
    return findings


def _findings_complaint_growth(
    rule: AlertRule, params: Mapping[str, Any], now: dt.datetime, ctx: dict[str, Any]
) -> list[Finding]:
    start = _last_complete(local_day(now), Grain.WEEK)
    before = previous_period(start, Grain.WEEK)
    this_week = rollup_value(KpiCode.COMPLAINTS, Grain.WEEK, start).num
    last_week = rollup_value(KpiCode.COMPLAINTS, Grain.WEEK, before).num
    if not alerting.complaint_growth(this_week, last_week, params["growth"], params["min_count"]):
        return []
    growth = alerting.growth_of(this_week, last_week)
    evidence = {
        "kind": RuleKind.COMPLAINT_GROWTH,
        "metric": KpiCode.COMPLAINTS,
        "period": start.isoformat(),
        "previous": before.isoformat(),
        "this_week": this_week,
        "last_week": last_week,
        "growth": str(growth) if growth is not None else None,
        "threshold": str(params["growth"]),
        "min_count": params["min_count"],
    }
    return [
        Finding(
            condition_key=f"{rule.code}:centre",
            level=rule.level or AlertLevel.YELLOW,
            evidence=evidence,
            period_start=start,
            scenario=alerting.scenario_for(params, KpiCode.COMPLAINTS),
        )
    ]


def _findings_category_surge(
    rule: AlertRule, params: Mapping[str, Any], now: dt.datetime, ctx: dict[str, Any]
) -> list[Finding]:
    start = _last_complete(local_day(now), Grain.WEEK)
    current = rollup_breakdown(KpiCode.COMPLAINTS, Grain.WEEK, start, Dimension.CATEGORY)
    candidates = {key: v.num for key, v in current.items() if key and v.num >= params["min_count"]}
    if not candidates:
        return []
    history_starts = []
    cursor = start
    for _week in range(params["weeks"]):
        cursor = previous_period(cursor, Grain.WEEK)
        history_starts.append(cursor)
    history = [rollup_breakdown(KpiCode.COMPLAINTS, Grain.WEEK, s, Dimension.CATEGORY) for s in history_starts]
    categories = sel.categories_by_id(candidates)
    managers = [u.pk for u in sel.quality_managers()]
    findings = []
    for key, count in sorted(candidates.items()):
        counts = [week[key].num if key in week else 0 for week in history]
        surge, average = alerting.category_surge(count, counts, params["factor"], params["min_count"])
        if not surge:
            continue
        teams = sel.teams_behind(KpiCode.COMPLAINTS, Grain.WEEK, start, Dimension.CATEGORY, key)
        leads = [u.pk for u in sel.team_leads(teams)]
        category = categories.get(key)
        evidence = {
            "kind": RuleKind.CATEGORY_SURGE,
            "metric": KpiCode.COMPLAINTS,
            "period": start.isoformat(),
            "dimension": Dimension.CATEGORY,
            "key": key,
            "category_zh": category.name_zh if category else key,
            "category_en": category.name_en if category else key,
            "count": count,
            "history": [{"week": s.isoformat(), "count": c} for s, c in zip(history_starts, counts, strict=True)],
            "weeks": params["weeks"],
            "average": str(average),
            "factor": str(params["factor"]),
            "teams": sorted(teams),
        }
        findings.append(
            Finding(
                condition_key=f"{rule.code}:{key}",
                level=rule.level or AlertLevel.RED,
                evidence=evidence,
                dimension=Dimension.CATEGORY,
                key=key,
                period_start=start,
                scenario=alerting.scenario_for(params, KpiCode.COMPLAINTS),
                task_force_ids=sorted(set(leads) | set(managers)),
            )
        )
    return findings


def _findings_group_complaints(
    rule: AlertRule, params: Mapping[str, Any], now: dt.datetime, ctx: dict[str, Any]
) -> list[Finding]:
    since = now - dt.timedelta(hours=params["window_hours"])
    groups: dict[str, list[sel.ComplaintRow]] = defaultdict(list)
    for row in sel.complaints_between(since, now):
        group = alerting.email_group(row.email)
        if group:
            groups[group].append(row)
    groups = {g: rows for g, rows in groups.items() if len(rows) >= params["count"]}
    if not groups:
        return []
    latest = sel.latest_alerts(f"{rule.code}:{group}" for group in groups)
    managers = [u.pk for u in sel.quality_managers()]
    findings = []
    for group, rows in sorted(groups.items()):
        key = f"{rule.code}:{group}"
        previous = latest.get(key)
        if previous is not None and previous.status != AlertStatus.CLOSED:
            continue  # one open alert per group; its level is fixed
        if previous is not None:
            covered = _parse_time(previous.evidence.get("last_at")) or previous.raised_at
            rows = [r for r in rows if r.created_at > covered]
        customers = {r.customer_id for r in rows}
        if len(rows) < params["count"] or len(customers) < params["min_customers"]:
            continue
        teams = {r.team_id for r in rows if r.team_id}
        evidence = {
            "kind": RuleKind.GROUP_COMPLAINTS,
            "group": group,
            "count": len(rows),
            "customers": len(customers),
            "window_hours": params["window_hours"],
            "ticket_ids": [r.ticket_id for r in rows][:100],
            "first_at": rows[0].created_at.isoformat(),
            "last_at": rows[-1].created_at.isoformat(),
            "teams": sorted(teams),
        }
        findings.append(
            Finding(
                condition_key=key,
                level=rule.level or AlertLevel.RED,
                evidence=evidence,
                scenario=alerting.scenario_for(params, KpiCode.COMPLAINTS),
                task_force_ids=sorted({u.pk for u in sel.team_leads(teams)} | set(managers)),
            )
        )
    return findings


def _parse_time(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _findings_p_chart(
    rule: AlertRule, params: Mapping[str, Any], now: dt.datetime, ctx: dict[str, Any]
) -> list[Finding]:
    metric, grain, dimension = params["metric"], params["grain"], params["dimension"]
    start = _last_complete(local_day(now), grain)
    current = {
        key: v
        for key, v in rollup_breakdown(metric, grain, start, dimension).items()
        if key and v.den >= params["min_volume"]
    }
    if not current:
        return []
    trailing = []
    cursor = start
    for _period in range(params["periods"]):
        cursor = previous_period(cursor, grain)
        trailing.append(rollup_breakdown(metric, grain, cursor, dimension))
    direction = CATALOGUE[KpiCode(metric)].direction
    names: dict[str, str] = {}
    if dimension == Dimension.TEAM:
        names = sel.team_names(current)
    elif dimension == Dimension.AGENT:
        names = sel.user_names(current)
    findings = []
    for key, value in sorted(current.items()):
        history = [(p[key].num, p[key].den) for p in trailing if key in p and p[key].den > 0]
        if len(history) < params["min_history"]:
            continue
        chart = alerting.p_chart(value.num, value.den, history, params["sigma"])
        if chart is None or not alerting.p_chart_bad(chart, direction):
            continue
        evidence = {
            "kind": RuleKind.P_CHART,
            "metric": metric,
            "grain": grain,
            "period": start.isoformat(),
            "dimension": dimension,
            "key": key,
            "scope_name": names.get(key, key),
            "value": alerting.percent(chart.p),
            "centre": alerting.percent(chart.centre),
            "lower": alerting.percent(chart.lower, 2),
            "upper": alerting.percent(chart.upper, 2),
            "num": value.num,
            "n": value.den,
            "sigma": str(params["sigma"]),
            "periods": len(history),
            "min_volume": params["min_volume"],
        }
        findings.append(
            Finding(
                condition_key=f"{rule.code}:{metric}:{dimension}:{key}",
                level=rule.level or AlertLevel.ORANGE,
                evidence=evidence,
                dimension=dimension,
                key=key,
                period_start=start,
                scenario=alerting.scenario_for(params, metric),
            )
        )
    return findings


EVALUATORS: dict[str, Callable[[AlertRule, Mapping[str, Any], dt.datetime, dict[str, Any]], list[Finding]]] = {
    RuleKind.THRESHOLD: _findings_threshold,
    RuleKind.COMPLAINT_GROWTH: _findings_complaint_growth,
    RuleKind.CATEGORY_SURGE: _findings_category_surge,
    RuleKind.GROUP_COMPLAINTS: _findings_group_complaints,
    RuleKind.P_CHART: _findings_p_chart,
}


def rule_findings(rule: AlertRule, now: dt.datetime | None = None, ctx: dict[str, Any] | None = None) -> list[Finding]:
    """What one rule finds now (nothing is written). Raises DomainError for broken parameters."""
    evaluator = EVALUATORS.get(rule.kind)
    if evaluator is None:
        return []
    params = alerting.typed_params(rule.kind, rule.params or {})
    return evaluator(rule, params, _now(now), ctx if ctx is not None else {})


def alerts_evaluate(now: dt.datetime | None = None) -> EvaluationResult:
    """Run every active rule and raise (or raise the level of) the alerts they find. Idempotent:
    running it again, or in two workers at once, raises nothing twice."""
    now = _now(now)
    result = EvaluationResult()
    ctx: dict[str, Any] = {}
    for rule in sel.rules_active():
        try:
            findings = rule_findings(rule, now, ctx)
        except DomainError as exc:
            log.warning("alert rule %s has broken parameters and was skipped: %s", rule.code, exc)
            result.broken_rules.append(rule.code)
            continue
        for finding in findings:
            outcome, alert = apply_finding(rule, finding, now)
            if outcome == "raised" and alert is not None:
                result.raised.append(alert.pk)
            elif outcome == "level_raised" and alert is not None:
                result.level_raised.append(alert.pk)
            elif outcome == "unchanged":
                result.unchanged += 1
            else:
                result.skipped += 1
    return result


def apply_finding(rule: AlertRule, finding: Finding, now: dt.datetime) -> tuple[str, Alert | None]:
    """Raise the finding's alert, raise the level of the open one, or do nothing (see module doc)."""
    existing = sel.open_alert(finding.condition_key)
    if existing is not None:
        return _raise_level(existing, finding, now)
    if finding.period_start is not None and sel.closed_for_period(finding.condition_key, finding.period_start):
        return "skipped", None
    try:
        with transaction.atomic():
            alert = _create(rule, finding, now)
    except IntegrityError:
        existing = sel.open_alert(finding.condition_key)  # another evaluator raised it first
        if existing is None:
            return "skipped", None
        return _raise_level(existing, finding, now)
    return "raised", alert


def _create(rule: AlertRule, finding: Finding, now: dt.datetime, actor: Any = None) -> Alert:
    alert = Alert(
        rule=rule,
        level=finding.level,
        status=AlertStatus.OPEN,
        condition_key=finding.condition_key[:200],
        evidence=finding.evidence,
        dimension=finding.dimension,
        key=finding.key,
        period_start=finding.period_start,
        standard_version_id=finding.standard_version_id,
        raised_at=now,
        plan_due_at=now + dt.timedelta(days=rule.plan_due_days),
    )
    if finding.level == AlertLevel.RED:
        alert.contingency_plan = sel.active_plan(finding.scenario)
    with translation.override(settings.LANGUAGE_CODE):
        alert.title = (finding.evidence.get("title") or alerting.alert_title(alert))[:300]
    alert.save(force_insert=True)
    if finding.task_force_ids:
        alert.task_force.set(sel.users_by_id(finding.task_force_ids))
    AlertEvent.objects.create(alert=alert, kind=EventKind.RAISED, actor=actor, at=now, note=_level_label(alert))
    audit_append(
        actor=actor,
        action="raise",
        target=alert,
        changes={
            "rule": {"before": None, "after": rule.code},
            "condition_key": {"before": None, "after": alert.condition_key},
            **diff(None, _snapshot(alert)),
        },
    )
    _notify(
        _audience(alert),
        "alert_raised",
        alert,
        lambda: gettext("%(level)s alert: %(title)s") % {"level": _level_label(alert), "title": alert.display_title},
    )
    return alert


def _raise_level(existing: Alert, finding: Finding, now: dt.datetime) -> tuple[str, Alert | None]:
    """Make an open alert's level worse (never better); only the evaluator that changes it notifies."""
    new_rank = alerting.level_rank(finding.level)
    if new_rank <= alerting.level_rank(existing.level):
        return "unchanged", existing
    lower = [level for level, rank in ALERT_LEVEL_RANK.items() if rank < new_rank]
    with transaction.atomic():
        alert = (
            Alert.objects.select_for_update(of=("self",)).select_related("rule", "owner").filter(pk=existing.pk).first()
        )
        if alert is None or alert.status == AlertStatus.CLOSED or alert.level not in lower:
            return "unchanged", existing
        before = _snapshot(alert)
        old_level = alert.level
        alert.level = finding.level
        alert.evidence = finding.evidence
        alert.period_start = finding.period_start or alert.period_start
        if finding.level == AlertLevel.RED and alert.contingency_plan_id is None:
            alert.contingency_plan = sel.active_plan(finding.scenario)
        with translation.override(settings.LANGUAGE_CODE):
            alert.title = alerting.alert_title(alert)[:300]
        alert.save(update_fields=["level", "evidence", "period_start", "contingency_plan", "title"])
        if finding.task_force_ids:
            alert.task_force.add(*sel.users_by_id(finding.task_force_ids))
        AlertEvent.objects.create(
            alert=alert,
            kind=EventKind.LEVEL_RAISED,
            at=now,
            note=f"{AlertLevel(old_level).label} → {AlertLevel(alert.level).label}",
        )
        audit_append(actor=None, action="raise_level", target=alert, changes=diff(before, _snapshot(alert)))
        _notify(
            _audience(alert),
            "alert_level_raised",
            alert,
            lambda: (
                gettext("Alert raised to %(level)s: %(title)s")
                % {"level": _level_label(alert), "title": alert.display_title}
            ),
        )
    return "level_raised", alert


# --- major incidents --------------------------------------------------------------------------------


@transaction.atomic
def alert_raise_major_incident(
    *, actor: Any, title: str, description: str, scenario: str, now: dt.datetime | None = None
) -> Alert:
    """A staff member marks a major incident: a red alert at once, linked to the active contingency
    plan of ``scenario``, with a task force of the reporter, the quality managers and the team leads."""
    _require(actor, Cap.ALERT_HANDLE)
    title = clean_text(title, "title", MAX_INCIDENT_TITLE)
    if len(title) < 4:
        raise DomainError(_("Describe the incident in a title of at least 4 characters."), field="title")
    description = clean_text(description, "description", MAX_DESCRIPTION)
    scenario = check_choice(scenario or "", ContingencyScenario, "scenario")
    now = _now(now)
    rule = sel.rule_for_kind(RuleKind.MAJOR_INCIDENT)
    if rule is None:
        install_alert_defaults(now)
        rule = sel.rule_for_kind(RuleKind.MAJOR_INCIDENT)
    assert rule is not None
    task_force = {actor.pk} | {u.pk for u in sel.quality_managers()} | {u.pk for u in sel.all_team_leads()}
    finding = Finding(
        condition_key=f"{rule.code}:{now:%Y%m%d%H%M%S}:{uuid.uuid4().hex[:12]}",
        level=AlertLevel.RED,
        evidence={
            "kind": RuleKind.MAJOR_INCIDENT,
            "title": title,
            "description": description,
            "scenario": scenario,
            "reported_by": actor.pk,
        },
        scenario=scenario,
        task_force_ids=sorted(task_force),
    )
    return _create(rule, finding, now, actor=actor)


# --- lifecycle --------------------------------------------------------------------------------------


def _locked(alert: Alert) -> Alert:
    locked = Alert.objects.select_for_update(of=("self",)).select_related("rule", "owner").filter(pk=alert.pk).first()
    if locked is None:
        raise DomainError(_("This alert no longer exists."), field="alert", code="not_found")
    return locked


def _expect(alert: Alert, *statuses: str, message: Any) -> None:
    if alert.status not in statuses:
        raise DomainError(message, field="status", code="invalid_transition")


def _record(
    alert: Alert, *, actor: Any, kind: str, action: str, before: dict[str, Any], at: dt.datetime, note: str = ""
) -> None:
    AlertEvent.objects.create(alert=alert, kind=kind, actor=actor, at=at, note=note)
    audit_append(actor=actor, action=action, target=alert, changes=diff(before, _snapshot(alert)))


@transaction.atomic
def alert_acknowledge(*, actor: Any, alert: Alert, now: dt.datetime | None = None) -> Alert:
    """Acknowledge an open alert; the acknowledger becomes its owner."""
    _require(actor, Cap.ALERT_HANDLE)
    alert = _locked(alert)
    _expect(
        alert, AlertStatus.OPEN, message=_("Only an open alert can be acknowledged; this one is already being handled.")
    )
    now = _now(now)
    before = _snapshot(alert)
    alert.status, alert.owner, alert.acknowledged_at = AlertStatus.ACKNOWLEDGED, actor, now
    alert.save(update_fields=["status", "owner", "acknowledged_at"])
    _record(alert, actor=actor, kind=EventKind.ACKNOWLEDGED, action="acknowledge", before=before, at=now)
    return alert


@transaction.atomic
def alert_assign(*, actor: Any, alert: Alert, owner: Any, now: dt.datetime | None = None) -> Alert:
    """Hand an alert to another owner (a team lead or quality manager); the new owner is notified."""
    _require(actor, Cap.ALERT_HANDLE)
    if owner is None or not getattr(owner, "is_active", False) or not can(owner, Cap.ALERT_HANDLE):
        raise DomainError(
            _("The owner must be an active team lead or quality manager (someone who may handle alerts)."),
            field="owner",
        )
    alert = _locked(alert)
    _expect(
        alert,
        AlertStatus.OPEN,
        AlertStatus.ACKNOWLEDGED,
        AlertStatus.PLAN_SUBMITTED,
        message=_("A verified or closed alert keeps its owner."),
    )
    if alert.owner_id == owner.pk:
        return alert
    now = _now(now)
    before = _snapshot(alert)
    alert.owner = owner
    alert.save(update_fields=["owner"])
    _record(alert, actor=actor, kind=EventKind.ASSIGNED, action="assign", before=before, at=now, note=str(owner))
    _notify(
        [owner],
        "alert_assigned",
        alert,
        lambda: (
            gettext("You now own this %(level)s alert: %(title)s")
            % {"level": _level_label(alert), "title": alert.display_title}
        ),
    )
    return alert


@transaction.atomic
def alert_plan_submit(*, actor: Any, alert: Alert, plan: str, now: dt.datetime | None = None) -> Alert:
    """Submit the rectification plan (整改方案) of an acknowledged alert: its owner, or a quality manager."""
    _require(actor, Cap.ALERT_HANDLE)
    text = clean_text(plan, "plan", MAX_PLAN)
    if len(text) < MIN_PLAN:
        raise DomainError(
            _("Write the rectification plan in at least %(min)d characters: causes, measures, owners and dates.")
            % {"min": MIN_PLAN},
            field="plan",
            code="min_length",
        )
    alert = _locked(alert)
    _expect(
        alert,
        AlertStatus.ACKNOWLEDGED,
        message=_("Acknowledge the alert before submitting a plan; a submitted plan awaits verification."),
    )
    if alert.owner_id != actor.pk and not can(actor, Cap.ALERT_VERIFY):
        raise PermissionDeniedError(_("Only the alert's owner (or a quality manager) may submit its plan."))
    now = _now(now)
    before = _snapshot(alert)
    alert.status, alert.plan, alert.plan_submitted_at, alert.plan_submitted_by = (
        AlertStatus.PLAN_SUBMITTED,
        text,
        now,
        actor,
    )
    alert.save(update_fields=["status", "plan", "plan_submitted_at", "plan_submitted_by"])
    _record(alert, actor=actor, kind=EventKind.PLAN_SUBMITTED, action="submit_plan", before=before, at=now)
    _notify(
        [u for u in sel.quality_managers() if u.pk != actor.pk],
        "alert_plan_submitted",
        alert,
        lambda: gettext("A rectification plan awaits your verification: %(title)s") % {"title": alert.display_title},
    )
    return alert


@transaction.atomic
def alert_verify(*, actor: Any, alert: Alert, note: str = "", now: dt.datetime | None = None) -> Alert:
    """Accept the submitted plan as carried out. Whoever wrote the plan may not verify it."""
    _require(actor, Cap.ALERT_VERIFY)
    note = clean_text(note, "note", MAX_NOTE, required=False)
    alert = _locked(alert)
    _expect(alert, AlertStatus.PLAN_SUBMITTED, message=_("Only a submitted rectification plan can be verified."))
    if alert.plan_submitted_by_id == actor.pk:
        raise PermissionDeniedError(
            _("You wrote this rectification plan; another quality manager must verify it (separation of duties).")
        )
    now = _now(now)
    before = _snapshot(alert)
    alert.status, alert.verified_by, alert.verified_at, alert.verification_note = (
        AlertStatus.VERIFIED,
        actor,
        now,
        note,
    )
    alert.save(update_fields=["status", "verified_by", "verified_at", "verification_note"])
    _record(alert, actor=actor, kind=EventKind.VERIFIED, action="verify", before=before, at=now, note=note)
    return alert


@transaction.atomic
def alert_reopen(*, actor: Any, alert: Alert, note: str, now: dt.datetime | None = None) -> Alert:
    """Verification failed: back to acknowledged, with a new plan due date; the owner is told why."""
    _require(actor, Cap.ALERT_VERIFY)
    note = clean_text(note, "note", MAX_NOTE)
    alert = _locked(alert)
    _expect(
        alert,
        AlertStatus.PLAN_SUBMITTED,
        AlertStatus.VERIFIED,
        message=_("Only a submitted or verified plan can be sent back."),
    )
    if alert.plan_submitted_by_id == actor.pk and alert.status == AlertStatus.PLAN_SUBMITTED:
        raise PermissionDeniedError(
            _("You wrote this rectification plan; another quality manager must verify it (separation of duties).")
        )
    now = _now(now)
    before = _snapshot(alert)
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.plan_submitted_at = None
    alert.verified_by, alert.verified_at, alert.verification_note = None, None, note
    alert.plan_due_at = now + dt.timedelta(days=alert.rule.plan_due_days)
    alert.escalation_level = 0
    alert.save(
        update_fields=[
            "status",
            "plan_submitted_at",
            "verified_by",
            "verified_at",
            "verification_note",
            "plan_due_at",
            "escalation_level",
        ]
    )
    _record(alert, actor=actor, kind=EventKind.REOPENED, action="reopen", before=before, at=now, note=note)
    _notify(
        [alert.owner, alert.plan_submitted_by],
        "alert_reopened",
        alert,
        lambda: (
            gettext("The rectification plan was not accepted (%(note)s); a new plan is due: %(title)s")
            % {"note": note[:200], "title": alert.display_title}
        ),
    )
    return alert


@transaction.atomic
def alert_close(*, actor: Any, alert: Alert, note: str = "", now: dt.datetime | None = None) -> Alert:
    """Close a verified alert: closed only with a verified rectification record."""
    _require(actor, Cap.ALERT_VERIFY)
    note = clean_text(note, "note", MAX_NOTE, required=False)
    alert = _locked(alert)
    _expect(alert, AlertStatus.VERIFIED, message=_("An alert is closed only with a verified rectification plan."))
    now = _now(now)
    before = _snapshot(alert)
    alert.status, alert.closed_at = AlertStatus.CLOSED, now
    alert.save(update_fields=["status", "closed_at"])
    _record(alert, actor=actor, kind=EventKind.CLOSED, action="close", before=before, at=now, note=note)
    return alert


# --- overdue plans ----------------------------------------------------------------------------------


def escalation_chain(alert: Alert) -> list[list[Any]]:
    """Who an overdue plan goes to, one level at a time: the lead of the team the alert is about
    (team- or agent-scoped alerts), the quality managers, the administrators — leaving out the owner and empty levels."""
    owner_id = alert.owner_id
    chain: list[list[Any]] = []
    leads = [u for u in _scope_leads(alert) if u.pk != owner_id]
    if leads:
        chain.append(leads)
    for group in (sel.quality_managers(), sel.admins()):
        people = [u for u in group if u.pk != owner_id]
        if people:
            chain.append(people)
    return chain


def _escalate_every(alert: Alert) -> dt.timedelta:
    try:
        hours = alerting.typed_params(alert.rule.kind, alert.rule.params or {}).get("escalate_every_hours", 24)
    except DomainError:
        hours = 24
    return dt.timedelta(hours=int(hours))


def alerts_escalate_overdue(now: dt.datetime | None = None) -> int:
    """Escalate every overdue rectification plan one level up, once per interval (hourly task).

    The first step is at the due time, the next after ``escalate_every_hours`` more, and so on
    until the chain ends. Safe with several workers: each step is a conditional update of
    ``escalation_level``, so only one of them takes (and notifies) it.
    """
    now = _now(now)
    steps = 0
    for alert in sel.overdue_alerts(now):
        assert alert.plan_due_at is not None
        if now < alert.plan_due_at + _escalate_every(alert) * alert.escalation_level:
            continue
        chain = escalation_chain(alert)
        if alert.escalation_level >= len(chain):
            continue
        steps += _escalate(alert, chain, now)
    return steps


@transaction.atomic
def _escalate(alert: Alert, chain: list[list[Any]], now: dt.datetime) -> int:
    level = alert.escalation_level
    updated = (
        Alert.objects.filter(pk=alert.pk, escalation_level=level, plan_submitted_at__isnull=True)
        .exclude(status=AlertStatus.CLOSED)
        .update(escalation_level=level + 1)
    )
    if not updated:
        return 0
    before = _snapshot(alert)
    alert.escalation_level = level + 1
    recipients = chain[level]
    names = ", ".join(str(u) for u in recipients)
    AlertEvent.objects.create(alert=alert, kind=EventKind.ESCALATED, at=now, note=f"{level + 1}: {names}"[:2000])
    audit_append(
        actor=None,
        action="escalate",
        target=alert,
        changes={**diff(before, _snapshot(alert)), "recipients": {"before": None, "after": [u.pk for u in recipients]}},
    )
    due = alert.plan_due_at

    def due_text() -> str:
        return timezone.localtime(due).strftime("%Y-%m-%d %H:%M") if due else ""

    _notify(
        recipients,
        "alert_escalated",
        alert,
        lambda: (
            gettext(
                "Escalated to you (step %(step)d): the rectification plan of this %(level)s alert was due %(due)s — %(title)s"
            )
            % {"step": level + 1, "level": _level_label(alert), "due": due_text(), "title": alert.display_title}
        ),
    )
    if alert.owner is not None:
        _notify(
            [alert.owner],
            "alert_overdue",
            alert,
            lambda: (
                gettext("Your rectification plan is overdue (due %(due)s) and was escalated: %(title)s")
                % {"due": due_text(), "title": alert.display_title}
            ),
        )
    return 1


# --- rules ------------------------------------------------------------------------------------------

RULE_FIELDS = (
    "code",
    "name_zh",
    "name_en",
    "kind",
    "level",
    "standard",
    "indicator_code",
    "params",
    "plan_due_days",
    "is_active",
)


def _clean_rule(
    *, kind: str, level: str, name_zh: str, name_en: str, params: Mapping[str, Any], plan_due_days: Any
) -> tuple[str, str, str, dict[str, Any], int]:
    name_zh = clean_text(name_zh, "name_zh", 120)
    name_en = clean_text(name_en, "name_en", 120)
    if kind == RuleKind.THRESHOLD:
        if level:
            raise DomainError(
                _("Threshold rules take their level from the indicator's thresholds; leave the level blank."),
                field="level",
            )
    else:
        check_choice(level or "", AlertLevel, "level")
    cleaned = alerting.clean_params(kind, params)
    try:
        days = int(plan_due_days)
    except (TypeError, ValueError):
        days = -1
    if not 1 <= days <= 90:
        raise DomainError(_("The plan must be due within 1 to 90 days."), field="plan_due_days")
    return name_zh, name_en, level or "", cleaned, days


@transaction.atomic
def alert_rule_update(
    *,
    actor: Any,
    rule: AlertRule,
    name_zh: str,
    name_en: str,
    level: str,
    params: Mapping[str, Any],
    plan_due_days: int,
    is_active: bool,
) -> AlertRule:
    """Change a rule's names, level, parameters, plan deadline or whether it runs."""
    _require(actor, Cap.ALERT_VERIFY)
    name_zh, name_en, level, cleaned, days = _clean_rule(
        kind=rule.kind, level=level, name_zh=name_zh, name_en=name_en, params=params, plan_due_days=plan_due_days
    )
    before = snapshot(rule, RULE_FIELDS)
    rule.name_zh, rule.name_en, rule.level, rule.params = name_zh, name_en, level, cleaned
    rule.plan_due_days, rule.is_active = days, bool(is_active)
    rule.save()
    audit_append(actor=actor, action="update", target=rule, changes=diff(before, snapshot(rule, RULE_FIELDS)))
    return rule


@transaction.atomic
def alert_rule_create(
    *,
    actor: Any,
    code: str,
    name_zh: str,
    name_en: str,
    kind: str,
    level: str = "",
    standard: Any = None,
    indicator_code: str = "",
    params: Mapping[str, Any] | None = None,
    plan_due_days: int = 3,
    is_active: bool = True,
) -> AlertRule:
    """Add a rule, e.g. a threshold rule for one standard (it takes that standard over from the
    general threshold rule) or another p-chart. Major incidents have their one shipped rule."""
    _require(actor, Cap.ALERT_VERIFY)
    code = (code or "").strip()
    if not RULE_CODE.match(code):
        raise DomainError(_("Use 1–40 lower-case letters, digits, hyphens or underscores."), field="code")
    if AlertRule.objects.filter(code=code).exists():
        raise DomainError(_("A rule with this code exists already."), field="code", code="unique")
    check_choice(kind, RuleKind, "kind")
    if kind == RuleKind.MAJOR_INCIDENT:
        raise DomainError(_("Major incidents are marked by people; there is one rule for them."), field="kind")
    indicator_code = (indicator_code or "").strip()
    if kind == RuleKind.THRESHOLD and standard is None:
        raise DomainError(_("Name the standard this threshold rule judges."), field="standard")
    if indicator_code and standard is None:
        raise DomainError(_("An indicator belongs to a standard: choose the standard too."), field="standard")
    name_zh, name_en, level, cleaned, days = _clean_rule(
        kind=kind, level=level, name_zh=name_zh, name_en=name_en, params=params or {}, plan_due_days=plan_due_days
    )
    rule = AlertRule.objects.create(
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        kind=kind,
        level=level,
        standard=standard,
        indicator_code=indicator_code[:40],
        params=cleaned,
        plan_due_days=days,
        is_active=bool(is_active),
    )
    audit_append(actor=actor, action="create", target=rule, changes=diff(None, snapshot(rule, RULE_FIELDS)))
    return rule


# --- contingency plans ------------------------------------------------------------------------------

PLAN_FIELDS = ("code", "scenario", "title_zh", "title_en", "body_zh", "body_en", "owner", "is_active")


def _clean_plan(
    *, scenario: str, title_zh: str, title_en: str, body_zh: str, body_en: str, owner: Any
) -> dict[str, Any]:
    values = {
        "scenario": check_choice(scenario or "", ContingencyScenario, "scenario"),
        "title_zh": clean_text(title_zh, "title_zh", 200),
        "title_en": clean_text(title_en, "title_en", 200),
        "body_zh": clean_text(body_zh, "body_zh", 50_000),
        "body_en": clean_text(body_en, "body_en", 50_000, required=False),
        "owner": owner,
    }
    if len(values["body_zh"]) < 20:
        raise DomainError(_("A plan needs at least 20 characters of steps."), field="body_zh", code="min_length")
    if owner is not None and (not getattr(owner, "is_active", False) or not can(owner, Cap.ALERT_VIEW)):
        raise DomainError(_("The owner must be an active staff member who can see alerts."), field="owner")
    return values


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    code: str,
    scenario: str,
    title_zh: str,
    title_en: str,
    body_zh: str,
    body_en: str = "",
    owner: Any = None,
    now: dt.datetime | None = None,
) -> ContingencyPlan:
    """Add a contingency plan (应急预案) to the library."""
    _require(actor, Cap.ALERT_VERIFY)
    code = (code or "").strip()
    if not PLAN_CODE.match(code):
        raise DomainError(_("Use 1–40 lower-case letters, digits, hyphens or underscores."), field="code")
    if ContingencyPlan.objects.filter(code=code).exists():
        raise DomainError(_("A plan with this code exists already."), field="code", code="unique")
    values = _clean_plan(
        scenario=scenario, title_zh=title_zh, title_en=title_en, body_zh=body_zh, body_en=body_en, owner=owner
    )
    plan = ContingencyPlan.objects.create(code=code, is_active=True, updated_at=_now(now), **values)
    audit_append(actor=actor, action="create", target=plan, changes=diff(None, snapshot(plan, PLAN_FIELDS)))
    return plan


@transaction.atomic
def plan_update(
    *,
    actor: Any,
    plan: ContingencyPlan,
    scenario: str,
    title_zh: str,
    title_en: str,
    body_zh: str,
    body_en: str = "",
    owner: Any = None,
    now: dt.datetime | None = None,
) -> ContingencyPlan:
    """Change a plan's scenario, titles, text or owner."""
    _require(actor, Cap.ALERT_VERIFY)
    values = _clean_plan(
        scenario=scenario, title_zh=title_zh, title_en=title_en, body_zh=body_zh, body_en=body_en, owner=owner
    )
    before = snapshot(plan, PLAN_FIELDS)
    for name, value in values.items():
        setattr(plan, name, value)
    changes = diff(before, snapshot(plan, PLAN_FIELDS))
    if not changes:
        return plan
    plan.updated_at = _now(now)
    plan.save()
    audit_append(actor=actor, action="update", target=plan, changes=changes)
    return plan


@transaction.atomic
def plan_set_active(
    *, actor: Any, plan: ContingencyPlan, active: bool, now: dt.datetime | None = None
) -> ContingencyPlan:
    """Retire a plan (red alerts stop linking it; alerts that already link it keep the link) or bring it back."""
    _require(actor, Cap.ALERT_VERIFY)
    if plan.is_active == active:
        return plan
    before = snapshot(plan, PLAN_FIELDS)
    plan.is_active, plan.updated_at = active, _now(now)
    plan.save(update_fields=["is_active", "updated_at"])
    audit_append(
        actor=actor,
        action="restore" if active else "retire",
        target=plan,
        changes=diff(before, snapshot(plan, PLAN_FIELDS)),
    )
    return plan


@transaction.atomic
def drill_record(
    *,
    actor: Any,
    plan: ContingencyPlan,
    held_on: dt.date,
    participants: str,
    findings: str,
    follow_up: str = "",
    now: dt.datetime | None = None,
) -> ContingencyDrill:
    """Record a drill (演练) of a plan: when, who took part, what was found and what follows."""
    _require(actor, Cap.ALERT_VERIFY)
    now = _now(now)
    if not isinstance(held_on, dt.date):
        raise DomainError(_("Give the date of the drill."), field="held_on", code="required")
    if held_on > timezone.localtime(now).date():
        raise DomainError(
            _("A drill is recorded after it took place; the date cannot be in the future."), field="held_on"
        )
    if held_on < dt.date(2000, 1, 1):
        raise DomainError(_("Give a date from 2000 on."), field="held_on")
    if not plan.is_active:
        raise DomainError(_("This plan is retired; bring it back before recording drills of it."), field="plan")
    drill = ContingencyDrill.objects.create(
        plan=plan,
        held_on=held_on,
        participants=clean_text(participants, "participants", 2_000),
        findings=clean_text(findings, "findings", 10_000),
        follow_up=clean_text(follow_up, "follow_up", 10_000, required=False),
        recorded_by=actor,
        recorded_at=now,
    )
    audit_append(
        actor=actor,
        action="create",
        target=drill,
        changes=diff(None, snapshot(drill, ("plan", "held_on", "participants", "findings", "follow_up"))),
    )
    return drill


# --- automatic review proposals of standards ---------------------------------------------------------


@dataclass(frozen=True)
class ReviewFinding:
    """An indicator that beat or missed its target for its review periods."""

    indicator: Any
    kind: str
    grain: str
    dimension: str
    key: str
    values: list[tuple[dt.date, Decimal]]


def review_findings(today: dt.date, grain: str | None = None) -> list[ReviewFinding]:
    """Indicators in force on ``today`` whose last ``review_periods`` complete periods all beat the
    target by the review margin (raise the bar) or all missed it (investigate).

    An indicator with a scope value is read on that slice; otherwise on the whole centre (a
    team-by-team indicator's bar is the centre's bar). Periods with fewer cases than the
    indicator's minimum volume break the run.
    """
    if grain is None:
        general = next((r for r in sel.threshold_rules() if r.standard_id is None), None)
        grain = str((general.params or {}).get("review_grain") or Grain.MONTH) if general else Grain.MONTH
        if grain not in Grain.values:
            grain = Grain.MONTH
    indicators = indicators_in_force(today)
    team_ids = sel.team_ids_by_code(i.scope_key for i in indicators if i.scope == Dimension.TEAM and i.scope_key)
    current = period_start(today, grain)
    out = []
    for indicator in indicators:
        periods = int(indicator.review_periods or 0)
        if periods < 1:
            continue
        dimension: str = Dimension.CENTRE
        key = ""
        if indicator.scope != Dimension.CENTRE and indicator.scope_key:
            dimension = indicator.scope
            key = str(team_ids.get(indicator.scope_key, "")) if dimension == Dimension.TEAM else indicator.scope_key
            if not key:
                continue
        first = current
        for _period in range(periods):
            first = previous_period(first, grain)
        last = previous_period(current, grain)
        series = rollup_series(indicator.kpi, grain, first, last, dimension, key)
        values = [v.value if v.value is not None and v.volume >= indicator.min_volume else None for _s, v in series]
        verdict = alerting.review_trend(
            values,
            target=indicator.target,
            margin=indicator.review_margin,
            direction=indicator.direction,
            periods=periods,
        )
        if verdict:
            out.append(
                ReviewFinding(
                    indicator=indicator,
                    kind=verdict,
                    grain=grain,
                    dimension=dimension,
                    key=key,
                    values=[(s, v.value) for s, v in series if v.value is not None],
                )
            )
    return out


def standards_review_propose(today: dt.date | None = None, grain: str | None = None) -> list[Any]:
    """Open the automatic review proposals that :func:`review_findings` calls for (daily task).

    At most one per indicator and kind per period: a proposal already raised since the current
    period began (open, approved or rejected) is not raised again until another period ends;
    ``proposal_raise_automatic`` itself refuses a second open one.
    """
    from sqm.standards.models import ChangeProposal
    from sqm.standards.services import proposal_raise_automatic

    today = today or timezone.localdate()
    raised = []
    for finding in review_findings(today, grain):
        indicator = finding.indicator
        standard = indicator.version.standard
        since = timezone.make_aware(dt.datetime.combine(period_start(today, finding.grain), dt.time.min))
        if ChangeProposal.objects.filter(
            standard=standard,
            indicator_code=indicator.code,
            kind=finding.kind,
            is_automatic=True,
            created_at__gte=since,
        ).exists():
            continue
        first, last = finding.values[0][0], finding.values[-1][0]
        note = "; ".join(f"{_period_label(s, finding.grain)}: {v} {indicator.unit}" for s, v in finding.values)
        with translation.override(settings.LANGUAGE_CODE):
            if finding.kind == "raise_bar":
                rationale = gettext(
                    "%(indicator)s beat its target of %(target)s %(unit)s by at least %(margin)s %% in each of the "
                    "last %(n)d periods; consider raising the bar."
                )
            else:
                rationale = gettext(
                    "%(indicator)s missed its target of %(target)s %(unit)s in each of the last %(n)d periods; "
                    "investigate the causes or whether the target is right."
                )
            rationale = rationale % {
                "indicator": indicator.name,
                "target": alerting.plain(indicator.target),
                "unit": indicator.unit,
                "margin": alerting.plain(Decimal(indicator.review_margin) * 100),
                "n": indicator.review_periods,
            }
        proposal = proposal_raise_automatic(
            standard=standard,
            indicator_code=indicator.code,
            kind=finding.kind,
            rationale=rationale,
            evidence=[
                {
                    "kind": "kpi_trend",
                    "reference": f"kpi:{indicator.kpi}:{finding.grain}:{finding.dimension}:{finding.key}:"
                    f"{first.isoformat()}..{last.isoformat()}",
                    "note": note[:2000],
                }
            ],
        )
        if proposal is not None:
            raised.append(proposal)
    return raised


def _period_label(start: dt.date, grain: str) -> str:
    if grain == Grain.MONTH:
        return start.strftime("%Y-%m")
    return start.isoformat()
