"""Fixed-window rate limits shared by every process (public pages: QR ratings, password reset).

``hit(key, limit=…, window=…)`` counts one use of ``key`` in the current window and says whether
it is still within the limit. The count is one atomic upsert (``INSERT … ON CONFLICT … DO UPDATE
… RETURNING``), so concurrent requests never lose a count and two processes never both get the
last slot.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import connection, transaction
from django.utils import timezone

from sqm.core.models import RateCounter

KEY_MAX = 200


def window_of(now: dt.datetime, window: dt.timedelta) -> dt.datetime:
    """The start of the fixed window ``now`` falls in (windows are aligned on the epoch)."""
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def safe_key(*parts: str) -> str:
    """A counter key from arbitrary parts (addresses, user agents): long parts are hashed."""
    key = ":".join(parts)
    if len(key) <= KEY_MAX:
        return key
    return key[:100] + ":" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def count(key: str, *, window: dt.timedelta, now: dt.datetime | None = None) -> int:
    """Uses of ``key`` so far in the current window (0 if none)."""
    start = window_of(now or timezone.now(), window)
    row = RateCounter.objects.filter(key=key, window_start=start).values_list("count", flat=True).first()
    return int(row or 0)


def hit(key: str, *, limit: int, window: dt.timedelta, now: dt.datetime | None = None) -> bool:
    """Count one use of ``key``; True while the window's count is at most ``limit``."""
    start = window_of(now or timezone.now(), window)
    q = connection.ops.quote_name
    table, k, w, c = q(RateCounter._meta.db_table), q("key"), q("window_start"), q("count")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({k}, {w}, {c}) VALUES (%s, %s, 1) "  # table and column names are ours
            f"ON CONFLICT ({k}, {w}) DO UPDATE SET {c} = {table}.{c} + 1 RETURNING {c}",
            [key[:KEY_MAX], connection.ops.adapt_datetimefield_value(start)],
        )
        used = cursor.fetchone()[0]
    return int(used) <= limit


def sweep(*, older_than: dt.timedelta = dt.timedelta(days=2), now: dt.datetime | None = None) -> int:
    """Delete counters of windows that ended long ago; returns how many rows went."""
    cutoff = (now or timezone.now()) - older_than
    deleted, _ = RateCounter.objects.filter(window_start__lt=cutoff).delete()
    return deleted
