"""Factories of feedback tests."""

from __future__ import annotations

import factory
from django.utils import timezone

from sqm.core.roles import Role
from sqm.feedback.models import Rating, RatingSource
from sqm.org.tests.factories import UserFactory
from sqm.tickets.models import Status
from sqm.tickets.tests.factories import TicketFactory


class ResolvedTicketFactory(TicketFactory):
    """A resolved ticket worked by an agent of a team (rows written directly)."""

    status = Status.RESOLVED
    assignee = factory.SubFactory(UserFactory, role=Role.AGENT)
    team = factory.SelfAttribute("assignee.team")
    resolved_at = factory.LazyFunction(timezone.now)


class RatingFactory(factory.django.DjangoModelFactory):
    """A rating row written directly (no audit): for lists and permissions."""

    class Meta:
        model = Rating

    ticket = factory.SubFactory(ResolvedTicketFactory)
    customer = factory.SelfAttribute("ticket.customer")
    agent = factory.SelfAttribute("ticket.assignee")
    team = factory.SelfAttribute("ticket.team")
    source = RatingSource.PORTAL
    score = 4
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.SelfAttribute("created_at")
