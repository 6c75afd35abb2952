"""Organisation pages: people, teams, skills, and every user's own account (DESIGN.md §1, §2.3).

Views stay thin: a form checks the shape of the input, a service of :mod:`sqm.org.services`
applies the business rules and writes the row with its audit entry, and the view redirects (or,
for htmx requests, answers with the partial that changed). Reading needs ``Cap.ORG_VIEW``,
every change ``Cap.ORG_MANAGE``; the account pages are open to every signed-in user.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from sqm.core.forms import is_htmx as _is_htmx
from sqm.core.forms import submit as _submit
from sqm.core.permissions import require
from sqm.core.roles import Cap, can
from sqm.org import forms as org_forms
from sqm.org import selectors, services
from sqm.org.models import Skill, Team, User

USERS_PER_PAGE = 50


# --- helpers -----------------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    title: Any,
    back_url: str,
    back_label: Any,
    submit_label: Any,
    intro: Any = "",
    sections: list[tuple[Any, Iterable[str]]] | None = None,
) -> HttpResponse:
    """The one page layout for every create and edit form of this app."""
    fieldsets = [(legend, [form[name] for name in names]) for legend, names in sections] if sections else None
    context = {
        "form": form,
        "title": title,
        "back_url": back_url,
        "back_label": back_label,
        "submit_label": submit_label,
        "intro": intro,
        "fieldsets": fieldsets,
    }
    return render(request, "org/form_page.html", context)


def _user_or_404(pk: int) -> User:
    user = selectors.user_detail(pk)
    if user is None:
        raise Http404
    return user


def _team_or_404(pk: int) -> Team:
    team = selectors.team_detail(pk)
    if team is None:
        raise Http404
    return team


def _skill_or_404(pk: int) -> Skill:
    skill = selectors.skill_by_pk(pk)
    if skill is None:
        raise Http404
    return skill


# --- users -------------------------------------------------------------------------------------


@require(Cap.ORG_VIEW)
@vary_on_headers("HX-Request")
def user_list(request: HttpRequest) -> HttpResponse:
    """Everyone with an account, filtered by role, team, text and status, 50 to a page."""
    filter_form = org_forms.UserFilterForm(request.GET)
    filters = filter_form.filters()
    page = Paginator(selectors.users(**filters), USERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "filter_form": filter_form,
        "page": page,
        "filtered": any(value not in ("", None) for value in filters.values()),
        "can_manage": can(request.user, Cap.ORG_MANAGE),
    }
    template = "org/partials/user_table.html" if _is_htmx(request) else "org/user_list.html"
    return render(request, template, context)


@require(Cap.ORG_MANAGE)
def user_create(request: HttpRequest) -> HttpResponse:
    """Open an account; staff members get their staff profile in the same step."""
    form = org_forms.UserCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        ok, user = _submit(
            form,
            lambda d: services.user_create(
                actor=request.user,
                username=d["username"],
                display_name=d["display_name"],
                role=d["role"],
                password=d["password"] or None,
                email=d["email"],
                phone=d["phone"],
                team=d["team"],
                language=d["language"],
                employee_no=d["employee_no"],
                hire_date=d["hire_date"],
                title=d["title"],
                customer_tier=d["customer_tier"] or "standard",
            ),
        )
        if ok:
            messages.success(request, _("The account “%(name)s” was created.") % {"name": user})
            return redirect("org:user_detail", pk=user.pk)
    F = org_forms.UserCreateForm
    return _form_page(
        request,
        form,
        title=_("New user"),
        back_url=reverse("org:user_list"),
        back_label=_("People"),
        submit_label=_("Create user"),
        sections=[
            (_("Account"), F.ACCOUNT_FIELDS),
            (_("Password"), F.SECRET_FIELDS),
            (_("Staff profile (staff roles only)"), F.STAFF_FIELDS),
        ],
    )


def _detail_context(
    request: HttpRequest,
    subject: User,
    *,
    skill_form: forms.Form | None = None,
    cert_form: forms.BaseForm | None = None,
    notice: Any = "",
) -> dict[str, Any]:
    audit_query = urlencode({"object_type": "org.user", "object_id": subject.pk})
    return {
        "subject": subject,
        "profile": getattr(subject, "profile", None),
        "skills": list(subject.skills.all()),
        "certificates": list(subject.certificates.all()),
        "skill_form": skill_form or org_forms.AgentSkillForm(),
        "cert_form": cert_form or org_forms.CertificateForm(),
        "level_choices": org_forms.LEVEL_CHOICES,
        "today": timezone.localdate(),
        "notice": notice,
        "can_manage": can(request.user, Cap.ORG_MANAGE),
        "can_audit": can(request.user, Cap.AUDIT_VIEW),
        "audit_url": f"{reverse('audit:entry_list')}?{audit_query}",
    }


@require(Cap.ORG_VIEW)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One person: account, staff profile, skills with levels and certificates."""
    return render(request, "org/user_detail.html", _detail_context(request, _user_or_404(pk)))


