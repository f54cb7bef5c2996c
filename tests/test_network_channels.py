"""Publishing end to end through the Facebook Page, Instagram, LinkedIn and Threads channels.

A letter published in English and French goes to one account per network (tasks run
in-process) against the loopback stand-ins in tests/servers/; then failures between
Instagram's and Threads' two steps, lost answers on Facebook and LinkedIn: never a
second post. tests/test_network_workers.py kills real workers between the steps.
"""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from PIL import Image
from wagtail.models import Site

from home.models import LetterSignatory, OrganizationHandle
from publishing.channels.base import PermanentError
from publishing.channels.linkedin import LINKEDIN_VERSION
from publishing.channels.meta import GRAPH_API_VERSION
from publishing.models import Delivery, DeliveryStatus, ShareImage
from publishing.share_images.storage import share_image_storage
from publishing.social import actions, worker
from tests.servers.facebook import FakeFacebook
from tests.servers.instagram import FakeInstagram
from tests.servers.linkedin import FakeLinkedIn
from tests.servers.threads import FakeThreads
from tests.social import add_account

Status = DeliveryStatus
PUBLIC_HOST = "letters.example.org"  # Instagram fetches the card: the site must look public


@pytest.fixture
def meta(settings):
    """The four stand-ins, and an account on each: English on Facebook and LinkedIn,
    French on Instagram and Threads."""
    settings.BROADSIDE_CHANNELS = {
        **django_settings.BROADSIDE_CHANNELS,
        "instagram": {
            **django_settings.BROADSIDE_CHANNELS["instagram"],
            "CONTAINER_POLL_SECONDS": 0.01,
        },
        "threads": {
            **django_settings.BROADSIDE_CHANNELS["threads"],
            "CONTAINER_POLL_SECONDS": 0.01,
        },
    }
    with (
        FakeFacebook(page_id="1040", page_token="fb-page-token-s3cr3t") as facebook,
        FakeInstagram(ig_user_id="1784", access_token="ig-token-s3cr3t") as instagram,
        FakeLinkedIn(organization_id="2414183", access_token="li-token-s3cr3t") as linkedin,
        FakeThreads(user_id="7310", access_token="th-token-s3cr3t") as threads,
    ):
        yield {
            "facebook": facebook,
            "instagram": instagram,
            "linkedin": linkedin,
            "threads": threads,
        }


@pytest.fixture
def network_accounts(tree, meta):
    Site.objects.filter(is_default_site=True).update(hostname=PUBLIC_HOST)
    Site.clear_site_root_paths_cache()
    add_account(
        "facebook",
        "facebook-en",
        ["en"],
        meta["facebook"].url,
        {"page_id": "1040", "page_access_token": "fb-page-token-s3cr3t"},
    )
    add_account(
        "linkedin",
        "linkedin-en",
        ["en"],
        meta["linkedin"].url,
        {"organization_id": "2414183", "access_token": "li-token-s3cr3t"},
    )
    add_account(
        "instagram",
        "instagram-fr",
        ["fr"],
        meta["instagram"].url,
        {"ig_user_id": "1784", "access_token": "ig-token-s3cr3t"},
    )
    add_account(
        "threads",
        "threads-fr",
        ["fr"],
        meta["threads"].url,
        {"user_id": "7310", "access_token": "th-token-s3cr3t"},
    )
    return meta


@pytest.fixture
def publish_pair(make_organization, make_letter, translate, django_capture_on_commit_callbacks):
    def publish(title="Protect encryption (now)", french="Protégez le chiffrement (maintenant)"):
        ccla = make_organization("ccla", "Canadian Civil Liberties Association", acronym="CCLA")
        OrganizationHandle.objects.create(
            organization=ccla,
            network="linkedin",
            locale=ccla.locale,
            handle="@[Canadian Civil Liberties Association](urn:li:organization:77)",
        )
        with django_capture_on_commit_callbacks(execute=True):
            letter = make_letter(
                "encryption",
                title=title,
                standfirst="We ask lawmakers to keep end-to-end encryption strong.",
                signatories=[LetterSignatory(organization=ccla)],
            )
        with django_capture_on_commit_callbacks(execute=True):
            translated = translate(letter, "fr", {title: french})
        return letter, translated

    return publish


def deliveries() -> dict[str, Delivery]:
    return {d.account.name: d for d in Delivery.objects.select_related("account")}


