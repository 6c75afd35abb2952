"""Scorecard versions (评分表): drafts are edited section by section and item by item; publishing
checks that the item weights add up to exactly 100 and supersedes the version before it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from sqm.audit.services import audit_append, diff, snapshot
from sqm.core.errors import DomainError
from sqm.core.roles import Cap
from sqm.core.validation import clean_text
from sqm.inspections import scoring
from sqm.inspections.models import Scorecard, ScorecardItem, ScorecardSection, ScorecardStatus
from sqm.inspections.services.base import (
    ITEM_FIELDS,
    MAX_TEXT,
    SCORECARD_FIELDS,
    now,
    parse_decimal,
    require,
    today,
)


def _draft(scorecard: Scorecard, field: str = "scorecard") -> Scorecard:
    """The scorecard, locked, if it is still a draft."""
    locked = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if locked.status != ScorecardStatus.DRAFT:
        raise DomainError(
            _("Only a draft can be changed; %(card)s is %(status)s. Make a new version instead.")
            % {"card": locked, "status": locked.get_status_display()},
            field=field,
            code="not_draft",
        )
    return locked


def _check_new_code(raw: str) -> str:
    code = clean_text(raw, "code", 40).upper()
    if not all(ch.isalnum() or ch in "-_." for ch in code):
        raise DomainError(_("Use letters, digits, hyphens, dots or underscores."), field="code")
    if Scorecard.objects.filter(code=code).exists():
        raise DomainError(
            _("The code %(code)s is taken; make a new version of that scorecard instead.") % {"code": code},
            field="code",
            code="unique",
        )
    return code


@transaction.atomic
def scorecard_create(*, actor: Any, code: str, name_zh: str, name_en: str = "", change_note: str = "") -> Scorecard:
    """Start a new scorecard (version 1, a draft) under a code not used before."""
    require(actor, Cap.INSPECTION_MANAGE)
    card = Scorecard.objects.create(
        code=_check_new_code(code),
        version=1,
        name_zh=clean_text(name_zh, "name_zh", 120),
        name_en=clean_text(name_en, "name_en", 120, required=False),
        change_note=clean_text(change_note, "change_note", MAX_TEXT, required=False),
        created_by=actor,
        created_at=now(),
    )
    audit_append(actor=actor, action="create", target=card, changes=diff(None, snapshot(card, SCORECARD_FIELDS)))
    return card


@transaction.atomic
def scorecard_update(
    *,
    actor: Any,
    scorecard: Scorecard,
    name_zh: str | None = None,
    name_en: str | None = None,
    change_note: str | None = None,
) -> Scorecard:
    """Rename a draft or change its note."""
    require(actor, Cap.INSPECTION_MANAGE)
    card = _draft(scorecard)
    before = snapshot(card, SCORECARD_FIELDS)
    if name_zh is not None:
        card.name_zh = clean_text(name_zh, "name_zh", 120)
    if name_en is not None:
        card.name_en = clean_text(name_en, "name_en", 120, required=False)
    if change_note is not None:
        card.change_note = clean_text(change_note, "change_note", MAX_TEXT, required=False)
    changes = diff(before, snapshot(card, SCORECARD_FIELDS))
    if changes:
        card.save()
        audit_append(actor=actor, action="update", target=card, changes=changes)
    return card


def _copy_sections(source: Scorecard, target: Scorecard) -> None:
    """Copy ``source``'s sections and items into the new draft ``target``."""
    for section in source.sections.prefetch_related("items"):
        copy = ScorecardSection.objects.create(
            scorecard=target, position=section.position, name_zh=section.name_zh, name_en=section.name_en
        )
        ScorecardItem.objects.bulk_create(
            [
                ScorecardItem(
                    scorecard=target,
                    section=copy,
                    position=item.position,
                    text_zh=item.text_zh,
                    text_en=item.text_en,
                    guidance_zh=item.guidance_zh,
                    guidance_en=item.guidance_en,
                    weight=item.weight,
                    critical=item.critical,
                    max_points=item.max_points,
                )
                for item in section.items.all()
            ]
        )


