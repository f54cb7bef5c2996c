from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_account_menu_item")
def two_step_sign_in_menu_item(request):
    """Account page link for enrolling an authenticator app (optional unless required)."""
    return {
        "url": reverse("security_enrol"),
        "label": _("Two-step sign-in"),
        "help_text": _("Ask for a code from an authenticator app at each sign-in."),
    }