def again(delivery: Delivery) -> str:
    """The next attempt, now (as resume_deliveries would enqueue it when due)."""
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)
    return worker.deliver(delivery.pk).status


def settle(delivery: Delivery) -> Delivery:
    """The delivery once sent: the immediate backend may have run the retry already."""
    for _attempt in range(3):
        delivery.refresh_from_db()
        if delivery.status != Status.RETRYING:
            break
        again(delivery)
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT, delivery.error
    return delivery


def test_a_letter_in_two_languages_is_posted_once_to_each_network(network_accounts, publish_pair):
    servers = network_accounts
    english, french = publish_pair()
    sent = deliveries()
    assert {name: d.status for name, d in sent.items()} == dict.fromkeys(sent, Status.SENT)
    assert set(sent) == {"facebook-en", "linkedin-en", "instagram-fr", "threads-fr"}

    [page_post] = servers["facebook"].posts
    assert page_post["link"] == english.full_url and english.full_url in page_post["message"]
    assert servers["facebook"].scrapes == [english.full_url]  # the card is read afresh
    assert all(r.path.startswith(f"/{GRAPH_API_VERSION}/") for r in servers["facebook"].requests)
    assert sent["facebook-en"].remote_id == page_post["id"]
    assert sent["facebook-en"].remote_url.startswith("https://www.facebook.com/1040/posts/")

    [share] = servers["linkedin"].posts
    assert not share["truncated"] and share["version"] == LINKEDIN_VERSION
    assert "Protect encryption (now)" in share["shown"] and english.full_url in share["shown"]
    assert share["mentions"] == ["urn:li:organization:77"]  # the signatory, mentioned
    assert share["content"]["article"]["source"] == english.full_url
    assert sent["linkedin-en"].remote_id == share["urn"]
    assert sent["linkedin-en"].remote_url.endswith(f"/feed/update/{share['urn']}/")

    [photo] = servers["instagram"].posts
    card = ShareImage.objects.get(page=french, variant="instagram")
    assert photo["image_url"] == f"http://{PUBLIC_HOST}{card.url}" and photo["alt_text"]
    with (
        share_image_storage().open(card.file_name) as file,
        Image.open(BytesIO(file.read())) as image,
    ):
        assert (image.format, image.size) == ("JPEG", (1080, 1350))
    assert french.full_url in photo["caption"] and "Protégez" in photo["caption"]
    assert sent["instagram-fr"].remote_url == photo["permalink"]
    assert sent["instagram-fr"].channel_state == {"container_id": photo["container"]}

    [text_post] = servers["threads"].posts
    assert text_post["link_attachment"] == french.full_url and french.full_url in text_post["text"]
    assert sent["threads-fr"].remote_url == text_post["permalink"]


@pytest.mark.parametrize(
    "network,publish_path", [("instagram", "media_publish$"), ("threads", "threads_publish$")]
)
def test_a_failed_publish_step_is_retried_with_the_same_container(
    network_accounts, publish_pair, network, publish_path
):
    server = network_accounts[network]
    server.fail_next(503, path=publish_path)  # refused before acting: nothing published
    publish_pair()
    delivery = settle(Delivery.objects.get(account__channel=network))
    container = delivery.channel_state["container_id"]
    publishes = [r.body for r in server.requests if r.path.endswith(publish_path[:-1])]
    assert len(publishes) == 2 and all(container.encode() in body for body in publishes)
    assert len(server.posts) == 1 and server.posts[0]["container"] == container
    assert len(server.containers.items) == 1  # no second container either


@pytest.mark.parametrize(
    "network,publish_path", [("instagram", "media_publish$"), ("threads", "threads_publish$")]
)
def test_a_lost_publish_answer_is_settled_by_the_container_status(
    network_accounts, publish_pair, network, publish_path
):
    server = network_accounts[network]
    server.drop_next(path=publish_path)  # published, answer lost
    publish_pair()
    delivery = settle(Delivery.objects.get(account__channel=network))
    assert len(server.posts) == 1
    assert delivery.remote_id == f"container:{server.posts[0]['container']}"


def test_a_container_still_in_progress_is_awaited_on_the_next_attempt(
    network_accounts, publish_pair
):
    threads = network_accounts["threads"]
    threads.containers.processing_polls = 20  # more than one attempt's polls
    publish_pair()
    delivery = settle(Delivery.objects.get(account__channel="threads"))
    assert delivery.attempts == 2
    assert len(threads.posts) == 1 and len(threads.containers.items) == 1


