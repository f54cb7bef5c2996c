"""The page a locked-out sign-in gets (django-axes' AXES_LOCKOUT_CALLABLE)."""

from __future__ import annotations

import math

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import ngettext


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """Answer a sign-in refused by django-axes: 429, in the admin's sign-in layout.

    The message says what happened and when to try again, never whether the
    password was right: a guesser learns nothing from the lockout itself.
    `original_response` and `credentials` are django-axes' arguments; unused.
    """
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else 0
    if minutes:
        wait = ngettext(
            "Try again in %(minutes)d minute, or ask an administrator to unlock the account.",
            "Try again in %(minutes)d minutes, or ask an administrator to unlock the account.",
            minutes,
        ) % {"minutes": minutes}
    else:
        wait = None
    return render(
        request,
        "security/lockout.html",
        {"wait": wait, "login_url": reverse("wagtailadmin_login")},
        status=429,
    )
