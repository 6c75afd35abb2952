"""Business-time arithmetic on working calendars: pure, fast and exact.

A :class:`BusinessCalendar` knows a time zone, the working intervals of each weekday (several a
day: split shifts and lunch breaks), the dates that are closed although they would be working
days (public holidays) and the dates that are open although they fall on a weekend (make-up
working days, 调休). Times go in and come out as aware datetimes; durations are counted in real
elapsed time inside open intervals, so days with a DST change are handled exactly.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

Interval = tuple[dt.time, dt.time]
MAX_DAYS = 3 * 366  # a target that does not fit in three years of calendar is an error


class CalendarError(ValueError):
    """The calendar itself is unusable (e.g. it has no open time at all)."""


def parse_hours(text: str) -> tuple[Interval, ...]:
    """``"09:00-12:00,13:30-18:00"`` → intervals; ``"24h"`` → the whole day."""
    text = text.strip()
    if text.lower() in ("24h", "00:00-24:00"):
        return ((dt.time(0, 0), dt.time.max),)
    intervals = []
    for part in text.split(","):
        start_text, sep, end_text = part.strip().partition("-")
        if not sep:
            raise ValueError(f"“{part.strip()}” is not an interval like 09:00-18:00")
        start = dt.time.fromisoformat(start_text.strip())
        end = dt.time.max if end_text.strip() == "24:00" else dt.time.fromisoformat(end_text.strip())
        intervals.append((start, end))
    return check_intervals(intervals)


def check_intervals(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Sorted intervals, each starting before it ends, none overlapping another."""
    ordered = sorted(intervals)
    for start, end in ordered:
        if not start < end:
            raise ValueError(f"the interval {start:%H:%M}-{end:%H:%M} ends before it starts")
    for (_, first_end), (second_start, _) in itertools.pairwise(ordered):
        if second_start < first_end:
            raise ValueError(f"the intervals overlap at {second_start:%H:%M}")
    return tuple(ordered)


