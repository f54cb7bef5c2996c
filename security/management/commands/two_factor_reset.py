"""Remove an account's two-step sign-in devices (a lost phone)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp import devices_for_user


class Command(BaseCommand):
    help = (
        "Remove every two-step sign-in device of an account, so that its owner can sign in "
        "with the password alone (and must enrol again if BROADSIDE_REQUIRE_2FA=1)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        User = get_user_model()
        try:
            user = User.objects.get_by_natural_key(username)
        except User.DoesNotExist as missing:
            raise CommandError(f"No account is named {username!r}.") from missing
        removed = 0
        for device in devices_for_user(user, confirmed=None):
            device.delete()
            removed += 1
        self.stdout.write(f"Removed {removed} device(s) of {username}.")
