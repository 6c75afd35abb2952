"""Factories for people, teams and skills. They write rows directly (no audit entries)."""

from __future__ import annotations

import datetime as dt

import factory

from sqm.core.roles import STAFF_ROLES, Role
from sqm.org.models import AgentSkill, Certificate, Skill, SkillKind, StaffProfile, Team, User

PASSWORD = "Test-pass-2026!"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"第{n}组")
    code = factory.Sequence(lambda n: f"T{n:03d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    role = Role.AGENT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def with_profile(obj, create, extracted, **kwargs):
        obj.save()
        if create and obj.role in STAFF_ROLES and extracted is not False:
            StaffProfile.objects.get_or_create(
                user=obj, defaults={"employee_no": f"F{obj.pk:06d}", "hire_date": dt.date(2024, 3, 1)}
            )


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill

    kind = SkillKind.CATEGORY
    code = factory.Sequence(lambda n: f"skill-{n}")
    name_zh = factory.Sequence(lambda n: f"技能{n}")
    name_en = factory.Sequence(lambda n: f"Skill {n}")


class AgentSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgentSkill

    user = factory.SubFactory(UserFactory)
    skill = factory.SubFactory(SkillFactory)
    level = 3


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    user = factory.SubFactory(UserFactory)
    name = "客户服务管理师"
    issuer = "人社部"
    issued_on = dt.date(2023, 6, 1)
