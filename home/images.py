"""Images that cannot be read never break a page, a list, the admin or a publish.

Wagtail decodes an image's stored file whenever it makes a rendition, and only a
*missing* file (its `SourceImageIOError`) is handled by its own views and `{% image %}`
tag; a truncated JPEG, an empty file, text renamed `.png` or a decompression bomb raise
Pillow's or Willow's errors from every page that shows a thumbnail. Files change behind
the upload form's back (restored backups, storage faults, images uploaded before a
check existed), so:

- every rendition is made through `AbstractImage.generate_rendition_file`, and
  `guard_rendition_generation` makes its decoding errors a `SourceImageIOError` with a
  logged warning: Wagtail's admin then shows its "not found" thumbnail, as for a
  missing file;
- readers' templates and the API ask `rendition_or_none`, which returns `None`, so they
  leave the image out instead of linking a broken one;
- `BroadsideImageForm` (every upload form) decodes a file before accepting it, so a
  damaged one gets a form error instead of being stored.
"""

from __future__ import annotations

import functools
import logging
import warnings

from django import forms
from django.utils.translation import gettext_lazy as _
from PIL import Image as PILImage
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm
from wagtail.images.models import AbstractImage, AbstractRendition, SourceImageIOError

logger = logging.getLogger(__name__)

# What Pillow and Willow raise for a file they cannot decode: truncated or corrupt data
# (OSError, which includes Willow's UnrecognisedImageFormatError and Pillow's
# UnidentifiedImageError), bad headers (SyntaxError, ValueError), early ends (EOFError)
# and images over `PIL.Image.MAX_IMAGE_PIXELS` twice over (DecompressionBombError).
UNREADABLE_IMAGE_ERRORS = (
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
    PILImage.DecompressionBombError,
)
# The largest side an upload is decoded at to check it (JPEGs decode at a reduced scale).
UPLOAD_CHECK_SIDE = 256


def guard_rendition_generation() -> None:
    """Make every failure to decode an image's file a `SourceImageIOError`, logged.

    Installed once from `HomeConfig.ready()`. `generate_rendition_file` is the one
    method through which Wagtail makes renditions (`get_rendition`, `get_renditions`,
    `{% image %}`, `{% picture %}`, the admin's thumbnails and choosers).
    """
    original = AbstractImage.generate_rendition_file
    if getattr(original, "broadside_guarded", False):
        return

    @functools.wraps(original)
    def generate_rendition_file(self, *args, **kwargs):
        try:
            return original(self, *args, **kwargs)
        except SourceImageIOError as error:
            logger.warning("Image %s (%s) is missing: %s", self.pk, self.file.name, error)
            raise
        except UNREADABLE_IMAGE_ERRORS as error:
            logger.warning(
                "Image %s (%s) cannot be read: %s: %s",
                self.pk,
                self.file.name,
                type(error).__name__,
                error,
            )
            raise SourceImageIOError(f"{type(error).__name__}: {error}") from error

    generate_rendition_file.broadside_guarded = True
    AbstractImage.generate_rendition_file = generate_rendition_file


def rendition_or_none(image: AbstractImage | None, filter_spec: str) -> AbstractRendition | None:
    """The rendition of `image` for `filter_spec` (e.g. "fill-64x64"), or None.

    None when there is no image or its file is missing or unreadable (the reason is
    logged by `guard_rendition_generation`): readers get no image rather than a 500 or
    a broken one.
    """
    if image is None:
        return None
    try:
        return image.get_rendition(filter_spec)
    except SourceImageIOError:
        return None


def unreadable_image_reason(file) -> str | None:
    """Why Pillow cannot decode `file` (an uploaded file, read from its start), or None.

    Decodes the whole file (JPEGs at a reduced scale), which is what finds truncated
    data; Wagtail's own upload checks read only the header. The caller has already
    refused files over WAGTAILIMAGES_MAX_IMAGE_PIXELS.
    """
    position = file.tell()
    try:
        file.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(file) as image:
                image.draft("RGB", (UPLOAD_CHECK_SIDE, UPLOAD_CHECK_SIDE))
                image.load()
    except (*UNREADABLE_IMAGE_ERRORS, PILImage.DecompressionBombWarning) as error:
        return f"{type(error).__name__}: {error}"
    finally:
        file.seek(position)
    return None


class ReadableImageField(WagtailImageField):
    """Wagtail's image field, refusing a file it would store but could never render.

    Wagtail's checks read the header only, and a file cut short raises Pillow's OSError
    from them (a 500); here every such error, and a file that does not decode to its
    end, is a form error for the editor who uploaded it.
    """

    def to_python(self, data):
        try:
            file = super().to_python(data)
        except UNREADABLE_IMAGE_ERRORS as error:
            raise self._unreadable(f"{type(error).__name__}: {error}") from error
        if file is not None:
            reason = unreadable_image_reason(file)
            if reason is not None:
                raise self._unreadable(reason)
        return file

    @staticmethod
    def _unreadable(reason: str) -> forms.ValidationError:
        return forms.ValidationError(
            _(
                "This file cannot be read as an image (%(reason)s). It may be damaged or "
                "incompletely uploaded: export it again and upload the new file."
            ),
            code="unreadable",
            params={"reason": reason},
        )


class BroadsideImageForm(BaseImageForm):
    """Wagtail's image form with a `ReadableImageField` (WAGTAILIMAGES_IMAGE_FORM_BASE),
    so every upload form (single, multiple, chooser) decodes a file before storing it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("file")
        if field is not None and not isinstance(field, ReadableImageField):
            self.fields["file"] = ReadableImageField(
                label=field.label, required=field.required, widget=field.widget
            )