@transaction.atomic
def scorecard_new_version(*, actor: Any, scorecard: Scorecard, change_note: str = "") -> Scorecard:
    """A draft copy (sections and items) of the latest version of ``scorecard``'s code, to edit.
    When that latest version is a draft already, it is returned as it is (one draft per code)."""
    require(actor, Cap.INSPECTION_MANAGE)
    latest = Scorecard.objects.select_for_update().filter(code=scorecard.code).order_by("-version").first()
    assert latest is not None
    if latest.status == ScorecardStatus.DRAFT:
        return latest  # one open draft per code: asking again gives the same draft
    card = Scorecard.objects.create(
        code=latest.code,
        version=latest.version + 1,
        name_zh=latest.name_zh,
        name_en=latest.name_en,
        change_note=clean_text(change_note, "change_note", MAX_TEXT, required=False),
        created_by=actor,
        created_at=now(),
    )
    _copy_sections(latest, card)
    audit_append(
        actor=actor,
        action="create",
        target=card,
        changes={**diff(None, snapshot(card, SCORECARD_FIELDS)), "copied_from": {"before": None, "after": latest.pk}},
    )
    return card


def _position(value: int | None, siblings: QuerySet[Any]) -> int:
    if value is not None:
        return max(0, min(int(value), 32767))
    return (siblings.aggregate(m=Max("position"))["m"] or 0) + 1


@transaction.atomic
def scorecard_section_add(
    *, actor: Any, scorecard: Scorecard, name_zh: str, name_en: str = "", position: int | None = None
) -> ScorecardSection:
    """Add a section to a draft scorecard."""
    require(actor, Cap.INSPECTION_MANAGE)
    card = _draft(scorecard)
    section = ScorecardSection.objects.create(
        scorecard=card,
        name_zh=clean_text(name_zh, "name_zh", 100),
        name_en=clean_text(name_en, "name_en", 100, required=False),
        position=_position(position, card.sections.all()),
    )
    audit_append(
        actor=actor,
        action="section_add",
        target=card,
        changes={"section": {"before": None, "after": {"id": section.pk, "name_zh": section.name_zh}}},
    )
    return section


@transaction.atomic
def scorecard_section_delete(*, actor: Any, section: ScorecardSection) -> None:
    """Remove a section (and its items) from a draft scorecard."""
    require(actor, Cap.INSPECTION_MANAGE)
    card = _draft(section.scorecard)
    items = list(section.items.values_list("pk", flat=True))
    audit_append(
        actor=actor,
        action="section_delete",
        target=card,
        changes={"section": {"before": {"id": section.pk, "name_zh": section.name_zh, "items": items}, "after": None}},
    )
    section.delete()


def _points_scale(critical: bool, max_points: int | None) -> int:
    """The points scale of an item: a critical one is pass/fail (0–1); others 0 to 1 … 10 (default 4)."""
    if critical:
        if max_points not in (None, 1):
            raise DomainError(
                _("A critical item is scored pass/fail: its points scale is 0 to 1."), field="max_points", code="range"
            )
        return 1
    points = 4 if max_points is None else int(max_points)
    if not 1 <= points <= 10:
        raise DomainError(_("The points scale runs from 0 to a number between 1 and 10."), field="max_points")
    return points


def _item_values(
    *,
    text_zh: str,
    text_en: str,
    guidance_zh: str,
    guidance_en: str,
    weight: Any,
    critical: bool,
    max_points: int | None,
) -> dict[str, Any]:
    """An item's fields checked: weight above 0 and at most 100 (two decimals), the points scale, texts."""
    value = parse_decimal(weight, "weight", places=2)
    if not Decimal(0) < value <= Decimal(100):
        raise DomainError(_("A weight lies above 0 and at most 100."), field="weight", code="range")
    points = _points_scale(critical, max_points)
    return {
        "text_zh": clean_text(text_zh, "text_zh", 200),
        "text_en": clean_text(text_en, "text_en", 200, required=False),
        "guidance_zh": clean_text(guidance_zh, "guidance_zh", MAX_TEXT, required=False),
        "guidance_en": clean_text(guidance_en, "guidance_en", MAX_TEXT, required=False),
        "weight": value,
        "critical": bool(critical),
        "max_points": points,
    }


