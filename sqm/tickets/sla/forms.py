"""Forms of the calendar, policy and notification pages. They check shapes only; the services
in :mod:`sqm.tickets.sla.calendars` and :mod:`sqm.tickets.sla.services` check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sqm.core.forms import StyledFormMixin
from sqm.org.models import CustomerTier
from sqm.tickets.models import DayKind, Priority, TicketType, WorkCalendar
from sqm.tickets.sla.calendars import HOURS_FIELDS, weekly_as_texts

WEEKDAY_LABELS = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class CalendarForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    time_zone = forms.CharField(label=_("Time zone"), max_length=64, initial="Asia/Shanghai")
    is_24x7 = forms.BooleanField(label=_("Open 24×7 (ignores hours and special days)"), required=False)
    is_default = forms.BooleanField(label=_("Centre default calendar"), required=False)

    def __init__(self, *args: Any, calendar: WorkCalendar | None = None, **kwargs: Any) -> None:
        if calendar is not None and not kwargs.get("data") and not (args and args[0]):
            texts = weekly_as_texts(calendar.weekly_hours)
            kwargs["initial"] = {
                "name": calendar.name,
                "time_zone": calendar.time_zone,
                "is_24x7": calendar.is_24x7,
                "is_default": calendar.is_default,
                **dict(zip(HOURS_FIELDS, texts, strict=True)),
            }
        super().__init__(*args, **kwargs)
        for field, label in zip(HOURS_FIELDS, WEEKDAY_LABELS, strict=True):
            self.fields[field] = forms.CharField(
                label=label,
                required=False,
                max_length=200,
                help_text=_("e.g. 09:00-12:00,13:30-18:00; empty: closed") if field == HOURS_FIELDS[0] else "",
            )
            self.fields[field].widget.attrs["class"] = "input"

    def weekly(self) -> list[str]:
        return [self.cleaned_data.get(field, "") for field in HOURS_FIELDS]


class DayForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Kind"), choices=DayKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100, required=False)


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("CSV with the columns date,kind,name, or an iCalendar (.ics) file")
    )
    replace_years = forms.BooleanField(
        label=_("Replace the days of the years in the file (remove days the file does not list)"), required=False
    )


class TeamCalendarForm(StyledFormMixin, forms.Form):
    calendar = forms.ModelChoiceField(
        label=_("Calendar"),
        queryset=WorkCalendar.objects.order_by("-is_default", "name"),
        required=False,
        empty_label=_("Centre default"),
    )


ANY = [("", _("Any"))]


class PolicyForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)
    effective_from = forms.DateField(label=_("Effective from"), widget=DateInput())
    ticket_type = forms.ChoiceField(label=_("Ticket type"), choices=ANY + list(TicketType.choices), required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=ANY + list(Priority.choices), required=False)
    tier = forms.ChoiceField(
        label=_("Customer tier"),
        choices=ANY + list(CustomerTier.choices),
        required=False,
        help_text=_("Only tickets of customers of this tier; a tier-specific policy wins over one for any tier."),
    )
    response_minutes = forms.IntegerField(label=_("First response target (business minutes)"), min_value=1)
    resolution_minutes = forms.IntegerField(label=_("Resolution target (business minutes)"), min_value=1)
    warn_fraction = forms.FloatField(label=_("Warn at fraction of the target"), initial=0.75)
    escalate_after_minutes = forms.IntegerField(
        label=_("Escalate to the quality manager after (business minutes past the breach)"), initial=60, min_value=0
    )
    calendar = forms.ModelChoiceField(
        label=_("Calendar"),
        queryset=WorkCalendar.objects.order_by("-is_default", "name"),
        required=False,
        empty_label=_("The team's or the centre's calendar"),
    )
