"""Every periodic task of SQM, in one place.

Task bodies live in each app's ``tasks.py`` as plain, idempotent functions that take ids; this
module turns them into Huey tasks and says when they run. It is imported when Django starts, so
web processes can enqueue and workers can run the same tasks.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from sqm.audit import tasks as audit_tasks
from sqm.core import tasks as core_tasks
from sqm.knowledge import tasks as knowledge_tasks
from sqm.tickets import tasks as ticket_tasks
from sqm.tickets.sla import tasks as sla_tasks

heartbeat = db_periodic_task(crontab(minute="*"), name="core.heartbeat")(core_tasks.heartbeat)
sweep_rate_counters = db_periodic_task(crontab(minute="15", hour="3"), name="core.sweep_rate_counters")(
    core_tasks.sweep_rate_counters
)
verify_audit_chain = db_periodic_task(crontab(minute="30", hour="2"), name="audit.verify_chain")(
    audit_tasks.verify_chain
)
assign_backlog = db_periodic_task(crontab(minute="*"), name="tickets.assign_backlog")(ticket_tasks.assign_backlog)
sla_sweep = db_periodic_task(crontab(minute="*"), name="sla.sweep")(sla_tasks.sla_sweep)

# On-demand tasks, queued by services with transaction.on_commit.
kb_reindex = db_task(name="knowledge.reindex", retries=2, retry_delay=30)(knowledge_tasks.reindex)
auto_assign = db_task(name="tickets.auto_assign", retries=3, retry_delay=5)(ticket_tasks.auto_assign)
send_reply = db_task(name="tickets.send_reply", retries=5, retry_delay=60)(ticket_tasks.send_reply)
send_status = db_task(name="tickets.send_status", retries=5, retry_delay=60)(ticket_tasks.send_status)
sla_send_notifications = db_task(name="sla.send_notifications", retries=5, retry_delay=60)(sla_tasks.send_notifications)
sla_retime_calendar = db_task(name="sla.retime_calendar", retries=3, retry_delay=30)(sla_tasks.retime_calendar)
sla_retime_team = db_task(name="sla.retime_team", retries=3, retry_delay=30)(sla_tasks.retime_team)

PERIODIC = {
    "core.heartbeat": "every minute",
    "core.sweep_rate_counters": "daily at 03:15",
    "tickets.assign_backlog": "every minute",
    "sla.sweep": "every minute",
    "audit.verify_chain": "daily at 02:30 (centre time)",
}
