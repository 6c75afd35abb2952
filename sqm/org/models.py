"""People, teams, skills and API tokens of a service centre (DESIGN.md §1, §2.3)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from sqm.core.roles import STAFF_ROLES, Role


class SqmUserManager(UserManager["User"]):
    """``createsuperuser`` makes an SQM administrator, not a customer."""

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        extra_fields.setdefault("display_name", username)
        return super().create_superuser(username, email, password, **extra_fields)


TEAM_CODE_VALIDATOR = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{0,19}$", _("Use 1–20 capital letters, digits or hyphens, starting with a letter or digit.")
)
SKILL_CODE_VALIDATOR = RegexValidator(
    r"^[a-z0-9][a-z0-9_.-]{0,39}$", _("Use 1–40 lower-case letters, digits, dots, hyphens or underscores.")
)


class CustomerTier(models.TextChoices):
    """How a customer's requests are served: SLA policies may name a tier (e.g. VIP: faster targets)."""

    STANDARD = "standard", _("Standard")
    VIP = "vip", _("VIP")
    KEY_ACCOUNT = "key_account", _("Key account")


class User(AbstractUser):
    """Anyone who signs in: customers and every staff role. The role decides what they may do.

    ``customer_tier`` matters for customers only (staff keep ``standard``): the SLA clock of a new
    ticket runs under the policy for the customer's tier. Changing the tier later does not re-time
    clocks already running; a ticket's clock picks it up when it is recomputed (its priority, type
    or team changes).
    """

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.CUSTOMER, db_index=True)
    display_name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(
        _("language"), max_length=10, blank=True, choices=[("zh-hans", "简体中文"), ("en", "English")]
    )
    team = models.ForeignKey(
        "org.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    customer_tier = models.CharField(
        _("customer tier"),
        max_length=20,
        choices=CustomerTier.choices,
        default=CustomerTier.STANDARD,
        help_text=_("Customers only: SLA policies may give a tier faster targets."),
    )

    objects = SqmUserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        constraints = [models.UniqueConstraint(Lower("username"), name="org_user_username_ci_unique")]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES


class Team(models.Model):
    """A group of agents under one team lead; queues, alerts and KPIs roll up by team."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.CharField(_("code"), max_length=20, unique=True, validators=[TEAM_CODE_VALIDATOR])
    lead = models.ForeignKey(
        User, verbose_name=_("team lead"), null=True, blank=True, on_delete=models.PROTECT, related_name="led_teams"
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class SkillKind(models.TextChoices):
    CATEGORY = "category", _("Business category")
    LANGUAGE = "language", _("Language")
    CHANNEL = "channel", _("Channel")


class Skill(models.Model):
    """Something a ticket may require of its agent: a business category, a language or a channel."""

    kind = models.CharField(_("kind"), max_length=16, choices=SkillKind.choices)
    code = models.CharField(_("code"), max_length=40, validators=[SKILL_CODE_VALIDATOR])
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["kind", "code"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="org_skill_kind_code_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class AgentSkill(models.Model):
    """How well a staff member masters a skill, from 1 (basic) to 5 (expert)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="holders")
    level = models.PositiveSmallIntegerField(
        _("level"), validators=[MinValueValidator(1), MaxValueValidator(5)], default=1
    )

    class Meta:
        verbose_name = _("agent skill")
        verbose_name_plural = _("agent skills")
        constraints = [
            models.UniqueConstraint(fields=["user", "skill"], name="org_agentskill_unique"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="org_agentskill_level_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.skill} · {self.level}"


class StaffStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("staff status", "Active")
    ON_LEAVE = "on_leave", _("On leave")
    LEFT = "left", _("Left")


class StaffProfile(models.Model):
    """Employment facts of a staff member: number, hire date and whether they still work here."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    employee_no = models.CharField(_("employee number"), max_length=32, unique=True)
    hire_date = models.DateField(_("hire date"))
    status = models.CharField(_("status"), max_length=16, choices=StaffStatus.choices, default=StaffStatus.ACTIVE)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    title = models.CharField(_("job title"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.employee_no} {self.user}"


class Certificate(models.Model):
    """A qualification a staff member holds, e.g. a customer-service professional certificate."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="certificates")
    name = models.CharField(_("certificate"), max_length=200)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    number = models.CharField(_("certificate number"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on"]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A personal key for the REST API. Only its SHA-256 is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
