"""``sqm worker``: run task workers (Huey consumer) in the foreground.

Uses SQLite queue storage in SQM_DATA_DIR, or Redis when REDIS_URL is set. Run as many as you
like on as many machines as share the database and Redis (docs/operations.md).
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run SQM's background task workers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", "-w", type=int, default=2, help="worker threads (default 2)")
        parser.add_argument("--no-periodic", action="store_true", help="do not run periodic tasks here")

    def handle(self, *args: Any, **options: Any) -> None:
        argv = ["--workers", str(options["workers"]), "--worker-type", "thread", "--quiet"]
        if options["no_periodic"]:
            argv.append("--no-periodic")
        call_command("run_huey", *argv)
