"""Where share cards are stored: Django's storage API, so object storage works.

The `share_images` alias in settings.STORAGES selects the backend: the filesystem under
MEDIA_ROOT/share-images by default, a bucket's `share-images/` prefix with object storage
(config/object_storage.py; the class is in `object_storage.py` beside this module, so that
boto3 is imported only when it is used). Either way a card's address is the site's
`/share-images/<name>`, served by `publishing.share_images.views.share_image_file`, which reads
the file through this storage and gives it to readers only while its letter is public, with
immutable caching (the name changes whenever the image does). The bucket itself keeps cards
private: a direct bucket URL would stay readable after the letter is made private.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages

from publishing.models.cards import SHARE_IMAGES_STORAGE

# Where cards are linked from, whichever storage holds them (publishing/share_images/urls.py).
CARDS_URL = "/share-images/"


class ShareImageFileStorage(FileSystemStorage):
    """Cards on the filesystem, under MEDIA_ROOT/share-images."""

    def __init__(self, **kwargs):
        kwargs.setdefault("location", settings.MEDIA_ROOT / "share-images")
        kwargs.setdefault("base_url", CARDS_URL)
        super().__init__(**kwargs)


def share_image_storage() -> Storage:
    """The storage cards are read from and written to (settings.STORAGES["share_images"])."""
    return storages[SHARE_IMAGES_STORAGE]
