"""People and API tokens. A person's role decides what they may see and do."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone

from leadpact.core.lifecycle import Role


class RoleChoices(models.TextChoices):
    REP = Role.REP.value, "Sales rep"
    MANAGER = Role.MANAGER.value, "Sales manager"
    MARKETING = Role.MARKETING.value, "Marketing"
    ADMIN = Role.ADMIN.value, "Admin"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.update(is_staff=True, is_superuser=True, role=RoleChoices.ADMIN)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person, signed in by email address."""

    username = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    role = models.CharField(max_length=16, choices=RoleChoices.choices, default=RoleChoices.REP)
    timezone = models.CharField(max_length=64, default="UTC", help_text="Times are shown in this zone.")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()  # type: ignore[misc]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def lifecycle_role(self) -> Role:
        return Role(self.role)


class ApiToken(models.Model):
    """A bearer token for an integration; it acts as its user, with that user's role. Only a hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The token's first characters, to recognise it.")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        """Create a token; the raw value is returned once and never stored."""
        raw = "lp_" + secrets.token_urlsafe(30)
        token = cls.objects.create(user=user, name=name, prefix=raw[:10], digest=cls.hash(raw))
        return token, raw
