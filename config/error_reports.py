"""What error reports and the debug page may show (DEFAULT_EXCEPTION_REPORTER_FILTER)."""

from __future__ import annotations

from django.views.debug import SafeExceptionReporterFilter


class SecretsMaskedReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, with two additions:

    - it masks on the DEBUG page too (Django masks only when DEBUG is False): a
      developer debugging with a real token must not put it on screen or in a
      shared screenshot;
    - POST fields whose names look secret (`hidden_settings`: API, TOKEN, KEY,
      SECRET, PASS, SIGNATURE — so also `csrfmiddlewaretoken`) are masked on every
      view, not only on views decorated with `sensitive_post_parameters`.
    """

    def is_active(self, request) -> bool:
        return True

    def get_post_parameters(self, request):
        parameters = super().get_post_parameters(request)
        if request is None or not parameters:
            return parameters
        parameters = parameters.copy()
        for name in parameters:
            if self.hidden_settings.search(name):
                parameters[name] = self.cleansed_substitute
        return parameters
