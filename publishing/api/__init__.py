"""The headless JSON API (Django Ninja, OpenAPI 3.1): letters and organizations, per language."""
