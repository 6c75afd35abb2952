"""Writes of rating links, QR-code ratings and the complaint rule (DESIGN.md §2.5).

**Rating links.** A closed ticket's customer gets one invitation mail (:func:`invite_closed`, run
every few minutes) with a signed link: a :mod:`django.core.signing` signature over the ticket and
customer ids with its own salt, valid ``SQM_RATING_LINK_DAYS`` (default 14) days. Opening it
never records anything (mail scanners fetch links); only the customer's POST does, through
:func:`sqm.feedback.services.rating_submit` (one rating per ticket, changeable within its window,
never by someone who handled the ticket).

**QR ratings.** :func:`qr_rating_submit` takes a rating from the public page of a code. Abuse is
met at three levels: beyond the hard limits per device, per client (address + browser) and per
code nothing is stored (HTTP 429); beyond the burst limits, or when the form was filled faster
than a person can or a hidden trap field was filled, the rating is stored but **flagged**
(``counted=False`` with the reason), so KPIs ignore it; and the same device rating the same code
again within ``DEDUP_WINDOW`` changes its rating instead of adding one.

**Complaint rule.** After each rating (on commit) :func:`complaint_check` applies the
:class:`~sqm.feedback.links.models.ComplaintRule`: a score at or below its threshold, or a comment
that reads as a complaint (:mod:`sqm.feedback.links.complaint_rule`), opens a complaint ticket
through the tickets' intake service, as the system, linked by a
:class:`~sqm.feedback.links.models.RatingFollowUp` (one per rating: idempotent).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sqm.audit.services import audit_append, diff, snapshot
from sqm.core import ratelimit
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Cap, Role, can
from sqm.core.validation import clean_text
from sqm.feedback import services as feedback_services
from sqm.feedback.links import complaint_rule as scorer
from sqm.feedback.links import devsample
from sqm.feedback.links.models import (
    ComplaintRule,
    FollowUpOutcome,
    FollowUpRule,
    InvitationCursor,
    InvitationStatus,
    QrCode,
    QrRating,
    RatingFollowUp,
    RatingInvitation,
)
from sqm.feedback.models import Rating, RatingSource
from sqm.org.models import Team, User
from sqm.tickets.models import Channel, Status, Ticket, TicketType

LINK_SALT = "sqm.feedback.links.rate"
STAMP_SALT = "sqm.feedback.links.qr-form"
DEFAULT_LINK_DAYS = 14
INVITE_MAX_AGE = dt.timedelta(days=3)  # tickets closed longer ago are not invited any more
CURSOR_OVERLAP = dt.timedelta(minutes=10)  # commits that land late are still seen
INVITE_BATCH = 500
MAX_ATTEMPTS = 5

QR_COMMENT_MAX = 500
LABEL_MAX = 100
MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)
DEDUP_WINDOW = dt.timedelta(minutes=10)
MIN_FILL_SECONDS = 2  # a person needs at least this long to tap a score and send
# Burst limits (per minute): above them ratings are stored but flagged, not counted.
BURST_DEVICE = 3
BURST_CLIENT = 10
BURST_CODE = 30
# Hard limits: above them nothing is stored (HTTP 429).
HARD_DEVICE = 10
HARD_CLIENT = 30
HARD_CODE = 120
HARD_DEVICE_DAY = 60
HARD_RATE_LINK = 20  # link submissions per client address and minute (the public API)

RULE_TEXT_MAX = 20000
OWN_SAMPLE_MAX = 5000
SOURCE_CHANNEL = {
    RatingSource.TICKET_LINK: Channel.WEB,
    RatingSource.PORTAL: Channel.WEB,
    RatingSource.QR: Channel.QR,
    RatingSource.PHONE: Channel.PHONE,
}


# --- signed rating links ------------------------------------------------------------------------


class LinkInvalid(DomainError):
    """The link was altered, cut short or made up."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "This rating link is not valid: it may have been cut short or changed. Open the link from the e-mail again."
            ),
            field="token",
            code="link_invalid",
        )


class LinkExpired(DomainError):
    """The link is older than ``SQM_RATING_LINK_DAYS``."""

    def __init__(self) -> None:
        super().__init__(
            _("This rating link has expired (links are valid for %(days)d days). Nothing was recorded.")
            % {"days": link_days()},
            field="token",
            code="link_expired",
        )


