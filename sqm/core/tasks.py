"""Background tasks of the core app. Every periodic schedule of SQM is declared in sqm/schedule.py."""

from sqm.core import services


def heartbeat() -> None:
    """Prove that a worker consumes the queue."""
    services.heartbeat_record(name="worker")
