"""Where share cards are stored: Django's storage API, so object storage works.

The `share_images` alias in settings.STORAGES selects the backend: the filesystem under
MEDIA_ROOT/share-images by default, a bucket's `share-images/` prefix with object storage
(config/object_storage.py). Either way a card's address is the site's
`/share-images/<name>`, served by `publishing.share_images.views.share_image_file`, which reads
the file through this storage and gives it to readers only while its letter is public, with
immutable caching (the name changes whenever the image does). The bucket itself keeps cards
private: a direct bucket URL would stay readable after the letter is made private.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage

from publishing.models.cards import SHARE_IMAGES_STORAGE

# Where cards are linked from, whichever storage holds them (publishing/share_images/urls.py).
CARDS_URL = "/share-images/"


class ShareImageFileStorage(FileSystemStorage):
    """Cards on the filesystem, under MEDIA_ROOT/share-images."""

    def __init__(self, **kwargs):
        kwargs.setdefault("location", settings.MEDIA_ROOT / "share-images")
        kwargs.setdefault("base_url", CARDS_URL)
        super().__init__(**kwargs)


class ShareImageS3Storage(S3Storage):
    """Cards in an S3-compatible bucket, kept private there and linked through the site.

    Takes django-storages' S3Storage options (config/object_storage.py sets them).
    """

    def url(self, name: str, parameters=None, expire=None, http_method=None) -> str:
        """The site-relative address of the card `name` (e.g. "ab/ab12….png"), served by
        the card view; never the bucket's address."""
        return CARDS_URL + filepath_to_uri(name)


def share_image_storage() -> Storage:
    """The storage cards are read from and written to (settings.STORAGES["share_images"])."""
    return storages[SHARE_IMAGES_STORAGE]
