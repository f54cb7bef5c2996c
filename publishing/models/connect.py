"""OAuth client registrations Broadside made itself (Mastodon's `POST /api/v1/apps`).

One per server, redirect URI and scopes, reused by every account connected on
that server: Mastodon asks apps not to register again for each sign-in.
The client secret is encrypted like account credentials.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from publishing.social.credentials import decrypt_credentials, encrypt_credentials


class OAuthClient(models.Model):
    server = models.CharField(_("server"), max_length=255, help_text=_("scheme://host[:port]"))
    redirect_uri = models.CharField(max_length=500)
    scopes = models.CharField(max_length=255)
    client_id = models.CharField(max_length=255)
    # Encrypted JSON {"client_secret": …} (publishing/credentials.py).
    secret_encrypted = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("OAuth client registration")
        verbose_name_plural = _("OAuth client registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["server", "redirect_uri", "scopes"], name="one_oauth_client_per_server"
            )
        ]

    def __str__(self) -> str:
        return self.server

    @property
    @sensitive_variables()
    def client_secret(self) -> str:
        """Raises CredentialsError when no configured key decrypts it."""
        return decrypt_credentials(self.secret_encrypted).get("client_secret", "")

    @client_secret.setter
    @sensitive_variables()
    def client_secret(self, value: str) -> None:
        self.secret_encrypted = encrypt_credentials({"client_secret": value})
