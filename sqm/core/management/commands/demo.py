"""``sqm demo``: build a demo service centre in the data directory, then serve it.

Each app that has demo data provides ``<app>/demo.py`` with ``load(rng=…, …)``; they run in
the order of INSTALLED_APPS, so later apps build on earlier ones. Running it again keeps the
existing demo (``--reset`` starts over).
"""

from __future__ import annotations

import contextlib
import importlib
import random
import time
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from sqm.core.roles import Role


class Command(BaseCommand):
    help = "Create a demo service centre (deterministic for --seed) and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument("--no-serve", action="store_true", help="only prepare the data")
        parser.add_argument("--reset", action="store_true", help="delete all data first (SQLite only)")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--size",
            choices=("small", "normal", "large"),
            default="normal",
            help="how much history: small (5,000 tickets), normal (about 100,000) or large (about 1,000,000)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reset"]:
            self._reset()
        call_command("migrate", interactive=False, verbosity=0)
        from sqm.org.models import User

        if User.objects.filter(role=Role.ADMIN).exists():
            self.stdout.write("The data directory already holds a centre; keeping it (use --reset to rebuild).")
        else:
            self._build(options["seed"], options["size"])
        self._print_logins()
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"])

    def _build(self, seed: int, size: str = "normal") -> None:
        """Run every app's demo loader in INSTALLED_APPS order, sharing one seeded generator.

        Each loader runs in one transaction, except a bulk loader that declares
        ``MANAGES_TRANSACTIONS = True`` and commits chunk by chunk itself.
        """
        rng = random.Random(seed)
        shared: dict[str, Any] = {"size": size}
        self.stdout.write(f"Building the demo centre (seed {seed}, size {size})…")
        for config in apps.get_app_configs():
            try:
                loader = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            started = time.monotonic()
            if getattr(loader, "MANAGES_TRANSACTIONS", False):
                summary = loader.load(rng=rng, shared=shared)
            else:
                with transaction.atomic():
                    summary = loader.load(rng=rng, shared=shared)
            self.stdout.write(f"  {config.verbose_name}: {summary} ({time.monotonic() - started:.1f} s)")

    def _reset(self) -> None:
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
            raise CommandError("--reset only deletes the embedded SQLite database; drop other databases yourself.")
        from django.db import connections

        connections.close_all()
        path = settings.DATABASES["default"]["NAME"]
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                (settings.DATA_DIR / f"{path}{suffix}").unlink()

    def _print_logins(self) -> None:
        from sqm.org.models import User

        rows = [
            (
                role.label,
                User.objects.filter(role=role, is_active=True)
                .exclude(password__startswith="!")
                .order_by("username")
                .values_list("username", flat=True)
                .first(),
            )
            for role in Role
        ]
        self.stdout.write("")
        self.stdout.write(f"Every demo account's password: {settings.SQM_DEMO_PASSWORD}")
        for label, username in rows:
            if username:
                self.stdout.write(f"  {label!s:<18} {username}")
        self.stdout.write("")
