"""Working calendars: the shipped ones, editing hours and days, importing and exporting CSV and
iCalendar (all or nothing, errors naming the line or field), the admin pages, policies, and
``sqm sla due --calendar``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from sqm.audit.models import AuditEntry
from sqm.core.errors import DomainError, PermissionDeniedError
from sqm.core.roles import Role
from sqm.org.tests.factories import TeamFactory
from sqm.tickets.models import CalendarDay, SlaPolicy, TeamCalendar, WorkCalendar
from sqm.tickets.sla import calendars, fileio, selectors
from sqm.tickets.sla import services as sla
from sqm.tickets.sla.defaults import ALWAYS_OPEN_CALENDAR, CENTRE_CALENDAR
from sqm.tickets.tests.sla_fixtures import at, install_defaults

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The assertions read the English messages."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _sla_defaults(db: None) -> None:
    install_defaults()


WEEK = ["09:00-18:00"] * 5 + ["", ""]


def _centre() -> WorkCalendar:
    return WorkCalendar.objects.get(name=CENTRE_CALENDAR)


def _new(admin_user, name: str = "客服二线", weekly=WEEK) -> WorkCalendar:
    return calendars.calendar_save(actor=admin_user, name=name, time_zone="Asia/Shanghai", weekly=weekly)


# --- shipped -----------------------------------------------------------------------------------------


def test_the_centre_calendar_ships_with_chinas_2026_schedule():
    centre = _centre()
    assert centre.is_default and not centre.is_24x7 and centre.time_zone == "Asia/Shanghai"
    days = {d.date: d for d in CalendarDay.objects.filter(calendar=centre, date__year=2026)}
    assert days[dt.date(2026, 10, 1)].kind == "holiday" and "国庆节" in days[dt.date(2026, 10, 1)].name
    assert days[dt.date(2026, 10, 10)].kind == "makeup"
    assert days[dt.date(2026, 2, 14)].kind == "makeup"
    assert not CalendarDay.objects.filter(calendar=centre, date__year__lt=2025).exists()
    business = calendars.business_calendar(centre)
    assert business.add(at("2026-09-30T17:30"), dt.timedelta(minutes=60)) == at("2026-10-08T09:30")
    always = calendars.business_calendar(WorkCalendar.objects.get(name=ALWAYS_OPEN_CALENDAR))
    assert always.add(at("2026-10-01T03:00"), dt.timedelta(hours=5)) == at("2026-10-01T08:00")


def test_defaults_install_only_once():
    from sqm.tickets.sla.defaults import install_sla_defaults

    assert install_sla_defaults() == {"calendars": 0, "days": 0, "policies": 0}


# --- editing ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weekly", "field", "words"),
    [
        (["09:00-12:00,11:00-18:00", *WEEK[1:]], "hours_mon", "overlap"),
        (["09:00-18:00", "18:00-09:00", *WEEK[2:]], "hours_tue", "ends before it starts"),
        (["09:00-18:00", "09:00-18:00", "9h to 6pm", *WEEK[3:]], "hours_wed", "not an interval"),
        (["09:00-25:00", *WEEK[1:]], "hours_mon", "not an interval"),
        ([""] * 7, "hours_mon", "at least one weekday"),
    ],
)
def test_bad_weekly_hours_are_rejected_naming_the_day(admin_user, weekly, field, words):
    with pytest.raises(DomainError) as exc:
        _new(admin_user, weekly=weekly)
    assert list(exc.value.errors) == [field] and words in exc.value.as_text()
    assert not WorkCalendar.objects.filter(name="客服二线").exists()


def test_split_shifts_and_a_bad_time_zone(admin_user):
    calendar = _new(admin_user, weekly=["08:30-12:00,13:30-17:30,19:00-21:00"] * 7)
    assert calendar.weekly_hours[0] == [["08:30", "12:00"], ["13:30", "17:30"], ["19:00", "21:00"]]
    assert calendars.weekly_as_texts(calendar.weekly_hours)[6] == "08:30-12:00,13:30-17:30,19:00-21:00"
    with pytest.raises(DomainError) as exc:
        calendars.calendar_save(actor=admin_user, calendar=calendar, name="x", time_zone="Mars/Base", weekly=WEEK)
    assert list(exc.value.errors) == ["time_zone"]
    assert AuditEntry.objects.filter(object_type="tickets.workcalendar", action="create").exists()


def test_one_default_calendar_at_a_time(admin_user):
    other = calendars.calendar_save(
        actor=admin_user, name="新中心", time_zone="Asia/Shanghai", weekly=WEEK, is_default=True
    )
    assert list(WorkCalendar.objects.filter(is_default=True)) == [other]
    with pytest.raises(DomainError) as exc:
        calendars.calendar_save(
            actor=admin_user, calendar=other, name="新中心", time_zone="Asia/Shanghai", weekly=WEEK, is_default=False
        )
    assert list(exc.value.errors) == ["is_default"]


def test_only_calendar_managers_edit_calendars(users_by_role):
    for role, user in users_by_role.items():
        allowed = role in (Role.ADMIN, Role.QUALITY_MANAGER)
        if allowed:
            calendars.calendar_day_set(actor=user, calendar=_centre(), date=dt.date(2027, 1, 1), kind="holiday")
        else:
            with pytest.raises(PermissionDeniedError):
                calendars.calendar_day_set(actor=user, calendar=_centre(), date=dt.date(2027, 1, 1), kind="holiday")


def test_a_date_cannot_be_both_holiday_and_makeup_day(admin_user):
    centre = _centre()
    with pytest.raises(DomainError) as exc:
        calendars.calendar_day_set(actor=admin_user, calendar=centre, date=dt.date(2026, 10, 1), kind="makeup")
    assert list(exc.value.errors) == ["date"]
    assert CalendarDay.objects.get(calendar=centre, date=dt.date(2026, 10, 1)).kind == "holiday"


def test_adding_and_removing_days_changes_the_arithmetic(admin_user):
    centre = _centre()
    business = calendars.business_calendar(centre)
    assert business.is_open(at("2027-02-08T10:00"))
    day = calendars.calendar_day_set(
        actor=admin_user, calendar=centre, date=dt.date(2027, 2, 8), kind="holiday", name="春节"
    )
    centre.refresh_from_db()
    assert not calendars.business_calendar(centre).is_open(at("2027-02-08T10:00"))
    calendars.calendar_day_set(actor=admin_user, calendar=centre, date=dt.date(2027, 2, 20), kind="makeup", name="班")
    centre.refresh_from_db()
    assert calendars.business_calendar(centre).is_open(at("2027-02-20T10:00"))  # a Saturday
    calendars.calendar_day_delete(actor=admin_user, calendar=centre, day=day)
    centre.refresh_from_db()
    assert calendars.business_calendar(centre).is_open(at("2027-02-08T10:00"))


# --- files --------------------------------------------------------------------------------------------


CSV_2027 = (
    "date,kind,name\n"
    "2027-01-01,holiday,元旦\n"
    "2027-02-06,holiday,春节\n"
    "2027/02/07,休,春节\n"
    "2027-02-13,makeup,春节调休\n"
    "# comment lines and blank lines are skipped\n"
    "\n"
    '2027-10-01,holiday,"国庆节, National Day"\n'
).encode()


def test_csv_import_adds_a_year(admin_user):
    result = calendars.calendar_import(actor=admin_user, calendar=_centre(), filename="2027.csv", content=CSV_2027)
    assert (result.added, result.updated, result.removed, result.years) == (5, 0, 0, (2027,))
    days = {d.date: (d.kind, d.name) for d in selectors.calendar_days(_centre(), 2027)}
    assert days[dt.date(2027, 2, 7)] == ("holiday", "春节")
    assert days[dt.date(2027, 10, 1)] == ("holiday", "国庆节, National Day")
    assert AuditEntry.objects.filter(action="import").exists()
    again = calendars.calendar_import(actor=admin_user, calendar=_centre(), filename="2027.csv", content=CSV_2027)
    assert (again.added, again.updated) == (0, 0)


def test_replacing_a_year_removes_days_the_file_no_longer_lists(admin_user):
    calendars.calendar_import(actor=admin_user, calendar=_centre(), filename="2027.csv", content=CSV_2027)
    fixed = (
        b"date,kind,name\n2027-01-01,holiday,\xe5\x85\x83\xe6\x97\xa6\n2027-02-13,holiday,\xe6\x98\xa5\xe8\x8a\x82\n"
    )
    result = calendars.calendar_import(
        actor=admin_user, calendar=_centre(), filename="fix.csv", content=fixed, replace_years=True
    )
    assert (result.added, result.updated, result.removed) == (0, 1, 3)
    assert [d.date for d in selectors.calendar_days(_centre(), 2027)] == [dt.date(2027, 1, 1), dt.date(2027, 2, 13)]
    assert CalendarDay.objects.filter(calendar=_centre(), date__year=2026).count() > 20  # other years untouched


@pytest.mark.parametrize(
    ("name", "content", "line", "words"),
    [
        ("x.csv", "2027-01-01,holiday,元旦\n27-10-01,holiday,国庆\n", 2, "27-10-01"),
        ("x.csv", "2027-01-01,holiday,元旦\n2027-02-30,holiday,?\n", 2, "not a real date"),
        ("x.csv", "2027-01-01,holiday,元旦\n2027-01-01,makeup,元旦\n", 2, "both a holiday and a make-up day"),
        ("x.csv", "2027-01-01,holiday\n2027-01-02,vacation\n", 2, "vacation"),
        ("x.csv", "2027-01-01,holiday,a,b\n", 1, "3 columns"),
        ("x.csv", "3027-01-01,holiday,未来\n", 1, "between 1970 and 2100"),
        ("x.ics", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20270101\nSUMMARY:元旦\nEND:VEVENT\n", 2, "kind"),
        (
            "x.ics",
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20270101T090000\nX-SQM-KIND:holiday\nEND:VEVENT\n",
            3,
            "all-day",
        ),
    ],
)
def test_bad_files_are_rejected_naming_the_line_and_nothing_is_imported(admin_user, name, content, line, words):
    before = CalendarDay.objects.count()
    with pytest.raises(DomainError) as exc:
        calendars.calendar_import(actor=admin_user, calendar=_centre(), filename=name, content=content.encode())
    assert list(exc.value.errors) == ["file"]
    text = exc.value.as_text()
    assert f"line {line}:" in text and words in text
    assert CalendarDay.objects.count() == before


def test_unknown_formats_are_refused(admin_user):
    for name, content in [("x.xlsx", b"PK\x03\x04zip"), ("holidays.json", b'{"2027-01-01": "holiday"}')]:
        with pytest.raises(DomainError) as exc:
            calendars.calendar_import(actor=admin_user, calendar=_centre(), filename=name, content=content)
        assert list(exc.value.errors) == ["file"]
    with pytest.raises(DomainError) as empty:
        calendars.calendar_import(actor=admin_user, calendar=_centre(), filename="x.csv", content=b"date,kind,name\n")
    assert "no days" in empty.value.as_text()


ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//CN holidays//ZH\r\n"
    "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:20271001\r\nDTEND;VALUE=DATE:20271008\r\n"
    "SUMMARY:国庆节\r\nCATEGORIES:HOLIDAY\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:b\r\nDTSTART;VALUE=DATE:20270925\r\nSUMMARY:国庆节调休\\, 上班\r\n"
    "X-SQM-KIND:makeup\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:c\r\nDTSTART;VALUE=DATE:20270101\r\n"
    "SUMMARY:元旦 New Year's Day with a very long summary th\r\n"
    " at is folded onto a second line\r\nCATEGORIES:Holiday\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def test_icalendar_import_expands_multi_day_events_and_unfolds_lines(admin_user):
    result = calendars.calendar_import(
        actor=admin_user, calendar=_centre(), filename="cn.ics", content=ICS.encode("utf-8")
    )
    assert result.added == 9
    days = {d.date: (d.kind, d.name) for d in selectors.calendar_days(_centre(), 2027)}
    assert days[dt.date(2027, 10, 7)] == ("holiday", "国庆节") and dt.date(2027, 10, 8) not in days
    assert days[dt.date(2027, 9, 25)] == ("makeup", "国庆节调休, 上班")
    assert days[dt.date(2027, 1, 1)][1].endswith("that is folded onto a second line")


def test_export_and_import_round_trip_in_both_formats(admin_user):
    centre = _centre()
    days = [(d.date, d.kind, d.name) for d in selectors.calendar_days(centre, 2026)]
    other = _new(admin_user)
    for name, text in [
        ("a.csv", fileio.export_csv(days)),
        ("a.ics", fileio.export_ics("中心", days, domain="sqm.local", stamp=at("2026-01-01T00:00"))),
    ]:
        CalendarDay.objects.filter(calendar=other).delete()
        calendars.calendar_import(actor=admin_user, calendar=other, filename=name, content=text.encode())
        assert [(d.date, d.kind, d.name) for d in selectors.calendar_days(other, 2026)] == days
    ics = fileio.export_ics("中心", days, domain="sqm.local", stamp=at("2026-01-01T00:00"))
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))


def test_gb18030_csv_from_a_chinese_spreadsheet(admin_user):
    content = "日期,类型,名称\n2027-05-01,假,劳动节\n".encode("gb18030")
    result = calendars.calendar_import(actor=admin_user, calendar=_centre(), filename="劳动节.csv", content=content)
    assert result.added == 1
    assert CalendarDay.objects.get(calendar=_centre(), date=dt.date(2027, 5, 1)).name == "劳动节"


# --- team calendars and policies ----------------------------------------------------------------------


def test_team_calendar_set_and_cleared(admin_user):
    team = TeamFactory()
    always = WorkCalendar.objects.get(name=ALWAYS_OPEN_CALENDAR)
    calendars.team_calendar_set(actor=admin_user, team=team, calendar=always)
    assert TeamCalendar.objects.get(team=team).calendar == always
    calendars.team_calendar_set(actor=admin_user, team=team, calendar=None)
    assert not TeamCalendar.objects.filter(team=team).exists()


def test_policy_resolution_shorter_than_response_is_rejected(users_by_role):
    manager = users_by_role[Role.QUALITY_MANAGER]
    with pytest.raises(DomainError) as exc:
        sla.policy_draft_save(
            actor=manager,
            code="vip",
            name="VIP",
            effective_from=dt.date(2027, 1, 1),
            response_minutes=120,
            resolution_minutes=60,
        )
    assert list(exc.value.errors) == ["resolution_minutes"]
    assert not SlaPolicy.objects.filter(code="vip").exists()
    with pytest.raises(PermissionDeniedError):
        sla.policy_draft_save(
            actor=users_by_role[Role.AGENT],
            code="vip",
            name="VIP",
            effective_from=dt.date(2027, 1, 1),
            response_minutes=10,
            resolution_minutes=60,
        )


def test_a_new_version_applies_from_its_date_and_supersedes_the_old_one(users_by_role):
    from sqm.tickets.tests.factories import TicketFactory

    manager = users_by_role[Role.QUALITY_MANAGER]
    draft = sla.policy_draft_save(
        actor=manager,
        code="complaint",
        name="投诉 SLA 2027",
        ticket_type="complaint",
        effective_from=dt.date(2027, 1, 1),
        response_minutes=45,
        resolution_minutes=16 * 60,
    )
    assert (draft.version, draft.status) == (2, "draft")
    ticket = TicketFactory(type="complaint")
    assert sla.policy_for(ticket, dt.date(2027, 1, 5)).version == 1  # drafts never apply
    sla.policy_publish(actor=manager, policy=draft)
    assert sla.policy_for(ticket, dt.date(2026, 12, 31)).version == 1
    assert sla.policy_for(ticket, dt.date(2027, 1, 5)).version == 2
    assert SlaPolicy.objects.get(code="complaint", version=1).status == "effective"  # still in force in 2026
    assert sla.policy_statuses_refresh(today=dt.date(2027, 1, 1)) == 1
    assert SlaPolicy.objects.get(code="complaint", version=1).status == "superseded"
    with pytest.raises(DomainError) as exc:
        sla.policy_draft_save(
            actor=manager,
            policy=draft,
            code="complaint",
            name="x",
            effective_from=dt.date(2027, 1, 1),
            response_minutes=45,
            resolution_minutes=60,
        )
    assert list(exc.value.errors) == ["status"]  # effective versions are never edited in place


# --- the command --------------------------------------------------------------------------------------


def test_sla_due_with_a_stored_calendar(admin_user):
    out = StringIO()
    call_command(
        "sla", "due", "--start", "2026-09-30T17:30+08:00", "--minutes", "60", "--calendar", CENTRE_CALENDAR, stdout=out
    )
    assert out.getvalue().strip() == "2026-10-08T09:30:00+08:00"
    out = StringIO()
    call_command(
        "sla", "due", "--start", "2026-09-30T17:30", "--minutes", "60", "--calendar", ALWAYS_OPEN_CALENDAR, stdout=out
    )
    assert out.getvalue().strip() == "2026-09-30T18:30:00+08:00"
    with pytest.raises(CommandError, match="no calendar named"):
        call_command("sla", "due", "--start", "2026-09-30T17:30+08:00", "--minutes", "60", "--calendar", "nope")


# --- pages --------------------------------------------------------------------------------------------


def test_calendar_pages_for_an_administrator(admin_user, client_for, django_assert_max_num_queries):
    client = client_for(admin_user)
    for _ in range(3):
        TeamFactory()
    with django_assert_max_num_queries(12):
        listing = client.get(reverse("sla:calendar_list"))
    assert listing.status_code == 200 and CENTRE_CALENDAR in listing.content.decode()
    centre = _centre()
    with django_assert_max_num_queries(12):
        page = client.get(reverse("sla:calendar_detail", args=[centre.pk]) + "?year=2026")
    text = page.content.decode()
    assert page.status_code == 200 and "2026-10-01" in text and "国庆节" in text
    assert len(page.context["preview"]) == 10


def test_day_form_and_import_through_the_pages(admin_user, client_for):
    client = client_for(admin_user)
    client.cookies["sqm_language"] = "en"  # the assertions read English messages
    centre = _centre()
    url = reverse("sla:calendar_day_add", args=[centre.pk])
    bad = client.post(url, {"date": "2026-10-01", "kind": "makeup", "name": "x"})
    assert bad.status_code == 400 and "remove it first" in bad.content.decode()
    ok = client.post(url, {"date": "2027-01-01", "kind": "holiday", "name": "元旦"})
    assert ok.status_code == 302
    assert CalendarDay.objects.filter(calendar=centre, date=dt.date(2027, 1, 1)).exists()

    upload = SimpleUploadedFile("bad.csv", b"2027-05-01,holiday,\xe5\x8a\xb3\n2027-13-01,holiday,x\n")
    response = client.post(reverse("sla:calendar_import", args=[centre.pk]), {"file": upload})
    assert response.status_code == 400 and "line 2:" in response.content.decode()
    assert not CalendarDay.objects.filter(calendar=centre, date=dt.date(2027, 5, 1)).exists()
    upload = SimpleUploadedFile("good.csv", CSV_2027)
    response = client.post(reverse("sla:calendar_import", args=[centre.pk]), {"file": upload})
    assert response.status_code == 302 and CalendarDay.objects.filter(calendar=centre, date__year=2027).count() == 5

    csv_export = client.get(reverse("sla:calendar_export", args=[centre.pk]) + "?year=2027")
    assert csv_export["Content-Type"].startswith("text/csv") and "2027-02-13,makeup" in csv_export.content.decode()
    ics_export = client.get(reverse("sla:calendar_export", args=[centre.pk]) + "?year=2027&format=ics")
    assert "DTSTART;VALUE=DATE:20270213" in ics_export.content.decode()


def test_calendar_edit_page_shows_errors_on_the_weekday(admin_user, client_for):
    client = client_for(admin_user)
    client.cookies["sqm_language"] = "en"  # the assertions read English messages
    centre = _centre()
    form = {
        "name": centre.name,
        "time_zone": "Asia/Shanghai",
        "is_default": "on",
        "hours_mon": "09:00-12:00,11:00-13:00",
    }
    response = client.post(reverse("sla:calendar_edit", args=[centre.pk]), form)
    assert response.status_code == 400
    assert "overlap" in str(response.context["form"].errors["hours_mon"])
    form["hours_mon"] = "09:00-12:00,13:00-18:00"
    assert client.post(reverse("sla:calendar_edit", args=[centre.pk]), form).status_code == 302
    centre.refresh_from_db()
    assert centre.weekly_hours[0] == [["09:00", "12:00"], ["13:00", "18:00"]] and centre.weekly_hours[1] == []


def test_policy_pages(users_by_role, client_for):
    client = client_for(users_by_role[Role.QUALITY_MANAGER])
    assert client.get(reverse("sla:policy_list")).status_code == 200
    source = SlaPolicy.objects.get(code="service")
    form = client.get(reverse("sla:policy_create") + f"?from={source.pk}").context["form"]
    assert form.initial["response_minutes"] == 30
    data = {
        "code": "service",
        "name": "服务 SLA 2027",
        "effective_from": "2027-01-01",
        "response_minutes": "20",
        "resolution_minutes": "10",
        "warn_fraction": "0.8",
        "escalate_after_minutes": "60",
    }
    bad = client.post(reverse("sla:policy_create"), data)
    assert bad.status_code == 400 and "resolution_minutes" in bad.context["form"].errors
    data["resolution_minutes"] = "1200"
    assert client.post(reverse("sla:policy_create"), data).status_code == 302
    draft = SlaPolicy.objects.get(code="service", version=2)
    assert client.post(reverse("sla:policy_publish", args=[draft.pk])).status_code == 302
    assert SlaPolicy.objects.get(pk=draft.pk).status == "effective"
