"""Holiday files in and out: CSV (``date,kind,name``) and iCalendar (all-day VEVENTs). Pure.

Parsing never half-succeeds: it returns every row or raises :class:`FileError` naming the line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000
MIN_YEAR, MAX_YEAR = 1970, 2100

KIND_ALIASES = {
    "holiday": "holiday",
    "休": "holiday",
    "假": "holiday",
    "放假": "holiday",
    "节假日": "holiday",
    "makeup": "makeup",
    "make-up": "makeup",
    "make_up": "makeup",
    "workday": "makeup",
    "班": "makeup",
    "上班": "makeup",
    "补班": "makeup",
    "调休上班": "makeup",
}
DATE_FORMATS = (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"))
ICS_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


class FileError(ValueError):
    """The file cannot be imported; ``line`` is 1-based (0: the file as a whole)."""

    def __init__(self, message: str, line: int = 0) -> None:
        self.line = line
        self.message = message
        super().__init__(_("line %(line)d: %(message)s") % {"line": line, "message": message} if line else message)


@dataclass(frozen=True)
class DayRow:
    date: dt.date
    kind: str  # holiday | makeup
    name: str
    line: int


def decode(content: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (what Chinese spreadsheets save)."""
    if len(content) > MAX_BYTES:
        raise FileError(_("The file is larger than %(kb)d KB.") % {"kb": MAX_BYTES // 1024})
    if b"\x00" in content:
        raise FileError(_("This is not a text file."))
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return content.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise FileError(_("The file is neither UTF-8 nor GB18030 text.")) from exc


def detect_format(filename: str, text: str) -> str:
    """``csv`` or ``ics`` from the file name, else from the content; anything else is refused."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix in ("ics", "ical", "ifb", "icalendar"):
        return "ics"
    if suffix == "csv":
        return "csv"
    head = text.lstrip()[:200].upper()
    if head.startswith("BEGIN:VCALENDAR"):
        return "ics"
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    if suffix in ("", "txt") and "," in first:
        return "csv"
    raise FileError(_("Unknown file format: upload a CSV file (date,kind,name) or an iCalendar file (.ics)."))


def parse(filename: str, content: bytes) -> list[DayRow]:
    text = decode(content)
    rows = parse_ics(text) if detect_format(filename, text) == "ics" else parse_csv(text)
    return check_rows(rows)


def parse_date(value: str, line: int) -> dt.date:
    """``2026-10-01`` (also ``2026/10/01``); two-digit years and other orders are refused."""
    text = value.strip()
    for pattern in DATE_FORMATS:
        match = pattern.match(text)
        if match:
            return _date(*(int(g) for g in match.groups()), text=text, line=line)
    raise FileError(_("“%(value)s” is not a date like 2026-10-01.") % {"value": text}, line)


def _date(year: int, month: int, day: int, *, text: str, line: int) -> dt.date:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise FileError(
            _("“%(value)s”: the year must lie between %(min)d and %(max)d.")
            % {"value": text, "min": MIN_YEAR, "max": MAX_YEAR},
            line,
        )
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise FileError(_("“%(value)s” is not a real date.") % {"value": text}, line) from exc


def parse_kind(value: str, line: int) -> str:
    kind = KIND_ALIASES.get(value.strip().lower())
    if kind is None:
        raise FileError(_("“%(value)s” is not a kind: use holiday or makeup.") % {"value": value.strip()}, line)
    return kind


def parse_csv(text: str) -> list[DayRow]:
    rows: list[DayRow] = []
    for number, record in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [cell.strip() for cell in record]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if number == 1 and cells[0].lower() in ("date", "日期"):
            continue  # header
        if len(cells) < 2:
            raise FileError(_("Expected date,kind,name."), number)
        if len(cells) > 3:
            raise FileError(_("Expected 3 columns (date,kind,name), found %(count)d.") % {"count": len(cells)}, number)
        name = cells[2] if len(cells) == 3 else ""
        rows.append(DayRow(parse_date(cells[0], number), parse_kind(cells[1], number), _name(name, number), number))
    return rows


def _name(value: str, line: int) -> str:
    if len(value) > 100:
        raise FileError(_("The name is longer than 100 characters."), line)
    return value


# --- iCalendar ----------------------------------------------------------------------------------


def _unfold(text: str) -> list[tuple[int, str]]:
    """RFC 5545 logical lines with the number of the physical line each starts on."""
    logical: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw[:1] in (" ", "\t") and logical:
            start, value = logical[-1]
            logical[-1] = (start, value + raw[1:])
        elif raw.strip():
            logical.append((number, raw))
    return logical


def _property(line: str) -> tuple[str, dict[str, str], str]:
    head, sep, value = line.partition(":")
    if not sep:
        return line.upper(), {}, ""
    name, *params = head.split(";")
    parsed = {}
    for param in params:
        key, _eq, val = param.partition("=")
        parsed[key.upper()] = val.strip('"')
    return name.upper(), parsed, value


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def parse_ics(text: str) -> list[DayRow]:
    lines = _unfold(text)
    if not lines or lines[0][1].strip().upper() != "BEGIN:VCALENDAR":
        raise FileError(_("An iCalendar file starts with BEGIN:VCALENDAR."), lines[0][0] if lines else 0)
    rows: list[DayRow] = []
    event: dict[str, tuple[int, dict[str, str], str]] | None = None
    event_line = 0
    for number, line in lines:
        name, params, value = _property(line)
        if name == "BEGIN" and value.upper() == "VEVENT":
            event, event_line = {}, number
        elif name == "END" and value.upper() == "VEVENT":
            if event is None:
                raise FileError(_("END:VEVENT without BEGIN:VEVENT."), number)
            rows.extend(_event_rows(event, event_line))
            event = None
        elif event is not None:
            event.setdefault(name, (number, params, value))
    if event is not None:
        raise FileError(_("BEGIN:VEVENT is never closed by END:VEVENT."), event_line)
    return rows


def _ics_date(value: str, line: int) -> dt.date:
    match = ICS_DATE.match(value.strip())
    if not match:
        raise FileError(
            _("“%(value)s” is not an all-day date like 20261001 (DTSTART;VALUE=DATE:20261001).")
            % {"value": value.strip()},
            line,
        )
    return _date(*(int(g) for g in match.groups()), text=value.strip(), line=line)


def _event_rows(event: dict[str, tuple[int, dict[str, str], str]], line: int) -> list[DayRow]:
    if "DTSTART" not in event:
        raise FileError(_("The event has no DTSTART."), line)
    start_line, _params, start_value = event["DTSTART"]
    start = _ics_date(start_value, start_line)
    end = start + dt.timedelta(days=1)
    if "DTEND" in event:
        end_line, _p, end_value = event["DTEND"]
        end = _ics_date(end_value, end_line)
        if end <= start:
            raise FileError(_("DTEND must come after DTSTART."), end_line)
        if (end - start).days > 31:
            raise FileError(_("An event longer than 31 days is not a holiday."), end_line)
    kind = _event_kind(event, line)
    summary = event.get("SUMMARY")
    name = _name(_unescape(summary[2]).strip(), summary[0]) if summary else ""
    return [DayRow(start + dt.timedelta(days=n), kind, name, start_line) for n in range((end - start).days)]


def _event_kind(event: dict[str, tuple[int, dict[str, str], str]], line: int) -> str:
    if "X-SQM-KIND" in event:
        kind_line, _p, value = event["X-SQM-KIND"]
        return parse_kind(value, kind_line)
    if "CATEGORIES" in event:
        kind_line, _p, value = event["CATEGORIES"]
        kinds = {KIND_ALIASES.get(item.strip().lower()) for item in _unescape(value).split(",")} - {None}
        if len(kinds) == 1:
            return str(kinds.pop())
        if len(kinds) > 1:
            raise FileError(_("CATEGORIES names both holiday and makeup."), kind_line)
    raise FileError(_("The event does not say its kind: add CATEGORIES:holiday (or makeup) or X-SQM-KIND."), line)


# --- checks and export ----------------------------------------------------------------------------


def check_rows(rows: list[DayRow]) -> list[DayRow]:
    """No date twice (in particular not both a holiday and a make-up day); not too many rows."""
    if len(rows) > MAX_ROWS:
        raise FileError(_("More than %(max)d days in one file.") % {"max": MAX_ROWS})
    seen: dict[dt.date, DayRow] = {}
    for row in rows:
        first = seen.get(row.date)
        if first is not None:
            if first.kind != row.kind:
                raise FileError(
                    _("%(date)s is both a holiday and a make-up day (see line %(other)d).")
                    % {"date": row.date.isoformat(), "other": first.line},
                    row.line,
                )
            raise FileError(
                _("%(date)s is listed twice (see line %(other)d).")
                % {"date": row.date.isoformat(), "other": first.line},
                row.line,
            )
        seen[row.date] = row
    return rows


def export_csv(days: Iterable[tuple[dt.date, str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["date", "kind", "name"])
    for date, kind, name in days:
        writer.writerow([date.isoformat(), kind, name])
    return out.getvalue()


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold at 75 octets without splitting a UTF-8 character."""
    parts: list[str] = []
    current = ""
    for char in line:
        limit = 75 if not parts else 74
        if len((current + char).encode()) > limit:
            parts.append(current)
            current = char
        else:
            current += char
    parts.append(current)
    return "\r\n ".join(parts)


def export_ics(calendar_name: str, days: Iterable[tuple[dt.date, str, str]], *, domain: str, stamp: dt.datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//SQM//Working calendar//ZH",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(calendar_name)}",
    ]
    stamp_text = stamp.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for date, kind, name in days:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{date:%Y%m%d}-{kind}@{domain}",
            f"DTSTAMP:{stamp_text}",
            f"DTSTART;VALUE=DATE:{date:%Y%m%d}",
            f"DTEND;VALUE=DATE:{date + dt.timedelta(days=1):%Y%m%d}",
            *([f"SUMMARY:{_escape(name)}"] if name else []),
            f"CATEGORIES:{kind.upper()}",
            f"X-SQM-KIND:{kind}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
