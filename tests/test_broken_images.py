"""An image whose file cannot be read is left out, with a warning; it never gives a 500.

The stored file of a logo, a body image and a replacement card is swapped, behind
Wagtail's back, for each kind of unreadable file; then every page, list, feed, API
answer and admin view that shows it is fetched, and the letter is published. Uploads of
the same files get a form error and store nothing.
"""

from __future__ import annotations

import io
import logging
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from wagtail.images import get_image_model

from publishing.messages import show_message
from publishing.models import ShareImage, ShareImageOverride
from tests.test_share_images import png_with_size


def jpeg_bytes(size=(400, 400)) -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise(size, 50).convert("RGB").save(buffer, "JPEG")
    return buffer.getvalue()


# Each kind of file a storage can hold that Pillow cannot turn into a rendition.
UNREADABLE = {
    "truncated JPEG": jpeg_bytes()[:3000],
    "missing file": None,
    "empty file": b"",
    "text renamed .jpg": b"this is not an image at all",
    # Over twice PIL.Image.MAX_IMAGE_PIXELS: Pillow raises DecompressionBombError.
    "decompression bomb": png_with_size(60_000, 60_000),
}


def break_file(image, stored_bytes: bytes | None) -> None:
    if stored_bytes is None:
        os.remove(image.file.path)
    else:
        with open(image.file.path, "wb") as handle:
            handle.write(stored_bytes)


@pytest.fixture(params=list(UNREADABLE))
def broken_image_site(request, tree, make_organization, make_letter):
    """An organization whose logo, a letter whose body image and replacement card are one
    image, whose file is then made unreadable."""
    image = get_image_model().objects.create(
        title="logo", file=ContentFile(jpeg_bytes(), name="logo.jpg")
    )
    organization = make_organization("ccla", "CCLA", logo=image, country="CA")
    letter = make_letter(
        "broken",
        signatories=[organization],
        body=[
            {"type": "paragraph", "value": "<p>Body.</p>"},
            {"type": "image", "value": {"image": image.pk, "alt_text": "A photo"}},
        ],
    )
    ShareImageOverride.objects.create(page=letter, image=image, alt_text="A replacement")
    break_file(image, UNREADABLE[request.param])
    return image, organization, letter


def test_readers_get_pages_lists_feeds_and_the_api_without_the_unreadable_image(
    client, broken_image_site, caplog
):
    image, organization, letter = broken_image_site
    urls = [
        "/en/",
        "/en/letters/",
        "/en/letters/broken/",
        "/en/organizations/",
        "/en/organizations/ccla/",
        "/en/feeds/letters.rss",
        "/en/feeds/organizations/ccla.atom",
        "/api/v1/letters/",
        f"/api/v1/letters/{letter.pk}/",
        "/api/v1/organizations/",
        f"/api/v1/organizations/{organization.pk}/",
    ]
    with caplog.at_level(logging.WARNING, logger="home.images"):
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert b"not-found" not in response.content, url  # no broken <img>
    assert any(f"Image {image.pk}" in record.getMessage() for record in caplog.records)

    organizations = client.get("/api/v1/organizations/").json()
    assert [item["logo"] for item in organizations["items"]] == [None]
    detail = client.get(f"/api/v1/letters/{letter.pk}/").json()
    assert all(item["organization"]["logo"] is None for item in detail["signatories"])
    page = client.get("/en/organizations/ccla/").content.decode()
    assert "organization__logo" not in page


def test_the_admin_shows_the_unreadable_image_as_missing_instead_of_failing(
    superuser_client, broken_image_site
):
    image, organization, letter = broken_image_site
    for url in [
        "/admin/images/",
        f"/admin/images/{image.pk}/",
        "/admin/images/chooser/",
        f"/admin/pages/{letter.pk}/edit/",
        f"/admin/pages/{organization.pk}/edit/",
    ]:
        assert superuser_client.get(url).status_code == 200, url


def test_a_letter_with_an_unreadable_logo_and_replacement_card_still_publishes(
    broken_image_site, django_capture_on_commit_callbacks
):
    _image, _organization, letter = broken_image_site
    letter.title = "Published again"
    with django_capture_on_commit_callbacks(execute=True):
        letter.save_revision().publish()
    letter.refresh_from_db()
    assert letter.live and letter.title == "Published again"
    card = ShareImage.objects.get(page=letter, variant="og")
    problems = [show_message(problem) for problem in card.problems]
    assert any("replacement image cannot be used" in problem for problem in problems)


@pytest.mark.parametrize(
    "name,data",
    [
        ("truncated.jpg", jpeg_bytes()[:3000]),
        ("truncated.png", None),  # filled in below: a PNG cut short
        ("text.png", b"this is not an image at all"),
        ("empty.jpg", b""),
        ("bomb.png", png_with_size(60_000, 60_000)),
    ],
)
def test_uploading_an_unreadable_image_gets_a_form_error_and_stores_nothing(
    superuser_client, name, data
):
    if data is None:
        buffer = io.BytesIO()
        Image.effect_noise((300, 300), 40).convert("RGB").save(buffer, "PNG")
        data = buffer.getvalue()[:2000]
    response = superuser_client.post(
        "/admin/images/add/",
        {"title": "Logo", "collection": "1", "file": SimpleUploadedFile(name, data)},
    )
    assert response.status_code == 200  # the form again, with its error
    errors = response.context["form"].errors["file"]
    assert errors and all(error.strip() for error in errors)
    assert not get_image_model().objects.exists()

    multiple = superuser_client.post(
        "/admin/images/multiple/add/", {"files[]": SimpleUploadedFile(name, data)}
    )
    assert multiple.status_code == 200
    assert multiple.json()["success"] is False and multiple.json()["error_message"]
    assert not get_image_model().objects.exists()


def test_uploading_a_readable_image_still_works(superuser_client):
    response = superuser_client.post(
        "/admin/images/add/",
        {
            "title": "Logo",
            "collection": "1",
            "file": SimpleUploadedFile("logo.jpg", jpeg_bytes((1200, 800))),
        },
    )
    assert response.status_code == 302
    assert get_image_model().objects.get().width == 1200
