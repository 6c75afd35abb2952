"""A child process for the assignment concurrency test (run with ``python -m``; not a test module).

Mode ``assign``: call auto_assign for the given ticket ids in the given order.
Mode ``create``: open N tickets through the intake service (automatic assignment runs inline).
"""

from __future__ import annotations

import json
import os
import sys
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sqm.settings")
    import django

    django.setup()
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    from sqm.org.models import User
    from sqm.tickets import services

    mode, start_file = sys.argv[1], sys.argv[2]
    while not os.path.exists(start_file):  # all children start together
        time.sleep(0.005)
    if mode == "assign":
        ids = json.loads(sys.argv[3])
        for ticket_id in ids:
            services.auto_assign(ticket_id=ticket_id)
    else:
        customer = User.objects.get(pk=int(sys.argv[3]))
        for i in range(int(sys.argv[4])):
            services.ticket_create(
                actor=customer, customer=customer, type="consultation", subject=f"并发 {os.getpid()} {i}", channel="web"
            )
    print("done", flush=True)


if __name__ == "__main__":
    main()
