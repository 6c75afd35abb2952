"""Forms of the quality-inspection pages. They check shapes only; the services check the rules
(weights adding up to 100, points within an item's scale, deadlines, who may decide)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sqm.core.forms import StyledFormMixin
from sqm.inspections.models import AppealOutcome, Scorecard, ScorecardItem, ScorecardSection
from sqm.inspections.services import AnswerIn


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ScorecardForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40, help_text=_("e.g. QA-PHONE; versions share it."))
    name_zh = forms.CharField(label=_("Chinese name"), max_length=120)
    name_en = forms.CharField(label=_("English name"), max_length=120, required=False)
    change_note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SectionForm(StyledFormMixin, forms.Form):
    name_zh = forms.CharField(label=_("Chinese name"), max_length=100)
    name_en = forms.CharField(label=_("English name"), max_length=100, required=False)


class ItemForm(StyledFormMixin, forms.Form):
    section = forms.TypedChoiceField(label=_("Section"), coerce=int)
    text_zh = forms.CharField(label=_("Criterion (Chinese)"), max_length=200)
    text_en = forms.CharField(label=_("Criterion (English)"), max_length=200, required=False)
    weight = forms.DecimalField(label=_("Weight"), max_digits=5, decimal_places=2, min_value=0, max_value=100)
    critical = forms.BooleanField(label=_("Critical: failing it fails the whole inspection"), required=False)
    max_points = forms.IntegerField(
        label=_("Points scale (0 to)"),
        min_value=1,
        max_value=10,
        initial=4,
        required=False,
        help_text=_("Critical items are pass/fail (0 to 1)."),
    )
    guidance_zh = forms.CharField(
        label=_("Guidance (Chinese)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    guidance_en = forms.CharField(
        label=_("Guidance (English)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, sections: Sequence[ScorecardSection] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [(s.pk, s.name) for s in sections]  # type: ignore[attr-defined]

    @classmethod
    def initial_of(cls, item: ScorecardItem) -> dict[str, Any]:
        return {
            "section": item.section_id,
            "text_zh": item.text_zh,
            "text_en": item.text_en,
            "weight": item.weight,
            "critical": item.critical,
            "max_points": item.max_points,
            "guidance_zh": item.guidance_zh,
            "guidance_en": item.guidance_en,
        }


class PublishForm(StyledFormMixin, forms.Form):
    effective_from = forms.DateField(label=_("Effective from"), required=False, widget=DateInput())


class PlanForm(StyledFormMixin, forms.Form):
    period_start = forms.DateField(
        label=_("Period start"), widget=DateInput(), help_text=_("Alone: the whole calendar month of this day.")
    )
    period_end = forms.DateField(label=_("Period end"), required=False, widget=DateInput())
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    rate = forms.DecimalField(
        label=_("Sampling rate (%)"), initial=20, min_value=1, max_value=100, max_digits=5, decimal_places=2
    )
    include_complaints = forms.BooleanField(label=_("Inspect every complaint"), required=False, initial=True)
    include_low_ratings = forms.BooleanField(label=_("Inspect every low rating"), required=False, initial=True)
    low_rating_max = forms.TypedChoiceField(
        label=_("Low rating: at most"), coerce=int, initial=2, choices=[(n, f"{n} ★") for n in range(1, 5)]
    )
    scorecard = forms.TypedChoiceField(label=_("Scorecard"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, scorecards: Sequence[Scorecard] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scorecard"].choices = [("", _("The one in force when drawn"))] + [  # type: ignore[attr-defined]
            (c.pk, f"{c} · {c.name}") for c in scorecards
        ]


class DrawForm(StyledFormMixin, forms.Form):
    seed = forms.IntegerField(
        label=_("Seed"),
        required=False,
        min_value=0,
        max_value=2**63 - 1,
        help_text=_("Leave empty for a new random seed; give one to repeat a draw elsewhere."),
    )


class InspectionForm(forms.Form):
    """Per scorecard item: points (or N/A), a comment, and evidence picked from the ticket's thread."""

    summary = forms.CharField(label=_("Overall comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(
        self,
        *args: Any,
        items: Sequence[ScorecardItem] = (),
        messages: Sequence[Any] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.fields["summary"].widget.attrs["class"] = "input"
        message_choices = [(m.pk, f"#{n} {m.get_kind_display()}") for n, m in enumerate(messages, start=1)]
        for item in self.items:
            choices: list[tuple[str, str]] = [("", "—")]
            choices += [(str(p), str(p)) for p in range(item.max_points, -1, -1)]
            if not item.critical:
                choices.append(("na", str(_("N/A"))))
            self.fields[f"points_{item.pk}"] = forms.ChoiceField(
                label=item.text, choices=choices, required=False, widget=forms.Select(attrs={"class": "input points"})
            )
            self.fields[f"comment_{item.pk}"] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 1, "class": "input"}),
            )
            self.fields[f"evidence_{item.pk}"] = forms.TypedMultipleChoiceField(
                label=_("Evidence"),
                coerce=int,
                required=False,
                choices=message_choices,
                widget=forms.CheckboxSelectMultiple(attrs={"class": "evidence"}),
            )

    @staticmethod
    def initial_from(answers: Sequence[Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for a in answers:
            initial[f"points_{a.item_id}"] = "na" if a.points is None else str(a.points)
            initial[f"comment_{a.item_id}"] = a.comment
            initial[f"evidence_{a.item_id}"] = list(a.evidence)
        return initial

    def answers(self) -> dict[int, AnswerIn]:
        """The answers given (items left empty are left out)."""
        result: dict[int, AnswerIn] = {}
        data = self.cleaned_data
        for item in self.items:
            raw = data.get(f"points_{item.pk}") or ""
            comment = data.get(f"comment_{item.pk}") or ""
            evidence = tuple(data.get(f"evidence_{item.pk}") or ())
            if raw == "" and not comment and not evidence:
                continue
            result[item.pk] = AnswerIn(
                points=int(raw) if raw not in ("", "na") else None,
                not_applicable=raw == "na",
                comment=comment,
                evidence=evidence,
            )
        return result

    def rename(self) -> dict[str, str]:
        """Service field names (``answers.<item>.points``) → this form's."""
        names: dict[str, str] = {}
        for item in self.items:
            for part in ("points", "comment", "evidence"):
                names[f"answers.{item.pk}.{part}"] = f"{part}_{item.pk}"
            names[f"answers.{item.pk}"] = f"points_{item.pk}"
        return names

    def item_rows(self) -> list[tuple[ScorecardItem, Any, Any, Any]]:
        return [(i, self[f"points_{i.pk}"], self[f"comment_{i.pk}"], self[f"evidence_{i.pk}"]) for i in self.items]


class AppealForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why the result is wrong"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Name the items and point to the messages of the ticket that show it."),
    )


