"""Every periodic task of SQM, in one place.

Task bodies live in each app's ``tasks.py`` as plain, idempotent functions that take ids; this
module turns them into Huey tasks and says when they run. It is imported when Django starts, so
web processes can enqueue and workers can run the same tasks.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from sqm.audit import tasks as audit_tasks
from sqm.core import tasks as core_tasks
from sqm.feedback.links import tasks as link_tasks
from sqm.feedback.surveys import tasks as survey_tasks
from sqm.inspections import tasks as inspection_tasks
from sqm.knowledge import tasks as knowledge_tasks
from sqm.kpis import tasks as kpi_tasks
from sqm.standards import tasks as standards_tasks
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
standards_activate_due = db_periodic_task(crontab(minute="1"), name="standards.activate_due")(
    standards_tasks.activate_due
)
kpis_refresh_changed = db_periodic_task(crontab(minute="*"), name="kpis.refresh_changed")(kpi_tasks.refresh_changed)
alerts_evaluate = db_periodic_task(crontab(minute="*/5"), name="kpis.alerts_evaluate")(kpi_tasks.alerts_evaluate)
alerts_escalate_overdue = db_periodic_task(crontab(minute="7"), name="kpis.alerts_escalate_overdue")(
    kpi_tasks.alerts_escalate_overdue
)
alerts_review_standards = db_periodic_task(crontab(minute="20", hour="3"), name="kpis.alerts_review_standards")(
    kpi_tasks.alerts_review_standards
)
inspections_monthly_plan = db_periodic_task(crontab(day="1", hour="1", minute="10"), name="inspections.monthly_plan")(
    inspection_tasks.monthly_plan
)
inspections_expire_appeals = db_periodic_task(crontab(minute="25"), name="inspections.expire_appeals")(
    inspection_tasks.expire_appeals
)
# No task lock: Huey's SQLite storage has no lock expiry, and the task is safe to run twice at once
# (one invitation row per ticket, unique).
links_invite_closed = db_periodic_task(crontab(minute="*/5"), name="links.invite_closed")(link_tasks.invite_closed)
feedback_return_visits = db_periodic_task(crontab(minute="35"), name="feedback.return_visits_schedule")(
    survey_tasks.schedule_return_visits
)

# On-demand tasks, queued by services with transaction.on_commit.
survey_send_invitations = db_task(name="feedback.survey_send_invitations", retries=5, retry_delay=60)(
    survey_tasks.send_invitations
)
kb_reindex = db_task(name="knowledge.reindex", retries=2, retry_delay=30)(knowledge_tasks.reindex)
auto_assign = db_task(name="tickets.auto_assign", retries=3, retry_delay=5)(ticket_tasks.auto_assign)
send_reply = db_task(name="tickets.send_reply", retries=5, retry_delay=60)(ticket_tasks.send_reply)
send_status = db_task(name="tickets.send_status", retries=5, retry_delay=60)(ticket_tasks.send_status)
sla_send_notifications = db_task(name="sla.send_notifications", retries=5, retry_delay=60)(sla_tasks.send_notifications)
sla_retime_calendar = db_task(name="sla.retime_calendar", retries=3, retry_delay=30)(sla_tasks.retime_calendar)
sla_retime_team = db_task(name="sla.retime_team", retries=3, retry_delay=30)(sla_tasks.retime_team)
links_complaint_check = db_task(name="links.complaint_check", retries=3, retry_delay=30)(link_tasks.complaint_check)
links_measure_rule = db_task(name="links.measure_rule", retries=1, retry_delay=60)(link_tasks.measure_rule)

PERIODIC = {
    "core.heartbeat": "every minute",
    "core.sweep_rate_counters": "daily at 03:15",
    "tickets.assign_backlog": "every minute",
    "sla.sweep": "every minute",
    "standards.activate_due": "hourly at :01 (approved versions whose date has come take effect)",
    "audit.verify_chain": "daily at 02:30 (centre time)",
    "inspections.monthly_plan": "monthly on the 1st at 01:10 (last month's QA sampling plan, created once and drawn)",
    "inspections.expire_appeals": "hourly at :25 (QA results whose appeal period ended become final)",
    "links.invite_closed": "every 5 minutes (customers of newly closed tickets get one rating invitation each)",
    "feedback.return_visits_schedule": "hourly at :35 (a return-visit call for every complaint closed since the last run)",
    "kpis.refresh_changed": "every minute (KPI facts and rollups of changed tickets, ratings and SLA clocks)",
    "kpis.alerts_evaluate": "every 5 minutes (alert rules: thresholds, complaint growth, surges, group complaints, p-charts)",
    "kpis.alerts_escalate_overdue": "hourly at :07 (overdue rectification plans go one level up)",
    "kpis.alerts_review_standards": "daily at 03:20 (automatic review proposals of standards)",
}
