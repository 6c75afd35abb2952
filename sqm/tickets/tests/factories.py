"""Factories and helpers for ticket tests."""

from __future__ import annotations

import factory
from django.utils import timezone

from sqm.core.roles import Role
from sqm.org.models import Skill, SkillKind, User
from sqm.org.tests.factories import AgentSkillFactory, UserFactory
from sqm.tickets.models import AgentAvailability, Category, Channel, Ticket, TicketType


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    code = factory.Sequence(lambda n: f"cat-{n}")
    name_zh = factory.Sequence(lambda n: f"类别{n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket row written directly (no events, no audit): for lists and permissions."""

    class Meta:
        model = Ticket

    type = TicketType.CONSULTATION
    channel = Channel.WEB
    subject = factory.Sequence(lambda n: f"宽带无法连接 {n}")
    description = "家里宽带从昨晚开始无法上网。"
    customer = factory.SubFactory(UserFactory, role=Role.CUSTOMER)
    created_by = factory.SelfAttribute("customer")
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)


def skill(kind: str, code: str) -> Skill:
    return Skill.objects.get_or_create(kind=kind, code=code, defaults={"name_zh": code, "name_en": code})[0]


def on_shift_agent(*, team=None, skills: tuple[tuple[str, str], ...] = (), cap: int = 8, **kwargs) -> User:
    """An agent on shift with Mandarin and web-channel skills plus ``skills``."""
    agent = UserFactory(role=Role.AGENT, team=team, **kwargs)
    for kind, code in (("language", "zh"), ("channel", "web"), *skills):
        AgentSkillFactory(user=agent, skill=skill(kind, code), level=3)
    AgentAvailability.objects.update_or_create(user=agent, defaults={"on_shift": True, "max_concurrent": cap})
    return agent


__all__ = ["CategoryFactory", "SkillKind", "TicketFactory", "on_shift_agent", "skill"]
