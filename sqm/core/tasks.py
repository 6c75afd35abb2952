"""Background tasks of the core app. Every periodic schedule of SQM is declared in sqm/schedule.py."""

from sqm.core import services


def heartbeat() -> None:
    """Prove that a worker consumes the queue."""
    services.heartbeat_record(name="worker")


def sweep_rate_counters() -> int:
    """Forget rate-limit windows that ended days ago."""
    from sqm.core import ratelimit

    return ratelimit.sweep()
