"""Forms of the organisation pages.

ModelForms here only borrow the models' field definitions (labels, lengths, choices). They never
save and skip model validation: the services in :mod:`sqm.org.services` check the business rules,
write the rows and the audit entries, and their :class:`~sqm.core.errors.DomainError` lands on
the form through :func:`sqm.core.forms.apply_domain_error`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from sqm.core.forms import StyledFormMixin
from sqm.core.roles import Role
from sqm.org import selectors
from sqm.org.models import Certificate, Skill, SkillKind, StaffProfile, Team, User

LEVEL_CHOICES = [
    (1, _("1 · basic")),
    (2, _("2 · working")),
    (3, _("3 · skilled")),
    (4, _("4 · advanced")),
    (5, _("5 · expert")),
]

LANGUAGE_CHOICES = [("", _("Centre default")), *settings.LANGUAGES]


class DateInput(forms.DateInput):
    """The browser's own date picker; the value travels as YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class FieldsOnlyModelForm(StyledFormMixin, forms.ModelForm):
    """A ModelForm used for its field definitions only; the services validate and save."""

    def _post_clean(self) -> None:
        """Skip copying into the instance and model validation: the service does both."""

    def save(self, commit: bool = True) -> Any:
        raise NotImplementedError("save through sqm.org.services")


class PasswordPairMixin:
    """A new password typed twice; the service checks its strength."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()  # type: ignore[misc]
        password, confirm = data.get("password"), data.get("password_confirm")
        if password and password != confirm:
            self.add_error("password_confirm", _("The two passwords do not match."))  # type: ignore[attr-defined]
        return data


def _password_field(label: Any, *, required: bool = True, autocomplete: str = "new-password") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


# --- users -------------------------------------------------------------------------------------


class UserFilterForm(StyledFormMixin, forms.Form):
    """The filters above the user list; every field is optional."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Name, user name, e-mail or number")}),
    )
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices])
    team = forms.ModelChoiceField(
        label=_("Team"), required=False, queryset=Team.objects.order_by("code"), empty_label=_("All teams")
    )
    active = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), ("1", _("Active")), ("0", _("Inactive"))]
    )

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for :func:`sqm.org.selectors.users` (invalid values are ignored)."""
        data = self.cleaned_data if self.is_valid() else {}
        team = data.get("team")
        active = data.get("active", "")
        return {
            "role": data.get("role", ""),
            "team_id": team.pk if team else None,
            "text": (data.get("q") or "").strip(),
            "active": None if active == "" else active == "1",
        }


class UserCreateForm(PasswordPairMixin, FieldsOnlyModelForm):
    """A new account; staff roles also get an employee number and hire date."""

    password = _password_field(_("Initial password"), required=False)
    password_confirm = _password_field(_("Repeat password"), required=False)
    employee_no = forms.CharField(
        label=_("Employee number"), required=False, max_length=32, help_text=_("Leave empty to number automatically.")
    )
    hire_date = forms.DateField(
        label=_("Hire date"), required=False, widget=DateInput(), help_text=_("Leave empty for today.")
    )
    title = forms.CharField(label=_("Job title"), required=False, max_length=100)

    class Meta:
        model = User
        fields = ["username", "display_name", "email", "phone", "role", "team", "language", "customer_tier"]
        help_texts = {"username": _("Letters, digits and . @ + - _ only; used to sign in.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = selectors.team_choices()
        self.fields["team"].empty_label = _("No team")
        self.fields["language"].choices = LANGUAGE_CHOICES
        if "role" not in kwargs.get("initial", {}):
            self.initial["role"] = Role.AGENT
        self.fields["password"].help_text = _("Leave empty to let the person have no password until you set one.")
        self.fields["customer_tier"].required = False  # empty: standard

    ACCOUNT_FIELDS = ("username", "display_name", "email", "phone", "role", "team", "language", "customer_tier")
    SECRET_FIELDS = ("password", "password_confirm")
    STAFF_FIELDS = ("employee_no", "hire_date", "title")


class UserEditForm(FieldsOnlyModelForm):
    """The details an administrator may change on an existing account."""

    class Meta:
        model = User
        fields = ["display_name", "email", "phone", "role", "team", "language", "customer_tier", "is_active"]
        help_texts = {"is_active": _("Inactive accounts cannot sign in or use API tokens.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = selectors.team_choices(include_pk=self.instance.team_id)
        self.fields["team"].empty_label = _("No team")
        self.fields["language"].choices = LANGUAGE_CHOICES
        self.fields["customer_tier"].required = False  # empty: unchanged


class AdminPasswordForm(PasswordPairMixin, StyledFormMixin, forms.Form):
    """An administrator sets someone's password."""

    password = _password_field(_("New password"))
    password_confirm = _password_field(_("Repeat new password"))


