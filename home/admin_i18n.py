"""The admin speaks the editor's language; the content fields, the content's.

- `ContentLanguagePageForm` is the form of every page type: its text fields carry the
  page locale's `lang` and `dir`, so English text reads left to right in the Arabic admin
  (and Arabic text right to left in the English one), and a text longer than its field's
  limit is refused with Django's "at most N characters (it has M)" instead of being cut
  silently by the browser's `maxlength`.
- `script_mismatch` finds text written only in a script the page's language does not use
  (an Arabic-only title in an English letter); `warn_about_foreign_scripts` says so after a
  save, in the editor's language, without refusing the text (quotations and names exist).
- `make_names_optional`: Wagtail's account page requires a first and last name, so an
  administrator created without them (`createsuperuser`) cannot change even the admin
  language until they type names. Wagtail offers no setting for it.
"""

from __future__ import annotations

import unicodedata

import icu
from babel import Locale as BabelLocale
from django import forms
from django.contrib import messages
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm

from home.organization_copies import refuse_an_organization_twice

# Inputs whose text is not prose in the page's language.
NOT_PROSE = (forms.URLInput, forms.EmailInput, forms.NumberInput, forms.PasswordInput)
# The fields of a letter or organization whose script is checked after a save.
CHECKED_FIELDS = ("title", "standfirst", "addressees", "description", "intro")


def language_direction(language_code: str) -> str:
    """ "rtl" or "ltr": the writing direction of a language Django knows (``LANG_INFO``)."""
    return "rtl" if get_language_info(language_code)["bidi"] else "ltr"


def mark_text_fields(form: forms.BaseForm, language_code: str) -> None:
    """Give `form`'s text widgets the content's `lang` and `dir`, and drop `maxlength`.

    Without `maxlength` the browser no longer truncates a pasted text at the limit; the
    field's own `MaxLengthValidator` still refuses it, with a message saying the limit.
    """
    direction = language_direction(language_code)
    for field in form.fields.values():
        widget = field.widget
        if not isinstance(widget, forms.TextInput | forms.Textarea) or isinstance(
            widget, NOT_PROSE
        ):
            continue
        widget.attrs.setdefault("lang", language_code)
        widget.attrs.setdefault("dir", direction)
        widget.attrs.pop("maxlength", None)


class ContentLanguagePageForm(WagtailAdminPageForm):
    """Wagtail's page form, with text fields in the page's language (see the module)."""

    def __init__(self, *args, parent_page=None, **kwargs):
        super().__init__(*args, parent_page=parent_page, **kwargs)
        locale = self.instance.locale if self.instance.locale_id else None
        if locale is None and parent_page is not None:
            locale = parent_page.locale
        if locale is None:
            return
        mark_text_fields(self, locale.language_code)
        for formset in self.formsets.values():
            for child in [*formset.forms, formset.empty_form]:
                mark_text_fields(child, locale.language_code)
                # A new row learns its page only when saved: its clean() reads this
                # (LetterSignatory names the organization's copy in this language).
                child.instance.page_locale = locale

    def is_valid(self) -> bool:
        """Wagtail's checks, then: no organization signs twice through two of its copies."""
        valid = super().is_valid()
        signatories = self.formsets.get("signatories")
        if signatories is not None:
            valid = refuse_an_organization_twice(signatories) and valid
        return valid


def use_content_language_forms() -> None:
    """Make `ContentLanguagePageForm` the base form of every page type left on Wagtail's.

    Runs before wagtail.admin's `ready()` sets `Page.base_form_class`, so it sets each page
    type's own attribute and leaves `Page` alone.
    """
    from wagtail.models import Page, get_page_models

    for model in get_page_models():
        if model is Page:
            continue
        own = [
            klass.__dict__["base_form_class"]
            for klass in model.__mro__[:-1]
            if klass is not Page and "base_form_class" in klass.__dict__
        ]
        if not own or own[0] is WagtailAdminPageForm:
            model.base_form_class = ContentLanguagePageForm


def language_scripts(language_code: str) -> set[int]:
    """ICU script codes (`UScriptCode`) a language is written in, e.g. {Arab} for "ar"."""
    return set(icu.Script.getCode(language_code))


def script_mismatch(text: str, language_code: str) -> str | None:
    """The ISO 15924 code of the script `text` is written in, if the language uses none of it.

    Only letters count. Text with at least one letter in one of the language's scripts
    passes (an Arabic sentence naming "Google" is Arabic), and so does text without
    letters. Returns e.g. "Arab" for "رسالة مفتوحة" checked against "en".
    """
    expected = language_scripts(language_code)
    if not expected:
        return None
    found: dict[str, int] = {}
    for character in text:
        if not unicodedata.category(character).startswith("L"):
            continue
        code_point = ord(character)
        if any(icu.Script.hasScript(code_point, script) for script in expected):
            return None
        name = icu.Script.getScript(character).getShortName()
        found[name] = found.get(name, 0) + 1
    return max(found, key=found.get) if found else None


def foreign_script_warnings(page) -> list[str]:
    """Warnings, in the active language, for `page`'s fields written in another script."""
    language_code = page.locale.language_code
    reader = BabelLocale.parse(get_language() or "en", sep="-")
    warnings = []
    for name in CHECKED_FIELDS:
        value = getattr(page, name, None)
        if not isinstance(value, str) or not value.strip():
            continue
        script = script_mismatch(value, language_code)
        if script is None:
            continue
        field = page._meta.get_field(name)
        warnings.append(
            _(
                "“%(field)s” is written in %(script)s, but this page is in %(language)s. "
                "If it belongs in another language, put it in that translation."
            )
            % {
                "field": field.verbose_name,
                "script": reader.scripts.get(script, script),
                "language": reader.languages.get(language_code.split("-")[0], language_code),
            }
        )
    return warnings


def warn_about_foreign_scripts(request, page) -> None:
    """Wagtail `after_create_page` / `after_edit_page` hook: add the warnings as messages."""
    for warning in foreign_script_warnings(page.specific):
        messages.warning(request, warning)


def make_names_optional() -> None:
    """Let the account page save (language, time zone, …) without a first and last name."""
    from wagtail.admin.forms.account import NameEmailForm

    for name in ("first_name", "last_name"):
        NameEmailForm.base_fields[name].required = False
