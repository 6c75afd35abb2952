"""Reads of tiered alerts, alert rules and the contingency-plan library, with related rows loaded.

Also the few reads the rule evaluators need outside rollups: the complaints of a time window
(group complaints, bounded by the ``created_at`` index), the teams behind a rollup cell (task
forces, from the cell's facts) and the people alerts go to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from sqm.core.roles import CAPABILITIES, Cap, Role
from sqm.kpis.models import (
    Alert,
    AlertEvent,
    AlertLevel,
    AlertRule,
    AlertStatus,
    ContingencyDrill,
    ContingencyPlan,
    Dimension,
    RuleKind,
)
from sqm.kpis.selectors.rollups import facts_behind
from sqm.org.models import Team, User
from sqm.tickets.models import Category, Ticket, TicketType

# --- alerts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertFilters:
    """The alert list's filters; blank means "any"."""

    level: str = ""
    status: str = ""  # a status, "active" (anything not closed) or ""
    overdue: bool = False
    mine: bool = False


def alert_list(*, user: Any, filters: AlertFilters, now: dt.datetime) -> QuerySet[Alert]:
    """Alerts newest first, filtered; ``mine`` = owned by ``user`` or on a task force with them."""
    rows = Alert.objects.select_related("rule", "owner", "contingency_plan")
    if filters.level:
        rows = rows.filter(level=filters.level)
    if filters.status == "active":
        rows = rows.exclude(status=AlertStatus.CLOSED)
    elif filters.status:
        rows = rows.filter(status=filters.status)
    if filters.overdue:
        rows = rows.filter(overdue_q(now))
    if filters.mine:
        on_task_force = Alert.task_force.through.objects.filter(user_id=getattr(user, "pk", 0)).values("alert_id")
        rows = rows.filter(Q(owner_id=getattr(user, "pk", 0)) | Q(pk__in=on_task_force))
    return rows.order_by("-raised_at", "-id")


def overdue_q(now: dt.datetime) -> Q:
    """Alerts whose rectification plan is due and not submitted (the partial index on ``plan_due_at``)."""
    return Q(plan_submitted_at__isnull=True, plan_due_at__lt=now) & ~Q(status=AlertStatus.CLOSED)


def alert_detail(pk: int) -> Alert | None:
    """One alert with its rule, people, contingency plan, task force and timeline loaded."""
    return (
        Alert.objects.select_related(
            "rule",
            "owner",
            "verified_by",
            "plan_submitted_by",
            "contingency_plan",
            "standard_version__standard",
        )
        .prefetch_related(
            Prefetch("events", queryset=AlertEvent.objects.select_related("actor").order_by("at", "id")),
            Prefetch("task_force", queryset=User.objects.select_related("team").order_by("role", "username")),
        )
        .filter(pk=pk)
        .first()
    )


def open_alert(condition_key: str) -> Alert | None:
    """The alert of a condition that is not closed yet (at most one: a partial unique constraint)."""
    return (
        Alert.objects.select_related("rule")
        .filter(condition_key=condition_key)
        .exclude(status=AlertStatus.CLOSED)
        .first()
    )


def closed_for_period(condition_key: str, period: dt.date) -> bool:
    """Whether an alert of this condition covering ``period`` (or a later one) was already closed."""
    return Alert.objects.filter(
        condition_key=condition_key, status=AlertStatus.CLOSED, period_start__gte=period
    ).exists()


def latest_alerts(condition_keys: Iterable[str]) -> dict[str, Alert]:
    """The most recent alert of each condition (any status), one query."""
    latest: dict[str, Alert] = {}
    keys = list(condition_keys)
    if not keys:
        return latest
    for alert in Alert.objects.filter(condition_key__in=keys).order_by("condition_key", "-raised_at", "-id"):
        latest.setdefault(alert.condition_key, alert)
    return latest


def overdue_alerts(now: dt.datetime) -> QuerySet[Alert]:
    """Alerts with an overdue plan, oldest due first (what the hourly escalation looks at)."""
    return Alert.objects.select_related("rule", "owner").filter(overdue_q(now)).order_by("plan_due_at", "id")


def scope_names(alerts: Iterable[Alert]) -> dict[tuple[str, str], str]:
    """Display names of the teams and categories that alerts are scoped to (one query per kind)."""
    team_ids: set[int] = set()
    category_ids: set[int] = set()
    for alert in alerts:
        if alert.key.isdigit():
            if alert.dimension == Dimension.TEAM:
                team_ids.add(int(alert.key))
            elif alert.dimension == Dimension.CATEGORY:
                category_ids.add(int(alert.key))
    names: dict[tuple[str, str], str] = {}
    if team_ids:
        for pk, name in Team.objects.filter(pk__in=team_ids).values_list("pk", "name"):
            names[(Dimension.TEAM, str(pk))] = name
    if category_ids:
        for category in Category.objects.filter(pk__in=category_ids):
            names[(Dimension.CATEGORY, str(category.pk))] = str(category)
    return names


def counts_by_level(now: dt.datetime) -> dict[str, int]:
    """Alerts not closed, per level, plus ``overdue`` — the summary line above the list (one query)."""
    row = Alert.objects.exclude(status=AlertStatus.CLOSED).aggregate(
        yellow=Count("pk", filter=Q(level=AlertLevel.YELLOW)),
        orange=Count("pk", filter=Q(level=AlertLevel.ORANGE)),
        red=Count("pk", filter=Q(level=AlertLevel.RED)),
        overdue=Count("pk", filter=Q(plan_submitted_at__isnull=True, plan_due_at__lt=now)),
    )
    return {key: int(value or 0) for key, value in row.items()}


# --- rules ----------------------------------------------------------------------------------------


