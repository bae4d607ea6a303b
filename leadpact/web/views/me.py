"""A person's own settings: the timezone every page shows times in."""

from __future__ import annotations

import zoneinfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from leadpact.accounts.services import user_set_timezone
from leadpact.web.views.common import ADMIN, MANAGER, MARKETING, REP, act, roles

ZONES = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))


@roles(REP, MANAGER, MARKETING, ADMIN)
def me(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return act(request, lambda: user_set_timezone(request.user, request.POST.get("timezone", "").strip()),
                   "Times are now shown in your timezone.", "/me")
    return render(request, "web/me.html", {"zones": ZONES})
