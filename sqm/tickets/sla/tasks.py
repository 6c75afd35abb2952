"""Background work of SLA clocks: the sweep, mail of notifications, re-timing after calendar edits.

Thin and idempotent, by id; registered with the queue in sqm/schedule.py.
"""

from __future__ import annotations

from sqm.tickets.sla import services, sweep


def sla_sweep() -> int:
    """Fire due warnings, breaches and escalations; mail what a dead worker left unsent."""
    result = sweep.sweep()
    sweep.mail_stragglers()
    services.policy_statuses_refresh()
    return result.events


def send_notifications(notification_ids: list[int]) -> int:
    return sum(sweep.send_notification_mail(pk) for pk in notification_ids)


def retime_calendar(calendar_id: int) -> int:
    return services.retime_calendar_clocks(calendar_id)


def retime_team(team_id: int) -> int:
    return services.retime_team_clocks(team_id)


def queue_mail(notification_ids: list[int]) -> None:
    from sqm import schedule

    schedule.sla_send_notifications(notification_ids)


def queue_retime(calendar_id: int) -> None:
    from sqm import schedule

    schedule.sla_retime_calendar(calendar_id)


def queue_team_retime(team_id: int) -> None:
    from sqm import schedule

    schedule.sla_retime_team(team_id)
