"""Issue 12, "Done when", end to end: an editor connects each of the seven networks from
the admin, an expiring token is flagged and refreshed, a letter is published in English
and French, and each account shows one correct post with the link in its language.

The editor is not a superuser: Wagtail's Editors plus a group holding the social-account
permissions. Each network is one address, as in production: the sign-in stand-in and
the posting stand-in share it (tests/servers/base.py SharedHost), and the posting one
accepts exactly the tokens the sign-in issued (``live_tokens``), so an account works
only with what the connect flow stored.
"""

from __future__ import annotations

import html
import re
from contextlib import ExitStack
from datetime import timedelta
from io import StringIO
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Locale, Site

from publishing.models import Delivery, SocialAccount
from tests.responses import text_of
from tests.servers.base import SharedHost
from tests.servers.bluesky import FakeBluesky
from tests.servers.facebook import FakeFacebook
from tests.servers.instagram import FakeInstagram
from tests.servers.linkedin import FakeLinkedIn as FakeLinkedInPosts
from tests.servers.mastodon import FakeMastodon
from tests.servers.oauth_linkedin import FakeLinkedIn as FakeLinkedInSignIn
from tests.servers.oauth_meta import FakeMetaOAuth, Page
from tests.servers.threads import FakeThreads
from tests.servers.x import FakeX
from tests.social import BLUESKY_PASSWORD, MASTODON_TOKEN, X_CREDENTIALS
from tests.test_connect import CONNECT, callback, consent, message_texts
from tests.test_network_channels import PUBLIC_HOST, settle

META_APP = {"CLIENT_ID": "meta-app-id", "CLIENT_SECRET": "meta-app-secret"}
PAGE_ID = "101"
ORGANIZATION = "2414183"
# Which language each account posts in: four English, three French.
LANGUAGES = {
    "x": "en",
    "mastodon": "fr",
    "bluesky": "en",
    "facebook": "en",
    "instagram": "fr",
    "linkedin": "en",
    "threads": "fr",
}


