"""Pages of SLA clocks: working calendars (admin and quality manager), SLA policies (quality
manager), and each staff member's SLA notifications.

Thin views: a form checks the shape, a service applies the rules (its DomainError lands on the
form), then a redirect. Calendar pages need ``Cap.CALENDAR_MANAGE``, policy pages
``Cap.PROCESS_MANAGE``, notifications ``Cap.TICKET_VIEW``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from sqm.core.errors import DomainError
from sqm.core.forms import submit as _submit
from sqm.core.permissions import require
from sqm.core.roles import Cap
from sqm.org.models import Team
from sqm.tickets.models import CalendarDay, Notification, SlaPolicy, WorkCalendar
from sqm.tickets.sla import calendars, fileio, selectors, services
from sqm.tickets.sla import forms as sla_forms
from sqm.tickets.sla.calendars import HOURS_FIELDS, weekly_as_texts


def _calendar_or_404(pk: int) -> WorkCalendar:
    calendar = selectors.calendar_detail(pk)
    if calendar is None:
        raise Http404
    return calendar


def _form_page(request: HttpRequest, form: forms.BaseForm, **context: Any) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "tickets/sla/form_page.html", {"form": form, **context}, status=status)


# --- calendars -------------------------------------------------------------------------------------


@require(Cap.CALENDAR_MANAGE)
@require_GET
def calendar_list(request: HttpRequest) -> HttpResponse:
    """Every calendar, and which teams work to which calendar."""
    teams = selectors.team_calendars()
    team_forms = [
        (
            team,
            sla_forms.TeamCalendarForm(
                initial={"calendar": getattr(getattr(team, "sla_calendar", None), "calendar_id", None)},
                prefix=f"team{team.pk}",
            ),
        )
        for team in teams
    ]
    return render(
        request,
        "tickets/sla/calendar_list.html",
        {"calendars": list(selectors.calendars()), "team_forms": team_forms},
    )


@require(Cap.CALENDAR_MANAGE)
def calendar_create(request: HttpRequest) -> HttpResponse:
    form = sla_forms.CalendarForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        ok, calendar = _submit(
            form,
            lambda d: calendars.calendar_save(
                actor=request.user,
                name=d["name"],
                time_zone=d["time_zone"],
                weekly=form.weekly(),
                is_24x7=d["is_24x7"],
                is_default=d["is_default"],
            ),
        )
        if ok:
            messages.success(request, _("The calendar “%(name)s” was created.") % {"name": calendar})
            return redirect("sla:calendar_detail", pk=calendar.pk)
    return _form_page(
        request,
        form,
        title=_("New working calendar"),
        back_url=reverse("sla:calendar_list"),
        back_label=_("Working calendars"),
        submit_label=_("Create calendar"),
    )


@require(Cap.CALENDAR_MANAGE)
def calendar_edit(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = _calendar_or_404(pk)
    form = sla_forms.CalendarForm(request.POST if request.method == "POST" else None, calendar=calendar)
    if request.method == "POST":
        ok, _saved = _submit(
            form,
            lambda d: calendars.calendar_save(
                actor=request.user,
                calendar=calendar,
                name=d["name"],
                time_zone=d["time_zone"],
                weekly=form.weekly(),
                is_24x7=d["is_24x7"],
                is_default=d["is_default"],
            ),
        )
        if ok:
            messages.success(request, _("The calendar was saved; open tickets on it are being re-timed."))
            return redirect("sla:calendar_detail", pk=calendar.pk)
    return _form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": calendar.name},
        back_url=reverse("sla:calendar_detail", args=[calendar.pk]),
        back_label=calendar.name,
        submit_label=_("Save"),
    )


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if fileio.MIN_YEAR <= year <= fileio.MAX_YEAR else timezone.localdate().year


def _detail(
    request: HttpRequest,
    calendar: WorkCalendar,
    *,
    year: int | None = None,
    day_form: forms.Form | None = None,
    import_form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    year = year or _year(request)
    texts = weekly_as_texts(calendar.weekly_hours)
    context = {
        "calendar": calendar,
        "weekly": list(zip(sla_forms.WEEKDAY_LABELS, texts, strict=True)),
        "year": year,
        "years": selectors.calendar_years(calendar),
        "days": selectors.calendar_days(calendar, year),
        "preview": selectors.calendar_preview(calendar, count=10),
        "day_form": day_form or sla_forms.DayForm(),
        "import_form": import_form or sla_forms.ImportForm(),
        "hours_fields": HOURS_FIELDS,
    }
    return render(request, "tickets/sla/calendar_detail.html", context, status=status)


@require(Cap.CALENDAR_MANAGE)
@require_GET
def calendar_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Weekly hours, the next working periods, and one year's holidays and make-up days."""
    return _detail(request, _calendar_or_404(pk))


