"""Where share cards are stored: Django's storage API, so object storage works.

The `share_images` alias in settings.STORAGES selects the backend. The default
keeps files under MEDIA_ROOT/share-images and serves them through
`publishing.share_images.views.share_image_file` with immutable caching (the URL changes
whenever the image does). With object storage, configure that storage's own
cache headers (for example `CacheControl: public, max-age=31536000, immutable`).
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages

from publishing.models.cards import SHARE_IMAGES_STORAGE


class ShareImageFileStorage(FileSystemStorage):
    def __init__(self, **kwargs):
        kwargs.setdefault("location", settings.MEDIA_ROOT / "share-images")
        kwargs.setdefault("base_url", "/share-images/")
        super().__init__(**kwargs)


def share_image_storage():
    return storages[SHARE_IMAGES_STORAGE]
