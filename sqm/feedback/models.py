"""Customer voice (DESIGN.md §2.5). This first part holds the ratings KPIs read (CSAT, average
rating, NPS); invitations, QR ratings, surveys, return visits and mystery shoppers build on it."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RatingSource(models.TextChoices):
    TICKET_LINK = "ticket_link", _("Rating link after closure")
    PORTAL = "portal", _("Customer portal")
    QR = "qr", _("QR-code rating")
    PHONE = "phone", _("Phone (IVR or return visit)")


class Rating(models.Model):
    """A customer's 1–5 rating (with optional comment and 0–10 likelihood to recommend) of a
    ticket or a service point. One rating per ticket; changing it updates the same row, and the
    KPIs follow (facts are recomputed from ``updated_at``). ``counted`` is False for ratings
    flagged as abuse, which KPIs ignore; who flagged it, when and why is kept on the row (and in
    the audit chain)."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="ratings",
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent rated"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ratings_received",
    )
    team = models.ForeignKey(
        "org.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(_("source"), max_length=12, choices=RatingSource.choices)
    score = models.PositiveSmallIntegerField(_("rating (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    recommend = models.PositiveSmallIntegerField(
        _("likelihood to recommend (0–10)"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    comment = models.TextField(_("comment"), blank=True)
    counted = models.BooleanField(_("counted in KPIs"), default=True)
    flag_reason = models.CharField(_("why it is (not) counted"), max_length=500, blank=True)
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("flagged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    flagged_at = models.DateTimeField(_("flagged"), null=True, blank=True)
    created_at = models.DateTimeField(_("rated"))
    updated_at = models.DateTimeField(_("updated"), db_index=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(ticket__isnull=False), name="feedback_one_rating_per_ticket"
            ),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="feedback_rating_score_range"),
            models.CheckConstraint(
                condition=Q(recommend__isnull=True) | Q(recommend__lte=10), name="feedback_rating_recommend_range"
            ),
        ]
        indexes = [
            models.Index(fields=["agent", "created_at"], name="feedback_rating_agent_idx"),
            # The staff list: newest first, keyset on (created_at, id).
            models.Index(fields=["created_at", "id"], name="feedback_rating_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id or '-'} {self.score}"

    @property
    def stars(self) -> str:
        """``★★★★☆`` for a 4."""
        return "★" * self.score + "☆" * (5 - self.score)


from sqm.feedback.links.models import *  # noqa: E402, F403
from sqm.feedback.surveys.models import *  # noqa: E402, F403
