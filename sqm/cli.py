"""The ``sqm`` command: Django's management commands with SQM's settings.

``sqm serve``, ``sqm demo``, ``sqm worker``, ``sqm audit verify`` and every Django command
(``sqm migrate``, ``sqm createsuperuser`` …) run through here.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sqm.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "sqm"
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")  # `sqm mail-in` runs the mail_in command
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
