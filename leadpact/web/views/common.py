"""What every page shares: who may open it, and answering a form with a page, a fragment or a redirect."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from leadpact.accounts.models import RoleChoices
from leadpact.core.errors import LeadpactError
from leadpact.http_errors import message_of, status_for

REP, MANAGER, MARKETING, ADMIN = (RoleChoices.REP, RoleChoices.MANAGER, RoleChoices.MARKETING,
                                  RoleChoices.ADMIN)
SALES = (REP, MANAGER, ADMIN)


def roles(*allowed: str) -> Callable:
    """Only signed-in people with one of these roles; others get a 403 page that says who may."""
    def decorate(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.role not in allowed:
                names = ", ".join(RoleChoices(r).label.lower() for r in allowed)
                body = render_to_string("web/forbidden.html", {"who": names}, request=request)
                return HttpResponseForbidden(body)
            return view(request, *args, **kwargs)
        return checked
    return decorate


def is_inline(request: HttpRequest) -> bool:
    """A form posted by the page's script, which wants a fragment back instead of a new page."""
    return request.headers.get("X-Leadpact-Inline") == "1"


def back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Redirect to the page the form was on (only on this site), or `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


def act(request: HttpRequest, action: Callable[[], Any], done: str, fallback: str,
        fragment: Callable[[], str] | None = None) -> HttpResponse:
    """Run a use case for a form: on success say `done`; on a refusal say why, beside the form (inline) or as a
    message on the page it came from."""
    try:
        action()
    except LeadpactError as err:
        return _refused(request, message_of(err), fallback, status_for(err))
    if is_inline(request):
        return HttpResponse(fragment() if fragment else format_html('<p class="notice" role="status">{}</p>', done))
    messages.success(request, done)
    return back(request, fallback)


def _refused(request: HttpRequest, why: str, fallback: str, status: int) -> HttpResponse:
    if is_inline(request):
        return HttpResponse(why, status=status, content_type="text/plain; charset=utf-8")
    messages.error(request, why)
    return back(request, fallback)
