"""Mystery shoppers (服务体验官): a five-criteria scorecard with comments and evidence files (type-
and size-limited, stored by hash in the data directory), reviewed by a quality manager; shoppers
see only their own visits."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from sqm.audit.models import AuditEntry
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Role
from sqm.feedback.surveys import selectors, services
from sqm.feedback.surveys.models import MysteryEvidence, MysteryVisit
from sqm.feedback.tests.surveys_factories import MP3, PDF, PNG, MysteryVisitFactory
from sqm.org.tests.factories import TeamFactory, UserFactory
from sqm.tickets.services.attachments import IncomingFile

pytestmark = pytest.mark.django_db
SCORES = {"attitude": 5, "professionalism": 4, "timeliness": 3, "environment": 4, "sop": 5}


@pytest.fixture
def shopper(make_user):
    return make_user(Role.MYSTERY_SHOPPER)


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _create(shopper, **kwargs):
    data = {
        "actor": shopper,
        "channel": "walk_in",
        "visited_at": timezone.now() - dt.timedelta(hours=2),
        "scenario": "到营业厅办理宽带移机",
        "scores": SCORES,
        "team": TeamFactory(),
        **kwargs,
    }
    return services.mystery_visit_create(**data)


def test_a_scorecard_with_evidence_is_stored_and_audited(shopper, media):
    agent = UserFactory(role=Role.AGENT)
    visit = _create(
        shopper,
        agent=agent,
        place="高新区营业厅",
        comments={"timeliness": "排队15分钟"},
        files=[IncomingFile("大厅.png", PNG), IncomingFile("录音.mp3", MP3), IncomingFile("回执.pdf", PDF)],
    )
    assert (visit.total, visit.percent, visit.status) == (21, 84, "submitted")
    assert visit.timeliness_comment == "排队15分钟" and visit.agent_id == agent.pk
    files = list(visit.evidence.order_by("pk"))
    assert [(f.name, f.content_type) for f in files] == [
        ("大厅.png", "image/png"),
        ("录音.mp3", "audio/mpeg"),
        ("回执.pdf", "application/pdf"),
    ]
    digest = hashlib.sha256(PNG).hexdigest()
    assert files[0].sha256 == digest and (media / "mystery" / digest[:2] / digest).read_bytes() == PNG
    entry = AuditEntry.objects.get(object_type="feedback.mysteryvisit", action="create")
    assert entry.changes["evidence"]["after"][0]["sha256"] == digest


def test_scorecard_rules_name_the_field(shopper):
    def refused(field: str, **kwargs) -> None:
        with pytest.raises(DomainError) as exc:
            _create(shopper, **kwargs)
        assert field in exc.value.errors, (field, exc.value.errors)

    refused("attitude", scores={**SCORES, "attitude": 6})
    refused("sop", scores={**SCORES, "sop": 0})
    refused("environment", scores={k: v for k, v in SCORES.items() if k != "environment"})
    refused("timeliness_comment", scores={**SCORES, "timeliness": 2})
    refused("channel", channel="fax")
    refused("visited_at", visited_at=timezone.now() + dt.timedelta(days=1))
    refused("scenario", scenario="  ")
    refused("place", team=None, place="")
    refused("agent", agent=UserFactory(role=Role.CUSTOMER))
    with pytest.raises(PermissionDeniedError):
        _create(UserFactory(role=Role.QUALITY_MANAGER))
    assert not MysteryVisit.objects.exists()
    low = _create(shopper, scores={**SCORES, "timeliness": 1}, comments={"timeliness": "等了40分钟"})
    assert low.timeliness == 1


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("脚本.exe", b"MZ\x90\x00", "type"),
        ("照片.png", b"GIF89a fake", "type"),  # not what its name says
        ("录音.wav", b"RIFF\x00\x00\x00\x00AVI ", "type"),
        ("空.pdf", b"", "empty"),
        ("大.jpg", b"\xff\xd8\xff" + b"\x00" * 2048, "too_large"),
    ],
)
def test_evidence_type_and_size_limits(shopper, settings, name, content, code):
    settings.SQM_MYSTERY_EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(DomainError) as exc:
        _create(shopper, files=[IncomingFile(name, content)])
    assert exc.value.code == code and "evidence" in exc.value.errors
    assert not MysteryVisit.objects.exists() and not MysteryEvidence.objects.exists()


def test_at_most_ten_files_and_more_can_be_added_until_reviewed(shopper, make_user):
    with pytest.raises(DomainError) as exc:
        _create(shopper, files=[IncomingFile(f"{n}.png", PNG) for n in range(11)])
    assert exc.value.code == "too_many"
    visit = _create(shopper)
    added = services.mystery_evidence_add(actor=shopper, visit=visit, files=[IncomingFile("补充.pdf", PDF)])
    assert len(added) == 1 and visit.evidence.count() == 1
    with pytest.raises(PermissionDeniedError):
        services.mystery_evidence_add(
            actor=make_user(Role.MYSTERY_SHOPPER), visit=visit, files=[IncomingFile("x.png", PNG)]
        )
    services.mystery_visit_review(actor=make_user(Role.QUALITY_MANAGER), visit=visit, verdict="accepted")
    with pytest.raises(DomainError) as exc:
        services.mystery_evidence_add(actor=shopper, visit=visit, files=[IncomingFile("晚了.png", PNG)])
    assert "status" in exc.value.errors


def test_review_by_a_quality_manager(shopper, make_user):
    visit = _create(shopper)
    manager = make_user(Role.QUALITY_MANAGER)
    with pytest.raises(PermissionDeniedError):
        services.mystery_visit_review(actor=shopper, visit=visit, verdict="accepted")
    with pytest.raises(DomainError) as exc:
        services.mystery_visit_review(actor=manager, visit=visit, verdict="rejected")
    assert "note" in exc.value.errors, "a rejection says why"
    with pytest.raises(DomainError) as exc:
        services.mystery_visit_review(actor=manager, visit=visit, verdict="maybe")
    assert "verdict" in exc.value.errors
    done = services.mystery_visit_review(actor=manager, visit=visit, verdict="rejected", note="证据与场景不符")
    assert (done.status, done.reviewed_by_id, done.review_note) == ("rejected", manager.pk, "证据与场景不符")
    with pytest.raises(DomainError):
        services.mystery_visit_review(actor=manager, visit=visit, verdict="accepted")


def test_mystery_shoppers_see_only_their_own(shopper, make_user, client_for):
    mine = MysteryVisitFactory(shopper=shopper)
    theirs = MysteryVisitFactory()
    services.mystery_evidence_add(actor=theirs.shopper, visit=theirs, files=[IncomingFile("他人.png", PNG)])
    evidence = theirs.evidence.get()
    assert list(selectors.mystery_visits(shopper)) == [mine]
    assert selectors.mystery_visit_for(shopper, theirs.pk) is None
    assert selectors.evidence_for(shopper, evidence.pk) is None
    manager = make_user(Role.QUALITY_MANAGER)
    assert {v.pk for v in selectors.mystery_visits(manager)} == {mine.pk, theirs.pk}
    assert not selectors.mystery_visits(make_user(Role.AGENT)).exists()
    client = client_for(shopper)
    assert client.get(reverse("feedback:mystery_visit_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("feedback:mystery_evidence_download", args=[evidence.pk])).status_code == 404
    assert client.get(f"/api/feedback/mystery-visits/{theirs.pk}").status_code == 404
    listed = client.get("/api/feedback/mystery-visits").json()
    assert [v["id"] for v in listed["items"]] == [mine.pk] and listed["count"] == 1
    download = client_for(manager).get(reverse("feedback:mystery_evidence_download", args=[evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    assert download["Content-Security-Policy"] == "sandbox" and "attachment" in download["Content-Disposition"]
