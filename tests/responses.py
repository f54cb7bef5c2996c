"""Reading answers in tests."""

from __future__ import annotations


def text_of(response) -> str:
    """The body of a 200 answer, decoded.

    A test that checks what a page leaves out must first know that the page answered:
    a 404, a 500 or a redirect to the login page contains none of it, and would pass.
    """
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    return response.content.decode()