@pytest.fixture
def editor(client, tree, monkeypatch):
    """An editor (not a superuser) who may add and change social accounts."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the stand-ins speak http
    social = Group.objects.create(name="Social media")
    social.permissions.set(
        Permission.objects.filter(
            content_type__app_label="publishing",
            codename__in=["add_socialaccount", "change_socialaccount", "view_socialaccount"],
        )
    )
    user = get_user_model().objects.create_user("editor", "editor@example.org", "pw")
    user.groups.add(Group.objects.get(name="Editors"), social)
    assert not user.is_superuser
    client.force_login(user)
    return client


@pytest.fixture
def networks(settings):
    """The seven networks, each at one address, and the app settings a site would have."""
    settings.BROADSIDE_CHANNELS = {
        **django_settings.BROADSIDE_CHANNELS,
        **{
            name: {**django_settings.BROADSIDE_CHANNELS[name], "CONTAINER_POLL_SECONDS": 0.01}
            for name in ("instagram", "threads")
        },
    }
    with ExitStack() as stack:
        start = stack.enter_context
        x = start(FakeX(**X_CREDENTIALS, callback_url=callback("x")))
        mastodon = start(FakeMastodon(access_token=MASTODON_TOKEN))
        bluesky = start(FakeBluesky(handle="broadside.test", app_password=BLUESKY_PASSWORD))
        pages = [Page(PAGE_ID, "Civil Liberties Union", ["MANAGE", "CREATE_CONTENT"])]
        fb_login = FakeMetaOAuth("facebook", redirect_uri=callback("facebook"), pages=pages)
        facebook = FakeFacebook(
            page_id=PAGE_ID,
            page_token=fb_login.live_tokens("page"),
            name="Civil Liberties Union",
        )
        ig_login = FakeMetaOAuth("instagram", redirect_uri=callback("instagram"))
        instagram = FakeInstagram(
            ig_user_id=ig_login.user_id,
            access_token=ig_login.live_tokens("short", "long"),
            username=ig_login.username,
        )
        th_login = FakeMetaOAuth("threads", redirect_uri=callback("threads"))
        threads = FakeThreads(
            user_id=th_login.user_id,
            access_token=th_login.live_tokens("short", "long"),
            username=th_login.username,
        )
        li_login = FakeLinkedInSignIn(
            client_id="li-id",
            client_secret="li-secret",
            redirect_uri=callback("linkedin"),
            organizations={ORGANIZATION: "Civil Liberties Union"},
        )
        linkedin = FakeLinkedInPosts(
            organization_id=ORGANIZATION, access_token=li_login.live_tokens()
        )
        # One host per API, as graph.facebook.com, graph.instagram.com, graph.threads.net
        # and api.linkedin.com are; the browser's dialogs stay on the sign-in servers.
        hosts = SimpleNamespace(
            facebook=start(SharedHost(facebook, fb_login)),
            instagram=start(SharedHost(instagram, ig_login)),
            threads=start(SharedHost(threads, th_login)),
            linkedin=start(SharedHost(li_login, linkedin)),
        )
        settings.BROADSIDE_CONNECT = {
            "x": {
                "CONSUMER_KEY": X_CREDENTIALS["consumer_key"],
                "CONSUMER_SECRET": X_CREDENTIALS["consumer_secret"],
                "API_URL": x.url,
            },
            "mastodon": {},
            "bluesky": {},
            "facebook": {
                **META_APP,
                "AUTHORIZE_URL": f"{fb_login.url}/v25.0/dialog/oauth",
                "GRAPH_URL": hosts.facebook.url,
            },
            **{
                network: {
                    **META_APP,
                    "AUTHORIZE_URL": f"{login.url}/oauth/authorize",
                    "TOKEN_URL": f"{login.url}/oauth/access_token",
                    "GRAPH_URL": getattr(hosts, network).url,
                }
                for network, login in (("instagram", ig_login), ("threads", th_login))
            },
            "linkedin": {
                "CLIENT_ID": "li-id",
                "CLIENT_SECRET": "li-secret",
                "AUTHORIZE_URL": f"{li_login.url}/oauth/v2/authorization",
                "TOKEN_URL": f"{li_login.url}/oauth/v2/accessToken",
                "API_URL": hosts.linkedin.url,
            },
        }
        yield SimpleNamespace(
            x=x,
            mastodon=mastodon,
            bluesky=bluesky,
            facebook=facebook,
            instagram=instagram,
            threads=threads,
            linkedin=linkedin,
            logins={"instagram": ig_login, "threads": th_login, "linkedin": li_login},
            hosts=hosts,
        )


def _locale(language: str) -> list[int]:
    return [Locale.objects.get(language_code=language).pk]


def connect(client, channel: str, **extra) -> SocialAccount:
    """What the editor does in Settings → Social accounts → Connect <network>."""
    name = f"{channel}-{LANGUAGES[channel]}"
    data = {"name": name, "locales": _locale(LANGUAGES[channel]), **extra}
    response = client.post(f"{CONNECT}{channel}/", data)
    assert response.status_code == 302, html.unescape(response.content.decode())[-2000:]
    if channel != "bluesky":  # the others send the browser to the network's consent page
        response = client.get(consent(response["Location"]))
        assert response.status_code == 302, message_texts(response)
        if "/connect/pick/" in response["Location"]:  # a Page, an organization
            pick = response["Location"]
            choices = re.findall(
                r'name="choice" value="([^"]+)"', client.get(pick).content.decode()
            )
            assert len(choices) == 1, choices
            response = client.post(pick, {"choice": choices[0]})
            assert response.status_code == 302
    return SocialAccount.objects.get(name=name)


def test_an_editor_connects_seven_networks_and_a_letter_goes_out_once_to_each(
    editor, networks, settings, make_letter, translate, django_capture_on_commit_callbacks
):
    # Meta fetches Instagram's card from the site: it must look public.
    Site.objects.filter(is_default_site=True).update(hostname=PUBLIC_HOST)
    Site.clear_site_root_paths_cache()
    settings.MEDIA_URL = f"https://{PUBLIC_HOST}/media/"

    # -- connect, from the admin ------------------------------------------------------------
    connect(editor, "x")
    connect(editor, "mastodon", instance=networks.mastodon.url)
    connect(
        editor,
        "bluesky",
        handle="broadside.test",
        pds=networks.bluesky.url,
        app_password=BLUESKY_PASSWORD,
    )
    for channel in ("facebook", "instagram", "linkedin", "threads"):
        connect(editor, channel)
    accounts = {account.channel: account for account in SocialAccount.objects.all()}
    assert set(accounts) == set(LANGUAGES)
    assert {channel: account.verified_as for channel, account in accounts.items()} == {
        "x": "@broadside_test",
        "mastodon": "@broadside@" + networks.mastodon.url.removeprefix("http://"),
        "bluesky": "@broadside.test",
        "facebook": "Civil Liberties Union",
        "instagram": "@broadside_org",
        "linkedin": "Civil Liberties Union",
        "threads": "@broadside_org",
    }
    listing = editor.get("/admin/social_accounts/").content.decode()
    assert all(f"{channel}-{language}" in listing for channel, language in LANGUAGES.items())
    assert "NEEDS ATTENTION" not in _accounts_list()

    # -- an expiring token is flagged, then refreshed ahead of expiry --------------------------
    threads_login = networks.logins["threads"]
    first_token = accounts["threads"].credentials["access_token"]
    threads_login.age_tokens(57 * 24 * 3600)  # 57 days old on Threads' side …
    SocialAccount.objects.filter(pk=accounts["threads"].pk).update(  # … and on ours
        token_expires_at=timezone.now() + timedelta(days=3),
        token_obtained_at=timezone.now() - timedelta(days=57),
    )
    lines = _accounts_list().splitlines()
    flagged = next(line for line in lines if line.startswith("threads-fr"))
    assert "NEEDS ATTENTION" in flagged and "expires on" in flagged
    dashboard = text_of(editor.get("/admin/"))
    assert "Social accounts that need attention" in dashboard and "threads-fr" in dashboard
    assert "expires on" in html.unescape(text_of(editor.get("/admin/social_accounts/")))
    call_command("refresh_tokens", verbosity=0)
    account = SocialAccount.objects.get(pk=accounts["threads"].pk)
    refreshed_token = account.credentials["access_token"]
    assert threads_login.refreshed == 1 and refreshed_token != first_token
    assert account.token_expires_at - timezone.now() > timedelta(days=59)
    assert "NEEDS ATTENTION" not in _accounts_list()

    # -- publish in English and French ------------------------------------------------------------
    with django_capture_on_commit_callbacks(execute=True):
        english = make_letter(
            "encryption",
            title="Protect encryption",
            standfirst="We ask lawmakers to keep end-to-end encryption strong.",
        )
    with django_capture_on_commit_callbacks(execute=True):
        french = translate(english, "fr", {"Protect encryption": "Protégez le chiffrement"})
    links = {"en": english.full_url, "fr": french.full_url}
    assert links["en"] != links["fr"] and PUBLIC_HOST in links["fr"]

    sent = {d.account.channel: settle(d) for d in Delivery.objects.select_related("account")}
    assert set(sent) == set(LANGUAGES)  # one delivery per account, all sent
    assert {channel: d.page_id for channel, d in sent.items()} == {
        channel: (english if language == "en" else french).pk
        for channel, language in LANGUAGES.items()
    }

    # -- one post per account, with the link in its language -----------------------------------
    [tweet] = networks.x.tweets
    assert links["en"] in tweet["text"]
    [status] = networks.mastodon.statuses
    assert links["fr"] in status["text"] and "Protégez" in status["text"]
    [record] = networks.bluesky.posts.values()
    assert links["en"] in str(record)
    [page_post] = networks.facebook.posts
    assert page_post["link"] == links["en"]
    [photo] = networks.instagram.posts
    assert links["fr"] in photo["caption"]
    [share] = networks.linkedin.posts
    assert share["content"]["article"]["source"] == links["en"] and not share["truncated"]
    [thread] = networks.threads.posts
    assert thread["link_attachment"] == links["fr"]
    # Threads was posted to with the refreshed token, not the first one.
    container_requests = [r for r in networks.threads.requests if r.path.endswith("/threads")]
    assert {r.headers["Authorization"] for r in container_requests} == {f"Bearer {refreshed_token}"}
    assert sent["facebook"].remote_id == page_post["id"]
    assert sent["linkedin"].remote_id == share["urn"]
    assert sent["instagram"].remote_url == photo["permalink"]
    assert sent["threads"].remote_url == thread["permalink"]

    # -- what the editor sees ------------------------------------------------------------------
    for language in ("en", "fr"):  # the deliveries report, per language
        locale = Locale.objects.get(language_code=language).pk
        page = text_of(editor.get(f"/admin/publishing/deliveries/?locale={locale}"))
        report = html.unescape(_rows(page))
        for channel, wanted in LANGUAGES.items():
            assert (f"{channel}-{wanted}" in report) == (wanted == language), (language, channel)
            if wanted == language and sent[channel].remote_url.startswith("https://"):
                assert sent[channel].remote_url in report, channel
    # The English letter's Sharing tab lists what went out in both languages. (The French
    # one opens in wagtail-localize's translation editor, which links to the same list.)
    panel = html.unescape(text_of(editor.get(f"/admin/pages/{english.pk}/edit/")))
    assert "What went out" in panel
    for channel, wanted in LANGUAGES.items():
        assert f"{channel}-{wanted}" in panel, channel
    assert panel.count("View post") == sum(bool(sent[c].remote_url) for c in LANGUAGES)
    for account in SocialAccount.objects.all():
        assert account.last_success_at is not None and account.auth_failed_at is None


def test_instagram_connected_through_its_facebook_page_posts_on_the_facebook_graph(
    editor, settings, make_letter, translate, django_capture_on_commit_callbacks
):
    Site.objects.filter(is_default_site=True).update(hostname=PUBLIC_HOST)
    Site.clear_site_root_paths_cache()
    settings.MEDIA_URL = f"https://{PUBLIC_HOST}/media/"
    settings.BROADSIDE_CHANNELS = {
        **django_settings.BROADSIDE_CHANNELS,
        "instagram": {
            **django_settings.BROADSIDE_CHANNELS["instagram"],
            "CONTAINER_POLL_SECONDS": 0.01,
        },
    }
    ig_user = "17841400000000002"
    pages = [
        Page(PAGE_ID, "Civil Liberties Union", ["CREATE_CONTENT"], instagram=(ig_user, "clu")),
        Page("102", "Page without Instagram", ["MANAGE", "CREATE_CONTENT"]),
    ]
    login = FakeMetaOAuth("facebook", redirect_uri=callback("instagram"), pages=pages)
    instagram = FakeInstagram(ig_user_id=ig_user, access_token=login.live_tokens("page"))
    with SharedHost(instagram, login) as graph:  # graph.facebook.com
        settings.BROADSIDE_CONNECT_FLOWS = {
            "instagram": "publishing.social.connect.meta.InstagramPageConnect"
        }
        settings.BROADSIDE_CONNECT = {
            "instagram": {
                **META_APP,
                "AUTHORIZE_URL": f"{login.url}/v25.0/dialog/oauth",
                "GRAPH_URL": graph.url,
            }
        }
        account = connect(editor, "instagram")  # the Page without Instagram is not offered
        credentials = account.credentials
        assert credentials["ig_user_id"] == ig_user
        assert login.tokens[credentials["access_token"]].kind == "page"
        assert account.base_url == graph.url  # not the Instagram channel's own default
        assert account.verified_as == "@clu" and account.token_expires_at is None
        with django_capture_on_commit_callbacks(execute=True):
            english = make_letter("encryption", title="Protect encryption")
        with django_capture_on_commit_callbacks(execute=True):
            french = translate(english, "fr", {"Protect encryption": "Protégez le chiffrement"})
        delivery = settle(Delivery.objects.get(account=account))
    assert delivery.page_id == french.pk
    [photo] = instagram.posts
    assert french.full_url in photo["caption"] and delivery.remote_url == photo["permalink"]


def test_instagram_through_a_page_explains_a_page_without_a_linked_account(editor, settings):
    pages = [Page("102", "Page without Instagram", ["MANAGE", "CREATE_CONTENT"])]
    with FakeMetaOAuth("facebook", redirect_uri=callback("instagram"), pages=pages) as login:
        settings.BROADSIDE_CONNECT_FLOWS = {
            "instagram": "publishing.social.connect.meta.InstagramPageConnect"
        }
        settings.BROADSIDE_CONNECT = {
            "instagram": {
                **META_APP,
                "AUTHORIZE_URL": f"{login.url}/v25.0/dialog/oauth",
                "GRAPH_URL": login.url,
            }
        }
        response = editor.post(f"{CONNECT}instagram/", {"name": "ig", "locales": _locale("fr")})
        scope = parse_qs(urlsplit(response["Location"]).query)["scope"][0].split(",")
        assert {"instagram_basic", "instagram_content_publish"} <= set(scope)
        pick = editor.get(consent(response["Location"]))["Location"]
        page = html.unescape(editor.get(pick).content.decode())
    assert "no Instagram professional account is linked" in page
    assert 'name="choice" value="102"' not in page
    assert editor.post(pick, {"choice": "102"}).status_code == 200
    assert not SocialAccount.objects.exists()


def _accounts_list() -> str:
    out = StringIO()
    call_command("social_accounts", "list", stdout=out)
    return out.getvalue()


def _rows(page: str) -> str:
    """The report's table rows (the filters above them name every account)."""
    return "".join(re.findall(r"<tbody.*?</tbody>", page, flags=re.DOTALL))