@transaction.atomic
def scorecard_item_add(
    *,
    actor: Any,
    section: ScorecardSection,
    text_zh: str,
    weight: Any,
    text_en: str = "",
    guidance_zh: str = "",
    guidance_en: str = "",
    critical: bool = False,
    max_points: int | None = None,
    position: int | None = None,
) -> ScorecardItem:
    """Add an item to a section of a draft scorecard. Critical items are pass/fail (0–1)."""
    require(actor, Cap.INSPECTION_MANAGE)
    card = _draft(section.scorecard)
    values = _item_values(
        text_zh=text_zh,
        text_en=text_en,
        guidance_zh=guidance_zh,
        guidance_en=guidance_en,
        weight=weight,
        critical=critical,
        max_points=max_points,
    )
    item = ScorecardItem.objects.create(
        scorecard=card, section=section, position=_position(position, section.items.all()), **values
    )
    audit_append(actor=actor, action="item_add", target=item, changes=diff(None, snapshot(item, ITEM_FIELDS)))
    return item


def _merged_item_values(
    item: ScorecardItem,
    *,
    text_zh: str | None,
    text_en: str | None,
    guidance_zh: str | None,
    guidance_en: str | None,
    weight: Any,
    critical: bool | None,
    max_points: int | None,
) -> dict[str, Any]:
    """The checked values of ``item`` with the given changes (``None``: keep)."""
    new_critical = item.critical if critical is None else bool(critical)
    new_points = max_points
    if new_points is None:
        new_points = 1 if new_critical else (item.max_points if not item.critical else 4)
    return _item_values(
        text_zh=item.text_zh if text_zh is None else text_zh,
        text_en=item.text_en if text_en is None else text_en,
        guidance_zh=item.guidance_zh if guidance_zh is None else guidance_zh,
        guidance_en=item.guidance_en if guidance_en is None else guidance_en,
        weight=item.weight if weight is None else weight,
        critical=new_critical,
        max_points=new_points,
    )


@transaction.atomic
def scorecard_item_update(
    *,
    actor: Any,
    item: ScorecardItem,
    text_zh: str | None = None,
    text_en: str | None = None,
    guidance_zh: str | None = None,
    guidance_en: str | None = None,
    weight: Any = None,
    critical: bool | None = None,
    max_points: int | None = None,
    position: int | None = None,
    section: ScorecardSection | None = None,
) -> ScorecardItem:
    """Change an item of a draft scorecard; the fields left ``None`` keep their value."""
    require(actor, Cap.INSPECTION_MANAGE)
    _draft(item.scorecard)
    item = ScorecardItem.objects.select_for_update().get(pk=item.pk)
    before = snapshot(item, ITEM_FIELDS)
    if section is not None and section.scorecard_id != item.scorecard_id:
        raise DomainError(_("The section belongs to another scorecard."), field="section")
    values = _merged_item_values(
        item,
        text_zh=text_zh,
        text_en=text_en,
        guidance_zh=guidance_zh,
        guidance_en=guidance_en,
        weight=weight,
        critical=critical,
        max_points=max_points,
    )
    for name, value in values.items():
        setattr(item, name, value)
    if section is not None:
        item.section = section
    if position is not None:
        item.position = max(0, min(int(position), 32767))
    changes = diff(before, snapshot(item, ITEM_FIELDS))
    if changes:
        item.save()
        audit_append(actor=actor, action="item_update", target=item, changes=changes)
    return item


