"""Media and share cards in an S3-compatible bucket (config/object_storage.py).

The storages are configured exactly as production settings configure them from the
environment, pointed at a loopback S3 server (moto in server mode, tests/servers/s3.py) that
checks every signature: cards land in the bucket and are read back from it by the card view
and by deliveries, uploaded images and their renditions land there too, and the bucket lets
readers fetch renditions only, never cards (whose view keeps the privacy rule).
"""

from __future__ import annotations

import io
import re
import subprocess
import sys

import botocore.exceptions
import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from PIL import Image
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import PageViewRestriction

from config.object_storage import object_storage_from_environment
from home.models import LetterPage
from publishing.messages import show_message
from publishing.models import Delivery, DeliveryStatus, ShareImage
from publishing.share_images.card import VARIANTS
from publishing.share_images.object_storage import ShareImageS3Storage
from publishing.share_images.storage import share_image_storage
from tests.servers.mastodon import FakeMastodon
from tests.servers.s3 import Credentials, FakeS3
from tests.social import add_account
from tests.test_deploy import BASE_DIR, production_environment

BUCKET = "broadside-s3-tests"
# What docs/deploy.md tells operators to make public: renditions only.
PUBLIC_PREFIXES = ["media/images/"]
MASTODON_TOKEN = "mastodon-token-s3"


@pytest.fixture(scope="module")
def s3():
    """One loopback S3 server for the module, with the user's keys in the environment
    (where boto3 reads them, as in production)."""
    with FakeS3(BUCKET, PUBLIC_PREFIXES) as server, pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", server.credentials.access_key_id)
        patch.setenv("AWS_SECRET_ACCESS_KEY", server.credentials.secret_access_key)
        yield server


def environment(s3: FakeS3, **extra: str) -> dict[str, str]:
    """The variables an operator sets for this bucket; the CDN is the server itself."""
    host = s3.url.removeprefix("http://")
    return {
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": s3.url,
        "AWS_S3_REGION_NAME": "eu-west-1",
        "AWS_S3_CUSTOM_DOMAIN": f"{host}/{BUCKET}",
        "AWS_S3_URL_PROTOCOL": "http:",
        **extra,
    }


@pytest.fixture
def object_storage(s3, settings, tmp_path):
    """Settings as production makes them from `environment(s3)`, an empty bucket, and a
    MEDIA_ROOT of the test's own (so "nothing on the filesystem" is about this test only)."""
    settings.MEDIA_ROOT = tmp_path
    client = s3.client()
    for key in s3.keys():
        client.delete_object(Bucket=BUCKET, Key=key)
    configured = object_storage_from_environment(environment(s3))
    settings.STORAGES = {**settings.STORAGES, **configured.storages}
    settings.MEDIA_URL = configured.media_url
    settings.WAGTAILDOCS_SERVE_METHOD = "serve_view"
    return s3


def png(size=(300, 200), colour="red") -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name="logo.png")


def bucket_object(s3: FakeS3, key: str) -> bytes:
    return s3.client().get_object(Bucket=BUCKET, Key=key)["Body"].read()


def og_image(html: str) -> str:
    return re.search(r'<meta property="og:image" content="([^"]+)"', html)[1]


