"""The admin form for social accounts: credentials go in, never come back out."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables
from wagtail.models import Locale

from publishing.channels import channel_choices, get_channel_class
from publishing.models import SocialAccount
from publishing.outbound import check_outbound_url

from .compose import validate_template
from .credentials import CredentialsError, encrypt_credentials


class SecretTextarea(forms.Textarea):
    """A textarea that never renders its value, not even after a failed submit."""

    def format_value(self, value):
        return None


def credentials_help() -> str:
    """Each configured channel's credentials JSON, from its channel file."""
    shapes = "; ".join(
        f"{get_channel_class(key).verbose_name}: {get_channel_class(key).credentials_help()}"
        for key in settings.BROADSIDE_CHANNELS
        if get_channel_class(key).credential_fields
    )
    return _(
        "%(shapes)s. Stored encrypted and never shown again: leave empty to keep the saved "
        "credentials."
    ) % {"shapes": shapes}


class SocialAccountForm(forms.ModelForm):
    channel = forms.ChoiceField(label=_("Channel"), choices=channel_choices)
    locales = forms.ModelMultipleChoiceField(
        label=_("Languages"),
        queryset=Locale.objects.order_by("language_code"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Letters published in these languages are posted to this account."),
    )
    credentials_json = forms.CharField(
        label=_("Credentials (JSON)"),
        required=False,
        widget=SecretTextarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
    )

    class Meta:
        model = SocialAccount
        fields = ["name", "channel", "locales", "enabled", "base_url", "post_template"]

    def __init__(self, *args, **kwargs):
        kwargs.pop("for_user", None)
        super().__init__(*args, **kwargs)
        self.fields["credentials_json"].initial = ""  # never rendered back
        self.fields["credentials_json"].help_text = credentials_help()
        # A webhook's path (Slack, Discord) is its secret: the stored URL is shown as its
        # origin and "/…", which submitted unchanged keeps the stored URL.
        if self.instance.base_url and not self.is_bound:
            self.initial["base_url"] = self.instance.base_url_masked
        self.fields["base_url"].help_text = _(
            "%(help)s A saved URL's path is shown as …: leave it so to keep the saved URL."
        ) % {"help": self.fields["base_url"].help_text}

    def clean_base_url(self) -> str:
        base_url = self.cleaned_data["base_url"]
        if base_url:
            check_outbound_url(base_url)
        return base_url

    def clean_post_template(self) -> str:
        template = self.cleaned_data["post_template"]
        problems = validate_template(template) if template else []
        if problems:
            raise forms.ValidationError(problems)
        return template

    @sensitive_variables()
    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("base_url") == self.instance.base_url_masked:
            cleaned["base_url"] = self.instance.base_url
        channel = cleaned.get("channel")
        raw = (cleaned.get("credentials_json") or "").strip()
        if not channel:
            return cleaned
        if raw:
            try:
                credentials = json.loads(raw)
            except json.JSONDecodeError:
                self.add_error("credentials_json", _("This is not valid JSON."))
                return cleaned
        elif (
            self.instance.pk
            and self.instance.channel == channel
            and self.instance.base_url == cleaned.get("base_url", "")
        ):
            credentials = None  # keep what is stored
        elif self.instance.pk:
            # Stored secrets never follow an account to another server.
            self.add_error(
                "credentials_json",
                _("Enter the credentials again when you change the channel or the API base URL."),
            )
            return cleaned
        else:
            credentials = {}
        if credentials is not None:
            problems = get_channel_class(channel).credential_problems(credentials)
            for problem in problems:
                self.add_error("credentials_json", problem)
            if problems:
                return cleaned
        # Encrypted here, not in save(): a key the operator mistyped is a message on the
        # form (the data stays typed in), not a 500.
        self.new_credentials_encrypted = None
        if credentials is not None:
            try:
                self.new_credentials_encrypted = encrypt_credentials(credentials)
                self.new_state_encrypted = encrypt_credentials({})
            except CredentialsError as error:
                self.add_error(
                    None,
                    _("The credentials cannot be stored: %(error)s Ask the site's operator.")
                    % {"error": error},
                )
        return cleaned

    @sensitive_variables()
    def save(self, commit: bool = True):
        account = super().save(commit=False)
        if getattr(self, "new_credentials_encrypted", None) is not None:
            account.credentials_encrypted = self.new_credentials_encrypted
            account.state_encrypted = self.new_state_encrypted  # a session of others is not theirs
            account.verified_as = ""
            # Typed-in credentials: nothing is known of them yet (social/connect/health.py).
            account.auth_failed_at = account.token_expires_at = None
        if commit:
            account.save()
            self.save_m2m()
        return account
