"""Fixtures shared by every app's tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client

from sqm.core.roles import Role
from sqm.org.models import User
from sqm.org.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _huey_immediate() -> Iterator[None]:
    """Tasks run inline in tests unless a test starts a real worker (see ``huey_live``)."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield
    HUEY.immediate = False


@pytest.fixture
def huey_live() -> Iterator[None]:
    """Tasks go to the real queue storage, for tests that run a worker process."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = False
    HUEY.flush()
    yield
    HUEY.flush()


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(role: str = Role.AGENT, **kwargs: object) -> User:
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def admin_user(make_user: Callable[..., User]) -> User:
    return make_user(Role.ADMIN, username="admin-1")


@pytest.fixture
def users_by_role(make_user: Callable[..., User]) -> dict[str, User]:
    """One active user per role."""
    return {role.value: make_user(role.value, username=f"r-{role.value}") for role in Role}


@pytest.fixture
def client_for() -> Callable[[User | None], Client]:
    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make
