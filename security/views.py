"""The two steps of two-step sign-in: enter a code, or enrol an authenticator app."""

from __future__ import annotations

import base64
import binascii

import segno
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from .forms import CodeForm
from .two_factor import pending_step

# The key of an app being enrolled lives in the session until a code proves it works.
PENDING_KEY_SESSION_KEY = "security_pending_totp_key"


def _next_url(request: HttpRequest) -> str:
    """Where to go once signed in: the `next` parameter if it is on this site, else the admin."""
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("wagtailadmin_home")


@never_cache
@sensitive_post_parameters("otp_token")
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Ask an account that has a device for a code, and finish its sign-in when it matches."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("wagtailadmin_login"))
    if pending_step(request.user) != "verify":
        return HttpResponseRedirect(_next_url(request))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        device, refusal = _match_code(request.user, form.cleaned_data["otp_token"])
        if device is not None:
            otp_login(request, device)
            return HttpResponseRedirect(_next_url(request))
        form.add_error("otp_token", refusal)
    return render(
        request,
        "security/verify.html",
        {"form": form, "next": _next_url(request), "action": request.get_full_path()},
    )


def _match_code(user, token: str) -> tuple[TOTPDevice | None, str]:
    """The device of `user` that accepts `token`, or None and why not.

    django-otp's own `verify_token` refuses replayed codes and slows down guessing
    (each failure doubles the wait, OTP_TOTP_THROTTLE_FACTOR); locked rows keep two
    requests from both using one code.
    """
    with transaction.atomic():
        devices = list(devices_for_user(user, for_verify=True))
        throttled = 0
        for device in devices:
            if not device.verify_is_allowed()[0]:
                throttled += 1
            elif device.verify_token(token):
                return device, ""
    if devices and throttled == len(devices):
        return None, _("Too many wrong codes. Wait a minute, then enter a new code.")
    return None, _("That code is wrong or has expired. Enter the code your app shows now.")


@never_cache
@sensitive_post_parameters("otp_token")
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app to the account: show its key, confirm it with one code.

    Reachable by an account without a device (the first one), or by one that has
    passed its code step (another one); never by a session that still owes a code,
    which would otherwise get around it by adding a device of its own.
    """
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("wagtailadmin_login"))
    if pending_step(request.user) == "verify":
        return redirect_to_login(request.get_full_path(), reverse("security_verify"))
    key = request.session.get(PENDING_KEY_SESSION_KEY)
    if not _is_valid_key(key):
        key = request.session[PENDING_KEY_SESSION_KEY] = random_hex(20)
    device = TOTPDevice(user=request.user, key=key, name=_("Authenticator app"), confirmed=True)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
        if totp.verify(int(form.cleaned_data["otp_token"]), tolerance=device.tolerance):
            device.last_t = totp.t()
            device.save()
            del request.session[PENDING_KEY_SESSION_KEY]
            otp_login(request, device)
            messages.success(
                request,
                _("Two-step sign-in is on: from now on you will be asked for a code."),
            )
            return redirect(_next_url(request))
        form.add_error(
            "otp_token",
            _("That code does not match. Check the app's clock, then enter the code it shows now."),
        )
    config_url = device.config_url
    return render(
        request,
        "security/enrol.html",
        {
            "form": form,
            "next": _next_url(request),
            "action": request.get_full_path(),
            "qr_svg": segno.make(config_url, error="m").svg_inline(scale=5, dark="#000"),
            "manual_key": _grouped(base64.b32encode(device.bin_key).decode()),
            "device_count": sum(1 for _device in devices_for_user(request.user)),
        },
    )


def _is_valid_key(key: object) -> bool:
    if not isinstance(key, str) or len(key) != 40:
        return False
    try:
        binascii.unhexlify(key)
    except binascii.Error:
        return False
    return True


def _grouped(text: str, size: int = 4) -> str:
    return " ".join(text[i : i + size] for i in range(0, len(text), size))
