"""``sqm serve``: the web server and an embedded task worker, together, for one machine.

Runs pending migrations first, then gunicorn (threads) and ``sqm worker`` as child processes;
stops both on Ctrl-C or SIGTERM, and stops the other if one dies.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve SQM (web and embedded task worker) on an existing data directory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--web-workers", type=int, default=2, help="gunicorn processes (default 2)")
        parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn process (default 4)")
        parser.add_argument("--no-worker", action="store_true", help="do not start the embedded task worker")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        host, port = options["host"], options["port"]
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sqm.settings", "SQM_DATA_DIR": str(settings.DATA_DIR)}
        if host not in settings.ALLOWED_HOSTS and host not in ("0.0.0.0", "::"):
            env["SQM_ALLOWED_HOSTS"] = ",".join([*settings.ALLOWED_HOSTS, host])
        web = [
            sys.executable,
            "-m",
            "gunicorn",
            "sqm.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(options["web_workers"]),
            "--threads",
            str(options["threads"]),
            "--worker-class",
            "gthread",
            "--control-socket",
            str(settings.DATA_DIR / "gunicorn.ctl"),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
        ]
        children = [subprocess.Popen(web, env=env)]
        if not options["no_worker"]:
            children.append(subprocess.Popen([sys.executable, "-m", "sqm", "worker"], env=env))
        self.stdout.write(f"SQM is serving at http://{host}:{port}/  (Ctrl-C stops it)")
        self._supervise(children)

    def _supervise(self, children: list[subprocess.Popen[bytes]]) -> None:
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.5)
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        failed = [c for c in children if c.returncode not in (0, -signal.SIGTERM, None)]
        if failed and not stopping:
            raise SystemExit(1)
