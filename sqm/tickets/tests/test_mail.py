"""E-mail in and out: parsing real-world mail, intake into tickets, the SMTP server of
``sqm mail-in`` (real SMTP conversations with smtplib), outbound replies to a real SMTP sink,
the round trip, and the IMAP poller's message handling (with a stand-in for the IMAP server)."""

from __future__ import annotations

import smtplib
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.core.management import CommandError, call_command
from django.db import OperationalError

from sqm.audit.models import AuditEntry
from sqm.audit.services import chain_verify
from sqm.core.roles import Role
from sqm.core.tests.procs import free_port
from sqm.org.models import User
from sqm.org.tests.factories import UserFactory
from sqm.tickets import services
from sqm.tickets.mail import text
from sqm.tickets.mail.imap import ImapPoller, ImapSettings
from sqm.tickets.mail.intake import receive
from sqm.tickets.mail.parse import MailError, parse_mail, synthetic_id
from sqm.tickets.mail.smtp import MailServer, parse_address
from sqm.tickets.models import (
    Attachment,
    Channel,
    InboundEmail,
    InboundStatus,
    MessageKind,
    Status,
    Ticket,
    TicketMessage,
)
from sqm.tickets.tests.factories import on_shift_agent

SAMPLES = Path(__file__).parent / "mail_samples"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def mail(
    *,
    sender: str = "kehu@example.com",
    subject: str = "宽带无法上网",
    body: str = "从昨晚开始断网。",
    message_id: str | None = None,
    in_reply_to: str = "",
    **headers: str,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "service@sqm.local"
    msg["Subject"] = subject
    msg["Message-ID"] = message_id or make_msgid(domain="example.com")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


def smtp_send(port: int, raw: bytes, *, mail_from: str = "kehu@example.com", rcpt: str = "service@sqm.local"):
    """One SMTP conversation; returns the (code, text) answer to DATA (or to RCPT when refused)."""
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.ehlo("test.example.com")
        client.mail(mail_from)
        code, reply = client.rcpt(rcpt)
        if code != 250:
            return code, reply
        return client.data(raw)


# --- parsing (no database) ---------------------------------------------------------------------


def test_gbk_body_and_gbk_encoded_sender_name():
    parsed = parse_mail(sample("gbk_body.eml"))
    assert parsed.sender == "wang.xiansheng@example.cn" and parsed.sender_name == "王先生"
    assert parsed.message_id == "<gbk-body-0001@mail.example.cn>"
    assert "光猫的LOS灯一直闪红灯" in parsed.body and "\r" not in parsed.body


def test_gb2312_subject_holding_a_gbk_only_character():
    assert parse_mail(sample("gb2312_subject.eml")).subject == "关于喆的话费账单有误"


def test_unknown_and_mislabelled_charsets_fall_back():
    unknown = parse_mail(sample("unknown_charset.eml"))
    assert unknown.subject == "投诉：营业厅态度差" and unknown.body == "营业厅工作人员态度很差，要求处理。"
    assert parse_mail(sample("mislabelled_utf8.eml")).body == "请开具增值税发票。"
    assert text.decode_bytes("繳費".encode("big5"), "big5") == "繳費"
    assert text.decode_bytes("𠀀镕€".encode("gb18030"), "GB18030") == "𠀀镕€"
    assert text.decode_bytes("朱镕基".encode("gbk"), "gb2312") == "朱镕基"  # GBK-only character, GB2312 label
    assert "\ufffd" in text.decode_bytes(b"\xff\xfe\x80 broken", "no-such-charset")  # replaced, not raised


def test_html_only_big5_mail_becomes_plain_text():
    parsed = parse_mail(sample("big5_html.eml"))
    assert parsed.sender_name == "陳小姐" and parsed.subject == "查詢帳單"
    assert parsed.body == "請問本月帳單金額 &\n繳費方式"  # no tags, script or style text


def test_attachments_are_decoded_with_their_names():
    parsed = parse_mail(sample("attachments_base64.eml"))
    assert parsed.subject == "报修：路由器故障，附照片和报修单"
    assert parsed.body == "路由器指示灯全灭，重启无效。照片和报修单见附件。"  # text/plain preferred over HTML
    names = [a.name for a in parsed.attachments]
    assert names == ["router.png", "报修单.pdf", "setup.exe", "假图片.png"]
    assert parsed.attachments[0].content.startswith(b"\x89PNG") and parsed.attachments[1].content.startswith(b"%PDF")


@pytest.mark.parametrize("name", ["broken_multipart.eml", "missing_boundary.eml"])
def test_broken_mime_is_refused(name):
    with pytest.raises(MailError, match="broken MIME"):
        parse_mail(sample(name))


def test_too_many_or_too_big_headers_are_refused():
    with pytest.raises(MailError, match="header fields"):
        parse_mail(sample("huge_header.eml"))
    huge = b"X-Junk: " + b"\r\n ".join([b"x" * 900] * 400) + b"\r\n"  # one 360 KB header, folded
    with pytest.raises(MailError, match="header block"):
        parse_mail(b"From: a@example.com\r\n" + huge + b"\r\nbody\r\n")
    slow = b"Content-Type: text/plain; " + b"; ".join(b"p%d=v" % i for i in range(5000)) + b"\r\n"
    with pytest.raises(MailError, match="Content-"):
        parse_mail(b"From: a@example.com\r\n" + slow + b"\r\nbody\r\n")


def test_mail_without_message_id_gets_a_stable_synthetic_one():
    raw = sample("no_message_id.eml")
    first = parse_mail(raw).message_id
    assert first == parse_mail(raw).message_id == synthetic_id(raw)
    assert parse_mail(raw + b"more\r\n").message_id != first


def test_automatic_mail_is_recognised():
    assert parse_mail(sample("auto_reply.eml")).automatic.startswith("Auto-Submitted")
    assert "MAILER-DAEMON" in parse_mail(sample("bounce.eml")).automatic
    assert parse_mail(mail(Precedence="bulk")).automatic == "Precedence: bulk"
    assert parse_mail(mail(), envelope_sender="").automatic.startswith("empty envelope sender")
    assert parse_mail(mail(message_id="<sqm-5-9@sqm.local>")).automatic.endswith("(mail loop)")
    assert parse_mail(mail(Auto_Submitted="no")).automatic == ""


def test_no_usable_sender_is_refused():
    with pytest.raises(MailError, match="sender"):
        parse_mail(mail(sender="not an address"))


def test_text_helpers():
    assert text.strip_reply_prefix("Re: 回复：Fwd: 账单问题") == "账单问题"
    reply = "好的，谢谢。\n\n在 2025年3月3日 写道：\n> 您好\n> 请问"
    assert text.strip_quoted(reply) == "好的，谢谢。"
    assert text.strip_quoted("> only quoted") == "> only quoted"  # nothing left: keep it all
    assert parse_address("127.0.0.1:2525") == ("127.0.0.1", 2525)
    assert parse_address("[::1]:25") == ("::1", 25)
    with pytest.raises(ValueError):
        parse_address("127.0.0.1:99999")


# --- intake ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_new_mail_opens_a_ticket_for_a_new_customer():
    raw = sample("gbk_body.eml")
    inbound = receive(raw)
    assert inbound.status == InboundStatus.ACCEPTED and bytes(inbound.raw) == raw
    ticket = inbound.ticket
    assert ticket.channel == Channel.EMAIL and ticket.subject == "Broadband down since last night"
    assert ticket.language == "zh" and "光猫" in ticket.description
    customer = ticket.customer
    assert customer.role == Role.CUSTOMER and customer.email == "wang.xiansheng@example.cn"
    assert customer.display_name == "王先生" and not customer.has_usable_password()
    created = AuditEntry.objects.get(object_type="org.user", object_id=str(customer.pk), action="create")
    assert created.actor_id is None and created.changes["signed_up"]["after"] == "email"
    message = ticket.messages.get()
    assert message.kind == MessageKind.CUSTOMER and message.email_message_id == "<gbk-body-0001@mail.example.cn>"
    assert chain_verify().ok


@pytest.mark.django_db
def test_customer_from_email_reuses_finds_and_never_takes_a_staff_name():
    from sqm.core.errors import PermissionDeniedError
    from sqm.org.services import customer_from_email

    UserFactory(role=Role.AGENT, username="zhao@example.com", email="zhao@example.com")
    customer = customer_from_email(actor=None, email="zhao@example.com", display_name="赵女士")
    assert customer.role == Role.CUSTOMER and customer.username.startswith("mail-")
    assert customer_from_email(actor=None, email="ZHAO@example.com") == customer
    with pytest.raises(PermissionDeniedError):
        customer_from_email(actor=UserFactory(role=Role.AGENT), email="x@example.com")


@pytest.mark.django_db
def test_same_message_id_twice_makes_one_ticket():
    raw = sample("gb2312_subject.eml")
    first, again = receive(raw), receive(raw)
    assert first.status == InboundStatus.ACCEPTED and again.status == InboundStatus.DUPLICATE
    assert again.ticket_id == first.ticket_id
    assert Ticket.objects.count() == 1 and TicketMessage.objects.count() == 1
    no_id = sample("no_message_id.eml")
    assert [receive(no_id).status, receive(no_id).status] == [InboundStatus.ACCEPTED, InboundStatus.DUPLICATE]
    assert Ticket.objects.count() == 2


@pytest.mark.django_db
def test_known_customer_is_found_by_address_whatever_its_case():
    known = UserFactory(role=Role.CUSTOMER, email="Li.Zhe@Example.CN")
    inbound = receive(mail(sender="li.zhe@example.cn"))
    assert inbound.ticket.customer == known
    assert User.objects.filter(role=Role.CUSTOMER).count() == 1


@pytest.mark.django_db
def test_reply_by_in_reply_to_lands_on_the_ticket_without_the_quoted_mail():
    ticket = receive(mail(message_id="<first@example.com>")).ticket
    agent = on_shift_agent()
    services.ticket_reply(actor=agent, ticket=ticket, body="请重启光猫试试。", wait_for_customer=True)
    outgoing = ticket.messages.get(kind=MessageKind.REPLY)
    TicketMessage.objects.filter(pk=outgoing.pk).update(email_message_id="<sqm-out-1@sqm.local>")
    answer = mail(
        subject=f"回复：[{ticket.number}] 宽带无法上网",
        body="重启后还是不行。\n\n在 2025年3月3日 客服 写道：\n> 请重启光猫试试。",
        in_reply_to="<sqm-out-1@sqm.local>",
    )
    inbound = receive(answer)
    assert inbound.status == InboundStatus.ACCEPTED and inbound.ticket_id == ticket.pk
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN  # a waiting ticket wakes up
    latest = ticket.messages.filter(kind=MessageKind.CUSTOMER).latest("pk")
    assert latest.body == "重启后还是不行。" and latest.email_message_id == inbound.message_id
    assert receive(answer).status == InboundStatus.DUPLICATE  # the same reply again adds nothing
    assert Ticket.objects.count() == 1 and ticket.messages.count() == 3


@pytest.mark.django_db
def test_ticket_number_in_subject_only_counts_for_the_tickets_customer():
    ticket = receive(mail()).ticket
    same = receive(mail(subject=f"Re: [{ticket.number}] 补充", body="补充一下地址。"))
    assert same.ticket_id == ticket.pk
    stranger = receive(mail(sender="other@example.com", subject=f"[{ticket.number}] hijack", body="let me in"))
    assert stranger.ticket_id != ticket.pk and stranger.ticket.customer.email == "other@example.com"
    forged = receive(mail(sender="other@example.com", in_reply_to=ticket.messages.first().email_message_id))
    assert forged.ticket_id not in (ticket.pk, None)
    assert ticket.messages.count() == 2


@pytest.mark.django_db
def test_reply_to_a_closed_ticket_opens_a_follow_up():
    ticket = receive(mail(message_id="<closed-1@example.com>")).ticket
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.CLOSED)
    inbound = receive(mail(subject=f"Re: [{ticket.number}] 宽带无法上网", in_reply_to="<closed-1@example.com>"))
    follow_up = inbound.ticket
    assert inbound.status == InboundStatus.ACCEPTED and follow_up.pk != ticket.pk
    assert follow_up.subject == f"[{ticket.number}] 宽带无法上网"
    note = follow_up.messages.get(kind=MessageKind.SYSTEM)
    assert ticket.number in note.body


