"""Working calendars: turning stored calendars into :class:`BusinessCalendar` objects, and the
admin services that edit them (weekly hours, holidays and make-up days, file import, team
calendars). Every edit bumps the calendar's version and re-times the open clocks that run on it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqm.audit.services import audit_append, diff
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Cap, can
from sqm.org.models import Team
from sqm.tickets.models import CalendarDay, DayKind, TeamCalendar, WorkCalendar
from sqm.tickets.sla import fileio
from sqm.tickets.sla.calendar import BusinessCalendar, Interval, check_intervals, parse_hours

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOURS_FIELDS = tuple(f"hours_{day}" for day in WEEKDAYS)
MIDNIGHT_END = "24:00"

_cache: dict[tuple[int, int, str], BusinessCalendar] = {}
_cache_lock = threading.Lock()


# --- reading ------------------------------------------------------------------------------------


def _time(text: str) -> dt.time:
    return dt.time.max if text == MIDNIGHT_END else dt.time.fromisoformat(text)


def intervals_of(day_hours: Sequence[Sequence[str]]) -> tuple[Interval, ...]:
    return tuple((_time(start), _time(end)) for start, end in day_hours)


def business_calendar(calendar: WorkCalendar) -> BusinessCalendar:
    """The arithmetic view of a stored calendar, cached per process until the calendar changes."""
    key = (calendar.pk, calendar.version, calendar.updated_at.isoformat() if calendar.updated_at else "")
    cached = _cache.get(key)
    if cached is not None:
        return cached
    zone = ZoneInfo(calendar.time_zone)
    if calendar.is_24x7:
        result = BusinessCalendar.always_open(zone)
    else:
        holidays: set[dt.date] = set()
        makeup: set[dt.date] = set()
        for date, kind in CalendarDay.objects.filter(calendar_id=calendar.pk).values_list("date", "kind"):
            (holidays if kind == DayKind.HOLIDAY else makeup).add(date)
        weekly = {n: intervals_of(hours) for n, hours in enumerate(calendar.weekly_hours or []) if hours}
        result = BusinessCalendar(tz=zone, weekly=weekly, holidays=frozenset(holidays), makeup_days=frozenset(makeup))
    with _cache_lock:
        if len(_cache) > 64:
            _cache.clear()
        _cache[key] = result
    return result


def default_calendar() -> WorkCalendar | None:
    return WorkCalendar.objects.filter(is_default=True).first()


def calendar_by_name(name: str) -> WorkCalendar | None:
    return WorkCalendar.objects.filter(name=name).first()


def weekly_as_texts(weekly_hours: Sequence[Sequence[Sequence[str]]]) -> list[str]:
    """Seven texts like ``09:00-12:00,13:30-18:00`` (empty: closed), Monday first."""
    texts = [",".join(f"{start}-{end}" for start, end in day) for day in weekly_hours]
    return (texts + [""] * 7)[:7]


# --- writing ------------------------------------------------------------------------------------


def _require(actor: Any) -> None:
    if not can(actor, Cap.CALENDAR_MANAGE):
        raise PermissionDeniedError()


def weekly_from_texts(texts: Sequence[str]) -> list[list[list[str]]]:
    """Seven interval texts → stored weekly hours; a bad day raises naming its field (``hours_mon`` …)."""
    if len(texts) != 7:
        raise DomainError(_("Give the hours of all seven weekdays."), field="hours_mon")
    weekly: list[list[list[str]]] = []
    for field, text in zip(HOURS_FIELDS, texts, strict=True):
        cleaned = (text or "").strip()
        if not cleaned:
            weekly.append([])
            continue
        intervals = _day_intervals(cleaned, field)
        weekly.append([[start.strftime("%H:%M"), _end_text(end)] for start, end in intervals])
    return weekly


def _day_intervals(text: str, field: str) -> tuple[Interval, ...]:
    """``09:00-12:00,13:30-18:00`` (or ``24h``) → intervals; each mistake named in the reader's language."""
    if text.lower() in ("24h", "00:00-24:00"):
        return parse_hours(text)
    intervals = []
    for part in text.split(","):
        start_text, sep, end_text = part.strip().partition("-")
        try:
            if not sep:
                raise ValueError(part)
            start = dt.time.fromisoformat(start_text.strip())
            end = dt.time.max if end_text.strip() == MIDNIGHT_END else dt.time.fromisoformat(end_text.strip())
        except ValueError as exc:
            raise DomainError(
                _("“%(value)s” is not an interval like 09:00-12:00 (several: 09:00-12:00,13:30-18:00).")
                % {"value": part.strip()},
                field=field,
            ) from exc
        if not start < end:
            raise DomainError(_("The interval %(value)s ends before it starts.") % {"value": part.strip()}, field=field)
        intervals.append((start, end))
    try:
        return check_intervals(intervals)
    except ValueError as exc:
        raise DomainError(_("The intervals “%(value)s” overlap.") % {"value": text}, field=field) from exc


