"""Rendering and storing a page's share cards; previews for editors."""

from __future__ import annotations

import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop
from PIL import ImageOps

from home.models import LetterPage
from home.signatories import resolve_signatories
from publishing.cdn.receivers import purge_after_commit
from publishing.messages import StoredMessage, message

from .card import VARIANTS, RenderedCard, Variant, _encode, render_card
from .content import card_inputs, card_settings, override_inputs
from .logos import load_image
from .storage import share_image_storage

logger = logging.getLogger(__name__)


def render_share_images(letter: LetterPage) -> dict[str, bool]:
    """Make sure every variant of `letter`'s card is current. Returns {variant: rendered?}.

    Inputs are hashed first; a variant whose inputs did not change is not drawn
    again, so a republish that changes nothing on the card costs no rendering
    (a card hidden as stale is only shown again). Safe to run twice or
    concurrently: a card is written only if no input changed since this run read
    it (its `generation`), so an older run never overwrites a newer one.
    """
    from publishing.models import ContentVersion, ShareImage

    storage = share_image_storage()
    # Read before the inputs (the letter too): a change committed after this point,
    # or another run's write, bumps the generation and voids this run's writes.
    existing = {image.variant: image for image in ShareImage.objects.filter(page=letter)}
    letter = type(letter).objects.select_related("locale").get(pk=letter.pk)
    override = letter.share_image_overrides.select_related("image").first()
    signatories, look = resolve_signatories(letter), card_settings(letter)
    digests = input_digests(letter, override, signatories=signatories, look=look)
    rendered_any, shown_again = {}, False
    for variant in VARIANTS.values():
        digest, alt_text = digests[variant.key]
        current = existing.get(variant.key)
        rendered_any[variant.key] = False
        if current and current.input_hash == digest and storage.exists(current.file_name):
            if current.stale:
                shown_again |= bool(
                    ShareImage.objects.filter(pk=current.pk, generation=current.generation).update(
                        stale=False, generation=F("generation") + 1
                    )
                )
            continue
        rendered, problems = draw(letter, variant, override, signatories=signatories, look=look)
        name = content_addressed_name(rendered, variant)
        if not storage.exists(name):
            storage.save(name, ContentFile(rendered.data))
        fields = {
            "input_hash": digest,
            "file_name": name,
            "width": rendered.width,
            "height": rendered.height,
            "size": len(rendered.data),
            "mime_type": rendered.mime_type,
            "alt_text": alt_text,
            "problems": problems,
            "stale": False,
        }
        # When a newer run or change came first, the file drawn here is left unused
        # rather than deleted: a concurrent run may have drawn the same bytes.
        if _store(letter, variant, current, fields):
            rendered_any[variant.key] = True
            if current and current.file_name != name:
                _delete_if_unused(current.file_name)
    if shown_again or any(rendered_any.values()):
        ContentVersion.bump()  # feeds and API answers carry the cards
        # So do the letter's pages (og:image) a CDN may have kept since the publish,
        # which link previews fetch within seconds (nothing without a CDN).
        purge_after_commit([letter.pk])
    return rendered_any


def input_digests(
    letter: LetterPage, override=None, *, signatories=None, look=None
) -> dict[str, tuple[str, str]]:
    """{variant key: (input hash, alt text)} of `letter`'s cards as its inputs are now
    (`card_fingerprint`, or `override_inputs` when `override` replaces the card).
    Nothing is drawn or decoded; `signatories` and `look` are read when not given."""
    if override is None:
        signatories = resolve_signatories(letter) if signatories is None else signatories
        look = look or card_settings(letter)
    digests = {}
    for variant in VARIANTS.values():
        if override is not None:
            digests[variant.key] = override_inputs(letter, override, variant)
        else:
            inputs = card_inputs(
                letter, variant, load_logos=False, signatories=signatories, look=look
            )
            digests[variant.key] = (inputs.input_hash, inputs.alt_text)
    return digests


def _store(letter: LetterPage, variant: Variant, current, fields: dict) -> bool:
    """Write the card unless its inputs changed (or another run stored it) meanwhile."""
    from publishing.models import ShareImage

    if current is not None:
        updated = ShareImage.objects.filter(pk=current.pk, generation=current.generation).update(
            rendered_at=timezone.now(), generation=F("generation") + 1, **fields
        )
        return bool(updated)
    try:
        with transaction.atomic():
            ShareImage.objects.create(page=letter, variant=variant.key, **fields)
    except IntegrityError:
        return False  # a concurrent run stored it first
    return True


def draw(
    letter: LetterPage, variant: Variant, override=None, **known
) -> tuple[RenderedCard, list[StoredMessage]]:
    """The card's bytes and the problems met drawing it (never raises for bad content).

    The problems are stored with the card and read later by editors in their own admin
    languages, so they are messages (publishing.messages), translated when shown."""
    problems: list[StoredMessage] = []
    if override is not None:
        picture, problem = load_image(
            override.image.file, override.image.title, max(variant.width, variant.height)
        )
        if picture is not None:
            fitted = ImageOps.fit(picture.convert("RGB"), (variant.width, variant.height))
            data = _encode(fitted, variant)
            return RenderedCard(data, variant.width, variant.height, variant.mime_type, []), []
        problems.append(
            message(
                gettext_noop(
                    "The replacement image cannot be used (%(problem)s); "
                    "the generated card is shown."
                ),
                problem=problem.reason,
            )
        )
    inputs = card_inputs(letter, variant, **known)
    rendered = render_card(inputs.content, variant)
    problems.extend(inputs.problems)
    if rendered.dropped:
        problems.append(
            message(
                gettext_noop(
                    "No font can draw these characters, so they were left out: %(characters)s"
                ),
                characters=" ".join(sorted(set(rendered.dropped))),
            )
        )
    return rendered, problems


def content_addressed_name(rendered: RenderedCard, variant: Variant) -> str:
    digest = hashlib.sha256(rendered.data).hexdigest()
    return f"{digest[:2]}/{digest[:40]}.{variant.extension}"


def _delete_if_unused(name: str) -> None:
    from publishing.models import ShareImage

    if not ShareImage.objects.filter(file_name=name).exists():
        share_image_storage().delete(name)


def preview(page, variant_key: str) -> RenderedCard:
    """The card of the page's latest draft, drawn now and not stored (for the editor)."""
    variant = VARIANTS[variant_key]
    draft = page.get_latest_revision_as_object() if page.latest_revision_id else page
    override = draft.share_image_overrides.select_related("image").first()
    signatories = resolve_signatories(draft, draft=True)
    rendered, _problems = draw(draft, variant, override, signatories=signatories)
    return rendered
