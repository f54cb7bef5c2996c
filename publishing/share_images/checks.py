"""System checks of the share cards: can this installation draw them for every configured
language?"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from babel import Locale, UnknownLocaleError
from django.conf import settings
from django.core import checks
from PIL import features


@checks.register()
def check_share_image_layout(app_configs=None, **kwargs):
    errors = []
    if not features.check("raqm"):
        errors.append(
            checks.Error(
                "Pillow cannot use raqm, so Arabic and Hebrew would be drawn unjoined and "
                "left to right, and Devanagari unshaped on share cards.",
                hint="Install FriBiDi (Debian: apt-get install libfribidi0) — Pillow's wheels "
                "bundle raqm and HarfBuzz but load FriBiDi from the system.",
                id="broadside.E001",
            )
        )
    return errors


@checks.register()
def check_share_image_fonts(app_configs=None, **kwargs):
    from publishing.share_images.fonts import coverage, font_families

    errors = []
    families = font_families()
    for name, faces in families.items():
        for face in faces:
            for path in (face.regular, face.bold):
                if not Path(path).is_file():
                    errors.append(
                        checks.Error(
                            f"Font file {path} of share-card family {name!r} is missing.",
                            hint="Fix BROADSIDE_SHARE_IMAGE_FONTS or put the file in site/fonts/.",
                            id="broadside.E002",
                        )
                    )
    if errors:
        return errors
    for name, faces in families.items():
        covered = frozenset().union(*(coverage(f.regular) & coverage(f.bold) for f in faces))
        for code, _label in settings.LANGUAGES:
            missing = sorted(c for c in exemplar_characters(code) if ord(c) not in covered)
            if missing:
                errors.append(
                    checks.Error(
                        f"No share-card font of family {name!r} draws the letters of language "
                        f"{code!r} (for example: {' '.join(missing[:10])}).",
                        hint="Add a font that covers this script to BROADSIDE_SHARE_IMAGE_FONTS "
                        "(for CJK, e.g. Noto Sans CJK from Debian's fonts-noto-cjk).",
                        id="broadside.E003",
                    )
                )
    return errors


def exemplar_characters(language: str) -> set[str]:
    """Letters the language is written with, sampled from CLDR data written in it.

    Babel does not ship CLDR's exemplar sets, but the language's own names of
    months, days and countries use its script thoroughly enough to find a
    missing font.
    """
    try:
        locale = Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return set()
    sample = [locale.display_name or ""]
    sample += locale.months["format"]["wide"].values()
    sample += locale.days["format"]["wide"].values()
    sample += locale.territories.values()
    return {c for c in "".join(sample) if c.isalpha() or unicodedata.category(c).startswith("M")}
