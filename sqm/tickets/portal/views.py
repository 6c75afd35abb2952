from django.http import HttpRequest, HttpResponse

from sqm.core.permissions import require


@require(None)
def my_tickets(request: HttpRequest) -> HttpResponse:
    return HttpResponse("my tickets")