@require(Cap.ORG_MANAGE)
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change name, contact details, role, team, language, customer tier or whether the account is active."""
    subject = _user_or_404(pk)
    form = org_forms.UserEditForm(request.POST if request.method == "POST" else None, instance=subject)
    if request.method == "POST":
        ok, _user = _submit(
            form,
            lambda d: services.user_update(
                actor=request.user,
                user=subject,
                display_name=d["display_name"],
                email=d["email"],
                phone=d["phone"],
                role=d["role"],
                team=d["team"],
                language=d["language"],
                customer_tier=d["customer_tier"] or None,
                is_active=d["is_active"],
            ),
        )
        if ok:
            messages.success(request, _("The changes were saved."))
            return redirect("org:user_detail", pk=subject.pk)
    return _form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": subject},
        back_url=reverse("org:user_detail", args=[pk]),
        back_label=subject,
        submit_label=_("Save changes"),
    )


@require(Cap.ORG_MANAGE)
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator sets a new password for someone (e.g. a forgotten one)."""
    subject = _user_or_404(pk)
    form = org_forms.AdminPasswordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        ok, _none = _submit(
            form, lambda d: services.user_set_password(actor=request.user, user=subject, password=d["password"])
        )
        if ok:
            if subject.pk == request.user.pk:
                update_session_auth_hash(request, subject)
            messages.success(request, _("The new password is set. Tell the person through a safe channel."))
            return redirect("org:user_detail", pk=subject.pk)
    return _form_page(
        request,
        form,
        title=_("Set a password for %(name)s") % {"name": subject},
        back_url=reverse("org:user_detail", args=[pk]),
        back_label=subject,
        submit_label=_("Set password"),
        intro=_("At least 8 characters, not only digits, not too close to the user name."),
    )


@require(Cap.ORG_MANAGE)
def user_profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Employment facts: number, hire date, status (active, on leave, left) and job title."""
    subject = _user_or_404(pk)
    profile = getattr(subject, "profile", None)
    if profile is None:
        raise Http404
    form = org_forms.StaffProfileForm(request.POST if request.method == "POST" else None, instance=profile)
    if request.method == "POST":
        ok, _profile = _submit(
            form,
            lambda d: services.staff_profile_update(
                actor=request.user,
                profile=profile,
                employee_no=d["employee_no"],
                hire_date=d["hire_date"],
                status=d["status"],
                left_on=d["left_on"],
                title=d["title"],
            ),
        )
        if ok:
            messages.success(request, _("The staff profile was saved."))
            return redirect("org:user_detail", pk=subject.pk)
    return _form_page(
        request,
        form,
        title=_("Staff profile of %(name)s") % {"name": subject},
        back_url=reverse("org:user_detail", args=[pk]),
        back_label=subject,
        submit_label=_("Save profile"),
    )


# --- skills and certificates on the user page (htmx partials, plain POST without JS) -----------


def _block_response(
    request: HttpRequest, pk: int, *, block: str, ok: bool, message: Any, form: forms.BaseForm | None
) -> HttpResponse:
    """After a write on the user page: the changed block for htmx, else redirect or the whole page."""
    if ok and not _is_htmx(request):
        messages.success(request, message)
        return redirect(reverse("org:user_detail", args=[pk]) + f"#{block}")
    subject = _user_or_404(pk)
    failed_form = None if ok else form
    context = _detail_context(
        request,
        subject,
        notice=message if ok else "",
        skill_form=failed_form if block == "skills" else None,  # type: ignore[arg-type]
        cert_form=failed_form if block == "certificates" else None,
    )
    if _is_htmx(request):
        return render(request, f"org/partials/user_{block}.html", context)
    return render(request, "org/user_detail.html", context)


@require(Cap.ORG_MANAGE)
@require_POST
def user_skill_set(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the person a skill at a level 1-5, or change the level of one they hold."""
    subject = _user_or_404(pk)
    form = org_forms.AgentSkillForm(request.POST)
    ok, _held = _submit(
        form, lambda d: services.agent_skill_set(actor=request.user, user=subject, skill=d["skill"], level=d["level"])
    )
    return _block_response(request, pk, block="skills", ok=ok, message=_("The skill was saved."), form=form)


