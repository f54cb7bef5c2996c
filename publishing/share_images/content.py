"""What a letter's share card shows, in the letter's language, and the inputs it is drawn from.

A card is a function of these inputs, and its `input_hash` covers all of them
(`card_fingerprint`). Each is watched by `publishing.share_images.changes`, which
marks the cards that read it stale and has them redrawn, in every language:
- the letter in its language: title, kind, publication date, language, site;
- its signature rows and those of the source-language letter, which rule who
  may be named in every translation (`home.signatories.signature_rows`);
- each signatory organization's page, in any language: publication state,
  privacy (its own view restrictions and its ancestors'), place in the tree,
  and its logo (the image record and the file behind it);
- the site's card settings (colours, brand, font family) and its name;
- the fonts configured for the family (`BROADSIDE_SHARE_IMAGE_FONTS`: faces, order, files)
  and the logo size limit;
- the renderer version; or, instead of all that, a replacement image and its alt text.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass

from babel import UnknownLocaleError
from babel.dates import format_date
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.models import Site

from home.i18n import text_direction
from home.models import LetterPage
from home.signatories import resolve_signatories
from publishing.messages import StoredMessage

from .card import RENDERER_VERSION, CardContent, Colours, Variant
from .fonts import family_fingerprint
from .logos import LogoProblem, load_logo


@dataclass
class CardInputs:
    """A card's content for one variant, its hash, and what had to be left out (stored
    messages, publishing.messages: shown in each editor's language)."""

    content: CardContent
    input_hash: str
    alt_text: str
    problems: list[StoredMessage]


def card_settings(page):
    from publishing.models import ShareCardSettings

    site = page.get_site() or Site.objects.filter(is_default_site=True).first()
    card = ShareCardSettings.for_site(site) if site else ShareCardSettings()
    brand = card.brand or (site.site_name if site else "") or settings.WAGTAIL_SITE_NAME
    colours = Colours(card.background_colour, card.text_colour, card.accent_colour)
    return brand, colours, card.font_family


def card_inputs(
    letter: LetterPage,
    variant: Variant,
    *,
    load_logos: bool = True,
    signatories=None,
    look=None,
) -> CardInputs:
    """Localized card content for `letter`. Logos are decoded only when `load_logos`.

    `signatories` and `look` (from `card_settings`) can be passed in when
    several variants of one letter are prepared, to read them once.
    """
    language = letter.locale.language_code
    brand, colours, font_family = look or card_settings(letter)
    with translation.override(language):
        if signatories is None:
            signatories = resolve_signatories(letter)
        named = [s.organization for s in signatories if s.organization]
        count = len(signatories)
        kicker = f"{letter.get_letter_type_display()} · {_localized_date(letter, language)}"
        signatures = ngettext(
            "Signed by %(counter)s organization", "Signed by %(counter)s organizations", count
        ) % {"counter": count}
        with_logos = [o for o in named if o.logo_id][: variant.logos]
        hidden = len(named) - len(with_logos)
        more = (
            ngettext("+%(counter)s more", "+%(counter)s more", hidden) % {"counter": hidden}
            if hidden > 0 and with_logos
            else ""
        )
        alt_text = _("%(kind)s: “%(title)s”. %(signatures)s. %(brand)s.") % {
            "kind": letter.get_letter_type_display(),
            "title": letter.title,
            "signatures": signatures,
            "brand": brand,
        }
    logos, problems = [], []
    if load_logos:
        for organization in with_logos:
            logo, problem = _decoded_logo(organization.logo, organization.title)
            if logo is not None:
                logos.append(logo)
            if problem is not None:
                problems.append(problem.message)
    content = CardContent(
        title=letter.title,
        kicker=kicker,
        signatures=signatures if count else "",
        brand=brand,
        language=language,
        direction=text_direction(language),
        logos=tuple(logos),
        more_logos=more,
        colours=colours,
        font_family=font_family,
    )
    fingerprint = card_fingerprint(content, variant, alt_text, [o.logo for o in with_logos])
    return CardInputs(content, fingerprint, alt_text, problems)


def card_fingerprint(content: CardContent, variant: Variant, alt_text: str, logos: list) -> str:
    """The input hash of a generated card: every input it is drawn from, and nothing else.

    `content` carries the letter's texts (already localized, with the signatory
    count that withheld and hidden signatories have left), brand and colours;
    `logos` are the Wagtail images of the named signatories shown, in order.
    Fonts are taken from the configuration (faces and file hashes), so a font
    change gives new hashes too. Returns a SHA-256 hex digest.
    """
    fingerprint = {
        "renderer": RENDERER_VERSION,
        "variant": variant.key,
        "title": content.title,
        "kicker": content.kicker,
        "signatures": content.signatures,
        "brand": content.brand,
        "language": content.language,
        "direction": content.direction,
        "more": content.more_logos,
        "alt": alt_text,
        "colours": [content.colours.background, content.colours.text, content.colours.accent],
        "font_family": content.font_family,
        "fonts": family_fingerprint(content.font_family),
        "logo_limit": settings.BROADSIDE_SHARE_IMAGE_MAX_LOGO_PIXELS,
        "logos": [_logo_fingerprint(image) for image in logos],
    }
    return hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()


_LOGOS: OrderedDict[tuple, tuple] = OrderedDict()


def _decoded_logo(image, organization: str):
    """`load_logo` of a Wagtail image, kept per process: a letter's logos are drawn on its 4
    variants, in every language, and decoding them cost more than drawing the card.

    Keyed by what the card's input hash knows of the image (`_logo_fingerprint`: record,
    file name and file hash), the organization's name (in the problem text) and the size
    limit; at most 256 thumbnails of 64 px are kept (~4 MB).
    """
    key = (
        _logo_fingerprint(image),
        organization,
        settings.BROADSIDE_SHARE_IMAGE_MAX_LOGO_PIXELS,
    )
    found = _LOGOS.get(key)
    if found is None:
        found = _LOGOS[key] = load_logo(image.file, organization)
        if len(_LOGOS) > 256:
            _LOGOS.popitem(last=False)
    else:
        _LOGOS.move_to_end(key)
    return found


def _logo_fingerprint(image) -> str:
    """The image record and the file behind it: replacing the file changes the hash."""
    return f"{image.pk}:{image.file.name}:{image.file_hash or image.file_size or ''}"


def _localized_date(letter: LetterPage, language: str) -> str:
    try:
        return format_date(
            letter.publication_date, format="long", locale=language.replace("-", "_")
        )
    except (ValueError, UnknownLocaleError):
        return letter.publication_date.isoformat()


def override_inputs(page, override, variant: Variant) -> tuple[str, str]:
    """Hash and alt text when the editor uploaded an image instead."""
    digest = hashlib.sha256(
        json.dumps(
            [
                RENDERER_VERSION,
                variant.key,
                "override",
                _logo_fingerprint(override.image),
                override.alt_text,
            ]
        ).encode()
    ).hexdigest()
    return digest, override.alt_text


__all__ = ["CardInputs", "LogoProblem", "card_fingerprint", "card_inputs", "override_inputs"]