def test_an_expired_container_is_replaced_and_an_errored_one_fails(network_accounts, publish_pair):
    instagram = network_accounts["instagram"]
    instagram.containers.fail_processing = "The image could not be downloaded"
    publish_pair()
    delivery = Delivery.objects.get(account__channel="instagram")
    assert delivery.status == Status.FAILED and "could not be downloaded" in delivery.error
    assert actions.retry(delivery.pk)  # a person retries: the ERROR container is replaced
    assert worker.deliver(delivery.pk).status == Status.SENT
    assert len(instagram.posts) == 1 and len(instagram.containers.items) == 2


def test_the_publishing_limit_is_read_before_a_container_is_made(network_accounts, publish_pair):
    instagram = network_accounts["instagram"]
    instagram.containers.quota_total = 0
    publish_pair()
    delivery = Delivery.objects.get(account__channel="instagram")
    assert delivery.status in (Status.RETRYING, Status.FAILED)
    assert "posts allowed per day" in delivery.error
    assert not instagram.containers.items


def test_facebook_lost_answer_is_found_on_the_page_or_left_unconfirmed(
    network_accounts, publish_pair, django_capture_on_commit_callbacks
):
    facebook = network_accounts["facebook"]
    facebook.drop_next(path="/feed")
    english, _french = publish_pair()
    delivery = Delivery.objects.get(account__channel="facebook")
    assert delivery.status == Status.SENT and len(facebook.posts) == 1
    assert delivery.remote_id == facebook.posts[0]["id"] and "found" in delivery.reason
    # A 500 that did not post: nothing on the Page, no duplicate protection: a person checks.
    Delivery.objects.update(created_at=timezone.now() - timedelta(minutes=5))  # not a double click
    facebook.fail_next(500, path="/feed")
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_again(english.pk, reason="test")
    later = Delivery.objects.filter(account__channel="facebook").order_by("-pk").first()
    assert later.status == Status.UNCONFIRMED and len(facebook.posts) == 1


def test_linkedin_lost_answer_is_retried_and_duplicate_post_means_sent(
    network_accounts, publish_pair
):
    linkedin = network_accounts["linkedin"]
    linkedin.drop_next(path="/rest/posts")
    publish_pair()
    delivery = settle(Delivery.objects.get(account__channel="linkedin"))
    assert delivery.attempts == 2
    assert delivery.remote_id == linkedin.posts[0]["urn"] and len(linkedin.posts) == 1


def test_expired_tokens_say_reconnect(network_accounts, publish_pair):
    network_accounts["facebook"].access_token = "rotated"
    network_accounts["linkedin"].access_token = "rotated"
    publish_pair()
    for name in ("facebook-en", "linkedin-en"):
        delivery = deliveries()[name]
        assert delivery.status == Status.FAILED and "reconnect the account" in delivery.error
        assert "s3cr3t" not in delivery.error


# -- counting and escaping, against the networks' published rules ------------------------------
def test_threads_counts_utf8_bytes_and_unique_links():
    from publishing.channels.threads import ThreadsTextRules

    rules = ThreadsTextRules()
    assert rules.fits("a" * 500) and not rules.fits("a" * 501)
    assert rules.length("😀") == 4 and rules.length("’") == 3  # UTF-8 sizes (RFC 3629)
    assert not rules.fits("’" * 167)  # 167 characters, 501 bytes: refused by Threads
    five = " ".join(f"https://example.org/{i}" for i in range(5))
    assert rules.fits(five + " https://example.org/0")  # the same link twice counts once
    assert not rules.fits(five + " https://example.org/5")
    assert "6 / 5 links" in rules.describe(five + " https://example.org/5")


def test_linkedin_little_text_escapes_every_reserved_character_outside_markup():
    from publishing.channels.linkedin import LinkedInChannel, little_text

    # Reserved: \ | { } @ [ ] ( ) < > # * _ ~ (LinkedIn's little text format, "Text").
    assert little_text("a\\b|c{d}e@f[g]h(i)j<k>l*m_n~o #") == (
        "a\\\\b\\|c\\{d\\}e\\@f\\[g\\]h\\(i\\)j\\<k\\>l\\*m\\_n\\~o \\#"
    )
    mention = "@[Canadian Civil Liberties Association](urn:li:organization:77)"
    text = f"Read (this) {mention} #DigitalRights https://example.org/a_b?c=(d)"
    assert (
        little_text(text)
        == f"Read \\(this\\) {mention} #DigitalRights https://example.org/a_b?c=(d)"
    )
    channel = LinkedInChannel()
    assert channel.mention(mention) == mention and channel.mention("@ccla") == ""