@pytest.mark.django_db
def test_refused_attachments_are_skipped_and_listed_but_the_mail_is_kept():
    inbound = receive(sample("attachments_base64.eml"))
    assert inbound.status == InboundStatus.ACCEPTED
    ticket = inbound.ticket
    stored = Attachment.objects.filter(message__ticket=ticket).order_by("name")
    assert sorted(a.name for a in stored) == sorted(["router.png", "报修单.pdf"])
    assert all(a.file.read()[:4] in (b"\x89PNG", b"%PDF") for a in stored)
    note = ticket.messages.get(kind=MessageKind.SYSTEM)
    assert "setup.exe" in note.body and "假图片.png" in note.body and "router.png" not in note.body


@pytest.mark.django_db
def test_broken_mime_is_quarantined_with_nothing_half_written():
    users = User.objects.count()
    raw = sample("broken_multipart.eml")
    inbound = receive(raw)
    assert inbound.status == InboundStatus.QUARANTINED and "NoBoundaryInMultipartDefect" in inbound.error
    assert bytes(inbound.raw) == raw and inbound.message_id == "<broken-0004@example.com>"
    assert inbound.sender == "broken@example.com" and inbound.ticket is None
    assert not Ticket.objects.exists() and User.objects.count() == users
    assert receive(raw).status == InboundStatus.DUPLICATE
    assert receive(sample("huge_header.eml")).status == InboundStatus.QUARANTINED