@require(Cap.CALENDAR_MANAGE)
@require_POST
def calendar_day_add(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = _calendar_or_404(pk)
    form = sla_forms.DayForm(request.POST)
    ok, day = _submit(
        form,
        lambda d: calendars.calendar_day_set(
            actor=request.user, calendar=calendar, date=d["date"], kind=d["kind"], name=d["name"]
        ),
    )
    if not ok:
        return _detail(request, calendar, day_form=form, status=400)
    messages.success(request, _("%(date)s was saved.") % {"date": day.date.isoformat()})
    return redirect(f"{reverse('sla:calendar_detail', args=[calendar.pk])}?year={day.date.year}")


@require(Cap.CALENDAR_MANAGE)
@require_POST
def calendar_day_delete(request: HttpRequest, pk: int, day_pk: int) -> HttpResponse:
    calendar = _calendar_or_404(pk)
    day = CalendarDay.objects.filter(pk=day_pk, calendar=calendar).first()
    if day is None:
        raise Http404
    calendars.calendar_day_delete(actor=request.user, calendar=calendar, day=day)
    messages.success(request, _("%(date)s was removed.") % {"date": day.date.isoformat()})
    return redirect(f"{reverse('sla:calendar_detail', args=[calendar.pk])}?year={day.date.year}")


@require(Cap.CALENDAR_MANAGE)
@require_POST
def calendar_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Load holidays and make-up days from a CSV or iCalendar file: all of it, or nothing."""
    calendar = _calendar_or_404(pk)
    form = sla_forms.ImportForm(request.POST, request.FILES)
    ok, result = _submit(
        form,
        lambda d: calendars.calendar_import(
            actor=request.user,
            calendar=calendar,
            filename=d["file"].name,
            content=d["file"].read(fileio.MAX_BYTES + 1),
            replace_years=d["replace_years"],
        ),
    )
    if not ok:
        return _detail(request, calendar, import_form=form, status=400)
    messages.success(
        request,
        _("Imported: %(added)d added, %(updated)d changed, %(removed)d removed.")
        % {"added": result.added, "updated": result.updated, "removed": result.removed},
    )
    return redirect(f"{reverse('sla:calendar_detail', args=[calendar.pk])}?year={result.years[0]}")


@require(Cap.CALENDAR_MANAGE)
@require_GET
def calendar_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The calendar's special days as CSV or iCalendar (``?format=ics``), one year or all (``?year=``)."""
    calendar = _calendar_or_404(pk)
    year = _year(request) if request.GET.get("year") else None
    days = [(d.date, d.kind, d.name) for d in selectors.calendar_days(calendar, year)]
    stem = f"calendar-{calendar.pk}" + (f"-{year}" if year else "")
    if request.GET.get("format") == "ics":
        body = fileio.export_ics(calendar.name, days, domain=settings.SQM_MAIL_DOMAIN, stamp=timezone.now())
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}.ics"'
    else:
        response = HttpResponse("\ufeff" + fileio.export_csv(days), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    return response


@require(Cap.CALENDAR_MANAGE)
@require_POST
def team_calendar_set(request: HttpRequest, team_pk: int) -> HttpResponse:
    team = Team.objects.filter(pk=team_pk).first()
    if team is None:
        raise Http404
    form = sla_forms.TeamCalendarForm(request.POST, prefix=f"team{team.pk}")
    ok, _result = _submit(
        form, lambda d: calendars.team_calendar_set(actor=request.user, team=team, calendar=d["calendar"])
    )
    if ok:
        messages.success(request, _("The calendar of %(team)s was saved.") % {"team": team})
    else:
        messages.error(request, _("Choose a calendar from the list."))
    return redirect("sla:calendar_list")


# --- policies -----------------------------------------------------------------------------------------


@require(Cap.PROCESS_MANAGE)
@require_GET
def policy_list(request: HttpRequest) -> HttpResponse:
    """Every version of every SLA policy, newest first within a code."""
    return render(request, "tickets/sla/policy_list.html", {"policies": list(selectors.policies())})


@require(Cap.PROCESS_MANAGE)
def policy_create(request: HttpRequest) -> HttpResponse:
    """A new policy, or (``?from=<pk>``) the next version of one, as a draft."""
    source = SlaPolicy.objects.filter(pk=request.GET.get("from") or 0).first()
    initial: dict[str, Any] = {"effective_from": timezone.localdate()}
    if source is not None:
        initial |= {
            f: getattr(source, f)
            for f in ("code", "name", "ticket_type", "priority", "response_minutes", "resolution_minutes")
        }
        initial["tier"] = source.tier or ""
        initial |= {
            "warn_fraction": source.warn_fraction,
            "escalate_after_minutes": source.escalate_after_minutes,
            "calendar": source.calendar_id,
        }
    form = sla_forms.PolicyForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        ok, policy = _submit(form, lambda d: services.policy_draft_save(actor=request.user, **d))
        if ok:
            messages.success(
                request, _("Draft %(policy)s saved; publish it to put it into effect.") % {"policy": policy}
            )
            return redirect("sla:policy_list")
    return _form_page(
        request,
        form,
        title=_("New SLA policy version"),
        back_url=reverse("sla:policy_list"),
        back_label=_("SLA policies"),
        submit_label=_("Save draft"),
    )


@require(Cap.PROCESS_MANAGE)
@require_POST
def policy_publish(request: HttpRequest, pk: int) -> HttpResponse:
    policy = SlaPolicy.objects.filter(pk=pk).first()
    if policy is None:
        raise Http404
    try:
        services.policy_publish(actor=request.user, policy=policy)
    except DomainError as exc:
        messages.error(request, exc.as_text())
        return redirect("sla:policy_list")
    messages.success(
        request, _("%(policy)s is in effect from %(date)s.") % {"policy": policy, "date": policy.effective_from}
    )
    return redirect("sla:policy_list")


# --- notifications --------------------------------------------------------------------------------------


@require(Cap.TICKET_VIEW)
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """The signed-in staff member's SLA warnings, breaches and escalations, newest first."""
    unread_only = request.GET.get("unread") == "1"
    context = {
        "notifications": selectors.notifications_for(request.user, unread_only=unread_only),  # type: ignore[arg-type]
        "unread_only": unread_only,
        "unread": selectors.unread_count(request.user),  # type: ignore[arg-type]
    }
    return render(request, "tickets/sla/notification_list.html", context)


@require(Cap.TICKET_VIEW)
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    note = Notification.objects.filter(pk=pk).first()
    if note is None:
        raise Http404
    if note.user_id != request.user.pk:
        raise PermissionDenied
    services.notification_read(actor=request.user, notification=note)
    return redirect("sla:notification_list")


@require(Cap.TICKET_VIEW)
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_read_all(actor=request.user)
    return redirect("sla:notification_list")
