"""The KPIs an indicator can read: one code per KPI, with its unit and the direction that is better.

This is the vocabulary shared by standards (an indicator names the KPI it reads) and the KPI
engine in ``sqm.kpis`` (which implements one exact formula per code, documented in
docs/kpis.md). A test checks that every code here has an implementation there.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Aggregate(models.TextChoices):
    """How a KPI's rolled-up numerator and denominator become its value."""

    RATIO = "ratio", _("numerator ÷ denominator × scale")
    SUM = "sum", _("numerator (a count)")
    STOCK = "stock", _("running total of the numerator up to the period's end")


class KpiCode(models.TextChoices):
    CSAT = "csat", _("Customer satisfaction (CSAT)")
    AVG_RATING = "avg_rating", _("Average rating")
    NPS = "nps", _("Net promoter score (NPS)")
    FIRST_RESPONSE_BUSINESS = "first_response_business", _("First response time (business)")
    FIRST_RESPONSE_CALENDAR = "first_response_calendar", _("First response time (calendar)")
    AVG_RESPONSE = "avg_response", _("Average response time")
    RESOLUTION_TIME_BUSINESS = "resolution_time_business", _("Resolution time (business)")
    RESOLUTION_TIME_CALENDAR = "resolution_time_calendar", _("Resolution time (calendar)")
    RESOLUTION_RATE = "resolution_rate", _("Resolution rate")
    FCR = "fcr", _("First-contact resolution")
    COMPLAINT_RATE = "complaint_rate", _("Complaint rate")
    SLA_RESPONSE = "sla_response", _("SLA compliance (response)")
    SLA_RESOLUTION = "sla_resolution", _("SLA compliance (resolution)")
    REOPEN_RATE = "reopen_rate", _("Reopen rate")
    BACKLOG = "backlog", _("Backlog")
    VOLUME = "volume", _("Tickets created")
    COMPLAINTS = "complaints", _("Complaints")


@dataclass(frozen=True)
class KpiSpec:
    """What a KPI measures in: ``value = num / den × scale`` (RATIO), ``num`` (SUM) or the running
    total of ``num`` (STOCK); ``places`` is the rounding of the displayed value."""

    code: KpiCode
    unit: Promise
    direction: Direction
    aggregate: Aggregate = Aggregate.RATIO
    scale: Fraction = Fraction(1)
    places: int = 1


_PERCENT = _("%")
_MINUTES = _("min")
_HOURS = _("h")
_POINTS = _("points")
_PER_MILLE = _("per 1,000 tickets")
_TICKETS = _("tickets")

# Durations are stored in seconds; scale turns them into the unit shown.
CATALOGUE: dict[KpiCode, KpiSpec] = {
    spec.code: spec
    for spec in [
        KpiSpec(KpiCode.CSAT, _PERCENT, Direction.HIGHER, scale=Fraction(100)),
        KpiSpec(KpiCode.AVG_RATING, _POINTS, Direction.HIGHER, places=2),
        KpiSpec(KpiCode.NPS, _POINTS, Direction.HIGHER, scale=Fraction(100)),
        KpiSpec(KpiCode.FIRST_RESPONSE_BUSINESS, _MINUTES, Direction.LOWER, scale=Fraction(1, 60)),
        KpiSpec(KpiCode.FIRST_RESPONSE_CALENDAR, _MINUTES, Direction.LOWER, scale=Fraction(1, 60)),
        KpiSpec(KpiCode.AVG_RESPONSE, _MINUTES, Direction.LOWER, scale=Fraction(1, 60)),
        KpiSpec(KpiCode.RESOLUTION_TIME_BUSINESS, _HOURS, Direction.LOWER, scale=Fraction(1, 3600), places=2),
        KpiSpec(KpiCode.RESOLUTION_TIME_CALENDAR, _HOURS, Direction.LOWER, scale=Fraction(1, 3600), places=2),
        KpiSpec(KpiCode.RESOLUTION_RATE, _PERCENT, Direction.HIGHER, scale=Fraction(100)),
        KpiSpec(KpiCode.FCR, _PERCENT, Direction.HIGHER, scale=Fraction(100)),
        KpiSpec(KpiCode.COMPLAINT_RATE, _PER_MILLE, Direction.LOWER, scale=Fraction(1000), places=2),
        KpiSpec(KpiCode.SLA_RESPONSE, _PERCENT, Direction.HIGHER, scale=Fraction(100)),
        KpiSpec(KpiCode.SLA_RESOLUTION, _PERCENT, Direction.HIGHER, scale=Fraction(100)),
        KpiSpec(KpiCode.REOPEN_RATE, _PERCENT, Direction.LOWER, scale=Fraction(100)),
        KpiSpec(KpiCode.BACKLOG, _TICKETS, Direction.LOWER, aggregate=Aggregate.STOCK, places=0),
        KpiSpec(KpiCode.VOLUME, _TICKETS, Direction.HIGHER, aggregate=Aggregate.SUM, places=0),
        KpiSpec(KpiCode.COMPLAINTS, _TICKETS, Direction.LOWER, aggregate=Aggregate.SUM, places=0),
    ]
}
