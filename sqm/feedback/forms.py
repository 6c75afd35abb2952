"""Forms of feedback: the staff list's filters and the quality manager's flag. They check shapes
only; :mod:`sqm.feedback.services` checks the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sqm.core.forms import StyledFormMixin
from sqm.core.roles import Role
from sqm.feedback import selectors
from sqm.org.models import Team, User
from sqm.tickets.models import NUMBER_PATTERN

SCORES = [("", _("Any")), *((str(n), "★" * n) for n in range(5, 0, -1))]
COUNTED = [("", _("All")), ("1", _("Counted in KPIs")), ("0", _("Excluded from KPIs"))]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class RatingFilterForm(StyledFormMixin, forms.Form):
    """Filters of the ratings list; ``cursor`` is the keyset position of the "older" link."""

    ticket = forms.CharField(label=_("Ticket"), required=False, max_length=20, help_text=_("e.g. T00001234"))
    agent = forms.ModelChoiceField(label=_("Agent"), queryset=User.objects.none(), required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    score = forms.ChoiceField(label=_("Rating"), choices=SCORES, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    counted = forms.ChoiceField(label=_("In KPIs"), choices=COUNTED, required=False)
    cursor = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agent = self.fields["agent"]
        assert isinstance(agent, forms.ModelChoiceField)
        agent.queryset = User.objects.filter(role__in=(Role.AGENT, Role.TEAM_LEAD)).order_by("display_name")
        agent.empty_label = _("Any")
        team = self.fields["team"]
        assert isinstance(team, forms.ModelChoiceField)
        team.queryset = Team.objects.order_by("code")
        team.empty_label = _("Any")

    def clean_ticket(self) -> int | None:
        text = (self.cleaned_data.get("ticket") or "").strip().upper()
        if not text:
            return None
        match = NUMBER_PATTERN.search(text) or NUMBER_PATTERN.search(f"T{text.zfill(8)}")
        if match is None or not text.lstrip("T").isdigit():
            raise forms.ValidationError(_("Give a ticket number like T00001234."))
        return int(match.group(1))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> selectors.RatingFilters:
        if not self.is_bound or not self.is_valid():
            return selectors.RatingFilters()
        data = self.cleaned_data
        counted = data.get("counted")
        return selectors.RatingFilters(
            ticket_id=data.get("ticket"),
            agent_id=data["agent"].pk if data.get("agent") else None,
            team_id=data["team"].pk if data.get("team") else None,
            score=int(data["score"]) if data.get("score") else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            counted=None if not counted else counted == "1",
        )


class RatingFlagForm(StyledFormMixin, forms.Form):
    counted = forms.TypedChoiceField(
        label=_("In KPIs"),
        choices=[("0", _("Exclude from KPIs")), ("1", _("Count in KPIs"))],
        coerce=lambda value: value == "1",
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)
