from django.http import HttpRequest, HttpResponse

from sqm.core.permissions import require
from sqm.core.roles import Cap


@require(Cap.KB_VIEW)
def article_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("knowledge base")
