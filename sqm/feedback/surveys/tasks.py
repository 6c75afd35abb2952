"""Task bodies of surveys and return visits (plain, idempotent, take ids); scheduled in sqm/schedule.py."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sqm.feedback.surveys import services
from sqm.feedback.surveys.models import Distribution, Invitation


def send_invitations(distribution_id: int) -> int:
    """E-mail the links of a distribution to the customers who have an address and have not been
    mailed yet (nor answered, nor seen their link expire). A rerun sends nothing twice; returns how
    many were sent."""
    distribution = Distribution.objects.select_related("survey").filter(pk=distribution_id).first()
    if distribution is None or not distribution.link_base:
        return 0
    now = timezone.now()
    pending = (
        Invitation.objects.select_related("customer")
        .filter(
            distribution_id=distribution_id,
            emailed_at__isnull=True,
            responded_at__isnull=True,
            expires_at__gt=now,
        )
        .exclude(customer__email="")
        .order_by("pk")
    )
    sent = 0
    for invitation in pending.iterator(chunk_size=500):
        link = distribution.link_base + reverse(
            "feedback:survey_answer", kwargs={"token": services.invitation_token(invitation)}
        )
        with translation.override(invitation.language or settings.LANGUAGE_CODE):
            survey = distribution.survey
            subject = _("A short survey: %(title)s") % {"title": survey.title}
            body = "\n\n".join(
                part
                for part in (
                    _("Dear %(name)s,") % {"name": invitation.customer.display_name or invitation.customer.username},
                    survey.intro,
                    _("Please answer here (no sign-in needed): %(link)s") % {"link": link},
                    _("The link works once and until %(date)s.")
                    % {"date": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M")},
                )
                if part
            )
        EmailMessage(
            subject,
            body,
            settings.SQM_MAIL_FROM,
            [invitation.customer.email],
            headers={"Auto-Submitted": "auto-generated"},
        ).send()
        Invitation.objects.filter(pk=invitation.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
        sent += 1
    return sent


def schedule_return_visits() -> int:
    """Schedule return visits for complaints closed since the last run; returns how many."""
    return len(services.return_visits_schedule())
