"""Attack (fourth outside review): what a reader can learn of private letters, anonymous
signatories and embargoed drafts from surfaces the earlier reviews did not cover.

Earlier reviews: tests/test_attack_cdn.py, tests/test_attack_sharing.py, tests/test_privacy.py,
tests/test_signatories.py.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from publishing.share_images.storage import (
    LEGACY_FOLDER,
    move_cards_out_of_media,
    share_image_storage,
)


# -- share card files -----------------------------------------------------------------------
def test_attack_cards_are_not_kept_where_the_web_server_serves_media_to_anyone():
    """docs/deploy.md has the web server serve MEDIA_ROOT (and `make run` serves it too):
    a card kept there answered at /media/share-images/<name> after its letter was made
    private, past the view that checks the letter is public."""
    cards = Path(share_image_storage().location).resolve()
    media = Path(settings.MEDIA_ROOT).resolve()
    assert not cards.is_relative_to(media), cards


def test_attack_cards_left_in_media_by_an_earlier_version_move_out_after_migrate():
    legacy = Path(settings.MEDIA_ROOT) / LEGACY_FOLDER
    (legacy / "ab").mkdir(parents=True)
    (legacy / "ab" / f"{'a' * 40}.png").write_bytes(b"card")
    storage = share_image_storage()

    assert move_cards_out_of_media() == 1
    assert not legacy.exists()
    assert storage.open(f"ab/{'a' * 40}.png").read() == b"card"
    storage.delete(f"ab/{'a' * 40}.png")
    assert move_cards_out_of_media() == 0  # nothing left to move: a later migrate is a no-op
