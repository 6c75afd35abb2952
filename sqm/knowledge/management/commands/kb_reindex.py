"""``sqm kb_reindex``: rebuild the knowledge base's search tokens (after a dictionary or stop-word change)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sqm.knowledge.tasks import reindex


class Command(BaseCommand):
    help = "Rebuild the search tokens of all knowledge-base articles (or of the ids given)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ids", nargs="*", type=int, help="article ids (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        count = reindex(options["ids"] or None)
        self.stdout.write(f"Search tokens rebuilt for {count} articles.")
