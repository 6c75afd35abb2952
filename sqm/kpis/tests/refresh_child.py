"""A child process for the refresh concurrency test (run with ``python -m``; not a test module).

Mode ``refresh``: refresh the given tickets' KPI facts, in the given order, in small batches, several rounds.
Mode ``mutate``: resolve the given tickets one by one (row, status event), each in its own transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sqm.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from sqm.kpis.services.rollups import source_refresh
    from sqm.tickets.models import Ticket, TicketEvent

    mode, start_file, ids = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    while not os.path.exists(start_file):  # all children start together
        time.sleep(0.005)
    if mode == "refresh":
        for _round in range(int(sys.argv[4])):
            for start in range(0, len(ids), 7):
                source_refresh(source="ticket", source_ids=ids[start : start + 7])
    else:
        for ticket_id in ids:
            with transaction.atomic():
                ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket_id)
                at = ticket.created_at + dt.timedelta(hours=30)
                TicketEvent.objects.create(
                    ticket=ticket, kind="status", at=at, data={"before": "open", "after": "resolved"}
                )
                Ticket.objects.filter(pk=ticket_id).update(status="resolved", resolved_at=at, updated_at=timezone.now())
    print("done", flush=True)


if __name__ == "__main__":
    main()
