"""Use cases for people and tokens."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from leadpact.accounts.models import ApiToken, RoleChoices, User
from leadpact.core.errors import FieldErrors


def user_create(email: str, role: str, password: str | None = None, name: str = "") -> User:
    """Add a person with a role; an existing email is an error, not an overwrite."""
    email = email.strip().lower()
    if role not in RoleChoices.values:
        raise FieldErrors({"role": f"{role!r} is not a role; one of: {', '.join(RoleChoices.values)}"})
    if User.objects.filter(email=email).exists():
        raise FieldErrors({"email": f"{email} already has an account"})
    first, _, last = name.partition(" ")
    return User.objects.create_user(email, password, role=role, first_name=first, last_name=last,
                                    is_staff=role == RoleChoices.ADMIN)


def token_create(user: User, name: str) -> tuple[ApiToken, str]:
    return ApiToken.issue(user, name)


def token_revoke(prefix: str) -> int:
    with transaction.atomic():
        return ApiToken.objects.filter(prefix=prefix, revoked_at=None).update(revoked_at=timezone.now())


def token_authenticate(raw: str) -> User | None:
    """The active user behind a raw bearer token, or None."""
    token = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(raw), revoked_at=None).first()
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def user_update(user_id: int, *, role: str | None = None, active: bool | None = None) -> User:
    """Change a person's role or switch their account off (their history stays; they can no longer sign in)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise FieldErrors({"user": f"there is no person {user_id}"})
    if role is not None:
        if role not in RoleChoices.values:
            raise FieldErrors({"role": f"{role!r} is not a role; one of: {', '.join(RoleChoices.values)}"})
        user.role, user.is_staff = role, role == RoleChoices.ADMIN
    if active is not None:
        user.is_active = active
    user.save(update_fields=["role", "is_staff", "is_active"])
    return user


def user_set_timezone(user: User, zone: str) -> User:
    """The zone a person reads times in (IANA name, like America/New_York)."""
    import zoneinfo

    if zone not in zoneinfo.available_timezones():
        raise FieldErrors({"timezone": f"{zone!r} is not a timezone; write it like America/New_York or Europe/Berlin"})
    user.timezone = zone
    user.save(update_fields=["timezone"])
    return user
