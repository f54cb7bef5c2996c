"""Reading uploaded logos safely: a bad logo is left off the card, never breaks a publish."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_noop
from PIL import Image, UnidentifiedImageError

from publishing.messages import StoredMessage, message, show_message

# Logos are decoded straight to the size a card shows them (card.LOGO_INSIDE): one
# LANCZOS resampling from the file, none left for each card to draw.
THUMBNAIL = 64


@dataclass(frozen=True)
class LogoProblem:
    """Why an image was refused. `reason` is a stored message (publishing.messages): the
    problem is kept with the card and read later, in each editor's language."""

    organization: str
    reason: StoredMessage

    @property
    def message(self) -> StoredMessage:
        """The problem as a card stores it."""
        return message(
            gettext_noop("Logo of %(organization)s left out: %(reason)s"),
            organization=self.organization,
            reason=self.reason,
        )

    def __str__(self) -> str:
        return show_message(self.message)


def load_logo(file, organization: str) -> tuple[Image.Image | None, LogoProblem | None]:
    return load_image(file, organization, THUMBNAIL)


def load_image(
    file, organization: str, largest_side: int
) -> tuple[Image.Image | None, LogoProblem | None]:
    """A small RGBA copy of the logo, or the reason it cannot be used.

    Decompression bombs and huge images are refused before their pixels are
    decoded; CMYK, palette, greyscale and 16-bit images are converted; SVG is
    refused (it would need a rasterizer that runs the file's own instructions).
    """
    limit = settings.BROADSIDE_SHARE_IMAGE_MAX_LOGO_PIXELS
    try:
        file.open("rb")
        try:
            head = file.read(512)
            if b"<svg" in head.lower() or head.lstrip().startswith(b"<?xml"):
                return None, LogoProblem(
                    organization, message(gettext_noop("SVG logos cannot be used; upload a PNG."))
                )
            file.seek(0)
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(file) as image:
                    width, height = image.size
                    if width * height > limit:
                        return None, LogoProblem(
                            organization,
                            message(
                                gettext_noop(
                                    "the image is %(width)d×%(height)d pixels, too large to use."
                                ),
                                width=width,
                                height=height,
                            ),
                        )
                    image.draft("RGB", (largest_side, largest_side))
                    image.load()
                    logo = _to_rgba(image)
        finally:
            file.close()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None, LogoProblem(
            organization, message(gettext_noop("the image is too large to decode safely."))
        )
    except (UnidentifiedImageError, SyntaxError):
        return None, LogoProblem(
            organization, message(gettext_noop("the file is not an image Broadside can read."))
        )
    except (OSError, ValueError, EOFError) as error:
        return None, LogoProblem(
            organization,
            # The library's own words (Pillow's, in English) are shown as they are.
            message(gettext_noop("the file is damaged (%(error)s)."), error=str(error)),
        )
    logo.thumbnail((largest_side, largest_side), Image.Resampling.LANCZOS)
    return logo, None


def _to_rgba(image: Image.Image) -> Image.Image:
    if image.mode == "CMYK":
        image = image.convert("RGB")
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.point(lambda value: value / 256).convert("L")
    if image.mode == "P" and "transparency" in image.info:
        return image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        return image.convert("RGBA")
    return image.convert("RGB").convert("RGBA")