@pytest.mark.django_db
def test_auto_replies_and_bounces_make_no_ticket_and_no_customer():
    ticket = receive(mail(sender="zhangsan@example.com", message_id="<orig@example.com>")).ticket
    users = User.objects.count()
    answer_to_orig = b"In-Reply-To: <orig@example.com>\r\nAuto-Submitted"
    auto = receive(sample("auto_reply.eml").replace(b"Auto-Submitted", answer_to_orig))
    bounce = receive(sample("bounce.eml"))
    for inbound in (auto, bounce):
        assert inbound.status == InboundStatus.QUARANTINED and inbound.error.startswith("automatic mail")
    assert auto.ticket_id == ticket.pk and bounce.ticket is None  # linked for people to see, not added to
    assert Ticket.objects.count() == 1 and ticket.messages.count() == 1 and User.objects.count() == users


@pytest.mark.django_db
def test_mail_from_a_closed_account_is_quarantined():
    UserFactory(role=Role.CUSTOMER, email="gone@example.com", is_active=False)
    inbound = receive(mail(sender="gone@example.com"))
    assert inbound.status == InboundStatus.QUARANTINED and "customer" in inbound.error
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_a_fault_in_intake_quarantines_but_a_database_failure_raises(monkeypatch):
    def broken(**kwargs):
        raise ValueError("bug")

    monkeypatch.setattr(services, "ticket_create", broken)
    inbound = receive(mail(sender="new@example.com"))
    assert inbound.status == InboundStatus.QUARANTINED and "ValueError: bug" in inbound.error
    assert not User.objects.filter(email="new@example.com").exists()  # the customer record was rolled back

    def down(**kwargs):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(services, "ticket_create", down)
    with pytest.raises(OperationalError):
        receive(mail(message_id="<down@example.com>"))
    assert not InboundEmail.objects.filter(message_id="<down@example.com>").exists()


