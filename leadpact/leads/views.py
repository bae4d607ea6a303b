"""The public web-to-lead endpoint: a plain HTML form post, as web forms already send to Salesforce."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from leadpact.core.errors import FieldErrors
from leadpact.core.lifecycle import Actor, Role
from leadpact.leads.services import lead_intake
from leadpact.leads.webforms import form_to_lead, is_bot
from leadpact.pact.selectors import NoPactInForce

FORM_ACTOR = Actor("form:web-to-lead", Role.MARKETING)


def _safe_return(url: str) -> str | None:
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


@csrf_exempt  # posted from other sites' forms, by design; it only creates leads
@require_POST
def web_to_lead(request: HttpRequest) -> HttpResponse:
    """Take a form post with Salesforce Web-to-Lead field names; redirect to retURL on success."""
    form = {key: request.POST.get(key, "") for key in request.POST}
    return_url = _safe_return(form.get("retURL", ""))
    if form.get("retURL") and return_url is None:
        return HttpResponseBadRequest("retURL must be an absolute http(s) address")
    if is_bot(form):
        return _done(request, return_url)
    try:
        lead_intake(form_to_lead(form), actor=FORM_ACTOR, now=timezone.now())
    except FieldErrors as err:
        return TemplateResponse(request, "leads/form_errors.html", {"errors": err.errors, "back": return_url},
                                status=422)
    except NoPactInForce:
        return TemplateResponse(request, "leads/form_errors.html",
                                {"errors": {"form": "this form cannot take leads right now; please try again later"},
                                 "back": return_url}, status=503)
    return _done(request, return_url)


def _done(request: HttpRequest, return_url: str | None) -> HttpResponse:
    if return_url:
        return HttpResponseRedirect(return_url)
    return TemplateResponse(request, "leads/form_thanks.html", {})
