"""Which roles may do what and see which leads, said once for the API, the web app and the CLI."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from leadpact.accounts.models import RoleChoices, User
from leadpact.core.errors import NotAllowed
from leadpact.core.lifecycle import Actor, Role

INTAKE = (RoleChoices.MARKETING, RoleChoices.ADMIN, RoleChoices.MANAGER)
PACT_PROPOSE = (RoleChoices.MARKETING, RoleChoices.MANAGER, RoleChoices.ADMIN)


def require_role(user: User, roles: tuple[str, ...], action: str) -> None:
    """Raise NotAllowed naming the roles that may do `action`."""
    if user.role not in roles:
        raise NotAllowed(f"a {user.role} may not {action}; who may: {', '.join(sorted(roles))}")


def actor_for(user: User, via: str = "user") -> Actor:
    """The history label and role for a person acting through the web app ("user") or a token ("api")."""
    return Actor(f"{via}:{user.email}", Role(user.role), user.pk, user.email)


def managed_teams(user: User, now: dt.datetime) -> dict[str, tuple[str, ...]]:
    """The teams a manager runs under the pact in force: team name -> its members' emails."""
    from leadpact.pact.selectors import NoPactInForce, pact_in_force

    try:
        _, pact = pact_in_force(now)
    except NoPactInForce:
        return {}
    return {team.name: team.members for team in pact.teams.values() if team.manager == user.email}


def lead_scope(user: User, now: dt.datetime) -> Q | None:
    """The leads a person may see (None: all). A rep sees their own; a manager their teams' (and their members');
    marketing and admins see every lead."""
    if user.role in (RoleChoices.ADMIN, RoleChoices.MARKETING):
        return None
    if user.role == RoleChoices.MANAGER:
        teams = managed_teams(user, now)
        members = {email for emails in teams.values() for email in emails}
        return Q(team__in=list(teams)) | Q(owner__email__in=members) | Q(owner=user)
    return Q(owner=user)
