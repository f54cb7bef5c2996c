"""The admin form for social accounts: credentials go in, never come back out."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from .channels import channel_choices, get_channel_class
from .compose import validate_template
from .models import SocialAccount
from .outbound import check_outbound_url


class SecretTextarea(forms.Textarea):
    """A textarea that never renders its value, not even after a failed submit."""

    def format_value(self, value):
        return None


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
        help_text=_(
            'Mastodon: {"access_token": …}; Bluesky: {"handle": …, "app_password": …}; '
            'X: {"consumer_key", "consumer_secret", "access_token", "access_token_secret"}; '
            'webhook: {"secret": …}. Stored encrypted and never shown again: leave empty to '
            "keep the saved credentials."
        ),
    )

    class Meta:
        model = SocialAccount
        fields = ["name", "channel", "locales", "enabled", "base_url", "post_template"]

    def __init__(self, *args, **kwargs):
        kwargs.pop("for_user", None)
        super().__init__(*args, **kwargs)
        self.fields["credentials_json"].initial = ""  # never rendered back

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

    def clean(self):
        cleaned = super().clean()
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
            if not isinstance(credentials, dict):
                self.add_error("credentials_json", _("Enter a JSON object: {…}."))
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
        channel_class = get_channel_class(channel)
        if credentials is not None:
            missing = channel_class.missing_credentials(credentials)
            if missing:
                self.add_error(
                    "credentials_json",
                    _("This channel needs: %(fields)s.")
                    % {"fields": ", ".join(channel_class.credential_fields)},
                )
        self.new_credentials = credentials
        return cleaned

    def save(self, commit: bool = True):
        account = super().save(commit=False)
        if getattr(self, "new_credentials", None) is not None:
            account.credentials = self.new_credentials
            account.state = {}  # a session of other credentials is not theirs
            account.verified_as = ""
        if commit:
            account.save()
            self.save_m2m()
        return account
