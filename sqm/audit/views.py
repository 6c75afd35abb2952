from django.http import HttpRequest, HttpResponse

from sqm.core.permissions import require
from sqm.core.roles import Cap


@require(Cap.AUDIT_VIEW)
def entry_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("audit")


@require(Cap.AUDIT_VERIFY)
def verify(request: HttpRequest) -> HttpResponse:
    return HttpResponse("verify")
