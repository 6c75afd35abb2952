"""Writes to tickets. Split by concern; import the functions from here.

intake      ticket_create (every channel, idempotent), walk_in_customer_create
workflow    ticket_reply, ticket_customer_reply, ticket_transition, ticket_reopen, ticket_update, ticket_transfer
process     control_point_tick, step_complete, step_save, step_retire
assignment  auto_assign, assign_to, shift_set
canned      canned_reply_save, canned_reply_retire
"""

from sqm.tickets.services.assignment import assign_to, auto_assign, shift_set
from sqm.tickets.services.canned import canned_reply_retire, canned_reply_save
from sqm.tickets.services.intake import ticket_create, walk_in_customer_create
from sqm.tickets.services.process import control_point_tick, step_complete, step_retire, step_save
from sqm.tickets.services.workflow import (
    ticket_customer_reply,
    ticket_reopen,
    ticket_reply,
    ticket_transfer,
    ticket_transition,
    ticket_update,
)

__all__ = [
    "assign_to",
    "auto_assign",
    "canned_reply_retire",
    "canned_reply_save",
    "control_point_tick",
    "shift_set",
    "step_complete",
    "step_retire",
    "step_save",
    "ticket_create",
    "ticket_customer_reply",
    "ticket_reopen",
    "ticket_reply",
    "ticket_transfer",
    "ticket_transition",
    "ticket_update",
    "walk_in_customer_create",
]