@transaction.atomic
def scorecard_item_delete(*, actor: Any, item: ScorecardItem) -> None:
    """Remove an item from a draft scorecard."""
    require(actor, Cap.INSPECTION_MANAGE)
    _draft(item.scorecard)
    audit_append(actor=actor, action="item_delete", target=item, changes=diff(snapshot(item, ITEM_FIELDS), None))
    item.delete()


def check_weights(scorecard: Scorecard) -> None:
    """The rule a scorecard must meet to be published: items exist, no empty section, and the item
    weights add up to exactly 100 (the message names the field and the actual sum)."""
    items = list(scorecard.items.all())
    if not items:
        raise DomainError(_("A scorecard needs at least one item."), field="items", code="empty")
    empty = [s for s in scorecard.sections.all() if not any(i.section_id == s.pk for i in items)]
    if empty:
        raise DomainError(
            _("The section “%(name)s” has no items; add some or delete it.") % {"name": empty[0].name},
            field="sections",
            code="empty",
        )
    total = scoring.weight_total([i.weight for i in items])
    if total != scoring.WEIGHT_TOTAL:
        raise DomainError(
            _("The item weights add up to %(sum)s; they must add up to exactly 100.")
            % {"sum": f"{total.normalize():f}"},
            field="weight",
            code="weights_sum",
        )


def _supersede(actor: Any, card: Scorecard, start: dt.date) -> None:
    """End the version in force before ``card`` on ``start`` (refused if it starts later)."""
    previous = (
        Scorecard.objects.select_for_update()
        .filter(code=card.code, status=ScorecardStatus.EFFECTIVE)
        .exclude(pk=card.pk)
        .first()
    )
    if previous is None:
        return
    if previous.effective_from and start < previous.effective_from:
        raise DomainError(
            _("%(card)s is in force from %(day)s; the new version cannot start before that.")
            % {"card": previous, "day": previous.effective_from},
            field="effective_from",
        )
    old = snapshot(previous, SCORECARD_FIELDS)
    previous.status = ScorecardStatus.SUPERSEDED
    previous.effective_until = start
    previous.save(update_fields=["status", "effective_until"])
    audit_append(
        actor=actor, action="supersede", target=previous, changes=diff(old, snapshot(previous, SCORECARD_FIELDS))
    )


@transaction.atomic
def scorecard_publish(*, actor: Any, scorecard: Scorecard, effective_from: dt.date | None = None) -> Scorecard:
    """Make a draft the version in force from ``effective_from`` (default today); the version
    before it is superseded from that day. Refused unless the weights add up to 100."""
    require(actor, Cap.INSPECTION_MANAGE)
    card = _draft(scorecard)
    check_weights(card)
    start = effective_from or today()
    before = snapshot(card, SCORECARD_FIELDS)
    _supersede(actor, card, start)
    card.status = ScorecardStatus.EFFECTIVE
    card.effective_from = start
    card.published_by = actor
    card.published_at = now()
    card.save()
    audit_append(actor=actor, action="publish", target=card, changes=diff(before, snapshot(card, SCORECARD_FIELDS)))
    return card


def scorecard_in_force(day: dt.date | None = None, code: str | None = None) -> Scorecard | None:
    """The published version in force on ``day``; without a code, the only code in force (or None
    when there are none or several)."""
    day = day or today()
    qs = Scorecard.objects.filter(
        ~Q(status=ScorecardStatus.DRAFT),
        effective_from__lte=day,
    ).filter(Q(effective_until__isnull=True) | Q(effective_until__gt=day))
    if code:
        qs = qs.filter(code=code)
    found = list(qs.order_by("code", "-version")[:2])
    if len(found) != 1:
        return None
    return found[0]


def check_published(scorecard: Scorecard | None, field: str = "scorecard") -> None:
    """Plans and calibration sessions use published versions only."""
    if scorecard is not None and scorecard.status == ScorecardStatus.DRAFT:
        raise DomainError(_("Choose a published scorecard, not a draft."), field=field)
