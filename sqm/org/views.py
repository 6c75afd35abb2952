from django.http import HttpRequest, HttpResponse

from sqm.core.permissions import require
from sqm.core.roles import Cap


@require(Cap.ORG_VIEW)
def user_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("users")


@require(Cap.ORG_VIEW)
def team_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("teams")


@require(Cap.ORG_VIEW)
def skill_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("skills")


@require(None)
def account(request: HttpRequest) -> HttpResponse:
    return HttpResponse("account")
