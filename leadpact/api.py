"""The JSON API: one NinjaAPI, token or session auth; domain errors become the status codes of leadpact.http_errors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from leadpact.accounts.services import token_authenticate
from leadpact.core.errors import FieldErrors, LeadpactError, PactInvalid
from leadpact.http_errors import message_of, status_for


class TokenAuth(HttpBearer):
    """`Authorization: Bearer lp_...`; the token acts as its user, with that user's role."""

    def authenticate(self, request: HttpRequest, token: str):  # type: ignore[override]
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Leadpact API",
    version="1",
    description="Leads in, the agreement signed, the lifecycle recorded. Authenticate with `Authorization: Bearer <token>` "
    "(create one with `leadpact token create EMAIL`).",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)


def _detail(request: HttpRequest, status: int, detail: object) -> HttpResponse:
    return api.create_response(request, {"detail": detail}, status=status)


@api.exception_handler(FieldErrors)
def _field_errors(request: HttpRequest, exc: FieldErrors) -> HttpResponse:
    return _detail(request, 422, [{"loc": ["body", *k.split(".")], "msg": v, "type": "value_error"}
                                  for k, v in exc.errors.items()])


@api.exception_handler(PactInvalid)
def _pact_invalid(request: HttpRequest, exc: PactInvalid) -> HttpResponse:
    return _detail(request, 422, [{"loc": ["body", "text", p.path], "line": p.line, "msg": p.message,
                                   "type": "pact_invalid"} for p in exc.problems])


@api.exception_handler(LeadpactError)
def _domain(request: HttpRequest, exc: LeadpactError) -> HttpResponse:
    """Refusals (403), what is not there (404), no pact in force (503), a state that does not allow it (409)."""
    return _detail(request, status_for(exc), message_of(exc))


api.add_router("/leads", "leadpact.leads.api.router")
api.add_router("/leads", "leadpact.handoff.api.router")
api.add_router("/queue", "leadpact.handoff.api.queue_router")
api.add_router("/away", "leadpact.handoff.api.away_router")
api.add_router("/outbox", "leadpact.notify.api.router")
api.add_router("/signals", "leadpact.leads.api.signals_router")
api.add_router("/pact", "leadpact.pact.api.router")
api.add_router("/reports", "leadpact.insights.api.router")
