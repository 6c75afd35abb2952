"""Rating links, QR-code ratings and the complaint rule (DESIGN.md §2.5; issue 6 points 1, 2, 6).

* :class:`RatingInvitation` — one per closed ticket: the mail that invites its customer to rate,
  with a signed link that needs no login (``sqm.feedback.links.services.link_token``).
* :class:`QrCode` and :class:`QrRating` — printable codes per service point (team) or agent; each
  QR rating is a :class:`~sqm.feedback.models.Rating` with source ``qr`` plus the (hashed) device
  it came from, so repeats are de-duplicated and bursts flagged.
* :class:`ComplaintRule` and :class:`RatingFollowUp` — the visible, tunable rule that turns a low
  rating or a complaint-like comment into a complaint ticket, and the link between the two.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sqm.feedback.links import complaint_rule as lexicon_defaults

__all__ = [
    "ComplaintRule",
    "FollowUpOutcome",
    "FollowUpRule",
    "InvitationCursor",
    "InvitationStatus",
    "QrCode",
    "QrRating",
    "RatingFollowUp",
    "RatingInvitation",
]


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be mailed")
    SENT = "sent", _("Mailed")
    NO_ADDRESS = "no_address", _("No e-mail address")
    FAILED = "failed", _("Mailing failed")


class RatingInvitation(models.Model):
    """The invitation to rate one closed ticket: made once per ticket (never twice, even when
    the ticket is reopened and closed again) by the periodic ``links.invite_closed`` task, and
    mailed once in the customer's language. The link itself is not stored: it is a signature
    over the ticket and customer ids, checked when it is opened."""

    ticket = models.OneToOneField(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="rating_invitation"
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    created_at = models.DateTimeField(_("created"))
    sent_at = models.DateTimeField(_("mailed"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("rating invitation")
        verbose_name_plural = _("rating invitations")
        indexes = [models.Index(fields=["status", "created_at"], name="fb_invitation_status_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.status}"


class InvitationCursor(models.Model):
    """How far ``links.invite_closed`` has read the tickets' change stream (``updated_at``, id);
    one row. Each run re-reads a short overlap, which the one-invitation-per-ticket rule makes
    harmless."""

    name = models.CharField(max_length=30, unique=True)
    position = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation cursor")
        verbose_name_plural = _("invitation cursors")

    def __str__(self) -> str:
        return self.name


class QrCode(models.Model):
    """A printable QR code for instant rating at a service point (a team's counter or hall) or of
    one agent. The token in its address is random and unguessable; a deactivated code's page
    says so and takes no ratings. Ratings made through it carry its team and agent."""

    token = models.CharField(_("token"), max_length=32, unique=True)
    label = models.CharField(_("label"), max_length=100, help_text=_("Printed under the code, e.g. “Counter 3”."))
    team = models.ForeignKey(
        "org.Team",
        verbose_name=_("service point (team)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    deactivated_at = models.DateTimeField(_("deactivated"), null=True, blank=True)

    class Meta:
        verbose_name = _("QR rating code")
        verbose_name_plural = _("QR rating codes")
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=False) | Q(agent__isnull=False), name="fb_qrcode_team_or_agent"
            ),
        ]
        indexes = [models.Index(fields=["is_active", "label"], name="fb_qrcode_list_idx")]

    def __str__(self) -> str:
        return self.label


class QrRating(models.Model):
    """Where a QR rating came from: its code and the device (a SHA-256 over the device cookie,
    client address and browser; the address itself is not kept). The same device rating the
    same code again within the de-duplication window changes this rating instead of adding one;
    ``submissions`` counts how often it was sent."""

    rating = models.OneToOneField(
        "feedback.Rating", verbose_name=_("rating"), on_delete=models.CASCADE, related_name="qr"
    )
    code = models.ForeignKey(QrCode, verbose_name=_("QR code"), on_delete=models.PROTECT, related_name="ratings")
    device = models.CharField(_("device (hash)"), max_length=64)
    submissions = models.PositiveIntegerField(_("submissions"), default=1)
    first_at = models.DateTimeField(_("first submitted"))
    last_at = models.DateTimeField(_("last submitted"))

    class Meta:
        verbose_name = _("QR rating")
        verbose_name_plural = _("QR ratings")
        indexes = [models.Index(fields=["code", "device", "last_at"], name="fb_qrrating_dedup_idx")]

    def __str__(self) -> str:
        return f"{self.code_id} {self.rating_id}"


class FollowUpRule(models.TextChoices):
    LOW_SCORE = "low_score", _("Low rating")
    COMMENT = "comment", _("Complaint-like comment")


class FollowUpOutcome(models.TextChoices):
    TICKET = "ticket", _("Complaint ticket opened")
    ANONYMOUS = "anonymous", _("Anonymous rating: no customer to open a ticket for")


class RatingFollowUp(models.Model):
    """What the complaint rule did about one rating: the complaint ticket it opened (or why it
    could not: an anonymous QR rating has no customer), which rule fired and why. At most one
    per rating, so running the rule again never opens a second ticket."""

    rating = models.OneToOneField(
        "feedback.Rating", verbose_name=_("rating"), on_delete=models.CASCADE, related_name="follow_up"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("complaint ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rule = models.CharField(_("rule"), max_length=12, choices=FollowUpRule.choices)
    outcome = models.CharField(_("outcome"), max_length=12, choices=FollowUpOutcome.choices)
    reason = models.CharField(_("reason"), max_length=500)
    rule_version = models.PositiveIntegerField(_("rule version"), default=1)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("rating follow-up")
        verbose_name_plural = _("rating follow-ups")
        indexes = [models.Index(fields=["created_at", "id"], name="fb_followup_created_idx")]

    def __str__(self) -> str:
        return f"{self.rating_id} → {self.ticket_id or '-'}"


class ComplaintRule(models.Model):
    """The rule that opens complaint tickets from ratings; one row, edited by the quality manager
    and versioned (every change adds 1 and is audited). A rating at or below ``score_threshold``
    stars opens one; so does a comment whose lexicon score (see
    :mod:`sqm.feedback.links.complaint_rule`) reaches ``comment_threshold``. ``measured`` keeps the
    precision and recall of the current version on the development sample and on the centre's own
    rated comments, computed after each change."""

    enabled = models.BooleanField(_("enabled"), default=True)
    score_threshold = models.PositiveSmallIntegerField(
        _("open a complaint at or below (stars)"),
        default=2,
        validators=[MaxValueValidator(5)],
        help_text=_("0 turns the score part off."),
    )
    comment_enabled = models.BooleanField(_("read comments"), default=True)
    comment_threshold = models.DecimalField(
        _("comment score threshold"),
        max_digits=5,
        decimal_places=2,
        default=lexicon_defaults.DEFAULT_THRESHOLD,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("50"))],
    )
    keywords_zh = models.TextField(_("Chinese words and weights"), blank=True)
    keywords_en = models.TextField(_("English words and weights"), blank=True)
    negation_handling = models.BooleanField(_("handle negations"), default=True)
    negations = models.TextField(_("negations"), blank=True)
    intensifiers = models.TextField(_("intensifiers"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("changed"), null=True, blank=True)
    measured = models.JSONField(_("measured precision and recall"), default=dict, blank=True)

    class Meta:
        verbose_name = _("complaint rule")
        verbose_name_plural = _("complaint rules")
        constraints = [
            models.CheckConstraint(condition=Q(score_threshold__lte=5), name="fb_rule_score_threshold_range"),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"

    @staticmethod
    def built_in() -> dict[str, object]:
        """The field values of the built-in rule (the word lists of :mod:`.complaint_rule`); the
        row is made with them the first time it is read, not by the migration, so tuning the
        built-in lists needs no migration."""
        return {
            "keywords_zh": lexicon_defaults.DEFAULT_ZH.strip(),
            "keywords_en": lexicon_defaults.DEFAULT_EN.strip(),
            "negations": lexicon_defaults.NEGATIONS,
            "intensifiers": lexicon_defaults.INTENSIFIERS,
            "comment_threshold": lexicon_defaults.DEFAULT_THRESHOLD,
        }

    def lexicon(self) -> lexicon_defaults.Lexicon:
        """The scorer this row describes."""
        return lexicon_defaults.Lexicon.parse(
            zh=self.keywords_zh,
            en=self.keywords_en,
            negations=self.negations,
            intensifiers=self.intensifiers,
            threshold=self.comment_threshold,
            negation_handling=self.negation_handling,
        )
