"""The customer portal: sign up, submit with attachments, follow, reply, reopen — own tickets only."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sqm.audit.models import AuditEntry
from sqm.audit.services import chain_verify
from sqm.core.errors import DomainError
from sqm.core.roles import CAPABILITIES, Cap, Role
from sqm.org.models import User
from sqm.org.services import customer_register
from sqm.tickets import services
from sqm.tickets.models import Attachment, Category, EventKind, MessageKind, Status, Ticket, TicketMessage
from sqm.tickets.services.attachments import IncomingFile
from sqm.tickets.tests.factories import CategoryFactory, TicketFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
TXT = "路由器型号：HG8245\n".encode()


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Path:
    """Each test stores its files in its own folder, so we can see what was (not) written."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def _field_errors(html: str, field: str) -> str:
    """The text of the block around one form field (label, input, errors)."""
    match = re.search(rf'data-field="{field}".*?(?=data-field=|</form>)', html, re.S)
    assert match, f"field {field} not on the page"
    return match.group(0)


@pytest.fixture
def customer(make_user: Callable[..., User]) -> User:
    return make_user(Role.CUSTOMER, username="wangfang", display_name="王芳", email="wangfang@example.com")


@pytest.fixture
def stranger(make_user: Callable[..., User]) -> User:
    return make_user(Role.CUSTOMER, username="zhaolei", display_name="赵雷", email="zhaolei@example.com")


@pytest.fixture
def agent(make_user: Callable[..., User]) -> User:
    return make_user(Role.AGENT, username="agent-li")


def _open_ticket(customer: User, *, subject: str = "宽带无法连接", files: list[IncomingFile] | None = None) -> Ticket:
    ticket, _created = services.ticket_create(
        actor=customer,
        customer=customer,
        type="consultation",
        subject=subject,
        description="家里宽带从昨晚开始无法上网。",
        channel="web",
        attachments=files,
    )
    return ticket


def _upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


# --- sign-up -------------------------------------------------------------------------------------

VALID_SIGNUP = {
    "username": "liuyang",
    "display_name": "刘洋",
    "email": "liuyang@example.com",
    "phone": "138 0013 8000",
    "password": "Kefu-2026-secret",
    "password_confirm": "Kefu-2026-secret",
    "language": "zh-hans",
}


def test_sign_up_creates_a_signed_in_customer_and_audits_it(client: Client) -> None:
    page = client.get(reverse("portal:register"))
    assert page.status_code == 200
    assert "用户名" in page.content.decode() and "密码" in page.content.decode()  # Chinese by default

    response = client.post(reverse("portal:register"), VALID_SIGNUP)

    assert response.status_code == 302 and response["Location"] == reverse("portal:my_tickets")
    user = User.objects.get(username="liuyang")
    assert (user.role, user.display_name, user.email, user.phone, user.language) == (
        Role.CUSTOMER,
        "刘洋",
        "liuyang@example.com",
        "138 0013 8000",
        "zh-hans",
    )
    assert user.check_password("Kefu-2026-secret") and user.team is None and not user.is_staff
    assert client.get(reverse("portal:my_tickets")).context["page"] is not None  # signed in, customer list
    entry = AuditEntry.objects.get(object_type="org.user", object_id=str(user.pk))
    assert entry.action == "create" and entry.actor_id is None and entry.actor_repr == "system"
    assert entry.changes["role"]["after"] == Role.CUSTOMER and entry.changes["signed_up"]["after"] == "portal"
    assert "password" not in entry.changes
    assert chain_verify().ok


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("username", "", "此字段为必填项。"),
        ("username", "li yang!", "用户名只能包含字母、数字及 . @ + - _ 字符。"),
        ("username", "WANGFANG", "该用户名已存在。"),  # taken, whatever the case
        ("display_name", "   ", "此字段为必填项。"),
        ("email", "", "此字段为必填项。"),
        ("email", "liuyang-at-example", "输入一个有效的 Email 地址。"),
        ("email", "WangFang@Example.com", None),  # already has an account
        ("phone", "call me", None),
        # Django 5.2.19 changed this msgid ("%d character") and its own zh_Hans catalogue lags behind.
        ("password", "Ab1", None),
        ("password", "20260314159", "密码只包含数字。"),
        ("password_confirm", "Other-pass-2026", "两次输入的密码不一致。"),
        ("language", "fr", "选择一个有效的选项。"),
    ],
)
def test_sign_up_refuses_each_bad_field_next_to_it_in_chinese(
    client: Client, customer: User, field: str, value: str, message: str | None
) -> None:
    data = {**VALID_SIGNUP, field: value}
    if field == "password":
        data["password_confirm"] = value
    users_before = User.objects.count()
    audit_before = AuditEntry.objects.count()

    response = client.post(reverse("portal:register"), data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field], errors
    if message:
        assert message in errors[field][0]
        assert message in _field_errors(response.content.decode(), field)
    assert User.objects.count() == users_before and AuditEntry.objects.count() == audit_before
    assert "_auth_user_id" not in client.session