@require(Cap.ORG_MANAGE)
@require_POST
def user_skill_remove(request: HttpRequest, pk: int, skill_pk: int) -> HttpResponse:
    """Take a skill away from the person."""
    held = selectors.user_skill(user_id=pk, skill_id=skill_pk)
    if held is None:
        raise Http404
    services.agent_skill_remove(actor=request.user, agent_skill=held)
    return _block_response(request, pk, block="skills", ok=True, message=_("The skill was removed."), form=None)


@require(Cap.ORG_MANAGE)
@require_POST
def user_certificate_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a certificate the person holds."""
    subject = _user_or_404(pk)
    form = org_forms.CertificateForm(request.POST)
    ok, _cert = _submit(
        form,
        lambda d: services.certificate_add(
            actor=request.user,
            user=subject,
            name=d["name"],
            issued_on=d["issued_on"],
            issuer=d["issuer"],
            number=d["number"],
            expires_on=d["expires_on"],
        ),
    )
    return _block_response(request, pk, block="certificates", ok=ok, message=_("The certificate was added."), form=form)


@require(Cap.ORG_MANAGE)
@require_POST
def user_certificate_remove(request: HttpRequest, pk: int, cert_pk: int) -> HttpResponse:
    """Delete a certificate recorded by mistake (the audit trail keeps what it said)."""
    cert = selectors.user_certificate(user_id=pk, pk=cert_pk)
    if cert is None:
        raise Http404
    services.certificate_remove(actor=request.user, certificate=cert)
    return _block_response(
        request, pk, block="certificates", ok=True, message=_("The certificate was removed."), form=None
    )


# --- teams -------------------------------------------------------------------------------------


@require(Cap.ORG_VIEW)
def team_list(request: HttpRequest) -> HttpResponse:
    """Every team with its lead and number of active members."""
    context = {"teams": selectors.teams(), "can_manage": can(request.user, Cap.ORG_MANAGE)}
    return render(request, "org/team_list.html", context)


@require(Cap.ORG_MANAGE)
def team_create(request: HttpRequest) -> HttpResponse:
    """Start a team; its lead joins it."""
    form = org_forms.TeamForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        ok, team = _submit(
            form,
            lambda d: services.team_create(
                actor=request.user, name=d["name"], code=d["code"], lead=d["lead"], description=d["description"]
            ),
        )
        if ok:
            messages.success(request, _("The team “%(name)s” was created.") % {"name": team})
            return redirect("org:team_detail", pk=team.pk)
    return _form_page(
        request,
        form,
        title=_("New team"),
        back_url=reverse("org:team_list"),
        back_label=_("Teams"),
        submit_label=_("Create team"),
    )


@require(Cap.ORG_VIEW)
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A team, its lead and its active members with their skills."""
    team = _team_or_404(pk)
    context = {
        "team": team,
        "members": selectors.team_members(team),
        "can_manage": can(request.user, Cap.ORG_MANAGE),
    }
    return render(request, "org/team_detail.html", context)


