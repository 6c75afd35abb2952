"""Background work of the audit trail. Scheduled in sqm/schedule.py."""

from __future__ import annotations

import logging

from sqm.audit.services import chain_verify

logger = logging.getLogger("sqm.audit")


def verify_chain() -> bool:
    """Walk the whole chain; log loudly when it is broken. Read-only, so safe to run twice."""
    report = chain_verify()
    if report.ok:
        logger.info("audit chain intact: %d entries, head %s", report.length, report.head_hash)
    else:
        logger.error("AUDIT CHAIN BROKEN at entry #%s: %s", report.broken_seq, report.reason)
    return report.ok
