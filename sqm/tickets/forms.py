"""Forms of the ticket pages.

Forms only check the shape of the input; the services in :mod:`sqm.tickets.services` apply the
business rules, and their :class:`~sqm.core.errors.DomainError` lands on the form through
:func:`sqm.core.forms.apply_domain_error`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ObjectDoesNotExist
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from sqm.core.forms import StyledFormMixin
from sqm.org.models import Team, User
from sqm.tickets import selectors
from sqm.tickets.models import ACTIVE_STATUSES, CannedReply, Category, Channel, Priority, Status, TicketType
from sqm.tickets.selectors import QueueFilters
from sqm.tickets.services.attachments import IncomingFile, max_bytes

SORT_CHOICES = [
    ("priority", _("Most urgent first")),
    ("age", _("Oldest first")),
    ("-age", _("Newest first")),
    ("due", _("Resolution due soonest")),
    ("due_response", _("Response due soonest")),
]
RISK_CHOICES = [
    ("", _("Any SLA risk")),
    ("on_track", _("On track")),
    ("warning", _("Warning")),
    ("breached", _("Breached")),
]
STATUS_ACTIVE, STATUS_ALL, STATUS_NOT_CLOSED = "", "all", "not_closed"
UNASSIGNED = "none"
LANGUAGE_CHOICES = [("zh", _("Chinese")), ("en", _("English")), ("yue", _("Cantonese"))]
LOGGED_CHANNELS = [(Channel.PHONE.value, Channel.PHONE.label), (Channel.WALK_IN.value, Channel.WALK_IN.label)]


def _with_blank(choices: Any, blank: Any) -> list[tuple[str, Any]]:
    return [("", blank), *choices]


# --- queues ------------------------------------------------------------------------------------


class QueueFilterForm(StyledFormMixin, forms.Form):
    """The filters above a queue, sent as a GET form. Every field is optional.

    ``scope`` is ``mine`` (my active tickets), ``team`` (a team's queue) or ``owned`` (complaints
    I own); it decides which fields show and what the status filter means when left empty.
    """

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Subject or number T00000123"), "type": "search"}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    type = forms.ChoiceField(label=_("Type"), required=False, choices=_with_blank(TicketType.choices, _("All types")))
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=_with_blank(Priority.choices, _("All priorities"))
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=_with_blank(Channel.choices, _("All channels"))
    )
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=Category.objects.none(), empty_label=_("All categories")
    )
    team = forms.ModelChoiceField(
        label=_("Team"), required=False, queryset=Team.objects.none(), empty_label=_("All teams")
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    customer = forms.CharField(
        label=_("Customer"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"placeholder": _("User name, phone or e-mail")}),
    )
    risk = forms.ChoiceField(label=_("SLA risk"), required=False, choices=RISK_CHOICES)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)

    def __init__(
        self, *args: Any, scope: str, can_pick_team: bool = False, agents: list[User] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        default_status = _("Not closed") if scope == "owned" else _("Active (new, open, waiting)")
        extra = [(STATUS_ALL, _("All statuses"))]
        self.fields["status"].choices = [("", default_status), *Status.choices, *extra]
        self.fields["category"].queryset = selectors.categories()
        self.fields["team"].queryset = Team.objects.filter(is_active=True).order_by("code")
        if scope != "team" or not can_pick_team:
            del self.fields["team"]
        if scope == "owned":
            del self.fields["type"]  # always complaints
        if scope == "mine":
            del self.fields["assignee"]
        else:
            people = [(str(agent.pk), str(agent)) for agent in agents]
            self.fields["assignee"].choices = [("", _("Anyone")), (UNASSIGNED, _("Unassigned")), *people]

    def data_or_empty(self) -> dict[str, Any]:
        """The fields that passed validation; a bad value filters nothing instead of everything."""
        self.is_valid()
        return getattr(self, "cleaned_data", {})

    def filters(self, **fixed: Any) -> QueueFilters:
        """The selector's filters from what was chosen; ``fixed`` (e.g. the assignee) always wins."""
        data = self.data_or_empty()
        result = QueueFilters(
            status=self._statuses(data.get("status", "")),
            type=data.get("type", ""),
            priority=data.get("priority", ""),
            channel=data.get("channel", ""),
            category_id=data["category"].pk if data.get("category") else None,
            team_id=data["team"].pk if data.get("team") else None,
            text=(data.get("q") or "").strip(),
            risk=data.get("risk", ""),
        )
        assignee = data.get("assignee", "")
        if assignee == UNASSIGNED:
            result.unassigned = True
        elif assignee:
            result.assignee_id = int(assignee)
        for key, value in fixed.items():
            setattr(result, key, value)
        return result

    def _statuses(self, value: str) -> list[str]:
        if value == STATUS_ALL:
            return list(Status.values)
        if value:
            return [value]
        if self.scope == "owned":
            return [s for s in Status.values if s != Status.CLOSED]
        return list(ACTIVE_STATUSES)

    @property
    def chosen_sort(self) -> str:
        return self.data_or_empty().get("sort") or "priority"

    @property
    def customer_text(self) -> str:
        return (self.data_or_empty().get("customer") or "").strip()

    @property
    def is_filtered(self) -> bool:
        data = self.data_or_empty()
        return any(value not in ("", None) for key, value in data.items() if key != "sort")


