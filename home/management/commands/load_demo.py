import logging

from django.core.management.base import BaseCommand

from home.background import inline_tasks
from home.demo.loader import DemoLoader


class Command(BaseCommand):
    help = (
        "Load the demo site: thirteen organizations of a civil-liberties network, their network, "
        "three letters, and French and Arabic translations. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--create-admin",
            action="store_true",
            help="Also create an 'admin' superuser with a random password if no superuser exists.",
        )

        parser.add_argument(
            "--base-url",
            help="Where the demo is served (default: BROADSIDE_BASE_URL); a local site follows it.",
        )

    def handle(self, *args, create_admin=False, base_url=None, **options):
        # One line per task and per published page (thousands) buries the password.
        quiet = options.get("verbosity", 1) < 2
        loggers = [logging.getLogger(name) for name in ("django_tasks", "wagtail")]
        levels = [logger.level for logger in loggers]
        if quiet:
            for logger in loggers:
                logger.setLevel(logging.WARNING)
        try:
            with inline_tasks():
                DemoLoader(log=self.stdout.write, base_url=base_url).load()
        finally:
            for logger, level in zip(loggers, levels, strict=True):
                logger.setLevel(level)
        if create_admin:
            self.ensure_admin()

    def ensure_admin(self) -> None:
        """The administrator `make run` creates (config/start.py): created once, its password
        kept in var/admin-password (0600) and said again while it is still valid."""
        from config.start import admin_credentials

        username, password = admin_credentials()
        if password is None:
            self.stdout.write(
                f"An administrator already exists. Forgot the password? "
                f"Run: .venv/bin/python manage.py changepassword {username}"
            )
            return
        self.stdout.write(
            self.style.SUCCESS(f"Administrator: {username} / {password} (var/admin-password)")
        )
