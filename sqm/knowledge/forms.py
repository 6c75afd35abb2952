"""Forms of the knowledge-base pages. They check the shape of the input; the services the rules."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sqm.core.errors import DomainError
from sqm.core.forms import StyledFormMixin
from sqm.knowledge.models import ArticleKind, ArticleLanguage, ArticleStatus, KbCategory
from sqm.knowledge.services import MAX_BODY, MAX_TITLE, clean_tags

TAG_SEPARATORS = re.compile(r"[,，、;；\n]")


def category_choices(tree: list[KbCategory], *, empty: Any, keep: int | None = None) -> list[tuple[str, str]]:
    """Categories as indented choices: active ones, plus ``keep`` (the one already chosen)."""
    choices = [("", str(empty))]
    for node in tree:
        if node.is_active or node.pk == keep:
            indent = "\u3000" * getattr(node, "depth", 0)
            choices.append((str(node.pk), f"{indent}{node.name}"))
    return choices


def split_tags(text: str) -> list[str]:
    """Tags typed in one box, separated by commas (also full-width ，、；) or line breaks."""
    return [part.strip() for part in TAG_SEPARATORS.split(text or "") if part.strip()]


class ArticleFilterForm(StyledFormMixin, forms.Form):
    """Search box and filters above the article list; every field is optional."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("Words in Chinese or English, e.g. 宽带 断网 or refund")}),
    )
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *ArticleKind.choices])
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("All languages")), *ArticleLanguage.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *ArticleStatus.choices]
    )

    def __init__(self, *args: Any, tree: list[KbCategory], can_manage: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(tree, empty=_("All categories"))
        if not can_manage:
            del self.fields["status"]

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for :class:`sqm.knowledge.selectors.ArticleFilters`.

        A field with an invalid value (a category that no longer exists) filters nothing; the
        valid ones still apply.
        """
        self.is_valid()
        data = self.cleaned_data
        return {
            "q": (data.get("q") or "").strip(),
            "category_id": data.get("category"),
            "kind": data.get("kind") or "",
            "language": data.get("language") or "",
            "status": data.get("status") or "",
        }


class ArticleForm(StyledFormMixin, forms.Form):
    """Writing or editing an article or solved case."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ArticleKind.choices)
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    body = forms.CharField(
        label=_("Text"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 18, "style": "max-width:100%"}),
        help_text=_(
            "Plain text. A blank line starts a new paragraph; lines starting with “- ” make a list, "
            "“1. ” numbered steps, “# ” a heading."
        ),
    )
    language = forms.ChoiceField(label=_("Language"), choices=ArticleLanguage.choices)
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separate tags with commas, e.g. 宽带, 断网, 光猫."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    ticket = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, tree: list[KbCategory], keep_category: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(tree, empty=_("No category"), keep=keep_category)

    def clean_tags(self) -> list[str]:
        """The tags as a list, checked by the same rule the service applies (so all errors show at once)."""
        try:
            return clean_tags(split_tags(self.cleaned_data.get("tags", "")))
        except DomainError as exc:
            raise forms.ValidationError([str(m) for msgs in exc.errors.values() for m in msgs]) from exc