def test_sign_up_service_validates_like_user_create(customer: User) -> None:
    with pytest.raises(DomainError) as taken:
        customer_register(
            username="new-one", display_name="新客户", email="WANGFANG@example.com", phone="", password="x", language=""
        )
    assert taken.value.errors.keys() == {"email"}
    with pytest.raises(DomainError) as weak:
        customer_register(
            username="new-one", display_name="新客户", email="n@example.com", phone="", password="new-one", language=""
        )
    assert weak.value.errors.keys() == {"password"}
    with pytest.raises(DomainError) as lang:
        customer_register(
            username="new-one", display_name="新客户", email="n@example.com", phone="", password="x", language="de"
        )
    assert lang.value.errors.keys() == {"language"}
    user = customer_register(
        username="new-one",
        display_name=" 新客户 ",
        email=" n@example.com ",
        phone="",
        password="Kefu-2026!",
        language="",
    )
    assert (user.role, user.display_name, user.email, user.language) == (Role.CUSTOMER, "新客户", "n@example.com", "")


def test_signed_in_people_are_sent_on_from_sign_up(client_for: Callable[..., Client], customer: User) -> None:
    response = client_for(customer).get(reverse("portal:register"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:my_tickets")


def test_portal_pages_send_anonymous_visitors_to_sign_in_and_back(client: Client) -> None:
    response = client.get(reverse("portal:my_tickets"))
    assert response.status_code == 302 and response["Location"] == "/login/?next=/portal/"


# --- my tickets ----------------------------------------------------------------------------------


def test_my_tickets_lists_only_own_tickets_newest_first_with_pages(
    client_for: Callable[..., Client], customer: User, stranger: User
) -> None:
    now = timezone.now()
    for i in range(23):
        TicketFactory(customer=customer, subject=f"我的问题 {i:02d}", created_at=now - dt.timedelta(hours=23 - i))
    TicketFactory(customer=stranger, subject="别人的问题")
    client = client_for(customer)

    first = client.get(reverse("portal:my_tickets"))
    second = client.get(reverse("portal:my_tickets"), {"page": 2})

    subjects = [t.subject for t in first.context["page"].object_list]
    assert subjects[0] == "我的问题 22" and len(subjects) == 20
    assert [t.subject for t in second.context["page"].object_list][-1] == "我的问题 00"
    html = first.content.decode() + second.content.decode()
    assert "别人的问题" not in html
    assert 'data-status="new"' in html and reverse("portal:submit") in html


def test_status_badges_say_in_plain_words_where_it_stands(client_for: Callable[..., Client], customer: User) -> None:
    TicketFactory(customer=customer, status=Status.PENDING)
    TicketFactory(customer=customer, status=Status.RESOLVED)
    html = client_for(customer).get(reverse("portal:my_tickets")).content.decode()
    assert 'data-status="pending"' in html and 'data-status="resolved"' in html


@pytest.mark.parametrize("role", [r.value for r in Role if r != Role.CUSTOMER])
def test_staff_get_an_explanation_and_their_queue_on_customer_pages(
    client_for: Callable[..., Client], users_by_role: dict[str, User], role: str
) -> None:
    client = client_for(users_by_role[role])
    for name in ("portal:my_tickets", "portal:submit"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert "page" not in response.context and "form" not in response.context
        expected = (
            "tickets:my_queue"
            if Role(role) in CAPABILITIES[Cap.TICKET_WORK]
            else "tickets:team_queue"
            if Role(role) in CAPABILITIES[Cap.TICKET_VIEW]
            else "home"
        )
        assert response.context["queue_url"] == reverse(expected)
    assert client.post(reverse("portal:submit"), {"type": "consultation", "subject": "x"}).status_code == 403
    assert Ticket.objects.count() == 0


def test_my_tickets_query_count_does_not_grow_with_tickets(
    client_for: Callable[..., Client], customer: User, django_assert_max_num_queries: Any
) -> None:
    client = client_for(customer)
    category = CategoryFactory()
    TicketFactory.create_batch(3, customer=customer, category=category)
    with django_assert_max_num_queries(4) as few:
        assert client.get(reverse("portal:my_tickets")).status_code == 200
    TicketFactory.create_batch(30, customer=customer, category=category)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("portal:my_tickets")).status_code == 200


# --- submitting ------------------------------------------------------------------------------------


def _submit_data(**extra: Any) -> dict[str, Any]:
    return {
        "type": "fault",
        "category": "",
        "subject": "光猫指示灯红色闪烁",
        "description": "从今天早上开始光猫 LOS 灯一直红色闪烁，无法上网。",
        "submission_key": "form-1",
        **extra,
    }


def test_submit_with_attachments_opens_a_web_ticket(
    client_for: Callable[..., Client], customer: User, _media: Path
) -> None:
    category = CategoryFactory(name_zh="宽带故障")
    client = client_for(customer)
    page = client.get(reverse("portal:submit"))
    assert "宽带故障" in page.content.decode() and "multiple" in page.content.decode()

    response = client.post(
        reverse("portal:submit"),
        _submit_data(
            category=category.pk, attachments=[_upload("光猫.png", PNG, "image/png"), _upload("型号.txt", TXT)]
        ),
    )

    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("portal:ticket", args=[ticket.pk])
    assert (ticket.customer, ticket.created_by, ticket.channel, ticket.type, ticket.category) == (
        customer,
        customer,
        "web",
        "fault",
        category,
    )
    assert ticket.language == "zh" and ticket.subject == "光猫指示灯红色闪烁"
    files = Attachment.objects.filter(message__ticket=ticket).order_by("name")
    assert [(f.name, f.content_type, f.size) for f in files] == [
        ("光猫.png", "image/png", len(PNG)),
        ("型号.txt", "text/plain", len(TXT)),
    ]
    assert len(_stored_files(_media)) == 2
    assert AuditEntry.objects.filter(object_type="tickets.ticket", object_id=str(ticket.pk), actor_id=customer.pk)
    followed = client.get(response["Location"]).content.decode()
    assert ticket.number in followed and "光猫.png" in followed and "型号.txt" in followed


def test_submitting_the_same_form_twice_makes_one_ticket(client_for: Callable[..., Client], customer: User) -> None:
    client = client_for(customer)
    first = client.post(reverse("portal:submit"), _submit_data())
    again = client.post(reverse("portal:submit"), _submit_data())
    assert Ticket.objects.count() == 1 and first["Location"] == again["Location"]


def test_each_form_shown_gets_its_own_submission_key(client_for: Callable[..., Client], customer: User) -> None:
    client = client_for(customer)
    keys = {client.get(reverse("portal:submit")).context["form"].initial["submission_key"] for _ in range(2)}
    assert len(keys) == 2


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (("huge.png", PNG + b"\x00" * 2048), "is larger than"),
        (("setup.exe", b"MZ\x90\x00"), "this type of file is not accepted"),
        (("photo.png", b"this is not a picture at all"), "does not contain what its name says"),
        (("notes.txt", b"\x00\x01binary"), "is not a text file"),
    ],
    ids=["oversized", "wrong-type", "fake-png", "binary-as-text"],
)
def test_bad_attachments_are_refused_next_to_the_field_and_nothing_is_stored(
    client_for: Callable[..., Client],
    customer: User,
    settings: Any,
    _media: Path,
    upload: tuple[str, bytes],
    message: str,
) -> None:
    settings.SQM_ATTACHMENT_MAX_BYTES = 1024
    settings.LANGUAGE_CODE = "en"  # these messages are new; their Chinese comes with the next catalogue
    client = client_for(customer)
    client.cookies["sqm_language"] = "en"
    audit_before = AuditEntry.objects.count()

    response = client.post(
        reverse("portal:submit"), _submit_data(attachments=[_upload("ok.png", PNG), _upload(*upload)])
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["attachments"]
    assert message in _field_errors(response.content.decode(), "attachments")
    assert Ticket.objects.count() == 0 and TicketMessage.objects.count() == 0 and Attachment.objects.count() == 0
    assert _stored_files(_media) == [] and AuditEntry.objects.count() == audit_before
    assert response.context["form"]["subject"].value() == "光猫指示灯红色闪烁"  # the customer's text is kept


def test_submit_requires_subject_and_description_in_chinese(client_for: Callable[..., Client], customer: User) -> None:
    response = client_for(customer).post(reverse("portal:submit"), _submit_data(subject="", description=""))
    errors = response.context["form"].errors
    assert set(errors) == {"subject", "description"} and errors["subject"] == ["此字段为必填项。"]
    assert Ticket.objects.count() == 0


def test_retired_categories_are_not_offered(client_for: Callable[..., Client], customer: User) -> None:
    retired = CategoryFactory(name_zh="旧业务", is_active=False)
    client = client_for(customer)
    assert "旧业务" not in client.get(reverse("portal:submit")).content.decode()
    response = client.post(reverse("portal:submit"), _submit_data(category=retired.pk))
    assert list(response.context["form"].errors) == ["category"] and Ticket.objects.count() == 0
    assert Category.objects.filter(pk=retired.pk).exists()


# --- one ticket ----------------------------------------------------------------------------------


def test_customer_sees_own_ticket_with_status_step_and_files(client_for: Callable[..., Client], customer: User) -> None:
    ticket = _open_ticket(customer, files=[IncomingFile("截图.png", PNG)])
    client = client_for(customer)

    response = client.get(reverse("portal:ticket", args=[ticket.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert ticket.number in html and "家里宽带从昨晚开始无法上网。" in html
    assert ticket.current_step.name_zh in html and response.context["step_number"] == 1
    assert response.context["status_help"] and 'data-status="new"' in html
    file = Attachment.objects.get()
    download = client.get(reverse("portal:attachment", args=[ticket.pk, file.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    assert "attachment" in download["Content-Disposition"] and download["Content-Type"] == "image/png"
    assert 'name="action" value="reply"' in html


def test_other_customers_tickets_and_files_are_403_even_when_missing(
    client_for: Callable[..., Client], customer: User, stranger: User
) -> None:
    theirs = _open_ticket(stranger, files=[IncomingFile("a.png", PNG)])
    file = Attachment.objects.get()
    client = client_for(customer)
    assert client.get(reverse("portal:ticket", args=[theirs.pk])).status_code == 403
    assert client.get(reverse("portal:ticket", args=[theirs.pk + 1000])).status_code == 403
    assert client.get(reverse("portal:attachment", args=[theirs.pk, file.pk])).status_code == 403
    mine = _open_ticket(customer)
    # A file of another ticket reached through one's own ticket number is refused as well.
    assert client.get(reverse("portal:attachment", args=[mine.pk, file.pk])).status_code == 403
    reply = client.post(reverse("portal:ticket", args=[theirs.pk]), {"action": "reply", "body": "我也是"})
    assert reply.status_code == 403
    assert TicketMessage.objects.filter(ticket=theirs).count() == 1


@pytest.mark.parametrize("role", [r.value for r in Role if r != Role.CUSTOMER])
def test_staff_need_ticket_view_and_only_read(
    client_for: Callable[..., Client], users_by_role: dict[str, User], customer: User, role: str
) -> None:
    ticket = _open_ticket(customer)
    client = client_for(users_by_role[role])
    response = client.get(reverse("portal:ticket", args=[ticket.pk]))
    if Role(role) in CAPABILITIES[Cap.TICKET_VIEW]:
        assert response.status_code == 200 and not response.context["is_owner"]
        assert response.context["staff_url"] == reverse("tickets:ticket_detail", args=[ticket.pk])
        assert 'name="action"' not in response.content.decode()  # no reply or reopen form for staff
        assert client.get(reverse("portal:ticket", args=[ticket.pk + 1000])).status_code == 404
    else:
        assert response.status_code == 403
    reply = client.post(reverse("portal:ticket", args=[ticket.pk]), {"action": "reply", "body": "冒充客户"})
    assert reply.status_code == 403
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1


def test_internal_notes_and_their_files_stay_hidden(
    client_for: Callable[..., Client], users_by_role: dict[str, User], customer: User, agent: User
) -> None:
    ticket = _open_ticket(customer)
    services.ticket_reply(
        actor=agent,
        ticket=ticket,
        body="仅班组内部可见：疑似重复投诉",
        internal=True,
        attachments=[IncomingFile("内部.txt", TXT)],
    )
    services.ticket_reply(actor=agent, ticket=ticket, body="您好，已为您登记。")
    note_file = Attachment.objects.get(message__kind=MessageKind.NOTE)

    for viewer in (customer, users_by_role[Role.QUALITY_MANAGER]):
        html = client_for(viewer).get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
        assert "您好，已为您登记。" in html
        assert "仅班组内部可见" not in html and "内部.txt" not in html
    url = reverse("portal:attachment", args=[ticket.pk, note_file.pk])
    assert client_for(customer).get(url).status_code == 403
    assert client_for(users_by_role[Role.QUALITY_MANAGER]).get(url).status_code == 404


def test_customer_reply_with_a_file_wakes_a_waiting_ticket(
    client_for: Callable[..., Client], customer: User, agent: User
) -> None:
    ticket = _open_ticket(customer)
    services.ticket_reply(actor=agent, ticket=ticket, body="请提供光猫背面的照片。", wait_for_customer=True)
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    client = client_for(customer)
    page = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    assert 'data-status="pending"' in page and "请提供光猫背面的照片。" in page

    response = client.post(
        reverse("portal:ticket", args=[ticket.pk]),
        {"action": "reply", "body": "照片已上传。", "attachments": [_upload("背面.png", PNG)]},
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    message = TicketMessage.objects.filter(ticket=ticket, kind=MessageKind.CUSTOMER).latest("pk")
    assert message.body == "照片已上传。" and message.author == customer
    assert [a.name for a in message.attachments.all()] == ["背面.png"]
    assert ticket.events.filter(kind=EventKind.CUSTOMER_REPLIED).count() == 1


def test_reply_with_a_bad_file_is_refused_and_nothing_is_stored(
    client_for: Callable[..., Client], customer: User, _media: Path
) -> None:
    ticket = _open_ticket(customer)
    response = client_for(customer).post(
        reverse("portal:ticket", args=[ticket.pk]),
        {"action": "reply", "body": "附件", "attachments": [_upload("fake.png", b"GIF89a not a png")]},
    )
    assert response.status_code == 200
    assert list(response.context["reply_form"].errors) == ["attachments"]
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1 and _stored_files(_media) == []


def test_empty_reply_is_refused_in_chinese(client_for: Callable[..., Client], customer: User) -> None:
    ticket = _open_ticket(customer)
    response = client_for(customer).post(reverse("portal:ticket", args=[ticket.pk]), {"action": "reply", "body": ""})
    assert response.context["reply_form"].errors == {"body": ["此字段为必填项。"]}
    assert client_for(customer).post(reverse("portal:ticket", args=[ticket.pk]), {}).status_code == 400


def _finish(ticket: Ticket, status: str, days_ago: float) -> None:
    """Put the ticket in ``status`` as if that happened ``days_ago`` (time frozen in the database)."""
    at = timezone.now() - dt.timedelta(days=days_ago)
    fields = {"status": status, "resolved_at": at}
    if status == Status.CLOSED:
        fields["closed_at"] = at
    Ticket.objects.filter(pk=ticket.pk).update(**fields)


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CLOSED])
def test_reopen_inside_the_window(
    client_for: Callable[..., Client], customer: User, settings: Any, status: str
) -> None:
    settings.SQM_REOPEN_DAYS = 7
    ticket = _open_ticket(customer)
    _finish(ticket, status, days_ago=6.5)
    client = client_for(customer)
    page = client.get(reverse("portal:ticket", args=[ticket.pk]))
    assert page.context["can_reopen"] and 'name="action" value="reopen"' in page.content.decode()
    assert 'name="action" value="reply"' not in page.content.decode()

    response = client.post(reverse("portal:ticket", args=[ticket.pk]), {"action": "reopen", "reason": "还是上不了网"})

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.reopen_count == 1
    assert TicketMessage.objects.filter(ticket=ticket, kind=MessageKind.CUSTOMER, body="还是上不了网").exists()
    assert ticket.events.filter(kind=EventKind.REOPENED).exists()


def test_reopen_after_the_window_is_explained_and_refused(
    client_for: Callable[..., Client], customer: User, settings: Any
) -> None:
    settings.SQM_REOPEN_DAYS = 7
    ticket = _open_ticket(customer)
    _finish(ticket, Status.CLOSED, days_ago=7.5)
    client = client_for(customer)
    page = client.get(reverse("portal:ticket", args=[ticket.pk]))
    html = page.content.decode()
    assert not page.context["can_reopen"] and 'id="reopen-closed"' in html
    assert 'name="action"' not in html and reverse("portal:submit") in html

    response = client.post(reverse("portal:ticket", args=[ticket.pk]), {"action": "reopen", "reason": "还是不行"})

    assert response.status_code == 200
    assert response.context["reopen_form"].non_field_errors()
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.reopen_count == 0
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1


def test_a_reply_does_not_sneak_past_the_reopen_window(
    client_for: Callable[..., Client], customer: User, settings: Any
) -> None:
    settings.SQM_REOPEN_DAYS = 7
    ticket = _open_ticket(customer)
    _finish(ticket, Status.RESOLVED, days_ago=30)
    response = client_for(customer).post(
        reverse("portal:ticket", args=[ticket.pk]), {"action": "reply", "body": "还有问题"}
    )
    assert response.status_code == 200 and response.context["reply_form"].non_field_errors()
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and TicketMessage.objects.filter(ticket=ticket).count() == 1


def test_ticket_page_query_count_does_not_grow_with_the_thread(
    client_for: Callable[..., Client], customer: User, agent: User, django_assert_max_num_queries: Any
) -> None:
    ticket = _open_ticket(customer, files=[IncomingFile("a.png", PNG)])
    client = client_for(customer)
    url = reverse("portal:ticket", args=[ticket.pk])
    with django_assert_max_num_queries(6) as few:
        assert client.get(url).status_code == 200
    for i in range(8):
        services.ticket_reply(actor=agent, ticket=ticket, body=f"答复 {i}", attachments=[IncomingFile(f"{i}.txt", TXT)])
        services.ticket_customer_reply(actor=customer, ticket=ticket, body=f"追问 {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_portal_pages_are_built_for_phones(client_for: Callable[..., Client], customer: User) -> None:
    html = client_for(customer).get(reverse("portal:my_tickets")).content.decode()
    assert 'name="viewport"' in html and "tickets/portal.css" in html
    assert client_for(customer).get("/static/tickets/portal.css").status_code == 200
