"""Setting a password by e-mail: forgotten passwords, and customers who have so far only written
to the centre by e-mail (their account exists, with no password) claiming it for the portal.

Built on Django's password-reset views and tokens (single use, expiring after
``PASSWORD_RESET_TIMEOUT``). The page never says whether an address is known, and each address
and each client address gets at most a few mails an hour.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.http import HttpResponse, HttpResponseRedirect

from sqm.core import ratelimit
from sqm.core.forms import StyledFormMixin
from sqm.core.roles import Role

MAILS_PER_ADDRESS_PER_HOUR = 3
REQUESTS_PER_CLIENT_PER_HOUR = 20
HOUR = dt.timedelta(hours=1)


class AccountResetForm(StyledFormMixin, PasswordResetForm):
    """Reaches active users with a password and customers known only by e-mail (no password yet)."""

    def get_users(self, email: str) -> Iterator[Any]:
        users = get_user_model().objects.filter(email__iexact=email, is_active=True)
        return (u for u in users if u.has_usable_password() or u.role == Role.CUSTOMER)


class StyledSetPasswordForm(StyledFormMixin, SetPasswordForm):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    form_class = AccountResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form: AccountResetForm) -> HttpResponse:
        address = form.cleaned_data["email"].strip().lower()
        client = self.request.META.get("REMOTE_ADDR", "")
        within = ratelimit.hit(
            ratelimit.safe_key("reset:client", client), limit=REQUESTS_PER_CLIENT_PER_HOUR, window=HOUR
        ) and ratelimit.hit(ratelimit.safe_key("reset:address", address), limit=MAILS_PER_ADDRESS_PER_HOUR, window=HOUR)
        if not within:  # same answer as a sent mail: the page never tells what happened
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = StyledSetPasswordForm