class StaffProfileForm(FieldsOnlyModelForm):
    """Employment facts of a staff member."""

    class Meta:
        model = StaffProfile
        fields = ["employee_no", "hire_date", "status", "left_on", "title"]
        widgets = {"hire_date": DateInput(), "left_on": DateInput()}
        help_texts = {
            "left_on": _("Needed when the status is “Left”; that also deactivates the account."),
        }


class AgentSkillForm(StyledFormMixin, forms.Form):
    """Give a skill at a level, or change the level of one already held."""

    skill = forms.ModelChoiceField(label=_("Skill"), queryset=Skill.objects.none(), empty_label=_("Choose a skill"))
    level = forms.TypedChoiceField(label=_("Level"), choices=LEVEL_CHOICES, coerce=int, initial=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skill"].queryset = selectors.skill_choices()


class CertificateForm(FieldsOnlyModelForm):
    """A certificate a staff member holds."""

    class Meta:
        model = Certificate
        fields = ["name", "issuer", "number", "issued_on", "expires_on"]
        widgets = {"issued_on": DateInput(), "expires_on": DateInput()}


# --- teams and skills --------------------------------------------------------------------------


class TeamForm(FieldsOnlyModelForm):
    """A team's name, code, lead and description; the active flag only once it exists."""

    class Meta:
        model = Team
        fields = ["name", "code", "lead", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "code": _("1-20 capital letters, digits or hyphens, e.g. HOTLINE-1."),
            "lead": _("Only active users with the team lead role can lead a team."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = selectors.team_lead_candidates(include_pk=self.instance.lead_id)
        self.fields["lead"].empty_label = _("No lead yet")
        if self.instance.pk is None:
            del self.fields["is_active"]


class SkillCreateForm(FieldsOnlyModelForm):
    class Meta:
        model = Skill
        fields = ["kind", "code", "name_zh", "name_en"]
        help_texts = {
            "code": _("1-40 lower-case letters, digits, dots, hyphens or underscores, e.g. billing."),
        }


class SkillEditForm(FieldsOnlyModelForm):
    """A skill's kind is fixed once created; everything else may change."""

    class Meta:
        model = Skill
        fields = ["code", "name_zh", "name_en", "is_active"]
        help_texts = {"is_active": _("Inactive skills can no longer be given to staff.")}


class SkillFilterForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *SkillKind.choices])


# --- own account -------------------------------------------------------------------------------


class LanguageForm(StyledFormMixin, forms.Form):
    language = forms.ChoiceField(label=_("Interface language"), choices=settings.LANGUAGES)


class OwnPasswordForm(PasswordPairMixin, StyledFormMixin, forms.Form):
    """Change one's own password; the current one proves it is really them."""

    current_password = _password_field(_("Current password"), autocomplete="current-password")
    password = _password_field(_("New password"))
    password_confirm = _password_field(_("Repeat new password"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_current_password(self) -> str:
        value = self.cleaned_data.get("current_password", "")
        if not self.user.check_password(value):
            raise forms.ValidationError(_("Your current password is not correct."), code="password_incorrect")
        return value


class TokenCreateForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=100, widget=forms.TextInput(attrs={"placeholder": _("e.g. CRM integration")})
    )