class RateLimited(DomainError):
    """Too many submissions from one device, client or code in a short time; nothing stored."""

    def __init__(self) -> None:
        super().__init__(
            _("Too many ratings in a short time. Please try again in a minute."), field="__all__", code="rate_limited"
        )


@dataclass(frozen=True)
class LinkClaim:
    """What a valid link says: which ticket, which customer."""

    ticket_id: int
    customer_id: int


def link_days() -> int:
    """How many days a rating link stays valid (``SQM_RATING_LINK_DAYS``, default 14)."""
    return int(getattr(settings, "SQM_RATING_LINK_DAYS", DEFAULT_LINK_DAYS))


def link_token(*, ticket_id: int, customer_id: int) -> str:
    """The signed, URL-safe token of a rating link (it expires ``link_days()`` after now)."""
    return signing.dumps({"t": int(ticket_id), "c": int(customer_id)}, salt=LINK_SALT, compress=False)


def link_read(token: str) -> LinkClaim:
    """The ticket and customer a token was signed for; :class:`LinkExpired` or :class:`LinkInvalid`."""
    if not isinstance(token, str) or not token or len(token) > 300:
        raise LinkInvalid()
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=dt.timedelta(days=link_days()))
    except signing.SignatureExpired as exc:
        raise LinkExpired() from exc
    except signing.BadSignature as exc:
        raise LinkInvalid() from exc
    if not isinstance(data, dict) or not isinstance(data.get("t"), int) or not isinstance(data.get("c"), int):
        raise LinkInvalid()
    return LinkClaim(ticket_id=data["t"], customer_id=data["c"])


def link_url(*, ticket_id: int, customer_id: int) -> str:
    """The full address of a ticket's rating page (``SQM_PUBLIC_URL`` + path) for e-mail."""
    path = reverse("feedback:links_rate", args=[link_token(ticket_id=ticket_id, customer_id=customer_id)])
    return public_url(path)


def public_url(path: str) -> str:
    base = str(getattr(settings, "SQM_PUBLIC_URL", "") or "http://localhost:8000").rstrip("/")
    return base + path


def link_target(token: str) -> tuple[Ticket, User]:
    """The ticket and customer of a valid link, for the page and the submission.

    :class:`LinkExpired`/:class:`LinkInvalid` for a bad link (also when the ticket or person
    is gone); :class:`PermissionDeniedError` when the link's person is not the ticket's
    customer (any more) or not an active customer."""
    claim = link_read(token)
    ticket = Ticket.objects.select_related("customer", "assignee").filter(pk=claim.ticket_id).first()
    customer = User.objects.filter(pk=claim.customer_id).first()
    if ticket is None or customer is None:
        raise LinkInvalid()
    if ticket.customer_id != customer.pk or not can(customer, Cap.FEEDBACK_RATE):
        raise PermissionDeniedError(_("This rating link is not for this ticket's customer."))
    return ticket, customer


def link_rating_submit(*, token: str, score: Any, recommend: Any = None, comment: str = "") -> tuple[Rating, bool]:
    """Rate a ticket through its signed link (no login): the link stands for the customer.

    The rules are those of :func:`sqm.feedback.services.rating_submit` (one rating per ticket,
    changeable within the window, never by someone who handled the ticket, score 1–5 and
    recommendation 0–10 naming their field); the source is ``ticket_link``. The complaint rule
    runs on commit."""
    ticket, customer = link_target(token)
    return feedback_services.rating_submit(
        ticket=ticket,
        customer=customer,
        score=score,
        recommend=recommend,
        comment=comment,
        source=RatingSource.TICKET_LINK,
    )


# --- invitations --------------------------------------------------------------------------------


def _language_of(ticket: Ticket) -> str:
    customer = ticket.customer
    return customer.language or ("en" if ticket.language == "en" else settings.LANGUAGE_CODE)


