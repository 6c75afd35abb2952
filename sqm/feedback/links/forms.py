"""Forms of rating links, QR ratings and the complaint rule (shape only; rules are in services)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from sqm.core.forms import StyledFormMixin
from sqm.core.roles import Role
from sqm.feedback import services as feedback_services
from sqm.feedback.links import services
from sqm.org.models import Team, User

SCORE_CHOICES = [(5, "★★★★★"), (4, "★★★★☆"), (3, "★★★☆☆"), (2, "★★☆☆☆"), (1, "★☆☆☆☆")]
SCORE_LABELS = {
    5: _("Very satisfied"),
    4: _("Satisfied"),
    3: _("Neutral"),
    2: _("Dissatisfied"),
    1: _("Very dissatisfied"),
}


class LinkRatingForm(StyledFormMixin, forms.Form):
    """The rating page of a signed link: 1–5, optionally 0–10 and a comment."""

    score = forms.TypedChoiceField(label=_("Your rating"), choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect)
    recommend = forms.TypedChoiceField(
        label=_("How likely are you to recommend us to a friend? (0–10, optional)"),
        choices=[("", "—")] + [(n, str(n)) for n in range(11)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=feedback_services.COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class QrRatingForm(StyledFormMixin, forms.Form):
    """The public QR page: a score, a short comment, the form stamp and a trap field that people
    never see (bots fill every field)."""

    score = forms.TypedChoiceField(label=_("Your rating"), choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=services.QR_COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    stamp = forms.CharField(required=False, widget=forms.HiddenInput)
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


class QrCodeForm(StyledFormMixin, forms.Form):
    label = forms.CharField(label=_("Label"), max_length=services.LABEL_MAX)
    team = forms.ModelChoiceField(label=_("Service point (team)"), queryset=Team.objects.none(), required=False)
    agent = forms.ModelChoiceField(label=_("Agent"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(is_active=True).order_by("code")  # type: ignore[attr-defined]
        self.fields["agent"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            is_active=True, role__in=(Role.AGENT, Role.TEAM_LEAD)
        ).order_by("display_name", "username")


class ComplaintRuleForm(StyledFormMixin, forms.Form):
    enabled = forms.BooleanField(label=_("The rule is on"), required=False)
    score_threshold = forms.IntegerField(
        label=_("Open a complaint for ratings at or below (stars; 0 = never)"), min_value=0, max_value=5
    )
    comment_enabled = forms.BooleanField(label=_("Read comments"), required=False)
    comment_threshold = forms.DecimalField(
        label=_("A comment reads as a complaint from this score"),
        min_value=Decimal("0.1"),
        max_value=Decimal("50"),
        decimal_places=2,
    )
    negation_handling = forms.BooleanField(label=_("Handle negations (不满意, not helpful)"), required=False)
    keywords_zh = forms.CharField(
        label=_("Chinese words and weights"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "class": "input mono"}),
        help_text=_(
            "One per line: word (or words separated by spaces) and weight; complaints positive, praise negative."
        ),
    )
    keywords_en = forms.CharField(
        label=_("English words and weights"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "class": "input mono"}),
    )
    negations = forms.CharField(label=_("Negations"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    intensifiers = forms.CharField(label=_("Intensifiers"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RuleTryForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label=_("Try a comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