@require(Cap.ORG_MANAGE)
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename, re-code, change the lead of, describe or deactivate a team."""
    team = _team_or_404(pk)
    form = org_forms.TeamForm(request.POST if request.method == "POST" else None, instance=team)
    if request.method == "POST":
        ok, _team = _submit(
            form,
            lambda d: services.team_update(
                actor=request.user,
                team=team,
                name=d["name"],
                code=d["code"],
                lead=d["lead"],
                description=d["description"],
                is_active=d["is_active"],
            ),
        )
        if ok:
            messages.success(request, _("The changes were saved."))
            return redirect("org:team_detail", pk=team.pk)
    return _form_page(
        request,
        form,
        title=_("Edit team %(name)s") % {"name": team},
        back_url=reverse("org:team_detail", args=[pk]),
        back_label=team,
        submit_label=_("Save changes"),
    )


# --- skills ------------------------------------------------------------------------------------


@require(Cap.ORG_VIEW)
def skill_list(request: HttpRequest) -> HttpResponse:
    """Skills tickets may require (categories, languages, channels) and how many people hold each."""
    filter_form = org_forms.SkillFilterForm(request.GET)
    kind = filter_form.cleaned_data["kind"] if filter_form.is_valid() else ""
    context = {
        "filter_form": filter_form,
        "kind": kind,
        "skills": selectors.skills(kind=kind),
        "can_manage": can(request.user, Cap.ORG_MANAGE),
    }
    return render(request, "org/skill_list.html", context)


@require(Cap.ORG_MANAGE)
def skill_create(request: HttpRequest) -> HttpResponse:
    """Add a skill that tickets can require and staff can hold."""
    form = org_forms.SkillCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        ok, skill = _submit(
            form,
            lambda d: services.skill_create(
                actor=request.user, kind=d["kind"], code=d["code"], name_zh=d["name_zh"], name_en=d["name_en"]
            ),
        )
        if ok:
            messages.success(request, _("The skill “%(name)s” was created.") % {"name": skill})
            return redirect("org:skill_list")
    return _form_page(
        request,
        form,
        title=_("New skill"),
        back_url=reverse("org:skill_list"),
        back_label=_("Skills"),
        submit_label=_("Create skill"),
    )


@require(Cap.ORG_MANAGE)
def skill_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename or retire a skill; its kind stays as created."""
    skill = _skill_or_404(pk)
    form = org_forms.SkillEditForm(request.POST if request.method == "POST" else None, instance=skill)
    if request.method == "POST":
        ok, _skill = _submit(
            form,
            lambda d: services.skill_update(
                actor=request.user,
                skill=skill,
                code=d["code"],
                name_zh=d["name_zh"],
                name_en=d["name_en"],
                is_active=d["is_active"],
            ),
        )
        if ok:
            messages.success(request, _("The changes were saved."))
            return redirect("org:skill_list")
    return _form_page(
        request,
        form,
        title=_("Edit skill %(name)s") % {"name": skill},
        back_url=reverse("org:skill_list"),
        back_label=_("Skills"),
        submit_label=_("Save changes"),
        intro=_("Kind: %(kind)s. The kind of a skill cannot change.") % {"kind": skill.get_kind_display()},
    )


# --- own account (every signed-in user) --------------------------------------------------------


def _account_page(
    request: HttpRequest,
    *,
    language_form: forms.Form | None = None,
    password_form: forms.Form | None = None,
    token_form: forms.Form | None = None,
    new_key: str = "",
    new_token: Any = None,
) -> HttpResponse:
    user = request.user
    context = {
        "account": user,
        "profile": selectors.staff_profile_of(user),  # type: ignore[arg-type]
        "language_form": language_form
        or org_forms.LanguageForm(initial={"language": user.language or translation.get_language()}),
        "password_form": password_form or org_forms.OwnPasswordForm(user=user),  # type: ignore[arg-type]
        "token_form": token_form or org_forms.TokenCreateForm(),
        "tokens": selectors.api_tokens_of(user),  # type: ignore[arg-type]
        "new_key": new_key,
        "new_token": new_token,
    }
    response = render(request, "org/account.html", context)
    if new_key:
        response["Cache-Control"] = "no-store"  # the key must not stay in any cache
    return response


@require(None)
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own profile, language, password and API tokens."""
    return _account_page(request)


@require(None)
@require_POST
def account_language(request: HttpRequest) -> HttpResponse:
    """Remember the interface language the user prefers."""
    form = org_forms.LanguageForm(request.POST)
    ok, _user = _submit(
        form, lambda d: services.user_set_language(actor=request.user, user=request.user, language=d["language"])
    )
    if not ok:
        return _account_page(request, language_form=form)
    language = form.cleaned_data["language"]
    translation.activate(language)
    messages.success(request, _("Your language preference was saved."))
    response = redirect("org:account")
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@require(None)
@require_POST
def account_password(request: HttpRequest) -> HttpResponse:
    """Change one's own password after proving the current one; the session stays signed in."""
    form = org_forms.OwnPasswordForm(request.POST, user=request.user)  # type: ignore[arg-type]
    ok, _none = _submit(
        form, lambda d: services.user_set_password(actor=request.user, user=request.user, password=d["password"])
    )
    if not ok:
        return _account_page(request, password_form=form)
    update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
    messages.success(request, _("Your password was changed."))
    return redirect("org:account")


@require(None)
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Issue an API token; the page shows its key this once and never again."""
    form = org_forms.TokenCreateForm(request.POST)
    ok, result = _submit(
        form, lambda d: services.api_token_create(actor=request.user, user=request.user, name=d["name"])
    )
    if not ok:
        return _account_page(request, token_form=form)
    token, key = result
    return _account_page(request, new_key=key, new_token=token)


@require(None)
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of one's own tokens; requests carrying it are refused from now on."""
    token = selectors.api_token_of(user=request.user, pk=pk)  # type: ignore[arg-type]
    if token is None:
        raise Http404
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("org:account")
