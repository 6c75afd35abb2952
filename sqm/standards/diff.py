"""A readable difference between two versions of a standard (pure: reads the objects it is given).

Clauses are matched by number, indicators by code and SLA terms by policy code; each is added,
removed, changed (field by field, e.g. target 90 → 92) or unchanged. Changed texts carry a
word-level diff in which every Chinese character counts as a word (Chinese has no spaces), so a
reader sees exactly which characters or words were inserted or deleted.

The versions should come with their clauses, indicators and SLA terms prefetched
(``selectors.version_detail``); nothing here writes or queries beyond ``.all()`` on them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sqm.org.models import CustomerTier
from sqm.standards.catalogue import Direction, KpiCode
from sqm.standards.models import ScopeDimension, SopKind
from sqm.tickets.models import Priority, TicketType

_TOKEN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]|\d+(?:\.\d+)?|[A-Za-z_'’-]+|\s+|.", re.S)


@dataclass(frozen=True)
class Segment:
    """A run of text that is the same in both versions (``equal``), only in the new one
    (``insert``) or only in the old one (``delete``)."""

    op: str
    text: str


@dataclass
class FieldChange:
    name: str
    label: Any
    before: str
    after: str
    segments: list[Segment] | None = None  # for long texts: the word-level diff

    @property
    def is_text(self) -> bool:
        return self.segments is not None


@dataclass
class ItemDiff:
    """One clause, indicator or SLA term across the two versions."""

    key: str
    label: str
    status: str  # added | removed | changed | same
    changes: list[FieldChange] = field(default_factory=list)
    before: Any = None
    after: Any = None


@dataclass
class VersionDiff:
    old: Any
    new: Any
    header: list[FieldChange]
    clauses: list[ItemDiff]
    indicators: list[ItemDiff]
    terms: list[ItemDiff]

    @property
    def has_changes(self) -> bool:
        return bool(self.header) or any(
            item.status != "same" for item in (*self.clauses, *self.indicators, *self.terms)
        )

    def counts(self) -> dict[str, int]:
        result = {"added": 0, "removed": 0, "changed": 0}
        for item in (*self.clauses, *self.indicators, *self.terms):
            if item.status in result:
                result[item.status] += 1
        return result


def tokens(text: str) -> list[str]:
    """Words of ``text``: each CJK character alone, latin words and numbers whole, blanks kept."""
    return _TOKEN.findall(text or "")


def text_diff(before: str, after: str) -> list[Segment]:
    """Word-level diff of two texts as a list of segments (adjacent runs of one kind merged)."""
    old, new = tokens(before), tokens(after)
    segments: list[Segment] = []

    def add(op: str, words: Iterable[str]) -> None:
        text = "".join(words)
        if not text:
            return
        if segments and segments[-1].op == op:
            segments[-1] = Segment(op, segments[-1].text + text)
        else:
            segments.append(Segment(op, text))

    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", old[i1:i2])
        else:
            add("delete", old[i1:i2])
            add("insert", new[j1:j2])
    return segments


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _choice(choices: Any) -> Callable[[Any], str]:
    def show(value: Any) -> str:
        if value in (None, ""):
            return ""
        try:
            return str(choices(value).label)
        except ValueError:
            return str(value)

    return show


def _ticket_types(value: Any) -> str:
    if not value:
        return str(_("every ticket type"))
    return ", ".join(_choice(TicketType)(v) for v in value)


def _minutes(value: Any) -> str:
    return f"{value} {_('min')}"


Spec = tuple[str, Promise, Callable[[Any], str] | None, bool]  # field, label, display, long text

HEADER_FIELDS: list[Spec] = [
    ("title_zh", _("Chinese title"), None, False),
    ("title_en", _("English title"), None, False),
    ("purpose_zh", _("purpose (Chinese)"), None, True),
    ("purpose_en", _("purpose (English)"), None, True),
]
CLAUSE_FIELDS: list[Spec] = [
    ("title_zh", _("Chinese title"), None, True),
    ("title_en", _("English title"), None, True),
    ("body_zh", _("text (Chinese)"), None, True),
    ("body_en", _("text (English)"), None, True),
    ("sop_kind", _("SOP kind"), _choice(SopKind), False),
    ("ticket_types", _("ticket types it applies to"), _ticket_types, False),
]
INDICATOR_FIELDS: list[Spec] = [
    ("name_zh", _("Chinese name"), None, False),
    ("name_en", _("English name"), None, False),
    ("kpi", _("KPI it reads"), _choice(KpiCode), False),
    ("unit", _("unit"), None, False),
    ("direction", _("direction"), _choice(Direction), False),
    ("target", _("target"), None, False),
    ("yellow", _("yellow threshold"), None, False),
    ("orange", _("orange threshold"), None, False),
    ("red", _("red threshold"), None, False),
    ("weight", _("weight (%)"), None, False),
    ("scope", _("scope"), _choice(ScopeDimension), False),
    ("scope_key", _("scope value"), None, False),
    ("min_volume", _("minimum volume"), None, False),
    ("review_margin", _("review margin"), None, False),
    ("review_periods", _("review after consecutive periods"), None, False),
]
TERM_FIELDS: list[Spec] = [
    ("name", _("name"), None, False),
    ("ticket_type", _("ticket type"), _choice(TicketType), False),
    ("priority", _("priority"), _choice(Priority), False),
    ("tier", _("customer tier"), _choice(CustomerTier), False),
    ("response_minutes", _("first response target (business minutes)"), _minutes, False),
    ("resolution_minutes", _("resolution target (business minutes)"), _minutes, False),
    ("warn_fraction", _("warn at fraction of target"), None, False),
    (
        "escalate_after_minutes",
        _("escalate to the quality manager after (business minutes past breach)"),
        _minutes,
        False,
    ),
    ("calendar_id", _("calendar"), None, False),
]


def _compare(old: Any, new: Any, specs: list[Spec]) -> list[FieldChange]:
    changes = []
    for name, label, display, long_text in specs:
        before, after = getattr(old, name, None), getattr(new, name, None)
        if isinstance(before, Decimal) and isinstance(after, Decimal):
            same = before == after
        else:
            same = _plain(before) == _plain(after)
        if same:
            continue
        show = display or _plain
        change = FieldChange(name, label, show(before), show(after))
        if long_text:
            change.segments = text_diff(_plain(before), _plain(after))
        changes.append(change)
    return changes


def _items(
    old_rows: Iterable[Any],
    new_rows: Iterable[Any],
    key: Callable[[Any], str],
    label: Callable[[Any], str],
    specs: list[Spec],
) -> list[ItemDiff]:
    old_map = {key(row): row for row in old_rows}
    new_map = {key(row): row for row in new_rows}
    order = list(new_map) + [k for k in old_map if k not in new_map]
    result = []
    for k in order:
        before, after = old_map.get(k), new_map.get(k)
        if before is None:
            result.append(ItemDiff(k, label(after), "added", after=after))
        elif after is None:
            result.append(ItemDiff(k, label(before), "removed", before=before))
        else:
            changes = _compare(before, after, specs)
            result.append(ItemDiff(k, label(after), "changed" if changes else "same", changes, before, after))
    return result


def diff_versions(old: Any, new: Any) -> VersionDiff:
    """What changed from version ``old`` to version ``new`` of the same standard."""
    return VersionDiff(
        old=old,
        new=new,
        header=_compare(old, new, HEADER_FIELDS),
        clauses=_items(
            old.clauses.all(), new.clauses.all(), lambda c: c.number, lambda c: f"{c.number} {c.title}", CLAUSE_FIELDS
        ),
        indicators=_items(
            old.indicators.all(),
            new.indicators.all(),
            lambda i: i.code,
            lambda i: f"{i.code} {i.name}",
            INDICATOR_FIELDS,
        ),
        terms=_items(
            old.sla_terms.all(),
            new.sla_terms.all(),
            lambda t: t.policy_code,
            lambda t: f"{t.policy_code} {t.name}",
            TERM_FIELDS,
        ),
    )


def as_json(result: VersionDiff) -> dict[str, Any]:
    """The diff as plain data for the API."""

    def change(c: FieldChange) -> dict[str, Any]:
        data: dict[str, Any] = {"field": c.name, "label": str(c.label), "before": c.before, "after": c.after}
        if c.segments is not None:
            data["segments"] = [{"op": s.op, "text": s.text} for s in c.segments]
        return data

    def items(rows: list[ItemDiff]) -> list[dict[str, Any]]:
        return [
            {"key": r.key, "label": r.label, "status": r.status, "changes": [change(c) for c in r.changes]}
            for r in rows
        ]

    return {
        "old": {"id": result.old.pk, "number": result.old.number, "status": result.old.status},
        "new": {"id": result.new.pk, "number": result.new.number, "status": result.new.status},
        "has_changes": result.has_changes,
        "header": [change(c) for c in result.header],
        "clauses": items(result.clauses),
        "indicators": items(result.indicators),
        "sla_terms": items(result.terms),
    }
