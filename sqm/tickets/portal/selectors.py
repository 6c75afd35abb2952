"""Reads of the customer portal. Internal notes never leave the database through these."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from sqm.tickets import selectors as ticket_selectors
from sqm.tickets.models import Attachment, Category, MessageKind, ProcessStep, Ticket, TicketMessage


def my_tickets(customer_id: int) -> QuerySet[Ticket]:
    """The customer's own tickets, newest first (the list needs category, step and status only)."""
    return ticket_selectors.customer_tickets(customer_id)


def public_thread() -> QuerySet[TicketMessage]:
    """A ticket's messages as the customer sees them: no internal notes, attachments loaded."""
    return (
        TicketMessage.objects.exclude(kind=MessageKind.NOTE)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
        .order_by("created_at", "pk")
    )


def portal_ticket(pk: int, *, customer_id: int | None = None) -> Ticket | None:
    """One ticket with its public thread in ``public_messages``; only the customer's own when given."""
    qs = Ticket.objects.select_related("category", "current_step", "customer").prefetch_related(
        Prefetch("messages", queryset=public_thread(), to_attr="public_messages")
    )
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    return qs.filter(pk=pk).first()


def process_outline(ticket_type: str) -> list[ProcessStep]:
    """The active steps of a ticket type's process, in order (names only, no control points)."""
    return list(ProcessStep.objects.filter(definition__ticket_type=ticket_type, is_active=True).order_by("order"))


def public_attachment(*, ticket_id: int, attachment_id: int) -> Attachment | None:
    """An attachment of the ticket's public thread; files on internal notes are never found."""
    return (
        Attachment.objects.filter(pk=attachment_id, message__ticket_id=ticket_id)
        .exclude(message__kind=MessageKind.NOTE)
        .select_related("message__ticket")
        .first()
    )


def category_choices() -> QuerySet[Category]:
    """Active categories a customer may file a request under, with their parents for the label."""
    return Category.objects.filter(is_active=True).select_related("parent").order_by("code")
