"""Every periodic task of SQM, in one place.

Task bodies live in each app's ``tasks.py`` as plain, idempotent functions that take ids; this
module turns them into Huey tasks and says when they run. It is imported when Django starts, so
web processes can enqueue and workers can run the same tasks.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from sqm.core import tasks as core_tasks

heartbeat = db_periodic_task(crontab(minute="*"), name="core.heartbeat")(core_tasks.heartbeat)

PERIODIC = {"core.heartbeat": "every minute"}
