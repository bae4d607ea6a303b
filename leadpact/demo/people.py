"""The demo's people: everyone the example pact names, plus a marketing owner and an admin."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from leadpact.accounts.models import RoleChoices, User
from leadpact.core.pact import Pact

DEMO_PASSWORD = "leadpact-demo"
ADMIN_EMAIL = "admin@acme.example"
MARKETING_EMAIL = "mia@acme.example"


def demo_people(pact: Pact) -> dict[str, User]:
    """Create (or find) an account for each person; returns them by email."""
    wanted = {ADMIN_EMAIL: RoleChoices.ADMIN, MARKETING_EMAIL: RoleChoices.MARKETING}
    for team in pact.teams.values():
        wanted[team.manager] = RoleChoices.MANAGER
        wanted.update({member: RoleChoices.REP for member in team.members})
    people, hashed = {}, make_password(DEMO_PASSWORD)  # one slow hash for everyone: they share the password
    for email, role in wanted.items():
        user = User.objects.filter(email=email).first()
        if user is None:
            first = email.split("@")[0].capitalize()
            user = User.objects.create_user(email, None, role=role, first_name=first,
                                            is_staff=role == RoleChoices.ADMIN, timezone="America/New_York")
            User.objects.filter(pk=user.pk).update(password=hashed)
        people[email] = user
    return people
