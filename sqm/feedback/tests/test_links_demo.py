"""The demo's QR codes and ratings, invitations and complaints opened from low ratings."""

from __future__ import annotations

import random

import pytest

pytestmark = pytest.mark.django_db


def test_demo_adds_qr_ratings_bursts_invitations_and_follow_ups():
    from sqm.feedback import demo
    from sqm.feedback.links import services
    from sqm.feedback.links.models import QrCode, QrRating, RatingFollowUp, RatingInvitation
    from sqm.feedback.models import Rating
    from sqm.org import demo as org_demo
    from sqm.org.models import Team
    from sqm.tickets import demo as tickets_demo
    from sqm.tickets.models import TicketType
    from sqm.tickets.sla.defaults import install_sla_defaults

    install_sla_defaults()
    rng = random.Random(5)
    shared: dict = {"tickets": 3000}
    org_demo.load(rng=rng, shared=shared)
    tickets_demo.load(rng=rng, shared=shared)
    summary = demo.load(rng=rng, shared=shared)
    codes = QrCode.objects.all()
    assert codes.filter(agent__isnull=True).count() == Team.objects.filter(is_active=True).count()
    assert codes.filter(agent__isnull=False).count() == 6 and f"{codes.count()} QR codes" in summary
    qr = Rating.objects.filter(source="qr")
    assert qr.count() > 3000 and QrRating.objects.count() == qr.count()
    assert sum(r.score >= 4 for r in qr) / qr.count() > 0.75
    flagged = qr.filter(counted=False)
    assert flagged.exists() and all("one device in a minute" in r.flag_reason for r in flagged)
    for rating in flagged[:20]:  # a burst: one device, many ratings within a minute
        device = rating.qr.device
        assert QrRating.objects.filter(device=device).count() > services.BURST_DEVICE
    assert RatingInvitation.objects.exists()
    follow_ups = RatingFollowUp.objects.select_related("ticket", "rating")
    assert 1 <= follow_ups.count() <= 5
    for follow_up in follow_ups:
        assert follow_up.ticket.type == TicketType.COMPLAINT and follow_up.rating.score <= 2
        assert follow_up.ticket.customer_id == follow_up.rating.customer_id