def test_a_published_letters_cards_are_in_the_bucket_and_served_by_the_site(
    object_storage, make_letter, run_on_commit, client, settings
):
    letter = run_on_commit(make_letter, "in-the-bucket", title="Cards in a bucket")
    cards = ShareImage.objects.filter(page=letter)
    assert cards.count() == len(VARIANTS)
    assert sorted(object_storage.keys()) == sorted(f"share-images/{c.file_name}" for c in cards)
    assert not (settings.MEDIA_ROOT / "share-images").exists()  # nothing on the filesystem

    url = og_image(client.get(letter.url).content.decode())
    og = cards.get(variant="og")
    assert url == f"http://testserver/share-images/{og.file_name}"
    response = client.get(url.removeprefix("http://testserver"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == bucket_object(
        object_storage, f"share-images/{og.file_name}"
    )
    assert "immutable" in response["Cache-Control"]
    # The bucket itself gives cards to no one without the keys.
    anonymous = requests.get(f"{object_storage.url}/{BUCKET}/share-images/{og.file_name}")
    assert anonymous.status_code == 403


def test_a_redrawn_card_replaces_the_old_object(object_storage, make_letter, run_on_commit):
    letter = run_on_commit(make_letter, "redrawn", title="Before")
    before = set(object_storage.keys())
    letter.title = "After"
    run_on_commit(letter.save_revision().publish)
    after = set(object_storage.keys())
    assert len(after) == len(VARIANTS) and not before & after  # old files deleted, new ones written


def test_a_delivery_reads_its_card_from_the_bucket(object_storage, make_letter, run_on_commit, db):
    with FakeMastodon(access_token=MASTODON_TOKEN) as mastodon:
        add_account(
            "mastodon", "mastodon-en", ["en"], mastodon.url, {"access_token": MASTODON_TOKEN}
        )
        letter = run_on_commit(make_letter, "posted", title="Posted with its card")
        delivery = Delivery.objects.get(page=letter)
        assert delivery.status == DeliveryStatus.SENT
        [media] = mastodon.media.values()
    og = ShareImage.objects.get(page=letter, variant="og")
    assert media["bytes"] == bucket_object(object_storage, f"share-images/{og.file_name}")


def test_private_letters_cards_are_drawn_but_never_public(
    object_storage, tree, make_letter, run_on_commit, client
):
    """docs/decisions.md: a private letter's cards are drawn (editors see them in the
    Sharing tab) and answer no reader, from the site or from the bucket."""
    letter = run_on_commit(make_letter, "made-private", title="Soon private")
    was_public = ShareImage.objects.get(page=letter, variant="og").file_name
    assert client.get(f"/share-images/{was_public}").status_code == 200
    run_on_commit(PageViewRestriction.objects.create, page=letter, restriction_type="login")

    private = LetterPage(
        title="Private from the start",
        slug="born-private",
        publication_date=letter.publication_date,
        standfirst="Never public.",
    )
    tree.letters.add_child(instance=private)
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    run_on_commit(private.save_revision().publish)

    for page in (letter, private):
        og = ShareImage.objects.get(page=page, variant="og")
        assert f"share-images/{og.file_name}" in object_storage.keys()
        assert client.get(f"/share-images/{og.file_name}").status_code == 404
        direct = requests.get(f"{object_storage.url}/{BUCKET}/share-images/{og.file_name}")
        assert direct.status_code == 403


def test_an_uploaded_image_and_its_rendition_are_in_the_bucket(
    object_storage, make_organization, make_letter, run_on_commit, client
):
    logo = get_image_model().objects.create(title="logo", file=png())
    assert logo.file.name.startswith("original_images/")
    assert f"media/{logo.file.name}" in object_storage.keys()
    organization = make_organization("ccla", "CCLA", logo=logo)
    letter = run_on_commit(
        make_letter,
        "with-image",
        signatories=[organization],
        body=[{"type": "image", "value": {"image": logo.pk, "alt_text": "A logo"}}],
    )
    # The card was drawn with the logo, read back from the bucket.
    card = ShareImage.objects.get(page=letter, variant="og")
    assert not any("CCLA" in show_message(p) for p in card.problems)

    html = client.get(letter.url).content.decode()
    [src] = re.findall(r'<img[^>]+src="([^"]+/media/images/[^"]+)"', html)
    assert src.startswith(object_storage.url + f"/{BUCKET}/media/images/")
    [rendition] = logo.renditions.all()
    assert f"media/{rendition.file.name}" in object_storage.keys()
    fetched = requests.get(src)  # as a reader's browser does: no keys
    assert fetched.status_code == 200
    assert fetched.content == bucket_object(object_storage, f"media/{rendition.file.name}")
    # The original is not public; only renditions are.
    assert requests.get(f"{object_storage.url}/{BUCKET}/media/{logo.file.name}").status_code == 403

    api = client.get(f"/api/v1/letters/{letter.pk}/").json()
    [signatory] = api["signatories"]
    media_url = object_storage_from_environment(environment(object_storage)).media_url
    assert signatory["organization"]["logo"]["url"].startswith(media_url + "images/")


def test_two_uploads_with_one_name_are_two_objects(object_storage, db):
    first = get_image_model().objects.create(title="one", file=png(colour="red"))
    second = get_image_model().objects.create(title="two", file=png(colour="blue"))
    assert first.file.name != second.file.name
    assert bucket_object(object_storage, f"media/{first.file.name}") != bucket_object(
        object_storage, f"media/{second.file.name}"
    )


def test_documents_are_streamed_from_the_bucket_through_the_site(object_storage, client, db):
    document = get_document_model().objects.create(
        title="Report", file=ContentFile(b"%PDF-1.4 report", name="report.pdf")
    )
    assert f"media/{document.file.name}" in object_storage.keys()
    response = client.get(document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 report"
    # Not public in the bucket: the serve view applies collection privacy.
    direct = requests.get(f"{object_storage.url}/{BUCKET}/media/{document.file.name}")
    assert direct.status_code == 403


def test_the_bucket_refuses_wrong_keys_and_other_buckets(object_storage, settings):
    options = settings.STORAGES["share_images"]["OPTIONS"]
    wrong = ShareImageS3Storage(
        **options,
        access_key=object_storage.credentials.access_key_id,
        secret_key="not-the-secret",
    )
    with pytest.raises(botocore.exceptions.ClientError, match="SignatureDoesNotMatch"):
        wrong.save("00/wrong.png", ContentFile(b"x"))
    unknown = ShareImageS3Storage(**options, access_key="AKIAUNKNOWN", secret_key="x")
    with pytest.raises(botocore.exceptions.ClientError, match="InvalidAccessKeyId"):
        unknown.save("00/unknown.png", ContentFile(b"x"))
    elsewhere = ShareImageS3Storage(**{**options, "bucket_name": "no-such-bucket"})
    with pytest.raises(botocore.exceptions.ClientError, match="AccessDenied"):
        elsewhere.save("00/elsewhere.png", ContentFile(b"x"))
    assert object_storage.keys() == []
    # The configured storage, with the keys from the environment, works.
    share_image_storage().save("00/right.png", ContentFile(b"x"))
    assert object_storage.keys() == ["share-images/00/right.png"]


def test_the_loopback_server_needs_the_users_keys(object_storage):
    wrong = Credentials(object_storage.credentials.access_key_id, "wrong")
    with pytest.raises(botocore.exceptions.ClientError, match="SignatureDoesNotMatch"):
        object_storage.client(wrong).list_objects_v2(Bucket=BUCKET)
    assert requests.get(f"{object_storage.url}/{BUCKET}").status_code == 403  # no listing
    anonymous_put = requests.put(f"{object_storage.url}/{BUCKET}/media/images/x.png", data=b"x")
    assert anonymous_put.status_code == 403
    assert object_storage.keys() == []


# -- how the environment becomes settings ---------------------------------------------------


def test_without_a_bucket_files_stay_on_the_filesystem():
    assert object_storage_from_environment({}) is None
    assert object_storage_from_environment({"AWS_STORAGE_BUCKET_NAME": " "}) is None


@pytest.mark.parametrize(
    "extra, media_url, origins",
    [
        (
            {"AWS_S3_CUSTOM_DOMAIN": "cdn.example.org"},
            "https://cdn.example.org/media/",
            ["https://cdn.example.org"],
        ),
        (
            {"AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000"},
            "http://127.0.0.1:9000/letters/media/",
            ["http://127.0.0.1:9000"],
        ),
        (
            {"AWS_S3_REGION_NAME": "eu-west-3"},
            "https://letters.s3.amazonaws.com/media/",
            ["https://letters.s3.amazonaws.com", "https://letters.s3.eu-west-3.amazonaws.com"],
        ),
    ],
)
def test_media_urls_and_policy_origins_follow_the_storages_own_urls(
    extra, media_url, origins, settings, monkeypatch
):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example")
    configured = object_storage_from_environment({"AWS_STORAGE_BUCKET_NAME": "letters", **extra})
    assert configured.media_url == media_url and configured.media_origins == origins
    settings.STORAGES = {**settings.STORAGES, **configured.storages}
    # What django-storages links to (no request is made) starts where MEDIA_URL says.
    assert storages["default"].url("images/a.png") == media_url + "images/a.png"
    assert storages["share_images"].url("ab/cd.png") == "/share-images/ab/cd.png"


@pytest.mark.parametrize(
    "extra",
    [
        {"AWS_S3_ENDPOINT_URL": "127.0.0.1:9000"},
        {"AWS_S3_URL_PROTOCOL": "ftp:"},
        {"AWS_S3_ADDRESSING_STYLE": "sideways"},
    ],
)
def test_malformed_object_storage_variables_stop_start_up(extra):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        object_storage_from_environment({"AWS_STORAGE_BUCKET_NAME": "letters", **extra})


def test_production_settings_take_object_storage_from_the_environment_and_show_no_secret():
    secret = "s3-secret-never-shown-0123456789"
    env = production_environment(
        AWS_STORAGE_BUCKET_NAME="letters",
        AWS_S3_ENDPOINT_URL="https://objects.example.org",
        AWS_S3_CUSTOM_DOMAIN="cdn.example.org",
        AWS_ACCESS_KEY_ID="AKIAEXAMPLE",
        AWS_SECRET_ACCESS_KEY=secret,
    )
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "from django.core.files.storage import storages; "
        "from django.core.management import call_command; "
        "print(type(storages['default']).__name__, type(storages['share_images']).__name__, "
        "s.STORAGES['staticfiles']['BACKEND'], s.MEDIA_URL, "
        "' '.join(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']), "
        "s.WAGTAILDOCS_SERVE_METHOD); "
        "call_command('diffsettings', '--all')"
    )
    shown = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stderr
    first, settings_dump = shown.stdout.split("\n", 1)
    assert first.split() == [
        "S3Storage",
        "ShareImageS3Storage",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "https://cdn.example.org/media/",
        "'self'",
        "data:",
        "https://cdn.example.org",
        "serve_view",
    ]
    assert "'bucket_name': 'letters'" in settings_dump
    assert secret not in shown.stdout + shown.stderr