def _end_text(end: dt.time) -> str:
    return MIDNIGHT_END if end == dt.time.max else end.strftime("%H:%M")


def _check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise DomainError(_("“%(value)s” is not a known time zone.") % {"value": name}, field="time_zone") from exc
    return name


def _snapshot(calendar: WorkCalendar) -> dict[str, Any]:
    return {
        "name": calendar.name,
        "time_zone": calendar.time_zone,
        "weekly_hours": calendar.weekly_hours,
        "is_24x7": calendar.is_24x7,
        "is_default": calendar.is_default,
    }


@transaction.atomic
def calendar_save(
    *,
    actor: Any,
    calendar: WorkCalendar | None = None,
    name: str,
    time_zone: str,
    weekly: Sequence[str],
    is_24x7: bool = False,
    is_default: bool = False,
) -> WorkCalendar:
    """Create or edit a calendar. One calendar is always the centre default."""
    _require(actor)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise DomainError(_("Give the calendar a name of at most 100 characters."), field="name")
    own_pk = calendar.pk if calendar is not None else 0
    if WorkCalendar.objects.filter(name=name).exclude(pk=own_pk).exists():
        raise DomainError(_("Another calendar already has this name."), field="name", code="unique")
    weekly_hours = weekly_from_texts(weekly)
    if not is_24x7 and not any(weekly_hours):
        raise DomainError(_("A calendar needs working hours on at least one weekday."), field="hours_mon")
    before = _snapshot(calendar) if calendar is not None else None
    if calendar is not None and calendar.is_default and not is_default:
        raise DomainError(
            _("Make another calendar the centre default instead; the centre always has one."), field="is_default"
        )
    if is_default:
        WorkCalendar.objects.filter(is_default=True).exclude(pk=own_pk).update(is_default=False)
    elif not WorkCalendar.objects.filter(is_default=True).exclude(pk=own_pk).exists():
        is_default = True  # the first calendar becomes the default
    target = calendar or WorkCalendar()
    timing_changed = calendar is None or (
        calendar.time_zone != time_zone or calendar.weekly_hours != weekly_hours or calendar.is_24x7 != is_24x7
    )
    target.name, target.time_zone, target.weekly_hours = name, _check_zone(time_zone), weekly_hours
    target.is_24x7, target.is_default = is_24x7, is_default
    target.version = (target.version or 0) + 1 if calendar is not None else 1
    target.save()
    audit_append(
        actor=actor,
        action="create" if calendar is None else "update",
        target=target,
        changes=diff(before, _snapshot(target)),
    )
    if timing_changed and calendar is not None:
        _retime_on_commit(target.pk)
    return target


def _touch(calendar: WorkCalendar) -> None:
    WorkCalendar.objects.filter(pk=calendar.pk).update(version=F("version") + 1, updated_at=timezone.now())
    calendar.refresh_from_db(fields=["version", "updated_at"])
    _retime_on_commit(calendar.pk)


def _retime_on_commit(calendar_id: int) -> None:
    from sqm.tickets.sla import tasks

    transaction.on_commit(lambda: tasks.queue_retime(calendar_id))


def _check_kind(kind: str) -> str:
    if kind not in DayKind.values:
        raise DomainError(_("Choose holiday or make-up working day."), field="kind", code="invalid_choice")
    return kind


