"""Background work of tickets: assignment and outbound e-mail. Thin, idempotent, by id.

Registered with the queue in sqm/schedule.py.
"""

from __future__ import annotations

from sqm.tickets import notify
from sqm.tickets.services import assignment


def auto_assign(ticket_id: int) -> None:
    """Give an unassigned ticket to the best agent available now (no-op when already assigned)."""
    assignment.auto_assign(ticket_id=ticket_id)


def send_reply(message_id: int) -> None:
    """Mail an agent's reply to the customer (once: a sent reply is marked)."""
    notify.send_reply(message_id)


def send_status(ticket_id: int) -> None:
    """Tell the customer their ticket was closed."""
    notify.send_status(ticket_id)


def assign_backlog() -> int:
    """Offer every waiting unassigned ticket to the agents free now; returns how many found one."""
    return sum(assignment.auto_assign(ticket_id=pk) is not None for pk in assignment.backlog_ids())
