"""``sqm audit verify`` and ``sqm audit head``: prove the audit chain intact and export its head.

Exit status: 0 when the chain is intact (or the head was exported), 1 when the chain is broken,
2 when the command itself was used wrongly (unreadable or malformed anchor file, bad option).
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sqm.audit.services import ChainReport, chain_head, chain_verify
from sqm.audit.views import head_json
from sqm.core.errors import DomainError

EXIT_BROKEN = 1
EXIT_USAGE = 2


class Command(BaseCommand):
    help = (
        "The tamper-evident audit trail. 'verify' recomputes every link of the hash chain (exit 1 "
        "when broken); 'head' prints the chain head as JSON to keep outside SQM (external anchoring)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", metavar="{verify,head}", required=True)
        verify = commands.add_parser(
            "verify", help="Recompute the chain; exit 0 when intact, 1 at the first broken entry."
        )
        verify.add_argument(
            "--anchor",
            metavar="FILE",
            help='A head exported earlier by \'sqm audit head\' ({"seq", "hash"}); proves the end of '
            "the chain was not cut off and rewritten.",
        )
        verify.add_argument("--json", action="store_true", help="Print the report as JSON.")
        head = commands.add_parser("head", help="Print the chain head as JSON for external anchoring.")
        head.add_argument("--output", "-o", metavar="FILE", help="Write the JSON to FILE instead of printing it.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self.verify(anchor_file=options.get("anchor"), as_json=bool(options.get("json")))
        else:
            self.head(output=options.get("output"))

    def verify(self, *, anchor_file: str | None, as_json: bool) -> None:
        """Verify and report; a broken chain ends the command with exit status 1."""
        anchor = read_anchor(anchor_file) if anchor_file else None
        try:
            report = chain_verify(anchor=anchor)
        except DomainError as exc:
            raise CommandError(exc.as_text(), returncode=EXIT_USAGE) from exc
        if as_json:
            self.stdout.write(json.dumps(asdict(report), ensure_ascii=False, sort_keys=True))
        else:
            self.stdout.write("\n".join(report_lines(report, anchored=anchor is not None)))
        if not report.ok:
            raise CommandError(
                _("the audit chain is broken at entry #%(seq)d") % {"seq": report.broken_seq},
                returncode=EXIT_BROKEN,
            )

    def head(self, *, output: str | None) -> None:
        """Print the head, or write it to ``output``."""
        head = chain_head()
        text = head_json(head)
        if not output or output == "-":
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s") % {"file": output, "error": exc}, returncode=EXIT_USAGE
            ) from exc
        self.stdout.write(_("Wrote the chain head #%(seq)d to %(file)s.") % {"seq": head["seq"], "file": output})


def read_anchor(path: str) -> dict[str, Any]:
    """The ``{"seq", "hash"}`` JSON of an exported head; unreadable or malformed files are usage errors."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(
            _("Cannot read the anchor file %(file)s: %(error)s") % {"file": path, "error": exc}, returncode=EXIT_USAGE
        ) from exc
    except ValueError as exc:
        raise CommandError(
            _("The anchor file %(file)s is not valid JSON.") % {"file": path}, returncode=EXIT_USAGE
        ) from exc
    if not isinstance(data, dict) or "seq" not in data or "hash" not in data:
        raise CommandError(
            _("The anchor file %(file)s needs the keys “seq” and “hash”.") % {"file": path}, returncode=EXIT_USAGE
        )
    return data


def report_lines(report: ChainReport, *, anchored: bool) -> list[str]:
    """The report in a few lines of text: numbers and hashes first, so scripts can read them too."""
    if report.ok:
        lines = [
            _("Audit chain intact: %(n)d entries.") % {"n": report.length},
            _("Head: #%(seq)d %(hash)s") % {"seq": report.length, "hash": report.head_hash},
        ]
        if anchored:
            lines.append(_("The anchor matches."))
        return lines
    return [
        _("Audit chain BROKEN at entry #%(seq)d.") % {"seq": report.broken_seq},
        _("Reason: %(reason)s") % {"reason": report.reason},
        _("Intact before it: %(n)d entries, last hash %(hash)s") % {"n": report.length, "hash": report.head_hash},
    ]
