"""An alert evaluator process for the concurrency test (run with ``python -m``; not a test module).

    python -m sqm.kpis.tests.alert_eval_child START_FILE NOW_ISO ROUNDS

Waits for START_FILE (so that several evaluators begin together), then runs ``alerts_evaluate``
ROUNDS times at NOW_ISO and prints what it raised.
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
    from sqm.kpis.services.alerts import alerts_evaluate

    start_file, now_text, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    while not os.path.exists(start_file):
        time.sleep(0.005)
    raised = levels = 0
    for _round in range(rounds):
        result = alerts_evaluate(dt.datetime.fromisoformat(now_text))
        raised += len(result.raised)
        levels += len(result.level_raised)
    print(f"raised={raised} level_raised={levels}", flush=True)


if __name__ == "__main__":
    main()
