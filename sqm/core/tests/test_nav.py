"""The menu follows DESIGN.md §2's areas, shows only what a role may open, and grows as apps arrive."""

from __future__ import annotations

import pytest

from sqm.core.nav import AREAS, menu_for
from sqm.core.roles import CAPABILITIES, Cap, Role


def _entries(menu):
    return {entry["url"] for area in menu for entry in area["entries"]}


@pytest.mark.django_db
def test_menu_per_role(users_by_role):
    admin_keys = [a["key"] for a in menu_for(users_by_role[Role.ADMIN])]
    assert admin_keys == [k for k, _ in AREAS if k in admin_keys]  # in the order of DESIGN.md §2
    assert {"standards", "tickets", "knowledge", "people", "monitoring", "supervision"} <= set(admin_keys)
    assert not {"evaluation", "improvement"} & set(admin_keys)  # areas not built yet stay hidden
    assert _entries(menu_for(users_by_role[Role.CUSTOMER])) == set()
    agent = _entries(menu_for(users_by_role[Role.AGENT]))
    assert "/tickets/mine/" in agent and "/org/users/" not in agent and "/audit/" not in agent
    auditor = _entries(menu_for(users_by_role[Role.AUDITOR]))
    assert "/audit/" in auditor and "/org/users/" in auditor
    for role in Role:
        urls = _entries(menu_for(users_by_role[role]))
        assert ("/audit/" in urls) == (role in CAPABILITIES[Cap.AUDIT_VIEW])
        assert ("/org/users/" in urls) == (role in CAPABILITIES[Cap.ORG_VIEW])


@pytest.mark.django_db
def test_menu_highlights_the_list_on_its_detail_pages(users_by_role):
    menu = menu_for(users_by_role[Role.ADMIN], "org:user_detail")
    active = [e["url"] for a in menu for e in a["entries"] if e["active"]]
    assert active == ["/org/users/"]


@pytest.mark.django_db
def test_home_lists_the_areas_of_the_role(client_for, users_by_role):
    page = client_for(users_by_role[Role.ADMIN]).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="/org/users/"' in page and 'href="/audit/"' in page
    customer_home = client_for(users_by_role[Role.CUSTOMER]).get("/")
    assert customer_home.status_code == 302 and customer_home["Location"] == "/portal/"


@pytest.mark.django_db
def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
