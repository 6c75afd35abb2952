"""Agent and team-lead pages (placeholders until the UI slice lands)."""

from django.http import HttpRequest, HttpResponse

from sqm.core.permissions import require
from sqm.core.roles import Cap


@require(Cap.TICKET_WORK)
def my_queue(request: HttpRequest) -> HttpResponse:
    return HttpResponse("my queue")


@require(Cap.TICKET_VIEW)
def team_queue(request: HttpRequest) -> HttpResponse:
    return HttpResponse("team queue")


@require(Cap.TICKET_WORK)
def owned(request: HttpRequest) -> HttpResponse:
    return HttpResponse("owned")


@require(Cap.TICKET_WORK)
def log_contact(request: HttpRequest) -> HttpResponse:
    return HttpResponse("log")


@require(Cap.PROCESS_MANAGE)
def process_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("processes")
