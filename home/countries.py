"""Countries as ISO 3166-1 alpha-2 codes, named in the reader's language.

The database stores only the code; names come from the Unicode CLDR through
Babel, so every locale gets its own spelling (Egypt, Égypte, مصر) and nothing
has to be translated by hand.
"""

from functools import cache

from babel import Locale, UnknownLocaleError
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# CLDR territories that are two letters long but are not countries.
_NOT_COUNTRIES = {"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"}


@cache
def _territories(language: str) -> dict[str, str]:
    try:
        locale = Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse("en")
    return {
        code: name
        for code, name in locale.territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }


def country_name(code: str, language: str | None = None) -> str:
    """The country's name in `language` (default: the active language); the code if unknown."""
    if not code:
        return ""
    return _territories(language or get_language() or "en").get(code.upper(), code.upper())


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """(code, localized name) pairs sorted by name, for form widgets."""
    names = _territories(language or get_language() or "en")
    return sorted(names.items(), key=lambda item: item[1].casefold())


def validate_country_code(value: str) -> None:
    if value and value.upper() not in _territories("en"):
        raise ValidationError(
            _("“%(code)s” is not an ISO 3166-1 country code."),
            code="invalid_country",
            params={"code": value},
        )
