"""The public web-to-lead endpoint: a plain HTML form post, as web forms already send to Salesforce."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from leadpact import clock
from leadpact.core.errors import FieldErrors
from leadpact.core.intake import IdempotencyConflict
from leadpact.core.lifecycle import Actor, Role
from leadpact.leads.services import lead_intake
from leadpact.leads.webforms import form_to_lead, is_bot
from leadpact.pact.selectors import NoPactInForce

FORM_ACTOR = Actor("form:web-to-lead", Role.MARKETING)
logger = logging.getLogger(__name__)


def _safe_return(url: str) -> str | None:
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


@csrf_exempt  # posted from other sites' forms, by design; it only creates leads
@require_POST
def web_to_lead(request: HttpRequest) -> HttpResponse:
    """Take a form post with Salesforce Web-to-Lead field names; redirect to retURL on success. A person cannot
    send a correction, so only a missing or bad email refuses the lead; a bad optional value is kept as sent."""
    form = {key: request.POST.get(key, "") for key in request.POST}
    return_url = _safe_return(form.get("retURL", ""))
    if form.get("retURL") and return_url is None:
        return HttpResponseBadRequest("retURL must be an absolute http(s) address")
    if is_bot(form):
        return _done(request, return_url)
    try:
        result = lead_intake(form_to_lead(form), actor=FORM_ACTOR, now=clock.now(), keep_bad_fields=True)
    except FieldErrors as err:
        return _refused(request, err.errors, 422)
    except IdempotencyConflict as err:
        return _refused(request, {"idempotency_key": str(err)}, 409)
    except NoPactInForce:
        return _refused(request, {"form": "this form cannot take leads right now; please try again later"}, 503)
    for warning in result.warnings:
        logger.info("web-to-lead %s: %s", result.lead_id, warning)
    return _done(request, return_url)


def _refused(request: HttpRequest, errors: dict[str, str], status: int) -> HttpResponse:
    """The form's errors, with a link back to the page the form is on (the Referer), else to retURL."""
    back = _safe_return(request.headers.get("Referer", "")) or _safe_return(request.POST.get("retURL", ""))
    return TemplateResponse(request, "leads/form_errors.html", {"errors": errors, "back": back}, status=status)


def _done(request: HttpRequest, return_url: str | None) -> HttpResponse:
    if return_url:
        return HttpResponseRedirect(return_url)
    return TemplateResponse(request, "leads/form_thanks.html", {})
