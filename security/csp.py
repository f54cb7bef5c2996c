"""Content-Security-Policy: a strict policy for the public site, a workable one for the admin.

django-csp builds and sends the header; this middleware only chooses which policy
a response gets. The Wagtail admin (Wagtail 8) still renders inline <script>
blocks (inline panels, date widgets, wagtail-localize) and inline styles, so
paths under /admin/ need 'unsafe-inline'; nothing on the public site does.
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

ADMIN_PATH_PREFIX = "/admin/"


def uses_admin_policy(request: HttpRequest) -> bool:
    """Admin pages, and previews: Wagtail renders a preview through the whole middleware
    stack with a dummy request for the page's public URL, marked `is_preview`; the result
    is framed by the admin and carries the admin's inline scripts (userbar, checks)."""
    return request.path_info.startswith(ADMIN_PATH_PREFIX) or getattr(request, "is_preview", False)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with `BROADSIDE_ADMIN_CONTENT_SECURITY_POLICY` under /admin/.

    A view that set its own policy with django-csp's decorators keeps it.
    """

    def get_policy_parts(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        report_only: bool = False,
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.config is None and uses_admin_policy(request):
            parts.config = default_config(settings.BROADSIDE_ADMIN_CONTENT_SECURITY_POLICY)
        return parts
