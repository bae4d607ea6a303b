"""The manager's board: the team's leads at risk and breached now, the queue, who is away, each rep's load and SLA."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from leadpact import clock
from leadpact.accounts.permissions import managed_teams
from leadpact.handoff import selectors
from leadpact.pact.selectors import NoPactInForce, pact_in_force
from leadpact.web.views.common import ADMIN, MANAGER, roles


@roles(MANAGER, ADMIN)
def board(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    teams = managed_teams(request.user, now) if request.user.role == MANAGER else _all_teams(now)
    return render(request, "web/board.html", {"teams": teams, "now": now, **selectors.board(teams, now)})


def _all_teams(now) -> dict[str, tuple[str, ...]]:
    try:
        _, pact = pact_in_force(now)
    except NoPactInForce:
        return {}
    return {team.name: team.members for team in pact.teams.values()}
