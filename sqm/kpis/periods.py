"""Periods of the rollups: a day, an ISO week (Monday first) or a calendar month, by local date
in the centre's time zone (``settings.TIME_ZONE``)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from sqm.kpis.models import Grain


def local_day(moment: dt.datetime) -> dt.date:
    """The centre-local date of an aware datetime: the day a fact is attributed to.

    Always the centre's zone (``settings.TIME_ZONE``), never a zone activated for one request,
    so a fact's day does not depend on who happened to trigger its computation."""
    return moment.astimezone(timezone.get_default_timezone()).date()


def period_start(day: dt.date, grain: str) -> dt.date:
    if grain == Grain.DAY:
        return day
    if grain == Grain.WEEK:
        return day - dt.timedelta(days=day.weekday())
    if grain == Grain.MONTH:
        return day.replace(day=1)
    raise ValueError(f"unknown grain {grain!r}")


def next_period(start: dt.date, grain: str) -> dt.date:
    if grain == Grain.DAY:
        return start + dt.timedelta(days=1)
    if grain == Grain.WEEK:
        return start + dt.timedelta(days=7)
    if grain == Grain.MONTH:
        return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    raise ValueError(f"unknown grain {grain!r}")


def previous_period(start: dt.date, grain: str) -> dt.date:
    return period_start(start - dt.timedelta(days=1), grain)


def periods(first: dt.date, last: dt.date, grain: str) -> list[dt.date]:
    """Starts of every period of ``grain`` touching ``first``…``last`` (inclusive), oldest first."""
    out, cursor = [], period_start(first, grain)
    while cursor <= last:
        out.append(cursor)
        cursor = next_period(cursor, grain)
    return out
