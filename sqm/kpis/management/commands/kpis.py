"""``sqm kpis rebuild``, ``sqm kpis refresh`` and ``sqm kpis show``: the KPI engine from the command line.

``rebuild`` recomputes every fact and rollup from the tickets and ratings (with a progress bar);
``refresh`` runs the every-minute incremental refresh once; ``show`` prints one KPI per period and
slice as a table, e.g. ``sqm kpis show --metric csat --grain month --dimension team``.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
import unicodedata
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from sqm.kpis.models import Dimension, Grain, KpiRollup
from sqm.kpis.periods import next_period, period_start, previous_period
from sqm.kpis.selectors import rollup_breakdown, rollup_value
from sqm.kpis.services.rollups import REBUILD_CHUNK, refresh_changed, rollups_rebuild
from sqm.standards.catalogue import CATALOGUE, Aggregate, KpiCode

BAR = 30


class Command(BaseCommand):
    help = (
        "The KPI engine. 'rebuild' recomputes every KPI fact and rollup from scratch; 'refresh' applies what "
        "changed since the last refresh; 'show' prints a KPI per period and team, agent, channel, type or category."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", metavar="{rebuild,refresh,show}", required=True)
        rebuild = commands.add_parser(
            "rebuild", help="Recompute every KPI fact and rollup from the tickets and ratings."
        )
        rebuild.add_argument("--chunk", type=int, default=REBUILD_CHUNK, help="sources per transaction")
        rebuild.add_argument("--no-progress", action="store_true", help="no progress bar, only the summary")
        refresh = commands.add_parser("refresh", help="Refresh the KPIs of what changed since the last refresh.")
        refresh.add_argument("--limit", type=int, default=5000, help="at most this many sources per stream")
        show = commands.add_parser("show", help="Print one KPI per period (and per slice) as a table.")
        show.add_argument("--metric", required=True, choices=KpiCode.values)
        show.add_argument("--grain", default=Grain.MONTH.value, choices=Grain.values)
        show.add_argument("--dimension", default=Dimension.CENTRE.value, choices=Dimension.values)
        show.add_argument("--periods", type=int, default=6, help="how many periods, newest last (default 6)")
        show.add_argument("--until", type=dt.date.fromisoformat, help="last period shown (default: newest with data)")

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["subcommand"]
        if command == "rebuild":
            self.rebuild(chunk=options["chunk"], show_progress=not options["no_progress"])
        elif command == "refresh":
            self.refresh(limit=options["limit"])
        else:
            self.show(
                metric=options["metric"],
                grain=options["grain"],
                dimension=options["dimension"],
                periods=options["periods"],
                until=options.get("until"),
            )

    # --- rebuild and refresh ---------------------------------------------------------------------

    def rebuild(self, *, chunk: int, show_progress: bool) -> None:
        if chunk < 1:
            raise CommandError(_("--chunk must be at least 1."))
        progress = Progress(self.stdout) if show_progress else None
        result = rollups_rebuild(chunk=chunk, progress=progress)
        if progress is not None:
            progress.finish()
        self.stdout.write(
            _(
                "Rebuilt the KPIs: %(facts)s facts from %(tickets)s tickets and %(ratings)s ratings, "
                "%(cells)s rollup cells in %(seconds).1f s."
            )
            % {
                "facts": f"{result.facts:,}",
                "tickets": f"{result.tickets:,}",
                "ratings": f"{result.ratings:,}",
                "cells": f"{result.cells:,}",
                "seconds": result.seconds["total"],
            }
        )

    def refresh(self, *, limit: int) -> None:
        report = refresh_changed(limit=limit)
        for stream, counts in report.items():
            self.stdout.write(
                _("%(stream)s: %(read)d read, %(refreshed)d refreshed, %(changed)d changed")
                % {"stream": stream, **counts}
            )

    # --- show ----------------------------------------------------------------------------------------

    def show(self, *, metric: str, grain: str, dimension: str, periods: int, until: dt.date | None) -> None:
        spec = CATALOGUE[KpiCode(metric)]
        if until is None:
            newest = KpiRollup.objects.filter(grain=grain, metric=metric).aggregate(last=Max("period_start"))["last"]
            until = newest or timezone.localdate()
        last = period_start(until, grain)
        starts = [last]
        for _n in range(max(1, periods) - 1):
            starts.insert(0, previous_period(starts[0], grain))
        title = f"{KpiCode(metric).label} ({spec.unit}) · {Grain(grain).label} · {Dimension(dimension).label}"
        self.stdout.write(title)
        ratio = spec.aggregate == Aggregate.RATIO
        header = [_("period"), Dimension(dimension).label, _("value"), _("numerator"), _("denominator")]
        if not ratio:
            header = header[:3]
        rows: list[list[str]] = []
        for start in starts:
            if dimension == Dimension.CENTRE:
                values = {"": rollup_value(metric, grain, start)}
            else:
                values = rollup_breakdown(metric, grain, start, dimension)
            labels = labels_of(dimension, list(values))
            for key in sorted(values, key=lambda k: labels.get(k, k)):
                value = values[key]
                shown = "—" if value.value is None else str(value.value)
                row = [_period_text(start, grain), labels.get(key, key) or _("centre"), shown]
                if ratio:
                    row += [f"{value.num:,}", f"{value.den:,}"]
                rows.append(row)
        if not rows:
            self.stdout.write(_("No data in these periods."))
            return
        self.stdout.write(table(header, rows))


def _period_text(start: dt.date, grain: str) -> str:
    if grain == Grain.MONTH:
        return start.strftime("%Y-%m")
    if grain == Grain.WEEK:
        end = next_period(start, grain) - dt.timedelta(days=1)
        return f"{start.isoformat()}–{end.strftime('%m-%d')}"
    return start.isoformat()


def labels_of(dimension: str, keys: list[str]) -> dict[str, str]:
    """Readable names for rollup keys: team and category names, agents' names, channel and type labels."""
    from sqm.org.models import Team, User
    from sqm.tickets.models import Category, Channel, TicketType

    ids = [int(k) for k in keys if k.isdigit()]
    if dimension == Dimension.TEAM:
        return {str(t.pk): t.name for t in Team.objects.filter(pk__in=ids)}
    if dimension == Dimension.AGENT:
        return {str(u.pk): str(u) for u in User.objects.filter(pk__in=ids)}
    if dimension == Dimension.CATEGORY:
        return {str(c.pk): c.name for c in Category.objects.filter(pk__in=ids)}
    if dimension == Dimension.CHANNEL:
        return {k: str(Channel(k).label) for k in keys if k in Channel.values}
    if dimension == Dimension.TYPE:
        return {k: str(TicketType(k).label) for k in keys if k in TicketType.values}
    return {}


