"""Property-based run of the read endpoints against their own OpenAPI document.

Schemathesis generates valid and invalid parameters from the schema, calls the
WSGI application in-process, and fails on any server error or on a response that
does not match the document (status code, content type, body schema).
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
    method="GET", tag_regex="letters|organizations"
)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Schemathesis calls the WSGI application directly, not through Django's test client,
    so Django would close the database connection after each request, in the middle of
    the test's transaction (on PostgreSQL). Do what the test client does: don't."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def demo_content(make_organization, make_letter, translate):
    organizations = [
        make_organization(f"org-{i}", f"Organization {i}", country="KE") for i in range(3)
    ]
    letter = make_letter("schema-letter", title="Schema letter", signatories=organizations)
    translate(letter, "fr")
    return letter


@schema.parametrize()
@settings(
    max_examples=settings.default.max_examples,  # from the profile in conftest
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_read_endpoints_never_fail_and_match_the_schema(case, demo_content):
    response = case.call()
    assert response.status_code < 500, response.text[:500]
    case.validate_response(response)
