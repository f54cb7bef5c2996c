"""Where share cards are stored: Django's storage API, so object storage works.

The `share_images` alias in settings.STORAGES selects the backend: the filesystem under
BROADSIDE_SHARE_IMAGES_ROOT (`var/share-images`) by default, never under MEDIA_ROOT, which
the web server gives to anyone (a private letter's cards would answer there at their old
names), or a bucket's `share-images/` prefix with object storage (config/object_storage.py;
the class is in `object_storage.py` beside this module, so that boto3 is imported only when
it is used). Either way a card's address is the site's `/share-images/<name>`, served by
`publishing.share_images.views.share_image_file`, which reads the file through this storage
and gives it to readers only while its letter is public, with immutable caching (the name
changes whenever the image does). The bucket itself keeps cards private: a direct bucket URL
would stay readable after the letter is made private.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages

from publishing.models.cards import SHARE_IMAGES_STORAGE

logger = logging.getLogger(__name__)

# Where cards are linked from, whichever storage holds them (publishing/share_images/urls.py).
CARDS_URL = "/share-images/"


class ShareImageFileStorage(FileSystemStorage):
    """Cards on the filesystem, under BROADSIDE_SHARE_IMAGES_ROOT (outside MEDIA_ROOT)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("location", settings.BROADSIDE_SHARE_IMAGES_ROOT)
        kwargs.setdefault("base_url", CARDS_URL)
        super().__init__(**kwargs)


def share_image_storage() -> Storage:
    """The storage cards are read from and written to (settings.STORAGES["share_images"])."""
    return storages[SHARE_IMAGES_STORAGE]


# Where cards were kept before they left MEDIA_ROOT.
LEGACY_FOLDER = "share-images"


def move_cards_out_of_media(**kwargs) -> int:
    """Move the cards that earlier versions kept in MEDIA_ROOT/share-images to the card
    storage's own folder, and remove that folder; returns how many files moved.

    The web server serves MEDIA_ROOT to anyone, so a card there answered at
    `/media/share-images/<name>` even after its letter was made private. Run after every
    `migrate` (post_migrate); does nothing once the folder is gone, or when cards are not
    on the filesystem. A card already at its new place is kept and its old copy dropped.
    """
    storage = share_image_storage()
    if not isinstance(storage, FileSystemStorage):
        return 0
    legacy = Path(settings.MEDIA_ROOT) / LEGACY_FOLDER
    target = Path(storage.location)
    if not legacy.is_dir() or legacy.resolve() == target.resolve():
        return 0
    moved = 0
    for path in sorted(legacy.rglob("*")):
        if not path.is_file():
            continue
        destination = target / path.relative_to(legacy)
        if destination.exists():
            path.unlink()
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, destination)  # across file systems too
        moved += 1
    for folder in sorted((p for p in legacy.rglob("*") if p.is_dir()), reverse=True):
        folder.rmdir()
    legacy.rmdir()
    logger.info("Moved %d share cards out of MEDIA_ROOT to %s.", moved, target)
    return moved
