"""The UI catalogues (site/locale) against the strings the code uses, read with Babel.

Every string marked for translation in Python and templates (extracted exactly as
`make messages` does) must be in every language's catalogue, translated, not fuzzy,
with the plural forms of Babel's rule for that language, and with the same
placeholders as the English; and each language's punctuation must be its own."""

from __future__ import annotations

import re
from collections import Counter
from gettext import c2py
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils.translation import gettext, ngettext, override

from config.babel_django import SOURCE_DIRS, extract_template

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "site" / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]

# %(name)s / %s (Python formatting) and {name} (post-template placeholders the editor
# types: they must reach the reader unchanged).
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")
SAMPLE_COUNTS = [*range(0, 1001), 1_000_000, 2_000_000]
COUNT = re.compile(r"%\((counter|count|n|minutes)\)[sd]")


@pytest.fixture(scope="module")
def template(tmp_path_factory, monkeypatch_module):
    pot = tmp_path_factory.mktemp("pot") / "django.pot"
    monkeypatch_module.chdir(ROOT)
    extract_template(str(pot))
    with pot.open("rb") as fh:
        return read_po(fh)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def catalogue(code):
    with (LOCALE_DIR / code / "LC_MESSAGES" / "django.po").open("rb") as fh:
        return read_po(fh, locale=code)


def forms(message):
    return list(message.string) if isinstance(message.id, tuple) else [message.string]


def single_number_forms(translations):
    """Indexes of the plural forms that the catalogue's rule uses for one number only."""
    rule = c2py(translations.plural_expr)
    counts = Counter(rule(n) for n in SAMPLE_COUNTS)
    return {index for index, seen in counts.items() if seen == 1}


def placeholder_problems(message, translations):
    """Differences between the placeholders of the msgid and of each form."""
    problems = []
    if isinstance(message.id, tuple):
        expected = set(PLACEHOLDER.findall(message.id[1]))
        exact = single_number_forms(translations)
        for index, form in enumerate(message.string):
            found = set(PLACEHOLDER.findall(form))
            missing = expected - found
            if index in exact:  # the form for exactly 0, 1 or 2 may spell it out
                missing = {name for name in missing if not COUNT.fullmatch(name)}
            if missing or found - expected:
                problems.append(f"[form {index}] {sorted(found)} != {sorted(expected)}")
    else:
        expected = set(PLACEHOLDER.findall(message.id))
        found = set(PLACEHOLDER.findall(message.string))
        if found != expected:
            problems.append(f"{sorted(found)} != {sorted(expected)}")
    return problems


def test_the_template_holds_the_strings_of_python_and_templates(template):
    ids = {message.id if isinstance(message.id, str) else message.id[0] for message in template}
    assert "What went out" in ids  # publishing/templates/.../social_posts.html
    assert "Post again" in ids
    assert "Social deliveries" in ids  # publishing/admin_views.py
    assert "Signed by %(counter)s organization" in ids  # {% blocktranslate count %}


def test_extraction_reaches_every_app_of_ours():
    """A new app's strings are extracted (so translated and checked) without anyone
    remembering to list it: every first-party app in INSTALLED_APPS is in SOURCE_DIRS."""
    ours = {
        app.split(".")[0] for app in settings.INSTALLED_APPS if (ROOT / app.split(".")[0]).is_dir()
    }
    assert ours <= set(SOURCE_DIRS)


def test_the_templates_of_email_are_extracted(template):
    ids = {message.id if isinstance(message.id, str) else message.id[0] for message in template}
    assert any(message_id.startswith("The source text of these translations") for message_id in ids)


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_string_is_translated_in(code, template):
    translations = catalogue(code)
    missing, untranslated, fuzzy, plurals, placeholders = [], [], [], [], []
    for message in template:
        if not message.id:
            continue
        found = translations.get(message.id, context=message.context)
        label = message.id if isinstance(message.id, str) else message.id[0]
        if found is None:
            missing.append(label)
            continue
        if found.fuzzy:
            fuzzy.append(label)
        if not all(forms(found)):
            untranslated.append(label)
            continue
        if isinstance(message.id, tuple) and len(found.string) != translations.num_plurals:
            plurals.append(label)
        placeholders += [
            f"{label!r}: {problem}" for problem in placeholder_problems(found, translations)
        ]
    assert not missing, f"{code}: not in the catalogue (run `make messages`): {missing}"
    assert not untranslated, f"{code}: untranslated: {untranslated}"
    assert not fuzzy, f"{code}: fuzzy (check and remove the flag): {fuzzy}"
    assert not plurals, f"{code}: wrong number of plural forms: {plurals}"
    assert not placeholders, f"{code}: placeholders differ: {placeholders}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_catalogue_passes_babels_checks_in(code):
    translations = catalogue(code)
    assert translations.plural_forms == get_plural(code).plural_forms, "not Babel's Plural-Forms"
    errors = [
        f"{message.id!r}: {error}"
        for message, message_errors in translations.check()
        for error in message_errors
    ]
    assert not errors