@dataclass(frozen=True)
class BusinessCalendar:
    """Working time of a centre. ``weekly[0]`` is Monday; a missing weekday is closed."""

    tz: ZoneInfo
    weekly: Mapping[int, tuple[Interval, ...]]
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    makeup_days: frozenset[dt.date] = field(default_factory=frozenset)
    makeup_hours: tuple[Interval, ...] | None = None  # default: Monday's hours

    @classmethod
    def always_open(cls, tz: str | ZoneInfo = "UTC") -> BusinessCalendar:
        """A 24×7 calendar: business time equals plain elapsed time."""
        zone = ZoneInfo(tz) if isinstance(tz, str) else tz
        return cls(tz=zone, weekly={d: ((dt.time(0, 0), dt.time.max),) for d in range(7)})

    def hours_on(self, day: dt.date) -> tuple[Interval, ...]:
        """The working intervals of a date, holidays and make-up days applied."""
        if day in self.holidays:
            return ()
        if day in self.makeup_days and not self.weekly.get(day.weekday()):
            return self.makeup_hours or self.weekly.get(0, ())
        return self.weekly.get(day.weekday(), ())

    def periods_on(self, day: dt.date) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """Open periods of a date as aware datetimes (end of day ``time.max`` means midnight)."""
        for start, end in self.hours_on(day):
            begin = dt.datetime.combine(day, start, tzinfo=self.tz)
            if end == dt.time.max:
                finish = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=self.tz)
            else:
                finish = dt.datetime.combine(day, end, tzinfo=self.tz)
            yield begin, finish

    def periods_from(self, moment: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """Open periods from ``moment`` on, the first one clipped to start at ``moment``."""
        _require_aware(moment)
        day = moment.astimezone(self.tz).date() - dt.timedelta(days=1)  # a period may start the day before
        for offset in range(MAX_DAYS + 2):
            for begin, finish in self.periods_on(day + dt.timedelta(days=offset)):
                if _utc(finish) <= _utc(moment):
                    continue
                yield (max(begin, moment, key=_utc), finish)
        raise CalendarError("the calendar has no open time within three years")

    def add(self, start: dt.datetime, business: dt.timedelta) -> dt.datetime:
        """The moment when ``business`` working time has passed after ``start``.

        Zero business time from a closed moment gives that moment itself; the result of a
        positive duration always lies inside (or at the end of) an open period.
        """
        if business < dt.timedelta(0):
            raise ValueError("business time cannot be negative")
        if business == dt.timedelta(0):
            return start
        remaining = business
        for begin, finish in self.periods_from(start):
            length = _utc(finish) - _utc(begin)
            if remaining <= length:
                return (_utc(begin) + remaining).astimezone(start.tzinfo)
            remaining -= length
        raise CalendarError("unreachable")  # pragma: no cover - periods_from raises first

    def elapsed(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Working time between two moments (zero when ``end`` is not after ``start``)."""
        _require_aware(end)
        if _utc(end) <= _utc(start):
            return dt.timedelta(0)
        total = dt.timedelta(0)
        for begin, finish in self.periods_from(start):
            if _utc(begin) >= _utc(end):
                break
            total += min(_utc(finish), _utc(end)) - _utc(begin)
        return total

    def is_open(self, moment: dt.datetime) -> bool:
        first = next(self.periods_from(moment))
        return _utc(first[0]) <= _utc(moment)

    def next_periods(self, moment: dt.datetime, count: int) -> list[tuple[dt.datetime, dt.datetime]]:
        """The next ``count`` open periods (for a calendar preview)."""
        periods = []
        for period in self.periods_from(moment):
            periods.append(period)
            if len(periods) == count:
                break
        return periods


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def _require_aware(moment: dt.datetime) -> None:
    if moment.tzinfo is None:
        raise ValueError("times must carry a time zone")


class BusinessIndex:
    """A precomputed view of a :class:`BusinessCalendar` over a span, for bulk work (the demo's
    year of tickets): the same answers as ``add`` and ``elapsed``, in whole seconds counted from
    ``origin``, at a few microseconds each instead of tens.

    The calendar's open periods from ``origin`` to ``origin + span`` are listed once with a
    running total of business seconds, so business time up to a moment is one binary search and
    its inverse another. Outside the span the calendar itself answers (exact, only slower).
    """

    def __init__(self, calendar: BusinessCalendar, origin: dt.datetime, span: dt.timedelta) -> None:
        _require_aware(origin)
        self.calendar, self.origin = calendar, origin
        zero, end = _utc(origin), _utc(origin + span)
        starts: list[int] = []
        ends: list[int] = []
        totals: list[int] = []  # business seconds before each period
        running = 0
        for begin, finish in calendar.periods_from(origin):
            if _utc(begin) >= end:
                break
            first = int((_utc(begin) - zero).total_seconds())
            last = int((_utc(finish) - zero).total_seconds())
            if starts and first <= ends[-1]:  # a period running on past midnight: one period
                running += last - ends[-1]
                ends[-1] = last
                continue
            starts.append(first)
            ends.append(last)
            totals.append(running)
            running += last - first
        self.starts, self.ends, self.totals = starts, ends, totals
        self.reach = [total + e - s for total, s, e in zip(totals, starts, ends, strict=True)]
        self.limit = ends[-1] if ends else 0

    def _moment(self, seconds: int) -> dt.datetime:
        return (_utc(self.origin) + dt.timedelta(seconds=seconds)).astimezone(self.origin.tzinfo)

    def business(self, t: int) -> int:
        """Business seconds from ``origin`` to ``t`` (``0 <= t <= limit``)."""
        i = bisect.bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        return self.totals[i] + min(t, self.ends[i]) - self.starts[i]

    def moment(self, business: int) -> int | None:
        """The moment business time from ``origin`` reaches ``business`` (> 0): the inverse of
        :meth:`business`, at the end of an open stretch; None beyond the span."""
        i = bisect.bisect_left(self.reach, business)
        if i < len(self.reach):
            return self.starts[i] + business - self.totals[i]
        return None

    def add(self, t: int, seconds: int) -> int:
        """``calendar.add`` in seconds from ``origin``: when ``seconds`` of business time have
        passed after ``t`` (``t`` itself for zero)."""
        if seconds <= 0:
            if seconds < 0:
                raise ValueError("business time cannot be negative")
            return t
        if 0 <= t <= self.limit:
            found = self.moment(self.business(t) + seconds)
            if found is not None:
                return found
        due = self.calendar.add(self._moment(t), dt.timedelta(seconds=seconds))
        return round((_utc(due) - _utc(self.origin)).total_seconds())

    def elapsed(self, start: int, end: int) -> int:
        """``calendar.elapsed`` in seconds from ``origin``."""
        if end <= start:
            return 0
        if start >= 0 and end <= self.limit:
            return self.business(end) - self.business(start)
        span = self.calendar.elapsed(self._moment(start), self._moment(end))
        return round(span.total_seconds())
