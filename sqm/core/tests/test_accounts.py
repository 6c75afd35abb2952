"""Setting a password by e-mail: forgotten passwords and customers who only ever wrote by e-mail."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from sqm.core.accounts import MAILS_PER_ADDRESS_PER_HOUR
from sqm.core.roles import Role
from sqm.org.services import customer_from_email

LINK = re.compile(r"https?://[^/\s]+(/password/reset/[^\s]+/[^\s]+/)")


def _request_link(client: Client, email: str) -> str | None:
    before = len(mail.outbox)
    response = client.post("/password/reset/", {"email": email})
    assert response.status_code == 302 and response["Location"] == "/password/reset/sent/"
    if len(mail.outbox) == before:
        return None
    match = LINK.search(mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


@pytest.mark.django_db
def test_a_customer_known_only_by_email_claims_the_account_and_signs_in(client):
    customer = customer_from_email(email="Wang.Fang@example.cn", display_name="王芳")
    assert not customer.has_usable_password()
    link = _request_link(client, "wang.fang@EXAMPLE.cn")
    assert link is not None
    assert mail.outbox[-1].to == ["Wang.Fang@example.cn"]
    assert customer.username in mail.outbox[-1].body

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and "new_password1" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "lan-hua-2026!", "new_password2": "lan-hua-2026!"}
    )
    assert done.status_code == 302 and done["Location"] == "/password/reset/done/"

    fresh = Client()
    assert fresh.login(username=customer.username, password="lan-hua-2026!")
    assert fresh.get("/portal/").status_code == 200
    # The link works once.
    again = client.get(link, follow=True)
    assert "new_password1" not in again.content.decode()


@pytest.mark.django_db
def test_unknown_or_inactive_addresses_get_the_same_answer_and_no_mail(client, make_user):
    make_user(role=Role.AGENT, email="gone@example.cn", is_active=False)
    assert _request_link(client, "nobody@example.cn") is None
    assert _request_link(client, "gone@example.cn") is None


@pytest.mark.django_db
def test_staff_with_a_password_can_reset_it(client, make_user):
    agent = make_user(role=Role.AGENT, email="li.lei@example.cn")
    assert _request_link(client, "li.lei@example.cn") is not None
    assert mail.outbox[-1].to == [agent.email]


@pytest.mark.django_db
def test_mails_per_address_are_limited_but_the_page_says_the_same(client):
    customer_from_email(email="flood@example.cn")
    links = [_request_link(client, "flood@example.cn") for _ in range(MAILS_PER_ADDRESS_PER_HOUR + 2)]
    assert [link is not None for link in links] == [True] * MAILS_PER_ADDRESS_PER_HOUR + [False, False]


@pytest.mark.django_db
def test_a_bad_address_is_named_in_chinese(client):
    response = client.post("/password/reset/", {"email": "not-an-address"})
    assert response.status_code == 200
    assert "输入一个有效的 Email 地址。" in response.content.decode()
    with translation.override("en"):
        client.cookies["sqm_language"] = "en"
        assert "valid email address" in client.post("/password/reset/", {"email": "x"}).content.decode()


@pytest.mark.django_db
def test_the_sign_in_page_offers_the_way_in(client):
    assert 'href="/password/reset/"' in client.get("/login/").content.decode()
