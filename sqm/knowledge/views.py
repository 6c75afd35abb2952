"""Knowledge-base pages: search and read (``KB_VIEW``), write and publish (``KB_MANAGE``).

Views stay thin: a form checks the input's shape, a service of :mod:`sqm.knowledge.services`
applies the rules and writes (with its audit entry), and the view redirects or, for htmx,
answers with the partial that changed. The suggestion endpoint reads a ticket for display
only, through the ticket selectors, imported where they are used so that the knowledge base
keeps no dependency on the ticket code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from sqm.core.errors import NON_FIELD, DomainError
from sqm.core.forms import apply_domain_error
from sqm.core.permissions import require
from sqm.core.roles import Cap, can
from sqm.knowledge import selectors, services
from sqm.knowledge.forms import ArticleFilterForm, ArticleForm
from sqm.knowledge.models import Article, ArticleKind, KbCategory

ARTICLES_PER_PAGE = 20
SUGGESTIONS = 5
DEFAULT_REPLY_BOX = "id_body"
_ELEMENT_ID = re.compile(r"^[A-Za-z][\w-]{0,60}$")
# Fields the services name that the forms keep hidden: their errors belong above the form.
_HIDDEN_FIELDS = ("version", "source_ticket", "ticket", "author")


# --- helpers -------------------------------------------------------------------------------------


def _is_htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _submit(form: forms.BaseForm, action: Callable[[dict[str, Any]], Any]) -> tuple[bool, Any]:
    """Validate ``form`` and hand its data to a service; broken rules land on the form."""
    if not form.is_valid():
        return False, None
    try:
        return True, action(form.cleaned_data)
    except DomainError as exc:
        for field in _HIDDEN_FIELDS:
            if field in exc.errors:
                exc.errors.setdefault(NON_FIELD, []).extend(exc.errors.pop(field))
        apply_domain_error(form, exc)
        return False, None


def _id(raw: Any) -> int | None:
    """A database id from a query parameter; None unless it is a whole number the database can hold."""
    text = str(raw or "").strip()
    if not text.isdigit() or len(text) > 18 or int(text) < 1:
        return None
    return int(text)


def _category(tree: list[KbCategory], pk: int | None) -> KbCategory | None:
    return next((node for node in tree if node.pk == pk), None)


def _article_or_404(request: HttpRequest, pk: int) -> Article:
    article = selectors.article_detail(request.user, pk)
    if article is None:
        raise Http404
    return article


def ticket_url(ticket_id: int | None) -> str | None:
    """The ticket page's address, once the ticket UI provides one."""
    if ticket_id is None:
        return None
    try:
        return reverse("tickets:ticket_detail", args=[ticket_id])
    except NoReverseMatch:
        return None


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _form_page(request: HttpRequest, form: ArticleForm, *, title: Any, back_url: str, **extra: Any) -> HttpResponse:
    context = {"form": form, "title": title, "back_url": back_url, **extra}
    return render(request, "knowledge/article_form.html", context)


# --- reading -------------------------------------------------------------------------------------


@require(Cap.KB_VIEW)
@vary_on_headers("HX-Request")
def article_list(request: HttpRequest) -> HttpResponse:
    """Search and browse: words in Chinese or English, category (with its sub-categories), kind."""
    tree = selectors.categories()
    can_manage = selectors.may_manage(request.user)
    form = ArticleFilterForm(request.GET, tree=tree, can_manage=can_manage)
    filters = selectors.ArticleFilters(**form.filters())
    page = Paginator(selectors.articles(request.user, filters, tree=tree), ARTICLES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "filter_form": form,
        "page": page,
        "query": filters.q,
        "filtered": any([filters.q, filters.category_id, filters.kind, filters.language, filters.status]),
        "can_manage": can_manage,
    }
    template = "knowledge/partials/article_results.html" if _is_htmx(request) else "knowledge/article_list.html"
    return render(request, template, context)


