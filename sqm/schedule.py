"""Every periodic task of SQM, in one place.

Task bodies live in each app's ``tasks.py`` as plain, idempotent functions that take ids; this
module turns them into Huey tasks and says when they run. It is imported when Django starts, so
web processes can enqueue and workers can run the same tasks.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from sqm.audit import tasks as audit_tasks
from sqm.core import tasks as core_tasks

heartbeat = db_periodic_task(crontab(minute="*"), name="core.heartbeat")(core_tasks.heartbeat)
verify_audit_chain = db_periodic_task(crontab(minute="30", hour="2"), name="audit.verify_chain")(
    audit_tasks.verify_chain
)

PERIODIC = {"core.heartbeat": "every minute", "audit.verify_chain": "daily at 02:30 (centre time)"}
