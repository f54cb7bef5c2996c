"""Share cards in an S3-compatible bucket (config/object_storage.py selects it).

Apart from storage.py so that boto3 is imported only by installations that use it.
"""

from __future__ import annotations

from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage

from .storage import CARDS_URL


class ShareImageS3Storage(S3Storage):
    """Cards in an S3-compatible bucket, kept private there and linked through the site.

    Takes django-storages' S3Storage options (config/object_storage.py sets them).
    """

    def url(self, name: str, parameters=None, expire=None, http_method=None) -> str:
        """The site-relative address of the card `name` (e.g. "ab/ab12….png"), served by
        the card view; never the bucket's address."""
        return CARDS_URL + filepath_to_uri(name)
