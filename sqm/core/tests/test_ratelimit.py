"""Rate limits count across requests and processes and reset with the window."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from sqm.core import ratelimit
from sqm.core.models import RateCounter

MINUTE = dt.timedelta(minutes=1)
T0 = dt.datetime(2026, 11, 23, 4, 0, 10, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_the_limit_allows_exactly_n_uses_per_window_and_resets_in_the_next():
    allowed = [ratelimit.hit("qr:device:a", limit=3, window=MINUTE, now=T0) for _ in range(5)]
    assert allowed == [True, True, True, False, False]
    assert ratelimit.count("qr:device:a", window=MINUTE, now=T0 + dt.timedelta(seconds=30)) == 5
    assert ratelimit.hit("qr:device:a", limit=3, window=MINUTE, now=T0 + MINUTE) is True
    assert ratelimit.hit("qr:device:b", limit=3, window=MINUTE, now=T0) is True  # keys count apart


@pytest.mark.django_db
def test_long_keys_are_hashed_to_fit_and_stay_distinct():
    one, two = ratelimit.safe_key("ua", "x" * 500), ratelimit.safe_key("ua", "x" * 499 + "y")
    assert len(one) <= ratelimit.KEY_MAX and one != two
    assert ratelimit.hit(one, limit=1, window=MINUTE, now=T0) and not ratelimit.hit(one, limit=1, window=MINUTE, now=T0)


@pytest.mark.django_db
def test_sweep_removes_only_old_windows():
    ratelimit.hit("old", limit=1, window=MINUTE, now=T0 - dt.timedelta(days=3))
    ratelimit.hit("new", limit=1, window=MINUTE, now=T0)
    assert ratelimit.sweep(now=T0) == 1
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_never_lose_a_count():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("threads need a database file shared between connections")
    results: list[bool] = []
    lock = threading.Lock()

    def worker() -> None:
        from django.db import connection as own

        try:
            for _ in range(10):
                ok = ratelimit.hit("burst", limit=25, window=dt.timedelta(hours=1), now=T0)
                with lock:
                    results.append(ok)
        finally:
            own.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 40
    assert results.count(True) == 25
    assert ratelimit.count("burst", window=dt.timedelta(hours=1), now=T0) == 40