@require(Cap.KB_VIEW)
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One article or solved case, its text rendered safely, with its facts and (for writers) actions."""
    article = _article_or_404(request, pk)
    audit_query = urlencode({"object_type": "knowledge.article", "object_id": article.pk})
    context = {
        "article": article,
        "can_manage": selectors.may_manage(request.user),
        "can_audit": can(request.user, Cap.AUDIT_VIEW),
        "audit_url": f"{reverse('audit:entry_list')}?{audit_query}",
        "ticket_url": ticket_url(article.source_ticket_id) if can(request.user, Cap.TICKET_VIEW) else None,
    }
    return render(request, "knowledge/article_detail.html", context)


# --- writing -------------------------------------------------------------------------------------


def _ticket_for_case(request: HttpRequest, raw: Any) -> Any:
    """The ticket a solved case is written from (``?ticket=<id>``); needs the right to read tickets."""
    ticket_id = _id(raw)
    if ticket_id is None:
        return None
    if not can(request.user, Cap.TICKET_VIEW):
        raise PermissionDenied
    from sqm.tickets.selectors import ticket_page  # a read for display; see the module docstring

    ticket = ticket_page(ticket_id)
    if ticket is None:
        raise Http404
    return ticket


@require(Cap.KB_MANAGE)
def article_create(request: HttpRequest) -> HttpResponse:
    """Write a new article (a draft). With ``?ticket=<id>``, a solved case drafted from that ticket."""
    tree = selectors.categories()
    data = request.POST if request.method == "POST" else None
    ticket = _ticket_for_case(request, (data or request.GET).get("ticket"))
    initial: dict[str, Any] = {"kind": ArticleKind.ARTICLE, "language": "en" if _english() else "zh"}
    if ticket is not None:
        initial = {**services.case_draft(ticket), "kind": ArticleKind.CASE, "ticket": ticket.pk}
    form = ArticleForm(data, initial=initial, tree=tree)
    if ticket is not None:
        form.fields["kind"].disabled = True
    if data is not None:
        ok, article = _submit(form, lambda d: _create(request, d, tree, ticket))
        if ok:
            messages.success(
                request, _("The draft “%(title)s” was saved. Publish it when it is ready.") % {"title": article.title}
            )
            return redirect("knowledge:article_detail", pk=article.pk)
    title = _("Write up a solved case") if ticket is not None else _("New article")
    return _form_page(request, form, title=title, back_url=reverse("knowledge:article_list"), ticket=ticket)


def _create(request: HttpRequest, d: dict[str, Any], tree: list[KbCategory], ticket: Any) -> Article:
    common = {
        "actor": request.user,
        "title": d["title"],
        "body": d["body"],
        "language": d["language"],
        "category": _category(tree, d["category"]),
        "tags": d["tags"],
    }
    if ticket is not None:
        return services.solved_case_create(ticket=ticket, **common)
    return services.article_create(kind=d["kind"], **common)


@require(Cap.KB_MANAGE)
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an article; saving over someone else's newer version is refused, not lost."""
    article = _article_or_404(request, pk)
    tree = selectors.categories()
    initial = {
        "kind": article.kind,
        "title": article.title,
        "body": article.body,
        "language": article.language,
        "category": article.category_id,
        "tags": ", ".join(article.tags),
        "version": article.version,
    }
    data = request.POST if request.method == "POST" else None
    form = ArticleForm(data, initial=initial, tree=tree, keep_category=article.category_id)
    if data is not None:
        ok, _article = _submit(
            form,
            lambda d: services.article_update(
                actor=request.user,
                article=article,
                title=d["title"],
                body=d["body"],
                kind=d["kind"],
                language=d["language"],
                category=_category(tree, d["category"]),
                tags=d["tags"],
                version=d["version"],
            ),
        )
        if ok:
            messages.success(request, _("The changes were saved."))
            return redirect("knowledge:article_detail", pk=article.pk)
    back = reverse("knowledge:article_detail", args=[article.pk])
    return _form_page(request, form, title=_("Edit “%(title)s”") % {"title": article.title}, back_url=back)


def _status_change(request: HttpRequest, pk: int, action: Callable[..., Article], done: Any) -> HttpResponse:
    article = _article_or_404(request, pk)
    try:
        article = action(actor=request.user, article=article)
    except DomainError as exc:
        messages.error(request, exc.as_text())
    else:
        messages.success(request, done % {"title": article.title})
    return redirect("knowledge:article_detail", pk=article.pk)


@require(Cap.KB_MANAGE)
@require_POST
def article_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish: everyone who reads the knowledge base now finds it in searches and suggestions."""
    return _status_change(request, pk, services.article_publish, _("“%(title)s” is published."))


@require(Cap.KB_MANAGE)
@require_POST
def article_retire(request: HttpRequest, pk: int) -> HttpResponse:
    """Retire: the article leaves searches and suggestions; writers can still see and republish it."""
    return _status_change(request, pk, services.article_retire, _("“%(title)s” is retired."))


# --- suggestions -----------------------------------------------------------------------------------


@require(Cap.KB_VIEW)
def suggest(request: HttpRequest) -> HttpResponse:
    """Articles that may answer a ticket (``?ticket=<id>``, needs ``TICKET_VIEW``) or a text (``?text=``).

    Answers the partial for htmx (the ticket page loads it next to the reply box; ``?target=``
    names that box's id) and a whole page otherwise. "Insert link" puts the article's title and
    address into the reply box.
    """
    ticket, text = _suggest_source(request)
    if text is None:
        return HttpResponseBadRequest(_g("Say which ticket (ticket=<id>) or text (text=…) to suggest articles for."))
    target = request.GET.get("target", "")
    context = {
        "suggestions": [
            (article, request.build_absolute_uri(reverse("knowledge:article_detail", args=[article.pk])))
            for article in selectors.suggest_for_text(text, SUGGESTIONS)
        ],
        "target": target if _ELEMENT_ID.match(target) else DEFAULT_REPLY_BOX,
        "ticket": ticket,
    }
    if ticket is not None and selectors.may_manage(request.user):
        context["existing_case"] = selectors.case_for_ticket(ticket.pk)
        context["write_up_url"] = f"{reverse('knowledge:article_create')}?ticket={ticket.pk}"
    template = "knowledge/partials/suggestions.html" if _is_htmx(request) else "knowledge/suggest_page.html"
    return render(request, template, context)


def _suggest_source(request: HttpRequest) -> tuple[Any, str | None]:
    """The ticket (if any) and the text to suggest articles for; no text means a bad request."""
    raw_ticket = request.GET.get("ticket", "").strip()
    if raw_ticket:
        if not can(request.user, Cap.TICKET_VIEW):
            raise PermissionDenied
        ticket_id = _id(raw_ticket)
        if ticket_id is None:
            return None, None
        from sqm.tickets.selectors import ticket_page  # a read for display; see the module docstring

        ticket = ticket_page(ticket_id)
        if ticket is None:
            raise Http404
        return ticket, f"{ticket.subject}\n{ticket.description}"
    text = request.GET.get("text", "").strip()
    return None, (text[:4000] if text else None)