class ShiftForm(forms.Form):
    on_shift = forms.BooleanField(required=False)


# --- the ticket page ---------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each one is refused early when it is over the size limit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        limit = max_bytes()
        for upload in files:
            if upload.size > limit:
                raise forms.ValidationError(
                    _("“%(name)s” is larger than %(mb)d MB.") % {"name": upload.name, "mb": limit // (1024 * 1024)}
                )
        return list(files)


def incoming_files(uploads: list[UploadedFile]) -> list[IncomingFile]:
    """Uploaded files as the services take them (name and content)."""
    return [IncomingFile(name=upload.name or "file", content=upload.read()) for upload in uploads]


class ReplyForm(StyledFormMixin, forms.Form):
    """A reply to the customer or an internal note, with attachments and a canned-reply picker."""

    KIND_CHOICES = [("reply", _("Reply to the customer")), ("note", _("Internal note (staff only)"))]

    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, initial="reply", widget=forms.RadioSelect)
    body = forms.CharField(
        label=_("Message"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )
    wait_for_customer = forms.BooleanField(
        label=_("Wait for the customer's answer (pauses the ticket as “waiting on customer”)"), required=False
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    canned = forms.ModelChoiceField(
        label=_("Canned reply"),
        required=False,
        queryset=CannedReply.objects.none(),
        empty_label=_("Choose a canned reply"),
    )

    def __init__(self, *args: Any, ticket_type: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["canned"].queryset = selectors.canned_replies(ticket_type=ticket_type)

    def with_canned_text(self) -> str:
        """The message with the chosen canned reply appended (the no-JavaScript "insert")."""
        data = self.cleaned_data
        body, canned = (data.get("body") or "").rstrip(), data.get("canned")
        if canned is None:
            return body
        return f"{body}\n\n{canned.body}" if body else canned.body


class TicketEditForm(StyledFormMixin, forms.Form):
    """Correct priority, type, category or subject."""

    subject = forms.CharField(label=_("Subject"), max_length=200)
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=Category.objects.none(), empty_label=_("No category")
    )

    def __init__(self, *args: Any, category_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = selectors.categories(include_pk=category_id)


class TransitionForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)


class ReopenForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Why reopen?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(StyledFormMixin, forms.Form):
    """A team lead hands the ticket to a named agent."""

    assignee = forms.TypedChoiceField(label=_("Agent"), coerce=int)

    def __init__(self, *args: Any, agents: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agents = {agent.pk: agent for agent in agents}
        self.fields["assignee"].choices = [("", _("Choose an agent")), *((a.pk, agent_label(a)) for a in agents)]

    def agent(self) -> User:
        return self.agents[self.cleaned_data["assignee"]]


def agent_label(agent: User) -> str:
    """ "Name · team · load/cap · on or off shift", to choose whom to give a ticket to."""
    try:
        availability = agent.availability  # loaded by select_related; may not exist yet
    except ObjectDoesNotExist:
        availability = None
    parts = [str(agent)]
    if agent.team_id:
        parts.append(str(agent.team))
    if availability is not None:
        parts.append(f"{availability.load}/{availability.max_concurrent}")
    parts.append(str(_("on shift") if availability is not None and availability.on_shift else _("off shift")))
    return " · ".join(parts)


class TransferForm(StyledFormMixin, forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), empty_label=_("Choose a team"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(is_active=True).order_by("code")


# --- logging a call or a visit -----------------------------------------------------------------


class LogContactForm(StyledFormMixin, forms.Form):
    """A phone call or a walk-in, typed by the agent while talking to the customer."""

    customer_q = forms.CharField(
        label=_("Find the customer"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Phone, name or user name"), "type": "search"}),
    )
    customer = forms.ModelChoiceField(label=_("Customer"), required=False, queryset=User.objects.none())
    new_name = forms.CharField(label=_("New customer's name"), required=False, max_length=100)
    new_phone = forms.CharField(label=_("Phone"), required=False, max_length=32)
    new_email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    channel = forms.ChoiceField(label=_("Channel"), choices=LOGGED_CHANNELS, initial=Channel.PHONE)
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices, initial=TicketType.CONSULTATION)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=Category.objects.none(), empty_label=_("No category")
    )
    language = forms.ChoiceField(label=_("Customer's language"), choices=LANGUAGE_CHOICES, initial="zh")
    subject = forms.CharField(
        label=_("Subject"),
        required=False,
        max_length=200,
        help_text=_("Leave empty to use the first line of what the customer said."),
    )
    description = forms.CharField(
        label=_("What the customer said"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    CUSTOMER_FIELDS = ("new_name", "new_phone", "new_email")
    TICKET_FIELDS = ("channel", "type", "priority", "category", "language", "subject", "description", "attachments")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from sqm.core.roles import Role

        self.fields["customer"].queryset = User.objects.filter(role=Role.CUSTOMER, is_active=True)
        self.fields["category"].queryset = selectors.categories()
        self.fields["customer_q"].widget.attrs["autofocus"] = True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("customer") is None and not (data.get("new_name") or "").strip():
            self.add_error("customer", _("Choose a customer, or enter a new customer's name."))
        return data


# --- process definitions and canned replies (quality manager) ----------------------------------


class ProcessStepForm(StyledFormMixin, forms.Form):
    """One step of a process; control points one per line as "中文 | English"."""

    order = forms.IntegerField(label=_("Position"), min_value=1, max_value=100)
    name_zh = forms.CharField(label=_("Chinese name"), max_length=100)
    name_en = forms.CharField(label=_("English name"), max_length=100)
    time_limit_minutes = forms.IntegerField(
        label=_("Time limit (minutes)"),
        required=False,
        min_value=1,
        help_text=_("Leave empty when the step has no time limit."),
    )
    before_resolution = forms.BooleanField(
        label=_("Must be done before the ticket is resolved"),
        required=False,
        initial=True,
        help_text=_("Untick for steps after resolution, such as the follow-up call; those are needed before closing."),
    )
    control_points = forms.CharField(
        label=_("Key control points"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One per line, Chinese and English separated by a bar: 核实客户身份 | Verify the identity"),
    )

    def clean_control_points(self) -> list[tuple[str, str]]:
        points = []
        for number, line in enumerate(self.cleaned_data.get("control_points", "").splitlines(), start=1):
            if not line.strip():
                continue
            zh, bar, en = line.partition("|")
            if not bar or not zh.strip() or not en.strip():
                message = _("Line %(n)d: write the Chinese text, a bar and the English text (中文 | English).")
                raise forms.ValidationError(message % {"n": number})
            points.append((zh.strip(), en.strip()))
        return points

    @staticmethod
    def lines_of(step: Any) -> str:
        return "\n".join(f"{p.text_zh} | {p.text_en}" for p in step.control_points.all())


class CannedReplyForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    body = forms.CharField(label=_("Text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, initial="zh")
    ticket_type = forms.ChoiceField(
        label=_("Ticket type"), required=False, choices=_with_blank(TicketType.choices, _("Every type"))
    )
