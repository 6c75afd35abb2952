"""``sqm sla due``: when does a target fall due on a working calendar? For checking calendars.

Example (working hours 09:00-18:00 Monday to Friday, China's statutory schedule):
    sqm sla due --start 2026-09-30T17:30+08:00 --minutes 60 --holidays CN
    2026-10-08T09:30:00+08:00
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sqm.tickets.sla import china
from sqm.tickets.sla.calendar import BusinessCalendar, CalendarError, parse_hours

DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def parse_days(text: str) -> list[int]:
    """``mon-fri`` or ``mon,wed,sat`` → weekday numbers."""
    days: list[int] = []
    for part in text.lower().split(","):
        first, _, last = part.strip().partition("-")
        if first not in DAY_NAMES or (last and last not in DAY_NAMES):
            raise ValueError(f"unknown day in “{part.strip()}” (use mon … sun)")
        start, end = DAY_NAMES.index(first), DAY_NAMES.index(last or first)
        days.extend(range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)])
    return sorted(set(days))


class Command(BaseCommand):
    help = "Business-time tools for SLA calendars."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        due = sub.add_parser("due", help="print when a target of N business minutes falls due")
        due.add_argument("--start", required=True, help="ISO 8601 start, e.g. 2026-09-30T17:30+08:00")
        due.add_argument("--minutes", required=True, type=int, help="the target in business minutes")
        due.add_argument(
            "--hours", default="09:00-18:00", help="working intervals, e.g. 09:00-12:00,13:00-18:00 or 24h"
        )
        due.add_argument("--days", default="mon-fri", help="working weekdays, e.g. mon-fri or mon-sat")
        due.add_argument("--holidays", choices=["CN", "none"], default="none", help="public holiday schedule")
        due.add_argument("--tz", default="", help="time zone of the working hours (default: the centre's)")
        due.add_argument("--calendar", default="", help="a calendar defined in SQM (by name)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start = dt.datetime.fromisoformat(options["start"])
        except ValueError as exc:
            raise CommandError(f"--start: {exc}") from exc
        if options["minutes"] < 0:
            raise CommandError("--minutes: must be zero or more")
        calendar = self._calendar(options, start)
        if start.tzinfo is None:
            start = start.replace(tzinfo=calendar.tz)
        try:
            due = calendar.add(start, dt.timedelta(minutes=options["minutes"]))
        except CalendarError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(due.astimezone(start.tzinfo).isoformat())

    def _calendar(self, options: dict[str, Any], start: dt.datetime) -> BusinessCalendar:
        if options["calendar"]:
            return self._stored_calendar(options["calendar"])
        try:
            zone = ZoneInfo(options["tz"] or settings.TIME_ZONE)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CommandError(f"--tz: unknown time zone {options['tz']!r}") from exc
        try:
            hours = parse_hours(options["hours"])
            days = parse_days(options["days"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        holidays: dict[dt.date, str] = {}
        makeup: dict[dt.date, str] = {}
        if options["holidays"] == "CN":
            years = [y for y in range(start.year - 1, start.year + 4) if y in china.known_years()]
            holidays, makeup = china.schedule(years)
        return BusinessCalendar(
            tz=zone, weekly={d: hours for d in days}, holidays=frozenset(holidays), makeup_days=frozenset(makeup)
        )

    def _stored_calendar(self, name: str) -> BusinessCalendar:
        """A calendar defined in SQM (weekly hours, holidays and make-up days as stored)."""
        from sqm.tickets.sla.calendars import business_calendar, calendar_by_name
        from sqm.tickets.sla.selectors import calendar_choices

        stored = calendar_by_name(name)
        if stored is None:
            known = ", ".join(c.name for c in calendar_choices()) or "none"
            raise CommandError(f"--calendar: no calendar named {name!r} (known: {known})")
        return business_calendar(stored)