@transaction.atomic
def calendar_day_set(*, actor: Any, calendar: WorkCalendar, date: dt.date, kind: str, name: str = "") -> CalendarDay:
    """Mark one date as a holiday or a make-up working day. A date is never both."""
    _require(actor)
    kind = _check_kind(kind)
    name = (name or "").strip()
    if len(name) > 100:
        raise DomainError(_("Ensure this value has at most 100 characters."), field="name")
    if not fileio.MIN_YEAR <= date.year <= fileio.MAX_YEAR:
        raise DomainError(_("Choose a date between 1970 and 2100."), field="date")
    existing = CalendarDay.objects.filter(calendar=calendar, date=date).first()
    if existing is not None and existing.kind != kind:
        raise DomainError(
            _("%(date)s is already a %(kind)s; remove it first.")
            % {"date": date.isoformat(), "kind": DayKind(existing.kind).label},
            field="date",
        )
    before = {"kind": existing.kind, "name": existing.name} if existing else None
    day, _created = CalendarDay.objects.update_or_create(
        calendar=calendar, date=date, defaults={"kind": kind, "name": name}
    )
    audit_append(
        actor=actor,
        action="day_set",
        target=calendar,
        changes={date.isoformat(): {"before": before, "after": {"kind": kind, "name": name}}},
    )
    _touch(calendar)
    return day


@transaction.atomic
def calendar_day_delete(*, actor: Any, calendar: WorkCalendar, day: CalendarDay) -> None:
    _require(actor)
    if day.calendar_id != calendar.pk:
        raise DomainError(_("This day belongs to another calendar."), field="date")
    before = {"kind": day.kind, "name": day.name}
    day.delete()
    audit_append(
        actor=actor,
        action="day_delete",
        target=calendar,
        changes={day.date.isoformat(): {"before": before, "after": None}},
    )
    _touch(calendar)


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    removed: int
    years: tuple[int, ...]


@transaction.atomic
def calendar_import(
    *, actor: Any, calendar: WorkCalendar, filename: str, content: bytes, replace_years: bool = False
) -> ImportResult:
    """Import holidays and make-up days from CSV (``date,kind,name``) or iCalendar.

    All or nothing: a bad line rejects the whole file (the error names the line). Dates in the
    file replace what the calendar had on those dates; with ``replace_years`` the other days of
    the years the file covers are removed, so a corrected schedule can be loaded again.
    """
    _require(actor)
    try:
        rows = fileio.parse(filename or "", content)
    except fileio.FileError as exc:
        raise DomainError(str(exc), field="file", code="import") from exc
    if not rows:
        raise DomainError(_("The file lists no days."), field="file", code="import")
    years = tuple(sorted({row.date.year for row in rows}))
    existing = {day.date: day for day in CalendarDay.objects.filter(calendar=calendar, date__year__in=years)}
    added = updated = removed = 0
    for row in rows:
        day = existing.pop(row.date, None)
        if day is None:
            CalendarDay.objects.create(calendar=calendar, date=row.date, kind=row.kind, name=row.name)
            added += 1
        elif (day.kind, day.name) != (row.kind, row.name):
            day.kind, day.name = row.kind, row.name
            day.save(update_fields=["kind", "name"])
            updated += 1
    if replace_years and existing:
        removed = CalendarDay.objects.filter(pk__in=[day.pk for day in existing.values()]).delete()[0]
    result = ImportResult(added=added, updated=updated, removed=removed, years=years)
    audit_append(
        actor=actor,
        action="import",
        target=calendar,
        changes={"days": {"before": None, "after": {**result.__dict__, "file": (filename or "")[:100]}}},
    )
    _touch(calendar)
    return result


@transaction.atomic
def team_calendar_set(*, actor: Any, team: Team, calendar: WorkCalendar | None) -> TeamCalendar | None:
    """Let a team work to its own calendar (``None``: back to the centre default)."""
    _require(actor)
    current = TeamCalendar.objects.filter(team=team).first()
    before = current.calendar_id if current else None
    after = calendar.pk if calendar else None
    if before == after:
        return current
    result: TeamCalendar | None
    if calendar is None:
        TeamCalendar.objects.filter(team=team).delete()
        result = None
    else:
        result, _created = TeamCalendar.objects.update_or_create(team=team, defaults={"calendar": calendar})
    audit_append(actor=actor, action="calendar", target=team, changes={"calendar": {"before": before, "after": after}})
    from sqm.tickets.sla import tasks

    transaction.on_commit(lambda: tasks.queue_team_retime(team.pk))
    return result