def prose(text):
    """The text around placeholders, JSON examples and addresses."""
    text = re.sub(r"%\(\w+\)[sd]|\{[^{}]*\}|https?://\S*|\w+\.\w+", " ", text)
    return text


def test_french_puts_a_no_break_space_before_high_punctuation_and_inside_guillemets():
    wrong = []
    for message in catalogue("fr"):
        for form in forms(message) if message.id else []:
            text = prose(form)
            if re.search(r"(?<![\u00a0\u202f])[:;!?»]", text) or re.search(
                r"«(?![\u00a0\u202f])", text
            ):
                wrong.append(form)
    assert not wrong


def test_no_french_or_spanish_preposition_precedes_a_phrase_that_may_begin_with_an_article():
    # "À l'attention de les gouvernements": de + les must contract to "des" (Spanish
    # a + el to "al"), which a template cannot do; so such a phrase never follows them.
    phrase = r"%\((addressees|topic|title|organization|name)\)s"
    wrong = [
        (code, form)
        for code, prepositions in [("fr", "de|à|d’"), ("es", "de|a")]
        for message in catalogue(code)
        for form in (forms(message) if message.id else [])
        if re.search(rf"(?i)\b({prepositions}) ?{phrase}", form)
    ]
    assert not wrong


def test_arabic_uses_arabic_commas_semicolons_and_question_marks():
    wrong = [
        form
        for message in catalogue("ar")
        for form in (forms(message) if message.id else [])
        if re.search(r"[,;?]", prose(form))
    ]
    assert not wrong


@pytest.mark.parametrize("code", TRANSLATED)
def test_django_reads_the_compiled_catalogue_of(code):
    expected = catalogue(code).get("Post again").string
    with override(code):
        assert gettext("Post again") == expected


def test_each_count_gets_its_languages_plural_form():
    # CLDR: Hebrew has a dual; Arabic uses the singular noun from 11 to 99; Russian
    # 21 is "one" and 12 "many". Django's own catalogues use other Plural-Forms.
    cases = {
        ("he", 2): "2 ניסיונות",
        ("ar", 2): "محاولتان",
        ("ar", 11): "11 محاولةً",
        ("ar", 100): "100 محاولة",
        ("ru", 21): "21 попытка",
        ("ru", 12): "12 попыток",
        ("fr", 0): "0 tentative",
    }
    for (code, count), expected in cases.items():
        with override(code):
            text = ngettext("%(counter)s attempt", "%(counter)s attempts", count) % {
                "counter": count
            }
        assert text == expected, (code, count)


@pytest.mark.parametrize("code", TRANSLATED)
def test_no_plural_form_shows_its_count_in_parentheses(code):
    # "שני פרסומים (2)", "لا منشورات (0)": a form for one number says it in words, or
    # leaves it out; repeating it as a figure in brackets reads as a leftover.
    wrong = [
        form
        for message in catalogue(code)
        if isinstance(message.id, tuple)
        for form in message.string
        if re.search(r"\(\s*" + COUNT.pattern + r"\s*\)", form)
    ]
    assert not wrong


@pytest.mark.parametrize("code", ["ar", "he"])
def test_the_form_for_one_says_one_in_words(code):
    # Arabic and Hebrew put "one" after the noun ("ארגון אחד", "منظمة واحدة"); the figure
    # ("חתום על ידי ארגון 1", "תוצאה 1") reads as a page number, not a count. A "+1"
    # badge (logos left off a card) is a figure in every language.
    translations = catalogue(code)
    rule = c2py(translations.plural_expr)
    wrong = [
        message.string[rule(1)]
        for message in translations
        if isinstance(message.id, tuple)
        and not message.id[0].startswith("+")
        and COUNT.search(message.string[rule(1)])
    ]
    assert not wrong
