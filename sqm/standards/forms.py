"""Forms of standards: they check the shape of the input; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqm.core.forms import StyledFormMixin
from sqm.standards.catalogue import KpiCode
from sqm.standards.models import EvidenceKind, ScopeDimension, SopKind, StandardCategory


def _ticket_type_choices() -> list[tuple[str, Any]]:
    from sqm.tickets.models import TicketType

    return list(TicketType.choices)


def _priority_choices() -> list[tuple[str, Any]]:
    from sqm.tickets.models import Priority

    return [("", _("any priority")), *Priority.choices]


def _tier_choices() -> list[tuple[str, Any]]:
    from sqm.org.models import CustomerTier

    return [("", _("Any")), *CustomerTier.choices]


class LibraryFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Code or name"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *StandardCategory.choices]
    )
    retired = forms.BooleanField(label=_("Show retired"), required=False)

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {"q": "", "category": "", "include_retired": False}
        d = self.cleaned_data
        return {"q": d["q"].strip(), "category": d["category"], "include_retired": d["retired"]}


class StandardForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=40, help_text=_("e.g. PS-CMP; letters, digits, dots and hyphens.")
    )
    category = forms.ChoiceField(label=_("Category"), choices=StandardCategory.choices)
    name_zh = forms.CharField(label=_("Chinese name"), max_length=120)
    name_en = forms.CharField(label=_("English name"), max_length=120)
    purpose_zh = forms.CharField(label=_("Purpose (Chinese)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    purpose_en = forms.CharField(label=_("Purpose (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class RetireForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("Why is it retired?"), max_length=2000)


class VersionForm(StyledFormMixin, forms.Form):
    title_zh = forms.CharField(label=_("Chinese title"), max_length=200)
    title_en = forms.CharField(label=_("English title"), max_length=200, required=False)
    purpose_zh = forms.CharField(label=_("Purpose (Chinese)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    purpose_en = forms.CharField(label=_("Purpose (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    change_note = forms.CharField(
        label=_("What changed and why"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ClauseForm(StyledFormMixin, forms.Form):
    number = forms.CharField(label=_("Clause number"), max_length=20)
    title_zh = forms.CharField(label=_("Chinese title"), max_length=200)
    title_en = forms.CharField(label=_("English title"), max_length=200, required=False)
    body_zh = forms.CharField(label=_("Text (Chinese)"), widget=forms.Textarea(attrs={"rows": 5}))
    body_en = forms.CharField(label=_("Text (English)"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    sop_kind = forms.ChoiceField(label=_("Publish as SOP"), choices=SopKind.choices, required=False)
    ticket_types = forms.MultipleChoiceField(
        label=_("Ticket types it applies to"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Linked from the screen of tickets of these types; none ticked: every ticket."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ticket_types"].choices = _ticket_type_choices()


class IndicatorForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name_zh = forms.CharField(label=_("Chinese name"), max_length=120)
    name_en = forms.CharField(label=_("English name"), max_length=120)
    kpi = forms.ChoiceField(label=_("KPI it reads"), choices=KpiCode.choices)
    unit = forms.CharField(label=_("Unit"), max_length=30, required=False, help_text=_("Blank: the KPI's own unit."))
    target = forms.DecimalField(label=_("Target"), max_digits=12, decimal_places=4)
    yellow = forms.DecimalField(label=_("Yellow threshold"), max_digits=12, decimal_places=4)
    orange = forms.DecimalField(label=_("Orange threshold"), max_digits=12, decimal_places=4)
    red = forms.DecimalField(label=_("Red threshold"), max_digits=12, decimal_places=4)
    weight = forms.DecimalField(label=_("Weight (%)"), max_digits=6, decimal_places=2)
    scope = forms.ChoiceField(label=_("Scope"), choices=ScopeDimension.choices, initial=ScopeDimension.CENTRE)
    scope_key = forms.CharField(
        label=_("Scope value"),
        max_length=40,
        required=False,
        help_text=_("Team code, channel or ticket type; blank: each one."),
    )
    min_volume = forms.IntegerField(label=_("Minimum volume"), min_value=0, initial=30)
    review_margin = forms.DecimalField(
        label=_("Review margin"),
        max_digits=5,
        decimal_places=3,
        initial="0.1",
        help_text=_("Beating the target by this fraction for the periods below proposes raising it."),
    )
    review_periods = forms.IntegerField(label=_("Review after consecutive periods"), min_value=1, initial=3)


class SlaTermForm(StyledFormMixin, forms.Form):
    policy_code = forms.CharField(label=_("SLA policy code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)
    ticket_type = forms.ChoiceField(label=_("Ticket type"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    tier = forms.ChoiceField(
        label=_("Customer tier"),
        required=False,
        help_text=_("Only tickets of customers of this tier; a tier-specific policy wins over one for any tier."),
    )
    response_minutes = forms.IntegerField(label=_("First response target (business minutes)"), min_value=1)
    resolution_minutes = forms.IntegerField(label=_("Resolution target (business minutes)"), min_value=1)
    warn_fraction = forms.DecimalField(
        label=_("Warn at fraction of target"), max_digits=4, decimal_places=2, initial="0.75"
    )
    escalate_after_minutes = forms.IntegerField(
        label=_("Escalate after (business minutes past breach)"), min_value=0, initial=60
    )
    calendar = forms.ModelChoiceField(
        label=_("Calendar"), queryset=None, required=False, empty_label=_("team / centre")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from sqm.tickets.models import WorkCalendar

        super().__init__(*args, **kwargs)
        self.fields["ticket_type"].choices = [("", _("any type")), *_ticket_type_choices()]
        self.fields["priority"].choices = _priority_choices()
        self.fields["tier"].choices = _tier_choices()
        self.fields["calendar"].queryset = WorkCalendar.objects.order_by("name")  # type: ignore[attr-defined]


class ApproveForm(StyledFormMixin, forms.Form):
    effective_from = forms.DateField(
        label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    note = forms.CharField(label=_("Review note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RejectForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("Why is it rejected?"), widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("Decision note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DiffForm(StyledFormMixin, forms.Form):
    a = forms.TypedChoiceField(label=_("From version"), coerce=int)
    b = forms.TypedChoiceField(label=_("To version"), coerce=int)

    def __init__(self, *args: Any, versions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(v.pk, f"v{v.number} · {v.get_status_display()}") for v in versions]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices


class ProposalForm(StyledFormMixin, forms.Form):
    standard = forms.TypedChoiceField(label=_("Standard"), coerce=int)
    indicator_code = forms.CharField(
        label=_("Indicator (code)"), max_length=40, required=False, help_text=_("If the change is about one indicator.")
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    rationale = forms.CharField(label=_("What should change, and why"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, standards: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["standard"].choices = [("", "—"), *[(s.pk, f"{s.code} {s.name}") for s in standards]]


class EvidenceForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Evidence"), choices=[("", "—"), *EvidenceKind.choices], required=False)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=300,
        required=False,
        help_text=_("e.g. “CSAT 2026-06 to 2026-08: 93.1 %, 94.0 %, 94.6 %”, an evaluation or CAPA number"),
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


EvidenceFormSet = forms.formset_factory(EvidenceForm, extra=3, max_num=20, validate_max=True)


def evidence_items(formset: Any) -> list[dict[str, str]]:
    """The evidence rows typed in (empty rows dropped; the service checks the rest)."""
    items = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if any((data.get("kind"), data.get("reference"), data.get("note"))):
            items.append(
                {
                    "kind": data.get("kind") or "",
                    "reference": data.get("reference") or "",
                    "note": data.get("note") or "",
                }
            )
    return items


class SopFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *StandardCategory.choices]
    )
