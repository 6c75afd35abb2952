"""A sweeper process for the SLA concurrency tests (run with ``python -m``; not a test module).

    python -m sqm.tickets.tests.sla_sweep_child START_FILE NOW_ISO BATCH_SIZE ROW_DELAY_SECONDS

Waits for START_FILE (so that several sweepers begin together), sweeps once at NOW_ISO and
prints what it did. ROW_DELAY_SECONDS slows every row down inside its batch's transaction, so a
test can kill the process in the middle of a batch.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sqm.settings")
    import django

    django.setup()
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    from sqm.tickets.sla import sweep

    start_file, now_text, batch_size, delay = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    while not os.path.exists(start_file):
        time.sleep(0.005)
    result = sweep.sweep(
        now=dt.datetime.fromisoformat(now_text),
        batch_size=batch_size,
        on_row=(lambda _clock: time.sleep(delay)) if delay else None,
    )
    print(f"done clocks={result.clocks} events={result.events}", flush=True)


if __name__ == "__main__":
    main()