def _width(text: str) -> int:
    """Columns a text takes in a terminal (Chinese characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(header: list[str], rows: list[list[str]]) -> str:
    """Rows as aligned columns; numbers right-aligned."""
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for n, row in enumerate([header, *rows]):
        cells = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - _width(cell))
            cells.append(pad + cell if i >= 2 and n else cell + pad)
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


class Progress:
    """A progress bar per phase on a terminal; one line per phase and tenth otherwise (logs, pipes)."""

    def __init__(self, out: Any) -> None:
        self.out = out
        self.tty = bool(getattr(sys.stdout, "isatty", lambda: False)()) and getattr(out, "_out", None) is sys.stdout
        self.phase = ""
        self.shown = -1
        self.started = self.last = time.monotonic()

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase != self.phase:
            if self.phase:  # a phase starts where the previous one ended (the first with the command)
                self.started = self.last
                if self.tty:
                    self.out.write("")
            self.phase, self.shown = phase, -1
        self.last = now
        share = done / total if total else 1.0
        tenth = int(share * 10)
        elapsed = now - self.started
        label = {"ticket": _("tickets"), "rating": _("ratings"), "rollups": _("rollups")}.get(phase, phase)
        text = f"  {label:<8} {done:>12,}/{total:,} {share:>5.0%} {elapsed:6.1f} s"
        if self.tty:
            filled = int(share * BAR)
            self.out.write(f"\r  [{'#' * filled}{'.' * (BAR - filled)}]{text}", ending="")
            self.out.flush()
        elif tenth != self.shown:
            self.shown = tenth
            self.out.write(text)

    def finish(self) -> None:
        if self.tty and self.phase:
            self.out.write("")