def test_instagram_caption_limits_and_public_image_urls():
    from publishing.channels.instagram import InstagramTextRules, public_url

    rules = InstagramTextRules()
    assert rules.fits("x" * 2200) and not rules.fits("x" * 2201)
    assert not rules.fits(" ".join(f"#tag{i}" for i in range(31)))
    assert rules.fits(" ".join(f"#tag{i}" for i in range(30)))
    assert public_url("https://letters.example.org/card.jpg")
    for private in (
        "http://localhost/c.jpg",
        "http://127.0.0.1/c.jpg",
        "http://10.0.0.5/c.jpg",
        "http://intranet/c.jpg",
        "ftp://letters.example.org/c.jpg",
    ):
        assert not public_url(private), private


def test_pinned_versions_and_registered_channels():
    from datetime import date

    from publishing.channels import channel_choices
    from publishing.channels.meta import GRAPH_API_END_OF_SUPPORT, graph_api_expires_within

    assert GRAPH_API_END_OF_SUPPORT == date(2028, 7, 29)  # v25.0, Meta's changelog
    assert not graph_api_expires_within(30, today=date(2026, 11, 30))
    assert graph_api_expires_within(30, today=date(2028, 7, 1))
    keys = {key for key, _name in channel_choices()}
    assert {"facebook", "instagram", "linkedin", "threads"} <= keys


def test_social_accounts_test_verifies_each_new_account(network_accounts):
    from io import StringIO

    from django.core.management import call_command

    said = {}
    for name in ("facebook-en", "linkedin-en", "instagram-fr", "threads-fr"):
        out = StringIO()
        call_command("social_accounts", "test", name, stdout=out)
        said[name] = out.getvalue().strip()
    assert said == {
        "facebook-en": "facebook-en: OK, posts as Page",
        "linkedin-en": "linkedin-en: OK, posts as Broadside Network",
        "instagram-fr": "instagram-fr: OK, posts as @bs",
        "threads-fr": "threads-fr: OK, posts as @bs",
    }
    assert not any("s3cr3t" in text for text in said.values())


def test_a_doubt_is_settled_by_the_stored_container():
    from publishing.channels.threads import ThreadsChannel

    with FakeThreads(user_id="7310", access_token="th-token") as threads:
        channel = ThreadsChannel(
            base_url=threads.url, credentials={"user_id": "7310", "access_token": "th-token"}
        )
        look = {"key": "k", "url": "https://example.org/a", "since": None, "known": frozenset()}
        assert channel.find_post(**look) is None  # nothing stored: no evidence
        container = threads.containers.create("7310", {"text": "hi"})
        channel.delivery_state = {"container_id": container["id"]}
        assert channel.find_post(**look) is None  # FINISHED, never published
        container["status"] = "PUBLISHED"
        assert channel.find_post(**look).remote_id == f"container:{container['id']}"


def test_x_finds_its_own_post_of_the_link_since_the_first_attempt_and_no_other():
    from publishing.channels.x import XChannel
    from tests.servers.x import FakeX

    credentials = {
        "consumer_key": "ck",
        "consumer_secret": "cs",
        "access_token": "at",
        "access_token_secret": "ats",
    }
    url = "https://broadside.org/en/letters/watched/"
    with FakeX() as x:
        channel = XChannel(base_url=x.url, credentials=credentials)
        look = {"key": "k", "url": url, "since": timezone.now(), "known": frozenset()}
        assert channel.find_post(**look) is None  # nothing posted yet
        x.tweets.append({"id": "101", "text": f"Older {url}", "created_at": 0.0})
        x.tweets.append({"id": "102", "text": "Another https://other.org/", "created_at": 9e9})
        assert channel.find_post(**look) is None  # before the first attempt; another link
        x.tweets.append({"id": "103", "text": f"Watched letter {url}", "created_at": 9e9})
        assert channel.find_post(**look).remote_id == "103"
        assert channel.find_post(**{**look, "known": frozenset({"103"})}) is None
        assert channel.find_post(**{**look, "since": None}).remote_id == "103"
        x.timeline_access = False
        with pytest.raises(PermanentError):
            channel.find_post(**look)
    assert x.errors == []