def rule_list() -> QuerySet[AlertRule]:
    return AlertRule.objects.select_related("standard").order_by("kind", "code")


def rule_get(pk: int) -> AlertRule | None:
    return AlertRule.objects.select_related("standard").filter(pk=pk).first()


def rules_active() -> list[AlertRule]:
    return list(AlertRule.objects.select_related("standard").filter(is_active=True).order_by("code"))


def threshold_rules() -> list[AlertRule]:
    """Every rule of kind threshold, active or not (a standard-specific one takes its standard over)."""
    return list(AlertRule.objects.select_related("standard").filter(kind=RuleKind.THRESHOLD).order_by("code"))


def rule_for_kind(kind: str) -> AlertRule | None:
    return AlertRule.objects.filter(kind=kind).order_by("-is_active", "code").first()


# --- people ---------------------------------------------------------------------------------------


def quality_managers() -> list[User]:
    return list(User.objects.filter(role=Role.QUALITY_MANAGER, is_active=True).order_by("pk"))


def admins() -> list[User]:
    return list(User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk"))


def team_leads(team_ids: Iterable[int]) -> list[User]:
    """Active leads of the given teams."""
    ids = {int(pk) for pk in team_ids}
    if not ids:
        return []
    return list(User.objects.filter(led_teams__pk__in=ids, is_active=True).distinct().order_by("pk"))


def all_team_leads() -> list[User]:
    return list(User.objects.filter(led_teams__is_active=True, is_active=True).distinct().order_by("pk"))


def alert_handlers() -> QuerySet[User]:
    """Who may own an alert: active staff whose role may handle alerts."""
    roles = [role.value for role in CAPABILITIES[Cap.ALERT_HANDLE]]
    return User.objects.filter(role__in=roles, is_active=True).select_related("team").order_by("role", "username")


def users_by_id(ids: Iterable[int]) -> list[User]:
    return list(User.objects.filter(pk__in=set(ids), is_active=True).order_by("pk"))


# --- what the rules read besides rollups -------------------------------------------------------------


@dataclass(frozen=True)
class ComplaintRow:
    ticket_id: int
    customer_id: int
    email: str
    team_id: int | None
    created_at: dt.datetime


def complaints_between(since: dt.datetime, until: dt.datetime) -> list[ComplaintRow]:
    """Complaints created in ``(since, until]`` with their customer's e-mail (bounded by the window)."""
    rows = (
        Ticket.objects.filter(type=TicketType.COMPLAINT, created_at__gt=since, created_at__lte=until)
        .order_by("created_at", "id")
        .values_list("pk", "customer_id", "customer__email", "team_id", "created_at")
    )
    return [ComplaintRow(pk, customer, email or "", team, created) for pk, customer, email, team, created in rows]


def teams_behind(metric: str, grain: str, start: dt.date, dimension: str, key: str) -> set[int]:
    """The teams whose facts make up one rollup cell (e.g. who handled a category's complaints)."""
    rows = (
        facts_behind(metric, grain, start, dimension, key)
        .exclude(team_id__isnull=True)
        .order_by()
        .values_list("team_id", flat=True)
        .distinct()
    )
    return {int(team) for team in rows if team is not None}


def team_ids_by_code(codes: Iterable[str]) -> dict[str, int]:
    return dict(Team.objects.filter(code__in=set(codes)).values_list("code", "pk"))


def team_names(ids: Iterable[str | int]) -> dict[str, str]:
    wanted = {int(pk) for pk in ids if str(pk).isdigit()}
    return {str(pk): name for pk, name in Team.objects.filter(pk__in=wanted).values_list("pk", "name")}


def user_names(ids: Iterable[str | int]) -> dict[str, str]:
    wanted = {int(pk) for pk in ids if str(pk).isdigit()}
    return {str(u.pk): str(u) for u in User.objects.filter(pk__in=wanted)}


def teams_of_users(ids: Iterable[int]) -> list[int]:
    return [pk for pk in User.objects.filter(pk__in=set(ids)).values_list("team_id", flat=True) if pk is not None]


def categories_by_id(ids: Iterable[str | int]) -> dict[str, Category]:
    wanted = {int(pk) for pk in ids if str(pk).isdigit()}
    return {str(c.pk): c for c in Category.objects.filter(pk__in=wanted)}


# --- contingency plans ------------------------------------------------------------------------------


def plan_list(*, include_retired: bool = True, scenario: str = "") -> QuerySet[ContingencyPlan]:
    """Plans by scenario, each with its number of drills and the date of the last one."""
    rows = ContingencyPlan.objects.select_related("owner").annotate(
        drill_count=Count("drills"), last_drill=Max("drills__held_on")
    )
    if not include_retired:
        rows = rows.filter(is_active=True)
    if scenario:
        rows = rows.filter(scenario=scenario)
    return rows.order_by("-is_active", "scenario", "code")


def plan_detail(pk: int) -> ContingencyPlan | None:
    return (
        ContingencyPlan.objects.select_related("owner")
        .prefetch_related(
            Prefetch(
                "drills", queryset=ContingencyDrill.objects.select_related("recorded_by").order_by("-held_on", "-id")
            )
        )
        .filter(pk=pk)
        .first()
    )


def active_plan(scenario: str) -> ContingencyPlan | None:
    """The plan a red alert of ``scenario`` links: the active one, most recently updated first."""
    if not scenario:
        return None
    return ContingencyPlan.objects.filter(scenario=scenario, is_active=True).order_by("-updated_at", "code").first()


def plan_alerts(plan: ContingencyPlan, limit: int = 20) -> list[Alert]:
    return list(plan.alerts.select_related("rule").order_by("-raised_at", "-id")[:limit])
