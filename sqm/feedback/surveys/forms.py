"""Forms of surveys, return visits and mystery shoppers. They check shapes only; the services in
:mod:`sqm.feedback.surveys.services` check the rules. The public survey page reads its answers
straight from the POST (:func:`answers_from_post`), since its fields follow the survey's questions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqm.core.forms import StyledFormMixin
from sqm.core.roles import Role
from sqm.feedback.surveys import services
from sqm.feedback.surveys.models import (
    SCORE_FIELDS,
    Dimension,
    MysteryChannel,
    MysteryStatus,
    Question,
    QuestionKind,
    ReturnVisitStatus,
    SurveyKind,
    VisitOutcome,
)
from sqm.org.models import Team, User
from sqm.tickets.models import TicketType
from sqm.tickets.services.attachments import IncomingFile


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


# --- surveys ---------------------------------------------------------------------------------------


class SurveyForm(StyledFormMixin, forms.Form):
    title_zh = forms.CharField(label=_("Chinese title"), max_length=200)
    title_en = forms.CharField(label=_("English title"), max_length=200, required=False)
    intro_zh = forms.CharField(
        label=_("Chinese introduction"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    intro_en = forms.CharField(
        label=_("English introduction"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=SurveyKind.choices, initial=SurveyKind.CUSTOM)


class SurveyEditForm(SurveyForm):
    kind = None  # type: ignore[assignment]


class QuestionForm(StyledFormMixin, forms.Form):
    """A question; options are typed one per line as ``code | 中文 | English``."""

    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    text_zh = forms.CharField(label=_("Chinese wording"), max_length=500)
    text_en = forms.CharField(label=_("English wording"), max_length=500, required=False)
    required = forms.BooleanField(label=_("Answer required"), required=False, initial=True)
    scale_max = forms.TypedChoiceField(
        label=_("Scale"),
        choices=[("", _("Default")), ("5", "1–5"), ("7", "1–7")],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Rating scales and SERVQUAL items."),
    )
    dimension = forms.ChoiceField(
        label=_("SERVQUAL dimension"), choices=[("", "—"), *Dimension.choices], required=False
    )
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "yes | 是 | Yes"}),
        help_text=_("Choice questions: one option per line, “code | Chinese | English”."),
    )
    code = forms.CharField(label=_("Code"), max_length=20, required=False)

    @staticmethod
    def options_text(question: Question) -> str:
        return "\n".join(f"{o['code']} | {o.get('zh', '')} | {o.get('en', '')}" for o in question.options or [])

    @classmethod
    def for_question(cls, question: Question) -> QuestionForm:
        return cls(
            initial={
                "kind": question.kind,
                "text_zh": question.text_zh,
                "text_en": question.text_en,
                "required": question.required,
                "scale_max": question.scale_max if question.kind in (QuestionKind.RATING, QuestionKind.GAP) else "",
                "dimension": question.dimension,
                "options": cls.options_text(question),
                "code": question.code,
            }
        )

    def clean_options(self) -> list[dict[str, str]] | None:
        text = self.cleaned_data.get("options") or ""
        rows = []
        for line in text.splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) < 2:
                raise forms.ValidationError(_("Write each option as “code | Chinese | English”."))
            rows.append({"code": parts[0], "zh": parts[1], "en": parts[2] if len(parts) > 2 else ""})
        return rows or None


class DistributionForm(StyledFormMixin, forms.Form):
    closed_from = forms.DateField(label=_("Tickets closed from"), widget=DateInput())
    closed_to = forms.DateField(label=_("Tickets closed until"), widget=DateInput())
    sample_size = forms.IntegerField(label=_("Customers to invite"), min_value=1, max_value=services.MAX_SAMPLE)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    ticket_type = forms.ChoiceField(
        label=_("Ticket type"), choices=[("", _("Any")), *TicketType.choices], required=False
    )
    seed = forms.IntegerField(
        label=_("Random seed"),
        required=False,
        min_value=0,
        max_value=2**63 - 1,
        help_text=_("Leave empty to draw one; it is recorded either way, so the draw can be repeated."),
    )
    days = forms.IntegerField(
        label=_("Links valid for (days)"), required=False, min_value=1, max_value=services.MAX_LINK_DAYS
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = self.fields["team"]
        assert isinstance(team, forms.ModelChoiceField)
        team.queryset = Team.objects.filter(is_active=True).order_by("code")
        team.empty_label = _("Any")
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("closed_to", today)
            self.initial.setdefault("closed_from", today - dt.timedelta(days=30))
            self.initial.setdefault("sample_size", 200)
            self.initial.setdefault("days", services.link_days())


def answers_from_post(questions: list[Question], data: QueryDict) -> dict[int, services.AnswerIn]:
    """The answers of the public page's form: ``q<id>`` for ratings, NPS, choices and text,
    ``q<id>_e``/``q<id>_p`` for SERVQUAL items, ``q<id>_<dimension>`` for importance points."""

    def number(name: str) -> Any:
        raw = (data.get(name) or "").strip()
        if not raw:
            return None
        try:
            return int(raw)
        except ValueError:
            return raw  # the service names it as not a whole number

    answers: dict[int, services.AnswerIn] = {}
    for q in questions:
        key = f"q{q.pk}"
        answer = services.AnswerIn()
        if q.kind in (QuestionKind.RATING, QuestionKind.NPS):
            answer.value = number(key)
        elif q.kind == QuestionKind.GAP:
            answer.expectation, answer.perception = number(f"{key}_e"), number(f"{key}_p")
        elif q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            answer.choices = [c for c in data.getlist(key) if c]
        elif q.kind == QuestionKind.TEXT:
            answer.text = data.get(key, "")
        elif q.kind == QuestionKind.WEIGHTS:
            points = {code: number(f"{key}_{code}") for code, _label in q.choices}
            answer.points = {k: v for k, v in points.items() if v is not None}
        answers[q.pk] = answer
    return answers


# --- return visits ---------------------------------------------------------------------------------


class ReturnVisitFilterForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *ReturnVisitStatus.choices], required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = self.fields["team"]
        assert isinstance(team, forms.ModelChoiceField)
        team.queryset = Team.objects.order_by("code")
        team.empty_label = _("Any")


class ReturnVisitRecordForm(StyledFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=VisitOutcome.choices)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=services.NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the problem persists: it becomes the reason for reopening."),
    )


def agent_choices() -> list[tuple[int, str]]:
    """Active agents as (id, name), for reassigning return visits."""
    return list(
        User.objects.filter(role=Role.AGENT, is_active=True).order_by("display_name").values_list("pk", "display_name")
    )


class ReassignForm(StyledFormMixin, forms.Form):
    agent = forms.ModelChoiceField(
        label=_("Agent"), queryset=User.objects.filter(role=Role.AGENT, is_active=True).order_by("display_name")
    )


# --- mystery shoppers ----------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each refused early when it is over the evidence size limit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(sorted(services.EVIDENCE_TYPES))}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        limit = services.evidence_max_bytes()
        for upload in files:
            if upload.size > limit:
                raise forms.ValidationError(
                    _("“%(name)s” is larger than %(mb)d MB.") % {"name": upload.name, "mb": limit // (1024 * 1024)}
                )
        return list(files)


def incoming_files(uploads: list[UploadedFile]) -> list[IncomingFile]:
    return [IncomingFile(name=upload.name or "file", content=upload.read()) for upload in uploads]


SCORES = [(str(n), str(n)) for n in range(1, 6)]
SCORE_LABELS = {
    "attitude": _("Attitude"),
    "professionalism": _("Professionalism"),
    "timeliness": _("Timeliness"),
    "environment": _("Environment"),
    "sop": _("Compliance with the SOP"),
}
SCORE_HELP = {
    "attitude": _("Greeting, friendliness, patience, courtesy."),
    "professionalism": _("Knowledge, accuracy of the answer, clear explanation."),
    "timeliness": _("Waiting time, speed of handling, promises kept."),
    "environment": _("Hall: tidy, signs, seats. Call or chat: line quality, quiet background."),
    "sop": _("Followed the standard steps: identity check, summary, closing phrase."),
}


class MysteryVisitForm(StyledFormMixin, forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=MysteryChannel.choices)
    visited_at = forms.DateTimeField(label=_("Date and time"), widget=DateTimeInput())
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    place = forms.CharField(label=_("Place or number"), max_length=200, required=False)
    agent = forms.ModelChoiceField(
        label=_("Staff member served by (if known)"), queryset=User.objects.none(), required=False
    )
    scenario = forms.CharField(
        label=_("Scenario"), max_length=services.NOTES_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = MultipleFileField(
        label=_("Evidence (photos, audio, PDF)"),
        required=False,
        help_text=_("Up to 10 files."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = self.fields["team"]
        assert isinstance(team, forms.ModelChoiceField)
        team.queryset = Team.objects.filter(is_active=True).order_by("code")
        agent = self.fields["agent"]
        assert isinstance(agent, forms.ModelChoiceField)
        agent.queryset = User.objects.filter(role__in=(Role.AGENT, Role.TEAM_LEAD), is_active=True).order_by(
            "display_name"
        )
        for name in SCORE_FIELDS:
            self.fields[name] = forms.TypedChoiceField(
                label=SCORE_LABELS[name],
                choices=SCORES,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "score-radio"}),
                help_text=SCORE_HELP[name],
            )
            self.fields[f"{name}_comment"] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=services.NOTES_MAX,
                widget=forms.Textarea(attrs={"rows": 2, "class": "input"}),
            )
        if not self.is_bound:
            self.initial.setdefault("visited_at", timezone.localtime().replace(second=0, microsecond=0))

    def encounter_fields(self) -> list[Any]:
        return [self[name] for name in ("channel", "visited_at", "team", "place", "agent", "scenario")]

    def score_rows(self) -> list[tuple[Any, Any]]:
        return [(self[name], self[f"{name}_comment"]) for name in SCORE_FIELDS]


class MysteryReviewForm(StyledFormMixin, forms.Form):
    verdict = forms.ChoiceField(
        label=_("Verdict"), choices=[(MysteryStatus.ACCEPTED, _("Accept")), (MysteryStatus.REJECTED, _("Reject"))]
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=services.NOTES_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class MysteryFilterForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *MysteryStatus.choices], required=False)