def invitations_create(*, now: dt.datetime | None = None, limit: int = INVITE_BATCH) -> int:
    """Make the invitations of tickets closed since the cursor; returns how many were made.

    Reads the tickets' change stream (``updated_at``, indexed) from the cursor minus a short
    overlap; a ticket is invited when it is closed, closed within ``INVITE_MAX_AGE``, has no
    invitation and no rating yet, and belongs to an active customer. One invitation per ticket
    (unique), so re-reading and concurrent runs never make two."""
    now = now or timezone.now()
    with transaction.atomic():
        cursor, _created = InvitationCursor.objects.select_for_update().get_or_create(name="closed_tickets")
        start = (cursor.position - CURSOR_OVERLAP) if cursor.position else now - INVITE_MAX_AGE
        rows = list(
            Ticket.objects.filter(
                updated_at__gte=start,
                updated_at__lte=now,
                status=Status.CLOSED,
                closed_at__gte=now - INVITE_MAX_AGE,
                rating_invitation__isnull=True,
                ratings__isnull=True,
                customer__role=Role.CUSTOMER,
                customer__is_active=True,
            )
            .select_related("customer")
            .order_by("updated_at", "id")[:limit]
        )
        RatingInvitation.objects.bulk_create(
            [RatingInvitation(ticket=t, customer=t.customer, language=_language_of(t), created_at=now) for t in rows],
            ignore_conflicts=True,
        )
        cursor.position = rows[-1].updated_at if len(rows) == limit else now
        cursor.updated_at = now
        cursor.save(update_fields=["position", "updated_at"])
    return len(rows)


