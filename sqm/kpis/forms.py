"""Forms of the alert and contingency-plan pages. They check shapes only; the services in
:mod:`sqm.kpis.services.alerts` check the rules and name the field that broke one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sqm.core.forms import StyledFormMixin
from sqm.kpis.alerting import PARAMS
from sqm.kpis.models import AlertLevel, AlertRule, AlertStatus, ContingencyPlan, ContingencyScenario, RuleKind
from sqm.kpis.selectors import alerts as sel

ACTIVE = "active"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class AlertFilterForm(StyledFormMixin, forms.Form):
    """The alert list's filters (GET); anything unrecognised falls back to "any"."""

    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", _("Any level")), *AlertLevel.choices])
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), (ACTIVE, _("Not closed")), *AlertStatus.choices],
    )
    overdue = forms.BooleanField(label=_("Plan overdue"), required=False)
    mine = forms.BooleanField(label=_("Mine (owner or task force)"), required=False)

    def values(self) -> dict[str, Any]:
        if not self.is_valid():
            return {"level": "", "status": "", "overdue": False, "mine": False}
        return self.cleaned_data


class PersonChoiceField(forms.ModelChoiceField):
    """People shown with their role and team, so two leads with similar names are told apart."""

    def label_from_instance(self, obj: Any) -> str:
        team = f" · {obj.team.name}" if getattr(obj, "team", None) else ""
        return f"{obj} · {obj.get_role_display()}{team}"


class AssignForm(StyledFormMixin, forms.Form):
    owner = PersonChoiceField(label=_("New owner"), queryset=sel.alert_handlers(), empty_label=None)


class PlanForm(StyledFormMixin, forms.Form):
    plan = forms.CharField(
        label=_("Rectification plan"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Causes, measures, who does what by when, and how the effect will be checked."),
    )


class NoteForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReopenForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Why the plan is not accepted"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MajorIncidentForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("What happened"), max_length=200)
    description = forms.CharField(
        label=_("Details"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Since when, who and what is affected, what has been done so far."),
    )
    scenario = forms.ChoiceField(label=_("Contingency plan scenario"), choices=ContingencyScenario.choices)


class RuleForm(StyledFormMixin, forms.Form):
    """A rule's names, level, deadline and the parameters of its kind (one field per parameter)."""

    name_zh = forms.CharField(label=_("Chinese name"), max_length=120)
    name_en = forms.CharField(label=_("English name"), max_length=120)
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", "—"), *AlertLevel.choices])
    plan_due_days = forms.IntegerField(label=_("Rectification plan due within (days)"))
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args: Any, rule: AlertRule, **kwargs: Any) -> None:
        self.rule = rule
        if not kwargs.get("data") and not (args and args[0]):
            kwargs["initial"] = {
                "name_zh": rule.name_zh,
                "name_en": rule.name_en,
                "level": rule.level,
                "plan_due_days": rule.plan_due_days,
                "is_active": rule.is_active,
                **{spec.name: (rule.params or {}).get(spec.name, spec.default) for spec in PARAMS.get(rule.kind, ())},
            }
        super().__init__(*args, **kwargs)
        if rule.kind == RuleKind.THRESHOLD:
            del self.fields["level"]
        else:
            self.fields["level"].choices = list(AlertLevel.choices)
        for spec in PARAMS.get(rule.kind, ()):
            field: forms.Field
            if spec.type == "choice":
                field = forms.ChoiceField(label=spec.label, choices=spec.choices, required=False)
            else:
                # Plain text: the service checks numbers and ranges and names the parameter that is wrong.
                field = forms.CharField(label=spec.label, required=False, max_length=30)
            field.help_text = spec.help_text
            field.widget.attrs["class"] = "input"
            self.fields[spec.name] = field

    def params(self) -> dict[str, Any]:
        return {spec.name: self.cleaned_data.get(spec.name) for spec in PARAMS.get(self.rule.kind, ())}


class RuleCreateForm(StyledFormMixin, forms.Form):
    """A new rule; its parameters start at their defaults and are edited afterwards."""

    code = forms.CharField(label=_("Code"), max_length=40)
    name_zh = forms.CharField(label=_("Chinese name"), max_length=120)
    name_en = forms.CharField(label=_("English name"), max_length=120)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[(k, label) for k, label in RuleKind.choices if k != RuleKind.MAJOR_INCIDENT]
    )
    level = forms.ChoiceField(
        label=_("Level"),
        required=False,
        choices=[("", _("— (threshold rules: from the thresholds)")), *AlertLevel.choices],
    )
    standard = forms.ModelChoiceField(label=_("Standard"), required=False, queryset=None)
    indicator_code = forms.CharField(
        label=_("Indicator code"), required=False, max_length=40, help_text=_("Blank: every indicator of the standard.")
    )
    plan_due_days = forms.IntegerField(label=_("Rectification plan due within (days)"), initial=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from sqm.standards.models import Standard

        field = self.fields["standard"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Standard.objects.filter(is_retired=False).order_by("category", "code")


class ContingencyPlanForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40, help_text=_("e.g. system-outage"))
    scenario = forms.ChoiceField(label=_("Scenario"), choices=ContingencyScenario.choices)
    title_zh = forms.CharField(label=_("Chinese title"), max_length=200)
    title_en = forms.CharField(label=_("English title"), max_length=200)
    body_zh = forms.CharField(
        label=_("Plan (Chinese)"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Scope, team, steps with time limits, recovery and review, drills."),
    )
    body_en = forms.CharField(label=_("Plan (English)"), required=False, widget=forms.Textarea(attrs={"rows": 10}))
    owner = PersonChoiceField(label=_("Owner"), required=False, queryset=None)

    def __init__(self, *args: Any, plan: ContingencyPlan | None = None, **kwargs: Any) -> None:
        if plan is not None and not kwargs.get("data") and not (args and args[0]):
            kwargs["initial"] = {
                "code": plan.code,
                "scenario": plan.scenario,
                "title_zh": plan.title_zh,
                "title_en": plan.title_en,
                "body_zh": plan.body_zh,
                "body_en": plan.body_en,
                "owner": plan.owner_id,
            }
        super().__init__(*args, **kwargs)
        from sqm.core.roles import CAPABILITIES, Cap
        from sqm.org.models import User

        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = (
            User.objects.filter(role__in=[r.value for r in CAPABILITIES[Cap.ALERT_VIEW]], is_active=True)
            .select_related("team")
            .order_by("role", "username")
        )
        if plan is not None:
            del self.fields["code"]


class DrillForm(StyledFormMixin, forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    participants = forms.CharField(
        label=_("Participants"), widget=forms.Textarea(attrs={"rows": 2}), help_text=_("Names or teams, one line.")
    )
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 4}))
    follow_up = forms.CharField(label=_("Follow-up"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