class DecideForm(InspectionForm):
    """The appeal decision: outcome, a note, and new points for the items the appeal is right about."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["summary"]
        self.fields["outcome"] = forms.ChoiceField(
            label=_("Decision"), choices=AppealOutcome.choices, widget=forms.RadioSelect
        )
        self.fields["note"] = forms.CharField(
            label=_("Reasons for the decision"),
            max_length=4000,
            widget=forms.Textarea(attrs={"rows": 3, "class": "input"}),
        )
        self.order_fields(["outcome", "note"])


class CalibrationForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    tickets = forms.CharField(
        label=_("Tickets"),
        help_text=_("Ticket numbers or ids, separated by spaces or commas (e.g. T00001234 1235)."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    inspectors = forms.TypedMultipleChoiceField(label=_("Inspectors"), coerce=int, widget=forms.CheckboxSelectMultiple)
    scorecard = forms.TypedChoiceField(label=_("Scorecard"), coerce=int, required=False, empty_value=None)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(
        self, *args: Any, inspectors: Sequence[Any] = (), scorecards: Sequence[Scorecard] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].choices = [  # type: ignore[attr-defined]
            (u.pk, f"{u} · {u.get_role_display()}") for u in inspectors
        ]
        self.fields["scorecard"].choices = [("", _("The one in force"))] + [  # type: ignore[attr-defined]
            (c.pk, f"{c} · {c.name}") for c in scorecards
        ]

    def clean_tickets(self) -> list[int]:
        ids: list[int] = []
        for raw in self.cleaned_data["tickets"].replace(",", " ").split():
            text = raw.strip().upper().lstrip("T")
            if not text.isdigit() or len(text) > 12:
                raise forms.ValidationError(_("“%(value)s” is not a ticket number.") % {"value": raw[:20]})
            ids.append(int(text))
        if not ids:
            raise forms.ValidationError(_("Give at least one ticket."))
        return list(dict.fromkeys(ids))


class ReassignForm(StyledFormMixin, forms.Form):
    inspector = forms.TypedChoiceField(label=_("Inspector"), coerce=int)

    def __init__(self, *args: Any, inspectors: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspector"].choices = [(u.pk, str(u)) for u in inspectors]  # type: ignore[attr-defined]