@pytest.mark.django_db
def test_overlong_text_is_cut_with_a_note():
    inbound = receive(mail(body="很长的投诉。" * 5000))
    ticket = inbound.ticket
    assert len(ticket.description) <= 20000 and ticket.description.endswith("…")
    assert ticket.messages.filter(kind=MessageKind.SYSTEM).exists()


# --- the SMTP server ---------------------------------------------------------------------------


@pytest.fixture
def mail_in(settings) -> Iterator[MailServer]:
    """``sqm mail-in``'s SMTP server on a free port of 127.0.0.1, in this process."""
    settings.SQM_MAIL_MAX_BYTES = 200_000
    server = MailServer("127.0.0.1", free_port(), domains=("sqm.local",))
    server.start()
    yield server
    server.drain_and_stop()


@pytest.mark.django_db(transaction=True)
def test_smtp_answers_250_only_once_the_ticket_is_stored(mail_in):
    code, reply = smtp_send(mail_in.port, sample("gbk_body.eml"))
    assert code == 250
    ticket = Ticket.objects.get()  # already committed when 250 came back
    assert ticket.number.encode() in reply and b"accepted" in reply
    assert InboundEmail.objects.get().status == InboundStatus.ACCEPTED
    code, reply = smtp_send(mail_in.port, sample("gbk_body.eml"))
    assert code == 250 and b"duplicate" in reply and Ticket.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_smtp_refuses_oversized_mail_and_foreign_recipients(mail_in):
    with smtplib.SMTP("127.0.0.1", mail_in.port, timeout=30) as client:
        client.ehlo("test.example.com")
        assert client.has_extn("size") and int(client.esmtp_features["size"]) == 200_000
    big = mail(body="x" * 250_000)
    assert smtp_send(mail_in.port, big)[0] == 552
    assert smtp_send(mail_in.port, mail(), rcpt="someone@elsewhere.example")[0] == 550
    assert not InboundEmail.objects.exists() and not Ticket.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_smtp_quarantines_huge_headers_and_keeps_serving(mail_in):
    code, reply = smtp_send(mail_in.port, sample("huge_header.eml"))
    assert code == 250 and b"quarantined" in reply
    long_line = b"X-Long: " + b"y" * 5000 + b"\r\n"  # longer than RFC 5321 allows; real clients do it
    assert smtp_send(mail_in.port, long_line + mail())[0] == 250
    assert InboundEmail.objects.filter(status=InboundStatus.ACCEPTED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_smtp_bounce_with_empty_envelope_sender_makes_no_ticket(mail_in):
    code, reply = smtp_send(mail_in.port, mail(subject="Delivery Status Notification"), mail_from="")
    assert code == 250 and b"quarantined" in reply
    assert "empty envelope sender" in InboundEmail.objects.get().error and not Ticket.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_smtp_answers_451_when_nothing_could_be_stored(mail_in, monkeypatch):
    def down(raw, envelope_sender=None):
        raise OperationalError("database is down")

    monkeypatch.setattr("sqm.tickets.mail.smtp.receive", down)
    code, _reply = smtp_send(mail_in.port, mail())
    assert code == 451 and not InboundEmail.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_mail_delivered_in_parallel_makes_one_ticket(mail_in):
    raw = mail(message_id="<parallel-1@example.com>")
    codes: list[int] = []
    threads = [threading.Thread(target=lambda: codes.append(smtp_send(mail_in.port, raw)[0])) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert codes == [250] * 4
    assert Ticket.objects.count() == 1 and TicketMessage.objects.filter(kind=MessageKind.CUSTOMER).count() == 1
    statuses = sorted(InboundEmail.objects.values_list("status", flat=True))
    assert statuses == [InboundStatus.ACCEPTED] + [InboundStatus.DUPLICATE] * 3


# --- outbound ----------------------------------------------------------------------------------


class Sink:
    """An SMTP server that keeps what it receives (the customer's mail provider)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"

    def messages(self):
        return [message_from_bytes(raw, policy=policy.default) for _f, _t, raw in self.received]


@pytest.fixture
def sink(settings) -> Iterator[Sink]:
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    yield handler
    controller.stop()


@pytest.mark.django_db(transaction=True)
def test_agent_reply_goes_out_threaded_and_only_once(sink):
    ticket = receive(mail(message_id="<cust-1@example.com>", subject="账单问题")).ticket
    agent = on_shift_agent()
    reply = services.ticket_reply(actor=agent, ticket=ticket, body="已为您核实，多收的费用将退回。")
    assert len(sink.received) == 1
    _mail_from, to, _raw = sink.received[0]
    assert to == ["kehu@example.com"]
    out = sink.messages()[0]
    assert out["Subject"] == f"[{ticket.number}] 账单问题"
    assert out["Message-ID"] == f"<sqm-{ticket.pk}-{reply.pk}@sqm.local>"
    assert out["In-Reply-To"] == "<cust-1@example.com>" and "<cust-1@example.com>" in out["References"]
    assert "已为您核实" in out.get_body(("plain",)).get_content()
    reply.refresh_from_db()
    assert reply.emailed_at is not None and reply.email_message_id == out["Message-ID"]
    from sqm.tickets import notify

    assert notify.send_reply(reply.pk) is False and len(sink.received) == 1  # never twice
    services.ticket_reply(actor=agent, ticket=ticket, body="内部备注", internal=True)
    assert len(sink.received) == 1  # internal notes never leave


@pytest.mark.django_db(transaction=True)
def test_closure_notice_is_threaded_and_marked_automatic(sink):
    from sqm.tickets import notify

    ticket = receive(mail(message_id="<cust-2@example.com>")).ticket
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.CLOSED)
    assert notify.send_status(ticket.pk) is True
    out = sink.messages()[-1]
    assert out["Subject"].startswith(f"[{ticket.number}] ") and out["Auto-Submitted"] == "auto-generated"
    assert out["In-Reply-To"] == "<cust-2@example.com>" and out["Message-ID"].startswith(f"<sqm-{ticket.pk}-closed-")


@pytest.mark.django_db(transaction=True)
def test_round_trip_customer_mail_agent_reply_customer_answer(mail_in, sink):
    assert smtp_send(mail_in.port, mail(subject="路由器坏了", body="路由器不亮了。"))[0] == 250
    ticket = Ticket.objects.get()
    agent = on_shift_agent()
    services.ticket_reply(actor=agent, ticket=ticket, body="请拍照发给我们。", wait_for_customer=True)
    out = sink.messages()[-1]

    answer = EmailMessage()
    answer["From"] = "kehu@example.com"
    answer["To"] = out["From"]
    answer["Subject"] = "Re: " + out["Subject"]
    answer["Message-ID"] = make_msgid(domain="example.com")
    answer["In-Reply-To"] = out["Message-ID"]
    answer["References"] = f"{out['References']} {out['Message-ID']}"
    answer.set_content("照片见附件。\n\n> 请拍照发给我们。")
    answer.add_attachment(b"%PDF-1.4 photo", maintype="application", subtype="pdf", filename="photo.pdf")
    code, reply = smtp_send(mail_in.port, answer.as_bytes())
    assert code == 250 and ticket.number.encode() in reply

    ticket.refresh_from_db()
    assert Ticket.objects.count() == 1 and ticket.status == Status.OPEN
    thread = list(ticket.messages.order_by("pk").values_list("kind", "body"))
    assert thread == [
        (MessageKind.CUSTOMER, "路由器不亮了。"),
        (MessageKind.REPLY, "请拍照发给我们。"),
        (MessageKind.CUSTOMER, "照片见附件。"),
    ]
    assert Attachment.objects.get().name == "photo.pdf"


# --- IMAP poller (message handling; no IMAP server here) -----------------------------------------


class FakeImap:
    """Stands in for imaplib.IMAP4 with the commands the poller sends."""

    def __init__(self, messages: dict[bytes, bytes], capabilities: tuple[str, ...] = ("IMAP4REV1",)) -> None:
        self.messages = messages
        self.capabilities = capabilities
        self.seen: set[bytes] = set()
        self.deleted: set[bytes] = set()
        self.moved: dict[bytes, str] = {}
        self.expunged = 0

    def login(self, user, password):
        return "OK", [b"logged in"]

    def select(self, mailbox="INBOX", readonly=False):
        self.mailbox = mailbox
        return "OK", [str(len(self.messages)).encode()]

    def uid(self, command, *args):
        if command == "SEARCH":
            return "OK", [b" ".join(u for u in sorted(self.messages) if u not in self.seen)]
        uid = args[0]
        raw = self.messages[uid]
        if command == "FETCH" and args[1] == "(RFC822.SIZE)":
            return "OK", [b"1 (UID %s RFC822.SIZE %d)" % (uid, len(raw))]
        if command == "FETCH":
            part = raw.split(b"\r\n\r\n")[0] + b"\r\n\r\n" if "HEADER" in args[1] else raw
            return "OK", [(b"1 (UID %s BODY[] {%d}" % (uid, len(part)), part), b")"]
        if command == "STORE":
            if "\\Seen" in args[2]:
                self.seen.add(uid)
            if "\\Deleted" in args[2]:
                self.deleted.add(uid)
            return "OK", [b""]
        if command in ("MOVE", "COPY"):
            self.moved[uid] = args[1]
            if command == "MOVE":
                self.seen.add(uid)
            return "OK", [b""]
        raise AssertionError(command)

    def expunge(self):
        self.expunged += 1
        return "OK", [b""]

    def logout(self):
        return "BYE", [b""]


def poller_for(fake: FakeImap, url: str = "imaps://u:p%40ss@imap.example.com/INBOX", **kwargs) -> ImapPoller:
    return ImapPoller(ImapSettings.from_url(url), connect=lambda config: fake, **kwargs)


def test_imap_url_is_read():
    config = ImapSettings.from_url("imaps://svc%40centre.cn:p%40ss@imap.example.com/Support?move=Done")
    assert (config.user, config.password, config.port) == ("svc@centre.cn", "p@ss", 993)
    assert config.host == "imap.example.com"
    assert (config.mailbox, config.move_to, config.ssl) == ("Support", "Done", True)
    plain = ImapSettings.from_url("imap://u:p@localhost:1143/?starttls=1")
    assert (plain.port, plain.mailbox, plain.ssl, plain.starttls) == (1143, "INBOX", False, True)
    with pytest.raises(ValueError):
        ImapSettings.from_url("http://example.com/")


@pytest.mark.django_db(transaction=True)
def test_imap_poll_takes_in_unseen_mail_and_marks_it_after_commit():
    fake = FakeImap({b"1": sample("gbk_body.eml"), b"2": sample("broken_multipart.eml"), b"3": sample("gbk_body.eml")})
    result = poller_for(fake).poll_once()
    assert result.taken == 3 and not result.failed
    assert result.statuses == {"accepted": 1, "quarantined": 1, "duplicate": 1}
    assert fake.seen == {b"1", b"2", b"3"} and fake.mailbox == '"INBOX"'
    assert Ticket.objects.count() == 1
    assert poller_for(fake).poll_once().taken == 0


@pytest.mark.django_db(transaction=True)
def test_imap_message_stays_unseen_when_it_could_not_be_stored():
    from sqm.tickets.mail.smtp import take_in

    fake = FakeImap({b"1": mail(), b"2": mail(), b"3": mail()})
    calls = []

    def flaky(raw, refuse=""):
        calls.append(raw)
        if len(calls) == 2:
            raise OperationalError("database is down")
        return take_in(raw, refuse=refuse)

    result = poller_for(fake, intake=flaky).poll_once()
    assert result.failed and result.taken == 1 and fake.seen == {b"1"}  # stopped, 2 and 3 left unseen
    assert poller_for(fake).poll_once().taken == 2
    assert fake.seen == {b"1", b"2", b"3"} and Ticket.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_imap_moves_processed_mail_and_quarantines_oversized(settings):
    settings.SQM_MAIL_MAX_BYTES = 5000
    with_move = FakeImap({b"7": mail()}, capabilities=("IMAP4REV1", "MOVE"))
    poller_for(with_move, "imaps://u:p@h/INBOX?move=Done").poll_once()
    assert with_move.moved == {b"7": '"Done"'} and with_move.expunged == 1
    big = mail(body="大" * 4000, message_id="<big@example.com>")
    without_move = FakeImap({b"8": big})
    poller_for(without_move, "imaps://u:p@h/INBOX?move=Done").poll_once()
    assert without_move.moved == {b"8": '"Done"'} and without_move.deleted == {b"8"}
    kept = InboundEmail.objects.get(message_id="<big@example.com>")
    assert kept.status == InboundStatus.QUARANTINED and "over the limit" in kept.error
    assert len(bytes(kept.raw)) < 5000 and Ticket.objects.count() == 1


def test_mail_in_needs_something_to_listen_to(monkeypatch):
    monkeypatch.delenv("SQM_IMAP_URL", raising=False)
    with pytest.raises(CommandError):
        call_command("mail_in")