def invitation_send(invitation_id: int) -> bool:
    """Mail one waiting invitation; True when it was mailed now.

    The row is claimed (``pending`` → ``sent``) before the mail goes out, so two workers never
    both mail it; a failure puts it back for a later run (``failed`` after five attempts)."""
    now = timezone.now()
    invitation = (
        RatingInvitation.objects.select_related("ticket", "customer")
        .filter(pk=invitation_id, status=InvitationStatus.PENDING)
        .first()
    )
    if invitation is None:
        return False
    if not invitation.customer.email:
        RatingInvitation.objects.filter(pk=invitation.pk, status=InvitationStatus.PENDING).update(
            status=InvitationStatus.NO_ADDRESS
        )
        return False
    claimed = RatingInvitation.objects.filter(pk=invitation.pk, status=InvitationStatus.PENDING).update(
        status=InvitationStatus.SENT, sent_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    try:
        _mail_invitation(invitation)
    except Exception as exc:  # the SMTP server refused or is away: try again on a later run
        failed = invitation.attempts + 1 >= MAX_ATTEMPTS
        RatingInvitation.objects.filter(pk=invitation.pk).update(
            status=InvitationStatus.FAILED if failed else InvitationStatus.PENDING,
            sent_at=None,
            error=str(exc)[:300],
        )
        return False
    return True


def _mail_invitation(invitation: RatingInvitation) -> None:
    ticket = invitation.ticket
    url = link_url(ticket_id=ticket.pk, customer_id=invitation.customer_id)
    until = timezone.localtime(timezone.now() + dt.timedelta(days=link_days())).strftime("%Y-%m-%d")
    with translation.override(invitation.language):
        subject = f"[{ticket.number}] " + gettext("How did we do? Rate the service on your request")
        body = "\n\n".join(
            [
                gettext("Your request %(number)s “%(subject)s” is closed.")
                % {"number": ticket.number, "subject": ticket.subject},
                gettext("Please tell us how satisfied you are (1 to 5 stars, with a comment if you like):"),
                url,
                gettext(
                    "The link needs no password and is valid until %(date)s. You can change your rating for "
                    "a few days after giving it."
                )
                % {"date": until},
                gettext("All your requests to rate, after signing in: %(url)s")
                % {"url": public_url(reverse("feedback:links_mine"))},
            ]
        )
    headers = {
        "Message-ID": f"<sqm-{ticket.pk}-rate-{invitation.pk}@{settings.SQM_MAIL_DOMAIN}>",
        "Auto-Submitted": "auto-generated",
    }
    EmailMessage(subject, body, settings.SQM_MAIL_FROM, [invitation.customer.email], headers=headers).send()


def invite_closed(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic task's body: invite newly closed tickets and mail what waits; idempotent."""
    made = invitations_create(now=now)
    sent = 0
    waiting = RatingInvitation.objects.filter(status=InvitationStatus.PENDING).order_by("created_at", "id")
    for pk in list(waiting.values_list("pk", flat=True)[:INVITE_BATCH]):
        sent += invitation_send(pk)
    return {"created": made, "sent": sent}


# --- QR codes -----------------------------------------------------------------------------------

CODE_FIELDS = ("token", "label", "team", "agent", "is_active")


@transaction.atomic
def qr_code_create(*, actor: Any, label: str, team: Team | None = None, agent: User | None = None) -> QrCode:
    """A new printable code for a service point (team), an agent, or an agent at a team.

    Needs ``Cap.FEEDBACK_MANAGE``. The label is printed under the code; the team must be active
    and the agent an active staff member who works tickets. The token is 16 random URL-safe
    characters (96 bits): codes cannot be guessed from each other."""
    if not can(actor, Cap.FEEDBACK_MANAGE):
        raise PermissionDeniedError()
    label = clean_text(label, "label", LABEL_MAX)
    if team is None and agent is None:
        raise DomainError(_("Choose the service point (team), the agent, or both."), field="team")
    if team is not None and not team.is_active:
        raise DomainError(_("This team is no longer active."), field="team")
    if agent is not None and (not agent.is_active or not can(agent, Cap.TICKET_WORK)):
        raise DomainError(_("Choose an active agent."), field="agent")
    code = QrCode.objects.create(
        token=secrets.token_urlsafe(12),
        label=label,
        team=team if team is not None else getattr(agent, "team", None),
        agent=agent,
        created_by=actor,
        created_at=timezone.now(),
    )
    audit_append(actor=actor, action="create", target=code, changes=diff(None, snapshot(code, CODE_FIELDS)))
    return code


@transaction.atomic
def qr_code_deactivate(*, actor: Any, code: QrCode) -> QrCode:
    """Retire a code (e.g. the counter closed): its page then takes no ratings; its past
    ratings stay. Needs ``Cap.FEEDBACK_MANAGE``; deactivating twice changes nothing."""
    if not can(actor, Cap.FEEDBACK_MANAGE):
        raise PermissionDeniedError()
    code = QrCode.objects.select_for_update().get(pk=code.pk)
    if not code.is_active:
        return code
    code.is_active = False
    code.deactivated_at = timezone.now()
    code.save(update_fields=["is_active", "deactivated_at"])
    audit_append(actor=actor, action="deactivate", target=code, changes={"is_active": {"before": True, "after": False}})
    return code


# --- QR ratings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QrClient:
    """Who sends a QR rating, as far as a public page can tell: the device cookie, the client
    address and the browser. Only hashes of them are used and kept."""

    cookie: str
    address: str
    user_agent: str

    @property
    def device(self) -> str:
        return _hash("device", self.cookie, self.address, self.user_agent)

    @property
    def client(self) -> str:
        return _hash("client", self.address, self.user_agent)


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()


@dataclass
class QrOutcome:
    """What became of a QR submission: the rating, whether it is new, and whether it counts."""

    rating: Rating
    created: bool
    counted: bool
    flag_reason: str


def form_stamp(code: QrCode, *, at: dt.datetime | None = None) -> str:
    """A signed note of when the rating form of ``code`` was shown (checks how fast it was filled)."""
    moment = (at or timezone.now()).timestamp()
    return signing.dumps({"c": code.pk, "t": round(moment, 3)}, salt=STAMP_SALT, compress=False)


def _fill_problem(code: QrCode, stamp: str, now: dt.datetime) -> str:
    """Why the form's timing looks automated ("" when it looks like a person)."""
    try:
        data = signing.loads(stamp or "", salt=STAMP_SALT, max_age=DAY)
    except signing.BadSignature:
        return gettext("sent without the rating form (no valid form stamp)")
    if not isinstance(data, dict) or data.get("c") != code.pk or not isinstance(data.get("t"), int | float):
        return gettext("sent with the form of another code")
    if now.timestamp() - float(data["t"]) < MIN_FILL_SECONDS:
        return gettext("the form was filled in less than %(seconds)d seconds") % {"seconds": MIN_FILL_SECONDS}
    return ""


def _limits(code: QrCode, client: QrClient, now: dt.datetime) -> list[str]:
    """Count this submission against every limit; raise :class:`RateLimited` past a hard limit,
    else return the burst limits it went past (reasons to flag it)."""
    checks = [
        (ratelimit.safe_key("qr:device", client.device), HARD_DEVICE, BURST_DEVICE, MINUTE),
        (ratelimit.safe_key("qr:client", client.client), HARD_CLIENT, BURST_CLIENT, MINUTE),
        (ratelimit.safe_key("qr:code", str(code.pk)), HARD_CODE, BURST_CODE, MINUTE),
        (ratelimit.safe_key("qr:device-day", client.device), HARD_DEVICE_DAY, HARD_DEVICE_DAY, DAY),
    ]
    reasons = []
    for key, hard, burst, window in checks:
        if not ratelimit.hit(key, limit=hard, window=window, now=now):
            raise RateLimited()
        if burst < hard and ratelimit.count(key, window=window, now=now) > burst:
            reasons.append(key.split(":")[1])
    labels = {
        "device": gettext("more than %(n)d ratings from one device in a minute") % {"n": BURST_DEVICE},
        "client": gettext("more than %(n)d ratings from one address and browser in a minute") % {"n": BURST_CLIENT},
        "code": gettext("more than %(n)d ratings of one code in a minute") % {"n": BURST_CODE},
    }
    return [labels[r] for r in reasons]


def qr_rating_submit(
    *,
    code: QrCode,
    client: QrClient,
    score: Any,
    comment: str = "",
    stamp: str = "",
    trap: str = "",
    now: dt.datetime | None = None,
) -> QrOutcome:
    """Take a rating from a code's public page (no login); see the module doc for the limits.

    Refused: an inactive code (``code``), a score outside 1–5 (``score``), a comment over 500
    characters (``comment``), and anything past a hard limit (:class:`RateLimited`, nothing
    stored). The rating's agent and team are the code's. A burst, a form filled too fast, a
    filled trap field or a missing form stamp store the rating as not counted, with the reason
    (the KPI engine reads only counted ratings). The same device and code within
    ``DEDUP_WINDOW`` update the earlier rating; a flagged one stays flagged."""
    now = now or timezone.now()
    if not code.is_active:
        raise DomainError(_("This QR code is no longer in use."), field="code", code="inactive")
    reasons = _limits(code, client, now)
    score = feedback_services._check_score(score)
    comment = clean_text(comment, "comment", QR_COMMENT_MAX, required=False)
    timing = _fill_problem(code, stamp, now)
    if timing:
        reasons.append(timing)
    if trap:
        reasons.append(gettext("a field hidden from people was filled in"))
    flag = "; ".join(reasons)
    with transaction.atomic():
        seen = (
            QrRating.objects.select_for_update()
            .filter(code=code, device=client.device, last_at__gte=now - DEDUP_WINDOW)
            .order_by("-last_at")
            .first()
        )
        if seen is not None:
            rating = Rating.objects.select_for_update().get(pk=seen.rating_id)
            before = feedback_services._audited(rating)
            rating.score, rating.comment, rating.updated_at = score, comment, now
            if flag and rating.counted:
                rating.counted, rating.flag_reason, rating.flagged_at = False, flag[:500], now
            rating.save()
            QrRating.objects.filter(pk=seen.pk).update(submissions=F("submissions") + 1, last_at=now)
            audit_append(
                actor=None, action="update", target=rating, changes=diff(before, feedback_services._audited(rating))
            )
            created = False
        else:
            rating = Rating.objects.create(
                source=RatingSource.QR,
                agent=code.agent,
                team_id=code.team_id or getattr(code.agent, "team_id", None),
                score=score,
                comment=comment,
                counted=not flag,
                flag_reason=flag[:500],
                flagged_at=now if flag else None,
                created_at=now,
                updated_at=now,
            )
            QrRating.objects.create(rating=rating, code=code, device=client.device, first_at=now, last_at=now)
            audit_append(
                actor=None,
                action="create",
                target=rating,
                changes={**diff(None, feedback_services._audited(rating)), "qr_code": code.pk},
            )
            created = True
        if rating.counted:
            rating_id = rating.pk
            transaction.on_commit(lambda: feedback_services._after_rating(rating_id))
    return QrOutcome(rating=rating, created=created, counted=rating.counted, flag_reason=rating.flag_reason)


# --- the complaint rule -------------------------------------------------------------------------

RULE_FIELDS = (
    "enabled",
    "score_threshold",
    "comment_enabled",
    "comment_threshold",
    "keywords_zh",
    "keywords_en",
    "negation_handling",
    "negations",
    "intensifiers",
)


def complaint_rule_current() -> ComplaintRule:
    """The one rule row, made with the built-in word lists the first time it is read."""
    rule = ComplaintRule.objects.filter(pk=1).first()
    if rule is None:
        rule, _created = ComplaintRule.objects.get_or_create(pk=1, defaults=ComplaintRule.built_in())
    return rule


def _check_lexicon(text: str, field: str) -> str:
    text = clean_text(text, field, RULE_TEXT_MAX, required=False)
    try:
        scorer.parse_terms(text)
    except scorer.LexiconError as exc:
        raise DomainError(
            _("Line %(line)d is not “word weight” (a weight from -10 to 10): %(text)s")
            % {"line": exc.line, "text": exc.text.strip()[:60]},
            field=field,
            code="invalid",
        ) from exc
    return text


def _check_threshold(value: Any) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_("Give the comment threshold as a number."), field="comment_threshold") from exc
    if not number.is_finite() or not Decimal("0.1") <= number <= Decimal("50"):
        raise DomainError(
            _("The comment threshold must be from 0.1 to 50."), field="comment_threshold", code="out_of_range"
        )
    return number.quantize(Decimal("0.01"))


@transaction.atomic
def complaint_rule_update(*, actor: Any, **changes: Any) -> ComplaintRule:
    """Change the complaint rule (any of ``enabled``, ``score_threshold`` 0–5,
    ``comment_enabled``, ``comment_threshold`` 0.1–50, the word lists ``keywords_zh`` and
    ``keywords_en`` as ``word weight`` lines, ``negation_handling``, ``negations`` and
    ``intensifiers`` as words separated by spaces). Needs ``Cap.FEEDBACK_MANAGE``; each change
    makes a new version, is audited, and has its precision and recall measured on commit."""
    if not can(actor, Cap.FEEDBACK_MANAGE):
        raise PermissionDeniedError()
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field."), field=sorted(unknown)[0], code="unknown")
    complaint_rule_current()
    rule = ComplaintRule.objects.select_for_update().get(pk=1)
    before = snapshot(rule, RULE_FIELDS)
    for name, value in changes.items():
        if name in ("enabled", "comment_enabled", "negation_handling"):
            if not isinstance(value, bool):
                raise DomainError(_("Give true or false."), field=name)
        elif name == "score_threshold":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5:
                raise DomainError(
                    _("Give the score threshold as a whole number of stars from 0 (off) to 5."),
                    field=name,
                    code="out_of_range",
                )
        elif name == "comment_threshold":
            value = _check_threshold(value)
        elif name in ("keywords_zh", "keywords_en"):
            value = _check_lexicon(value, name)
        else:
            value = " ".join(clean_text(value, name, 2000, required=False).split())
        setattr(rule, name, value)
    after = snapshot(rule, RULE_FIELDS)
    changed = diff(before, after)
    if not changed:
        return rule
    rule.version += 1
    rule.updated_by = actor if getattr(actor, "pk", None) else None
    rule.updated_at = timezone.now()
    rule.measured = {}
    rule.save()
    for name in ("keywords_zh", "keywords_en"):  # long texts: the chain keeps their hashes
        if name in changed:
            changed[name] = {
                side: hashlib.sha256(str(changed[name][side] or "").encode()).hexdigest()
                for side in ("before", "after")
            }
    audit_append(actor=actor, action="update", target=rule, changes={**changed, "version": rule.version})
    transaction.on_commit(_queue_measure)
    return rule


def _queue_measure() -> None:
    from sqm import schedule

    schedule.links_measure_rule()


def complaint_rule_measure() -> dict[str, Any]:
    """Measure the current rule's comment classifier and keep the figures on the rule row.

    Two measurements: on the development sample of real reviews beside the repository (when it
    is there; label 0 = complaint) and on the centre's own rated comments (up to the 5,000 most
    recent counted ratings with a comment: 1–2 stars taken as complaints, 4–5 as not, 3 left
    out). Returns what it stored."""
    rule = complaint_rule_current()
    lexicon = rule.lexicon()
    result: dict[str, Any] = {"version": rule.version, "at": timezone.now().isoformat()}
    reviews = devsample.load()
    if reviews is None:
        result["sample"] = None
    else:
        counts = scorer.evaluate([(r.text, r.complaint) for r in reviews], lexicon)
        result["sample"] = {**counts.as_dict(), "file": devsample.RELATIVE.name}
    own = (
        Rating.objects.filter(counted=True)
        .exclude(comment="")
        .exclude(score=3)
        .order_by("-created_at")
        .values_list("comment", "score")[:OWN_SAMPLE_MAX]
    )
    pairs = [(text, score <= 2) for text, score in own]
    result["own"] = scorer.evaluate(pairs, lexicon).as_dict() if pairs else None
    ComplaintRule.objects.filter(pk=rule.pk, version=rule.version).update(measured=result)
    return result


def complaint_verdict(rule: ComplaintRule, rating: Rating) -> tuple[str, str] | None:
    """Which part of the rule fires for ``rating`` and why, or None."""
    if not rule.enabled:
        return None
    if rule.score_threshold and rating.score <= rule.score_threshold:
        return FollowUpRule.LOW_SCORE, gettext(
            "%(score)d of 5 stars (the rule opens a complaint at %(limit)d or below)"
        ) % {
            "score": rating.score,
            "limit": rule.score_threshold,
        }
    if rule.comment_enabled and rating.comment:
        verdict = scorer.score(rating.comment, rule.lexicon())
        if verdict.complaint:
            return FollowUpRule.COMMENT, gettext(
                "the comment reads as a complaint (score %(score)s ≥ %(limit)s: %(terms)s)"
            ) % {
                "score": f"{verdict.score:.1f}",
                "limit": rule.comment_threshold,
                "terms": verdict.explain(),
            }
    return None


def complaint_check(rating_id: int) -> RatingFollowUp | None:
    """Apply the complaint rule to one rating (the task after each rating); idempotent.

    Nothing happens for a rating that is not counted (abuse), that already has a follow-up, or
    that the rule does not fire for. Otherwise a complaint ticket is opened for the rating's
    customer through :func:`sqm.tickets.services.intake.ticket_create` as the system, and a
    :class:`RatingFollowUp` links the two. An anonymous QR rating has no customer to open a
    ticket for: its follow-up records that, for the quality manager's list."""
    from sqm.tickets.services.intake import LANGUAGES, ticket_create

    rule = complaint_rule_current()
    with transaction.atomic():
        rating = Rating.objects.select_for_update().filter(pk=rating_id).first()
        if rating is None or not rating.counted:
            return None
        existing = RatingFollowUp.objects.filter(rating_id=rating.pk).first()
        if existing is not None:
            return existing
        fired = complaint_verdict(rule, rating)
        if fired is None:
            return None
        kind, reason = fired
        customer = User.objects.filter(pk=rating.customer_id).first() if rating.customer_id else None
        rated = Ticket.objects.filter(pk=rating.ticket_id).first() if rating.ticket_id else None
        ticket = None
        if customer is not None and customer.is_active and customer.role == Role.CUSTOMER:
            language = rated.language if rated is not None and rated.language in LANGUAGES else "zh"
            with translation.override("en" if language == "en" else "zh-hans"):
                subject, description = _complaint_text(rating, rated, reason)
            ticket, _created = ticket_create(
                actor=None,
                customer=customer,
                type=TicketType.COMPLAINT,
                subject=subject,
                channel=SOURCE_CHANNEL.get(RatingSource(rating.source), Channel.WEB),
                description=description,
                language=language,
            )
        follow_up = RatingFollowUp.objects.create(
            rating=rating,
            ticket=ticket,
            rule=kind,
            outcome=FollowUpOutcome.TICKET if ticket is not None else FollowUpOutcome.ANONYMOUS,
            reason=reason[:500],
            rule_version=rule.version,
            created_at=timezone.now(),
        )
        audit_append(
            actor=None,
            action="create",
            target=follow_up,
            changes={"rating": rating.pk, "ticket": getattr(ticket, "pk", None), "rule": kind, "version": rule.version},
        )
    return follow_up


def _complaint_text(rating: Rating, rated: Ticket | None, reason: str) -> tuple[str, str]:
    if rated is not None:
        subject = gettext("Complaint from a rating of %(number)s: %(score)d of 5 stars") % {
            "number": rated.number,
            "score": rating.score,
        }
    else:
        subject = gettext("Complaint from a rating: %(score)d of 5 stars") % {"score": rating.score}
    lines = [gettext("Rating: %(stars)s (%(score)d of 5)") % {"stars": rating.stars, "score": rating.score}]
    if rating.comment:
        lines.append(gettext("Comment: %(comment)s") % {"comment": rating.comment})
    if rated is not None:
        lines.append(
            gettext("Rated request: %(number)s %(subject)s") % {"number": rated.number, "subject": rated.subject}
        )
    lines.append(gettext("Opened automatically by the complaint rule: %(reason)s.") % {"reason": reason})
    return subject[:200], "\n".join(lines)
