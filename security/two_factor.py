"""Two-step sign-in for every account that signs in (django-otp, TOTP authenticator apps).

The rules, in one place:
- an account with a confirmed device has not finished signing in until it enters a
  code from that device (django-otp marks the session "verified");
- with BROADSIDE_REQUIRE_2FA, an account without a device must enrol one first.
Until the step is done the session counts as signed out everywhere: admin pages
send the person to the step, and everything else (the draft API, private pages,
the userbar) sees an anonymous visitor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve, reverse
from django_otp import user_has_device

Step = Literal["verify", "enrol"]
STEP_URL_NAMES: dict[Step, str] = {"verify": "security_verify", "enrol": "security_enrol"}
# Admin views a person in the middle of signing in may still reach.
OPEN_URL_NAMES = frozenset(
    {
        "wagtailadmin_login",
        "wagtailadmin_logout",
        "wagtailadmin_javascript_catalog",
        "wagtailadmin_sprite",
    }
)
ADMIN_PATH_PREFIX = "/admin/"


def pending_step(user) -> Step | None:
    """The step `user` (from `request.user`, after django-otp's middleware) must still take.

    None for anonymous visitors and for accounts that are done: verified with a
    device, or without one while two-step sign-in is not required.
    """
    if not user.is_authenticated or user.is_verified():
        return None
    if user_has_device(user, confirmed=True):
        return "verify"
    if settings.BROADSIDE_REQUIRE_2FA:
        return "enrol"
    return None


def _url_name(request: HttpRequest) -> str | None:
    try:
        return resolve(request.path_info).url_name
    except Resolver404:
        return None


class TwoFactorMiddleware:
    """Hold a session at its pending step; must come after django-otp's OTPMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        step = pending_step(request.user)
        if step is None:
            return self.get_response(request)
        url_name = _url_name(request)
        if url_name in OPEN_URL_NAMES or url_name == STEP_URL_NAMES[step]:
            return self.get_response(request)
        if request.path_info.startswith(ADMIN_PATH_PREFIX):
            return redirect_to_login(request.get_full_path(), reverse(STEP_URL_NAMES[step]))
        request.user = AnonymousUser()
        return self.get_response(request)
