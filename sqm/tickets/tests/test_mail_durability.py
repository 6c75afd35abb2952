"""Every mail that ``sqm mail-in`` answered with 250 exists as a ticket exactly once, even when
the server is killed with SIGKILL mid-stream and restarted (senders retry what got no 250, as
mail servers do). Runs the real command as a child process on the suite's database."""

from __future__ import annotations

import os
import signal
import smtplib
import subprocess
import sys
import threading
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.conf import settings

from sqm.core.tests.procs import ROOT, child_database_url, child_env, free_port, start, stop, wait_for
from sqm.tickets.models import InboundEmail, InboundStatus, Ticket, TicketMessage

MAILS = 48
SENDERS = 3
KILL_AT = (10, 28)  # acknowledged mails after which the server is killed
DEADLINE = 240  # seconds for the whole exchange


def _mail(n: int) -> tuple[str, bytes]:
    msg = EmailMessage()
    msg["From"] = f"kehu{n % 7}@example.com"
    msg["To"] = "service@sqm.local"
    msg["Subject"] = f"断网报修 {n}"
    msg["Message-ID"] = f"<durable-{n}@example.com>"
    msg.set_content(f"第 {n} 封：宽带从昨晚开始无法上网。")
    return msg["Message-ID"], msg.as_bytes()


def _deliver(port: int, raw: bytes) -> tuple[int, bytes]:
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as client:
        client.ehlo("mta.example.com")
        client.mail("kehu@example.com")
        client.rcpt("service@sqm.local")
        return client.data(raw)


def _smtp_up(port: int) -> bool:
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=2) as client:
            return client.noop()[0] == 250
    except (OSError, smtplib.SMTPException):
        return False


class Senders:
    """Mail servers of customers: each mail is retried until it gets 250 (bounded in time)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.acked: dict[str, bytes] = {}
        self.retries = 0
        self.lock = threading.Lock()
        self.deadline = time.monotonic() + DEADLINE

    def run(self, numbers: list[int]) -> None:
        for n in numbers:
            message_id, raw = _mail(n)
            while time.monotonic() < self.deadline:
                try:
                    code, reply = _deliver(self.port, raw)
                except (OSError, smtplib.SMTPException):
                    code, reply = 0, b""
                if code == 250:
                    with self.lock:
                        self.acked[message_id] = reply
                    break
                with self.lock:
                    self.retries += 1
                time.sleep(0.1)

    def count(self) -> int:
        with self.lock:
            return len(self.acked)

    def snapshot(self) -> set[str]:
        with self.lock:
            return set(self.acked)


def _stored(message_ids: set[str]) -> dict[str, int]:
    found = TicketMessage.objects.filter(email_message_id__in=message_ids).values_list("email_message_id", flat=True)
    counts = dict.fromkeys(message_ids, 0)
    for message_id in found:
        counts[message_id] += 1
    return counts


@pytest.mark.django_db(transaction=True)
def test_acknowledged_mail_survives_sigkill_of_mail_in(tmp_path: Path):
    port = free_port()
    env = child_env(
        DATABASE_URL=child_database_url(),
        SQM_DATA_DIR=str(settings.DATA_DIR),
        SQM_QUEUE_NAME=f"mail-durability-{os.getpid()}",
    )
    command = [sys.executable, "-m", "sqm", "mail_in", "--smtp", f"127.0.0.1:{port}"]
    server = start(command, env, tmp_path / "mail-in-0.log")
    wait_for(lambda: _smtp_up(port), timeout=60)
    senders = Senders(port)
    threads = [threading.Thread(target=senders.run, args=(list(range(k, MAILS, SENDERS)),)) for k in range(SENDERS)]
    for thread in threads:
        thread.start()
    try:
        for round_, threshold in enumerate(KILL_AT, start=1):
            wait_for(lambda t=threshold: senders.count() >= t, timeout=120, interval=0.01)
            os.kill(server.pid, signal.SIGKILL)  # mid-stream: the senders are in conversations
            server.wait(timeout=10)
            acknowledged = senders.snapshot()
            assert set(_stored(acknowledged).values()) == {1}, "a mail that got 250 was lost"
            server = start(command, env, tmp_path / f"mail-in-{round_}.log")
        for thread in threads:
            thread.join(timeout=DEADLINE)
    finally:
        stop(server)
    logs = "".join(p.read_text(errors="replace")[-2000:] for p in sorted(tmp_path.glob("*.log")))
    assert senders.count() == MAILS, logs
    assert senders.retries > 0, "the kills interrupted the senders"
    counts = _stored(set(senders.acked))
    assert set(counts.values()) == {1}, "every acknowledged mail is on exactly one ticket"
    assert Ticket.objects.filter(channel="email").count() == MAILS
    accepted = InboundEmail.objects.filter(status=InboundStatus.ACCEPTED)
    assert accepted.count() == MAILS and accepted.values("message_id").distinct().count() == MAILS
    # What got no 250 was tried again; if it had been stored after all, it shows as a duplicate.
    assert InboundEmail.objects.exclude(status__in=[InboundStatus.ACCEPTED, InboundStatus.DUPLICATE]).count() == 0


@pytest.mark.django_db(transaction=True)
def test_mail_in_stdin_takes_one_mail_from_a_pipe():
    env = child_env(DATABASE_URL=child_database_url(), SQM_DATA_DIR=str(settings.DATA_DIR))
    message_id, raw = _mail(1)
    done = subprocess.run(
        [sys.executable, "-m", "sqm", "mail_in", "--stdin"],
        input=raw,
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert done.stdout.decode().split() == ["accepted", message_id]
    assert TicketMessage.objects.get(email_message_id=message_id).ticket.subject == "断网报修 1"
