"""Which roles may do what, said once for the API, the web app and the CLI."""

from __future__ import annotations

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
