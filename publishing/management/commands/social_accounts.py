"""Manage the social accounts Broadside posts to, from the command line.

    social_accounts add CHANNEL --name NAME --locale LANG [--locale LANG …]
                        [--base-url URL] --credentials-json JSON
    social_accounts list
    social_accounts test NAME
    social_accounts disable NAME
    social_accounts rotate-key

Credentials are encrypted before they are saved and never printed; nor is a
base URL's path (a webhook's path may be its secret): `list` shows its origin.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from wagtail.models import Locale

from publishing.channels import build_channel
from publishing.channels.base import DeliveryError
from publishing.models import SocialAccount
from publishing.social.connect.health import problems
from publishing.social.credentials import CredentialsError, rotate
from publishing.social.forms import SocialAccountForm

# The option of the command that gives each field of the account form.
OPTIONS = {
    "name": "--name",
    "channel": "CHANNEL",
    "locales": "--locale",
    "base_url": "--base-url",
    "post_template": "--template",
    "credentials_json": "--credentials-json",
}


class Command(BaseCommand):
    help = (
        "Add, list, test, disable social accounts, or re-encrypt credentials with the newest key."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="Add an account.")
        add.add_argument("channel", choices=list(settings.BROADSIDE_CHANNELS))
        add.add_argument("--name", required=True)
        add.add_argument(
            "--locale", action="append", required=True, help="A language code; repeatable."
        )
        add.add_argument("--base-url", default="")
        add.add_argument(
            "--credentials-json",
            default="{}",
            help="A JSON object (see README for each channel), or - to read it from standard "
            "input and keep it out of the shell history and the process list.",
        )
        add.add_argument("--template", default="", help="Post template (placeholders in README).")
        actions.add_parser("list", help="List accounts (never their credentials).")
        test = actions.add_parser("test", help="Check an account's credentials with its network.")
        test.add_argument("name")
        disable = actions.add_parser("disable", help="Stop posting to an account.")
        disable.add_argument("name")
        enable = actions.add_parser("enable", help="Post to a disabled account again.")
        enable.add_argument("name")
        actions.add_parser(
            "rotate-key", help="Re-encrypt every account's secrets with the first key."
        )

    def handle(self, *args, action: str, **options):
        getattr(self, "handle_" + action.replace("-", "_"))(**options)

    def handle_add(self, *, channel, name, locale, base_url, credentials_json, template, **_):
        """Add an account through the admin's own form: the same rules, one home."""
        if credentials_json == "-":
            credentials_json = sys.stdin.read()
        locales = list(Locale.objects.filter(language_code__in=locale))
        unknown = sorted(set(locale) - {item.language_code for item in locales})
        if unknown:
            known = ", ".join(Locale.objects.values_list("language_code", flat=True))
            raise CommandError(f"Unknown language(s): {', '.join(unknown)}. Known: {known}.")
        form = SocialAccountForm(
            data={
                "name": name,
                "channel": channel,
                "locales": [item.pk for item in locales],
                "enabled": True,
                "base_url": base_url,
                "post_template": template,
                "credentials_json": credentials_json,
            }
        )
        if not form.is_valid():
            # Field errors never repeat the input: a URL's path or a credential may be secret.
            raise CommandError(
                " ".join(
                    f"{OPTIONS.get(field, channel)}: {' '.join(errors)}"
                    for field, errors in form.errors.items()
                )
            )
        with transaction.atomic():
            form.save()
        self.stdout.write(
            f"Added {channel} account {name!r} for {', '.join(sorted(locale))}. "
            f"Check it with: manage.py social_accounts test {name!r}"
        )

    def handle_list(self, **_):
        accounts = SocialAccount.objects.prefetch_related("locales")
        if not accounts:
            self.stdout.write("No social accounts.")
        for account in accounts:
            languages = ",".join(sorted(loc.language_code for loc in account.locales.all()))
            state = "enabled" if account.enabled else "disabled"
            found = problems(account)
            self.stdout.write(
                f"{account.name}\t{account.channel}\t{languages}\t{state}\t"
                f"{account.base_url_origin or '(default URL)'}\t"
                f"{account.verified_as or '(not tested)'}\t"
                + (f"NEEDS ATTENTION: {' '.join(found)}" if found else "credentials readable")
                + (
                    f"\ttoken expires {account.token_expires_at:%Y-%m-%d %H:%M}"
                    if account.token_expires_at
                    else ""
                )
            )

    def account(self, name: str) -> SocialAccount:
        try:
            return SocialAccount.objects.get(name=name)
        except SocialAccount.DoesNotExist:
            raise CommandError(f"No account named {name!r}.") from None

    def handle_test(self, *, name, **_):
        account = self.account(name)
        try:
            channel = account.build_channel(build_channel)
        except CredentialsError as error:
            raise CommandError(f"{name}: {error}") from None
        try:
            identity = channel.verify()
        except DeliveryError as error:
            raise CommandError(f"{name}: {error}") from None
        finally:
            account.keep_state(channel)
        SocialAccount.objects.filter(pk=account.pk).update(
            verified_as=identity[:200], auth_failed_at=None
        )
        self.stdout.write(f"{name}: OK, posts as {identity}")

    def handle_disable(self, *, name, **_):
        account = self.account(name)
        SocialAccount.objects.filter(pk=account.pk).update(enabled=False)
        self.stdout.write(f"Disabled {name!r}: nothing more will be posted to it.")

    def handle_enable(self, *, name, **_):
        account = self.account(name)
        SocialAccount.objects.filter(pk=account.pk).update(enabled=True)
        self.stdout.write(f"Enabled {name!r}.")

    def handle_rotate_key(self, **_):
        """Re-encrypt what can be read; name the accounts that cannot, and fail at the end
        (after committing the others) so that a script notices."""
        count = 0
        unreadable = []
        with transaction.atomic():
            for account in SocialAccount.objects.select_for_update():
                try:
                    credentials = rotate(account.credentials_encrypted)
                except CredentialsError as error:
                    unreadable.append(f"{account.name}: {error}")
                    continue
                try:
                    state = rotate(account.state_encrypted)
                except CredentialsError:
                    state = ""  # a session cache: the channel opens a new one
                SocialAccount.objects.filter(pk=account.pk).update(
                    credentials_encrypted=credentials, state_encrypted=state
                )
                count += 1
        self.stdout.write(f"Re-encrypted the secrets of {count} account(s) with the newest key.")
        if unreadable:
            raise CommandError(
                "These accounts need attention (their credentials stay as they were):\n"
                + "\n".join(unreadable)
            )
