"""Forms of the customer portal.

They check the shape of the input only. The services decide the rest (user name rules, password
strength, attachment size and type) and their :class:`~sqm.core.errors.DomainError` lands next
to the field through :func:`sqm.core.forms.apply_domain_error`.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from sqm.core.forms import StyledFormMixin
from sqm.tickets.models import Category, TicketType
from sqm.tickets.services.attachments import ALLOWED, MAX_FILES, IncomingFile, max_bytes

# --- attachments ---------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that lets the customer pick several files at once (phones included)."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more uploaded files; size and type are left to the ticket services."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(sorted(ALLOWED))}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def attachments_help() -> str:
    """What the customer may attach, in words (the same limits the services enforce)."""
    return _("Up to %(n)d files, each at most %(mb)d MB: %(types)s") % {
        "n": MAX_FILES,
        "mb": max_bytes() // (1024 * 1024),
        "types": " ".join(sorted(ALLOWED)),
    }


def incoming_files(files: list[UploadedFile]) -> list[IncomingFile]:
    """Uploaded files as the services take them.

    At most one byte more than the size limit is read from each file: enough for the service to
    refuse an oversized file with its own message, without holding a huge upload in memory.
    """
    limit = max_bytes() + 1
    result = []
    for upload in files:
        upload.seek(0)
        result.append(IncomingFile(name=upload.name or "file", content=upload.read(limit)))
    return result


def _attachments_field() -> MultipleFileField:
    return MultipleFileField(label=_("Attachments"))  # help text set per form: the limit is a setting


# --- sign-up ---------------------------------------------------------------------------------------


class RegisterForm(StyledFormMixin, forms.Form):
    """A customer's own account: who they are, how to reach them, a password typed twice."""

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        help_text=_("Letters, digits and . @ + - _ only; used to sign in."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    display_name = forms.CharField(
        label=pgettext_lazy("person", "Name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        help_text=_("We send the answers to your requests here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=128,
        help_text=_("At least 8 characters, not only digits, not too close to the user name."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirm = forms.CharField(
        label=_("Repeat password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = (get_language() or settings.LANGUAGE_CODE).lower()
        self.fields["language"].initial = current if current in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        password, confirm = data.get("password"), data.get("password_confirm")
        if password and confirm is not None and password != confirm:
            self.add_error("password_confirm", _("The two passwords do not match."))
        return data


# --- tickets -----------------------------------------------------------------------------------------


def category_label(category: Category) -> str:
    """A category with its parent, e.g. “宽带 › 故障”, so sub-categories are told apart."""
    parent = category.parent
    return f"{parent.name} › {category.name}" if parent is not None else category.name


class SubmitForm(StyledFormMixin, forms.Form):
    """A new request from the portal: what kind, about what, and the customer's own words."""

    type = forms.ChoiceField(label=_("Type of request"), choices=TicketType.choices, initial=TicketType.CONSULTATION)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label=_("Not sure")
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happened, when, and what you would like us to do."),
    )
    attachments = _attachments_field()
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from sqm.tickets.portal import selectors

        self.fields["category"].queryset = selectors.category_choices()
        self.fields["category"].label_from_instance = category_label
        self.fields["attachments"].help_text = attachments_help()
        if not self.is_bound:
            # One key per form shown: sending the same form twice (a double tap) makes one ticket.
            self.initial["submission_key"] = uuid.uuid4().hex


class ReplyForm(StyledFormMixin, forms.Form):
    """The customer writes on their open ticket."""

    body = forms.CharField(label=_("Your message"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4}))
    attachments = _attachments_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()


class ReopenForm(StyledFormMixin, forms.Form):
    """Why a resolved or closed ticket needs another look."""

    reason = forms.CharField(
        label=_("Why is the problem not solved?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
