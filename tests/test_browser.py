"""The editor's whole journey in a real browser: Playwright driving Debian's Chromium.

Against pytest-django's live server (the test settings, tasks run in-process): an editor
signs in through the two-step sign-in, writes a letter with signatory organizations in
Wagtail's page editor and publishes it within a second of typing its title (the autosave
race), then the public page, its feeds and share card are read, each configured account
(loopback servers, tests/servers/) received exactly one post, and the letter's Sharing tab
shows the deliveries and the cards.

A second test reads what Chromium lays out for each language (issue 15's visual items):
directions, the visual order of dates and names, the language switcher, the French search
placeholder, the Arabic admin. Its screenshots go to var/browser-screens/ (git-ignored) for a
person to look at; its assertions are on computed styles and where text is drawn.

Every request the browser makes is recorded; one to any other host fails the journey (readers
and editors are watched: no page may call a third party). On failure a screenshot of each
open page goes to var/browser-failures/ (git-ignored).

Chromium comes from Debian (`apt-get install chromium`); Playwright's own browser download
is never used. Without /usr/bin/chromium the test is skipped, saying so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import pytest
from django_otp.oath import totp
from PIL import Image

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect
except ImportError:  # a checkout installed without the dev extras
    expect = PlaywrightError = None

CHROMIUM = Path("/usr/bin/chromium")
FAILURE_DIR = Path(__file__).resolve().parent.parent / "var" / "browser-failures"
PASSWORD = "correct horse battery staple"
# Every wait is on a condition; this bounds each one (milliseconds). Generous: a shared CI
# machine under load was seen to take over 20 s for one admin request; a passing run never
# waits this long.
WAIT_MS = 60_000
# A Publish answers once the pipeline has run: the test settings run tasks in-process, so
# the request draws every card variant and sends every post before its redirect.
PUBLISH_WAIT_MS = 3 * WAIT_MS
TITLE = "Stop the scanning of our private messages"
STANDFIRST = "Seventy organizations ask the Council to drop client-side scanning."
ADDED = " They ask for it before the vote."
PARAGRAPH = "We write to you as organizations defending the right to private correspondence."
FRENCH_TITLE = "Non à l’analyse de nos messages privés"
WEB_SCHEMES = ("http", "https", "ws", "wss")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="no /usr/bin/chromium: `apt-get install -y chromium` (.ci/run does) to run the "
        "real-browser editor test",
    ),
    # serialized_rollback: start from the data migrations made (the root page, locales),
    # which the flush after an earlier transactional test took away (test_social_workers).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def site_setup(transactional_db, networks):
    """The English site, two organizations, a superuser with an authenticator app, two
    accounts posting English letters (a Mastodon account and a webhook) and one posting
    French letters (a Bluesky account)."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from home.models import OrganizationPage
    from tests.conftest import build_tree, publish
    from tests.social import BLUESKY_PASSWORD, MASTODON_TOKEN, WEBHOOK_SECRET, add_account

    tree = build_tree()
    organizations = []
    for slug, title in (("dfri", "Digital Freedom Rights"), ("opn", "Open Press Network")):
        page = tree.organizations.add_child(instance=OrganizationPage(title=title, slug=slug))
        organizations.append(publish(page))
    user = get_user_model().objects.create_superuser("alice", "alice@example.org", PASSWORD)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    add_account(
        "mastodon", "mastodon-en", ["en"], networks.mastodon.url, {"access_token": MASTODON_TOKEN}
    )
    add_account(
        "webhook", "webhook-en", ["en"], networks.webhook.url + "/hook", {"secret": WEBHOOK_SECRET}
    )
    add_account(
        "bluesky",
        "bluesky-fr",
        ["fr"],
        networks.bluesky.url,
        {"handle": "broadside.test", "app_password": BLUESKY_PASSWORD},
    )
    return tree, organizations, device


@pytest.fixture
def browser_page(live_server, monkeypatch) -> Iterator:
    """A Chromium page on the live server, recording every request it makes."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test
    # makes between browser steps are synchronous and safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with ExitStack() as stack:
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        stack.callback(browser.close)
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(WAIT_MS)
        requested: list[str] = []
        context.on("request", lambda sent: requested.append(sent.url))
        answers: list[str] = []  # for the failure report
        context.on(
            "response", lambda got: answers.append(f"{got.request.method} {got.url} {got.status}")
        )
        page = context.new_page()
        page.requested = requested
        page.answers = answers
        yield page
        # The ORM calls made while Playwright's loop runs opened connections of their own
        # (asgiref sees an async context): close them, or PostgreSQL cannot drop the test
        # database.
        connections.close_all()


@contextmanager
def screenshots_on_failure(page, name: str) -> Iterator[None]:
    """On any failure inside, a full-page screenshot of each open tab and the list of the
    browser's requests with their answers' statuses, in var/browser-failures/."""
    try:
        yield
    except BaseException:
        FAILURE_DIR.mkdir(parents=True, exist_ok=True)
        (FAILURE_DIR / f"{name}-responses.txt").write_text("\n".join(page.answers) + "\n")
        for number, open_page in enumerate(page.context.pages):
            try:
                open_page.screenshot(path=str(FAILURE_DIR / f"{name}-{number}.png"), full_page=True)
            except PlaywrightError as unavailable:
                # A page that cannot be drawn (hung, closed) must not hide the failure
                # being reported: say why its screenshot is missing instead.
                (FAILURE_DIR / f"{name}-{number}.txt").write_text(f"{unavailable}\n")
        raise


def sign_in(page, device) -> None:
    """Sign in as alice: password, then the code the authenticator app shows."""
    page.goto("/admin/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/two-step/"))
    page.fill("input[name=otp_token]", f"{totp(device.bin_key):06d}")
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))


def is_autosave(sent, url: str, typed: str) -> bool:
    """Whether `sent` is the editor's autosave POST to `url` carrying the text `typed`."""
    return (
        sent.method == "POST"
        and urlsplit(sent.url).path == url
        and "application/json" in sent.headers.get("accept", "")
        and typed in (sent.post_data or "")
    )


@dataclass
class Autosave:
    """One autosave as the server answered it."""

    path: str
    title: str  # the title field it carried
    # The revision it was made from: the draft it meant to replace (overwrite_revision_id),
    # else the one the editor loaded (loaded_revision_id); Wagtail compares it with the newest.
    based_on: int | None
    status: int
    answer: dict


def record_autosaves(page) -> list[Autosave]:
    """Every autosave the editor sends (a POST under /admin/pages/ that asks for JSON),
    with the server's answer, read before the page gets it: an answer that comes back
    after a Publish has navigated away could not be read from the page."""
    autosaves: list[Autosave] = []

    def through(route) -> None:
        request = route.request
        if request.method != "POST" or "application/json" not in request.headers.get("accept", ""):
            route.fallback()
            return
        response = route.fetch(timeout=0)  # as long as the server takes: WAIT_MS bounds the test
        form = request.post_data or ""
        title = re.search(r'name="title"\r\n\r\n([^\r]*)', form)
        revision = re.search(r'name="overwrite_revision_id"\r\n\r\n(\d+)', form) or re.search(
            r'name="loaded_revision_id"\r\n\r\n(\d+)', form
        )
        autosaves.append(
            Autosave(
                path=urlsplit(request.url).path,
                title=title.group(1) if title else "",
                based_on=int(revision.group(1)) if revision else None,
                status=response.status,
                answer=response.json(),
            )
        )
        try:
            route.fulfill(response=response)
        except PlaywrightError:
            # The Publish navigated away meanwhile: no page is left to hand the answer to.
            # (The answer was recorded above.)
            return

    page.route(re.compile(r"/admin/pages/"), through)
    return autosaves


def publish_now(page) -> None:
    """Press Publish (in the editor's footer, under the Save draft menu); fail, naming the
    form's errors, unless Wagtail answers with its redirect to the page listing."""
    page.locator("footer button.w-dropdown__toggle").first.click()
    with page.expect_response(
        lambda got: got.request.method == "POST" and got.request.is_navigation_request(),
        timeout=PUBLISH_WAIT_MS,
    ) as answer:
        page.click("button[name=action-publish]", no_wait_after=True)
    if answer.value.status != 302:
        page.wait_for_load_state()
        errors = page.locator(".error-message, .help-critical").all_inner_texts()
        pytest.fail(f"Publish answered {answer.value.status}: {errors}")


def read_public_letter(page, url: str, title: str) -> str:
    """Open the letter at `url` as a reader; check its title, feeds and share card; return
    the card's alt text. Its language's two feeds (autodiscovery links) must list it
    first, and the card must be the PNG the meta tags describe."""
    page.goto(url)
    expect(page.locator("h1")).to_contain_text(title)
    card_url = page.locator("meta[property='og:image']").get_attribute("content")
    alt = page.locator("meta[property='og:image:alt']").get_attribute("content")
    feed_urls = page.locator("link[rel=alternate][type$='xml']").evaluate_all(
        "links => links.map(link => link.href)"
    )
    width = int(page.locator("meta[property='og:image:width']").get_attribute("content"))
    height = int(page.locator("meta[property='og:image:height']").get_attribute("content"))
    assert len(feed_urls) == 2
    for feed_url in feed_urls:
        answer = page.request.get(feed_url)  # a download, not a page, for Chromium
        assert answer.ok, feed_url
        feed = feedparser.parse(answer.body())
        assert not feed.bozo, feed.bozo_exception
        assert [entry.title for entry in feed.entries][:1] == [title], feed_url
        assert unquote(urlsplit(feed.entries[0].link).path) == unquote(url)
    card = page.goto(card_url)
    assert card.ok and card.headers["content-type"] == "image/png"
    assert Image.open(BytesIO(card.body())).size == (width, height)
    return alt


def translate_to_french(page, letter, french_title: str) -> None:
    """Start the French translation (wagtail-localize's *Translate* form), translate the
    title in its React editor (Translate, type, Save) and press *Publish in Français*.
    The passages left untranslated are published in English (wagtail-localize's fallback)."""
    from django.urls import reverse
    from wagtail.models import Locale

    french = Locale.objects.get(language_code="fr")
    page.goto(reverse("wagtail_localize:submit_page_translation", args=[letter.id]))
    page.check(f"input[name=locales][value='{french.id}']")
    page.locator("form input[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/"), wait_until="networkidle")
    segment = page.locator("li.incomplete").filter(has_text=letter.title)
    segment.get_by_role("button", name="Translate").click()
    segment.locator("textarea").fill(french_title)
    with page.expect_response(lambda got: got.request.method == "PUT") as saved:
        segment.get_by_role("button", name="Save").click()
    assert saved.value.ok, saved.value.status
    expect(page.locator("li.complete").filter(has_text=french_title)).to_have_count(1)
    with page.expect_response(
        lambda got: got.request.method == "POST" and got.request.is_navigation_request(),
        timeout=PUBLISH_WAIT_MS,
    ) as published:
        page.click("button[name=action][value=publish]", no_wait_after=True)
    assert published.value.status == 302, published.value.status
    page.wait_for_load_state()


def other_hosts(requested: list[str], own_url: str) -> set[str]:
    """The hosts (host:port) of web requests not made to `own_url`'s."""
    hosts = {urlsplit(url).netloc for url in requested if urlsplit(url).scheme in WEB_SCHEMES}
    return hosts - {urlsplit(own_url).netloc}


def test_an_editor_writes_signs_and_publishes_a_letter_in_a_real_browser(
    live_server, site_setup, browser_page, networks
):
    from home.models import LetterPage
    from publishing.models import Delivery, DeliveryStatus

    tree, organizations, device = site_setup
    page = browser_page
    with screenshots_on_failure(page, "editor-journey"):
        sign_in(page, device)

        create_url = f"/admin/pages/add/home/letterpage/{tree.letters.id}/"
        autosaves = record_autosaves(page)
        page.goto(create_url, wait_until="networkidle")
        page.fill("#id_standfirst", STANDFIRST)
        body = page.locator("#panel-child-content-body-content")
        body.locator("button.c-sf-add-button").first.click()
        page.get_by_role("option", name="Paragraph").click()
        body.locator(".public-DraftEditor-content").first.click()
        page.keyboard.type(PARAGRAPH)
        for number, organization in enumerate(organizations):
            page.click("#id_signatories-ADD")
            row = page.locator(f"#inline_child_signatories-{number}")
            row.locator("button[data-chooser-action-choose]").filter(visible=True).first.click()
            modal = page.locator(".modal").filter(visible=True)
            modal.get_by_role("link", name=organization.title).click()
            expect(modal).to_have_count(0)
            expect(row.locator(f"#id_signatories-{number}-organization-title")).to_have_text(
                organization.title
            )

        # The autosave race, twice. The title is typed last and Publish pressed while the
        # autosave it set off (the first with a title, so the first that can create the
        # page) is on its way, before its answer re-points the form to the draft's edit URL.
        page.click("#id_title")
        with page.expect_request(lambda sent: is_autosave(sent, create_url, TITLE)):
            page.keyboard.type(TITLE)
        publish_now(page)
        page.wait_for_url(re.compile(rf"/admin/pages/{tree.letters.id}/$"))
        [letter] = LetterPage.objects.filter(title=TITLE, locale__language_code="en")
        # Then an edit of the live letter, published as soon as it is typed.
        edit_url = f"/admin/pages/{letter.id}/edit/"
        page.goto(edit_url, wait_until="networkidle")  # the editor's scripts are ready
        page.click("#id_standfirst")
        page.keyboard.press("End")
        page.keyboard.type(ADDED)
        publish_now(page)
        page.wait_for_url(re.compile(rf"/admin/pages/{tree.letters.id}/$"))

        [letter] = LetterPage.objects.filter(title=TITLE, locale__language_code="en")
        assert letter.live and not letter.has_unpublished_changes
        assert letter.standfirst == STANDFIRST + ADDED
        assert [row.organization_id for row in letter.signatories.all()] == [
            organization.id for organization in organizations
        ]
        # What the autosaves were told. Wagtail refuses a draft without a title (the
        # autosaves sent before it was typed) and an autosave made from a revision older
        # than the newest: in each race, the autosave that reached the server after the
        # Publish had stored its revision (on the new letter, the one queued while the first
        # autosave created the draft). That refusal (400) keeps the published letter from
        # gaining a stale draft.
        assert any(a.status == 200 and a.path == create_url for a in autosaves), autosaves
        for autosave in autosaves:
            if autosave.status == 200:
                assert autosave.answer["success"], autosave
            elif autosave.answer.get("error_code") == "validation_error":
                assert autosave.path == create_url and not autosave.title, autosave
            else:
                assert autosave.answer.get("error_code") == "invalid_revision", autosave
                assert autosave.based_on is not None, autosave
                assert autosave.based_on < letter.live_revision_id, autosave

        # The public page, as a reader's browser shows it, its feeds and its share card.
        page.goto(letter.get_url())
        for organization in organizations:
            expect(page.locator("main")).to_contain_text(organization.title)
        expect(page.locator("main")).to_contain_text(PARAGRAPH)
        assert TITLE in read_public_letter(page, letter.get_url(), TITLE)

        # One post per configured account, carrying the letter's address.
        sent = Delivery.objects.filter(page_id=letter.id)
        assert sorted((d.account.name, d.status) for d in sent) == [  # not bluesky-fr
            ("mastodon-en", DeliveryStatus.SENT),
            ("webhook-en", DeliveryStatus.SENT),
        ]
        [status] = networks.mastodon.statuses
        [hook] = networks.webhook.received
        assert letter.get_url() in status["text"] and hook["json"]["url"].endswith(letter.get_url())

        # The Sharing tab shows what went out and the card previews.
        page.goto(f"/admin/pages/{letter.id}/edit/")
        page.get_by_role("tab", name="Sharing").click()
        posts = page.locator("#panel-child-sharing-social_posts-content")
        for name in ("mastodon-en", "webhook-en"):
            expect(posts.locator("tr", has_text=name)).to_contain_text("Sent")
        cards = page.locator("#panel-child-sharing-share_cards-content img")
        expect(cards.first).to_be_visible()
        for image in cards.all():
            image.scroll_into_view_if_needed()
            expect(image).to_have_js_property("complete", True)
            assert image.evaluate("img => img.naturalWidth") > 0

        # Translated to French in wagtail-localize's editor, then published.
        translate_to_french(page, letter, FRENCH_TITLE)
        [french] = LetterPage.objects.filter(
            translation_key=letter.translation_key, locale__language_code="fr"
        )
        assert french.live and french.title == FRENCH_TITLE and french.alias_of_id is None
        # The French page (its language, title and signatories), French feeds and card.
        page.goto(french.get_url())
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        for organization in organizations:
            expect(page.locator("main")).to_contain_text(organization.title)
        assert FRENCH_TITLE in read_public_letter(page, french.get_url(), FRENCH_TITLE)
        # One post in French, by the French account only, linking the French page.
        sent = Delivery.objects.filter(page_id=french.id)
        assert [(d.account.name, d.status) for d in sent] == [("bluesky-fr", DeliveryStatus.SENT)]
        [post] = networks.bluesky.post_list
        assert post["value"]["langs"] == ["fr"]
        assert FRENCH_TITLE in post["value"]["text"]
        link = post["value"]["embed"]["external"]["uri"]
        assert unquote(urlsplit(link).path) == unquote(french.get_url())
        assert len(networks.mastodon.statuses) == len(networks.webhook.received) == 1

    assert page.requested, "the browser's requests were not recorded"
    leaks = other_hosts(page.requested, live_server.url)
    assert not leaks, f"the browser made requests to other hosts: {sorted(leaks)}"


SCREENS_DIR = Path(__file__).resolve().parent.parent / "var" / "browser-screens"
ARABIC_TITLE = "رسالة مفتوحة إلى الحكومات 🫠🫠🫠"
LISTED_TITLE = "Stop the scanning of our private messages!"
ADDRESSEES = "the governments of the EU."
# Where each piece of text is drawn: for the first match of each regular expression in the
# element's text, the box of its characters (viewport pixels), as Chromium laid it out.
PIECES_JS = """(element, patterns) => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    const nodes = [];
    let text = "";
    while (walker.nextNode()) {
        nodes.push([walker.currentNode, text.length]);
        text += walker.currentNode.data;
    }
    const at = (offset) => {
        const [node, start] = nodes.findLast(([, start]) => start <= offset);
        return [node, offset - start];
    };
    return patterns.map((source) => {
        const match = new RegExp(source, "u").exec(text);
        if (!match) return null;
        const range = document.createRange();
        range.setStart(...at(match.index));
        range.setEnd(...at(match.index + match[0].length));
        const box = range.getBoundingClientRect();
        return {text: match[0], left: box.left, right: box.right, x: (box.left + box.right) / 2};
    });
}"""
# The language switcher's entries as drawn: language, marked current, a link, weight, size.
SWITCHER_JS = """nav => [...nav.querySelectorAll("li > *")].map(entry => ({
    lang: entry.lang,
    current: entry.getAttribute("aria-current"),
    link: entry.tagName === "A",
    weight: Number(getComputedStyle(entry).fontWeight),
    width: entry.getBoundingClientRect().width,
}))"""
# The search field's placeholder measured in the field's own (loaded) font, against the
# width the field leaves for text.
PLACEHOLDER_JS = """async input => {
    const style = getComputedStyle(input);
    const font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    await document.fonts.load(font, input.placeholder);
    const context = document.createElement("canvas").getContext("2d");
    context.font = font;
    return {
        text: context.measureText(input.placeholder).width,
        room: input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
        scrolls: input.scrollWidth > input.clientWidth,
    };
}"""


def pieces(locator, *patterns: str) -> list[dict]:
    """Where `patterns` (first matches in the text of `locator`) are drawn; each must match."""
    found = locator.evaluate(PIECES_JS, list(patterns))
    assert all(found), (patterns, locator.inner_text())
    return found


def direction_of(locator) -> str:
    return locator.evaluate("element => getComputedStyle(element).direction")


def screen(page, name: str, locator=None) -> None:
    """Keep what the browser drew for a person to look at (var/browser-screens/)."""
    SCREENS_DIR.mkdir(parents=True, exist_ok=True)
    (locator or page).screenshot(path=str(SCREENS_DIR / f"{name}.png"))


def assert_date_reads_right_to_left(page, name: str) -> None:
    """An untranslated page's date, in the reader's right-to-left language inside the
    English original: isolated in its own element, drawn day, month, year from the right."""
    date = page.locator(".letter__meta time")
    day, month, year = pieces(date, r"\d+", r"[\u0590-\u05ff\u0600-\u06ff]+", r"\d{4}")
    assert day["text"] == "30" and year["text"] == "2026", (day, year)
    assert day["x"] > month["x"] > year["x"], (name, day, month, year)
    assert date.get_attribute("dir") == "rtl" and direction_of(date) == "rtl"
    screen(page, name)


def assert_switcher_marks(page, current: str) -> list[str]:
    """The switcher as drawn: every entry visible, `current` alone marked (aria-current,
    bold, not a link); returns the languages it offers, in order."""
    entries = page.locator("nav.language-switcher").evaluate(SWITCHER_JS)
    assert all(entry["width"] > 0 for entry in entries), entries
    marked = [entry for entry in entries if entry["current"]]
    assert [entry["lang"] for entry in marked] == [current], entries
    assert marked[0]["weight"] >= 700 and not marked[0]["link"], marked
    assert all(entry["weight"] < 700 and entry["link"] for entry in entries if not entry["current"])
    return [entry["lang"] for entry in entries]


def test_readers_and_editors_see_each_language_in_its_direction(
    live_server, site_setup, browser_page
):
    """The visual items of issue 15, as Chromium lays them out, each with a screenshot in
    var/browser-screens/: untranslated Arabic and Hebrew pages keep dates and names in
    order, the language switcher is the same everywhere and marks the current language,
    the French search placeholder fits, titles read in their own direction; in the Arabic
    admin, an English letter's fields read left to right, the script warning shows, and
    the share card's problems are warnings, not form errors."""
    from datetime import date

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.utils import translation
    from wagtail.models import Locale
    from wagtail.users.models import UserProfile
    from wagtail_localize.synctree import synchronize_tree

    from home.models import LetterPage
    from tests.conftest import publish

    tree, organizations, device = site_setup
    profile = UserProfile.get_for_user(get_user_model().objects.get(username="alice"))
    profile.preferred_language = "ar"
    profile.save()
    letters = {}
    for slug, title in (("scanning", LISTED_TITLE), ("arabic-title", ARABIC_TITLE)):
        letter = LetterPage(
            title=title,
            slug=slug,
            publication_date=date(2026, 11, 30),
            standfirst=STANDFIRST,
            addressees=ADDRESSEES,
            body=[{"type": "paragraph", "value": f"<p>{PARAGRAPH}</p>"}],
            post_on_publish=False,
        )
        tree.letters.add_child(instance=letter)
        letters[slug] = publish(letter)
    english = Locale.objects.get(language_code="en")
    for locale in Locale.objects.exclude(pk=english.pk):
        synchronize_tree(english, locale)
    languages = [code for code, _name in settings.LANGUAGES]
    page = browser_page
    with screenshots_on_failure(page, "directions"):
        # 2. Untranslated Arabic and Hebrew copies: the dates read day, month, year from
        # the right; the English addressees keep their full stop at their own end.
        page.goto(f"/ar/letters/{letters['scanning'].slug}/")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        assert direction_of(page.locator("article.letter")) == "ltr"
        kicker = page.locator(".letter__header .kicker")
        assert direction_of(kicker) == "rtl"
        governments, stop = pieces(kicker, "governments", r"(?<=EU)\.")
        assert stop["left"] >= governments["right"] - 1, (governments, stop)
        assert kicker.locator("bdi").inner_text() == ADDRESSEES
        assert_date_reads_right_to_left(page, "untranslated-arabic-letter")
        # 3. The switcher, on the untranslated page too: every language, this one marked.
        assert assert_switcher_marks(page, "ar") == languages
        page.goto(f"/he/letters/{letters['scanning'].slug}/")
        assert_date_reads_right_to_left(page, "untranslated-hebrew-letter")
        assert assert_switcher_marks(page, "he") == languages
        for url, current in (
            (letters["scanning"].url, "en"),
            ("/fr/", "fr"),
            ("/en/search/?query=scanning", "en"),
        ):
            page.goto(url)
            assert assert_switcher_marks(page, current) == languages, url
        screen(page, "language-switcher-on-search", page.locator("header.site-header"))

        # 4. The French search field shows its whole placeholder.
        page.goto("/fr/search/")
        field = page.locator("#site-search-query")
        fits = field.evaluate(PLACEHOLDER_JS)
        assert fits["text"] <= fits["room"] and not fits["scrolls"], fits
        screen(page, "french-search-placeholder", page.locator("header.site-header"))

        # 6. An Arabic-only title of an English letter reads right to left in the English
        # page: its emoji, neutral, end up at its left end.
        page.goto(letters["arabic-title"].url)
        heading = page.locator("h1")
        assert direction_of(page.locator("article.letter")) == "ltr"
        assert direction_of(heading) == "rtl"
        arabic, emoji = pieces(heading, r"\p{Script=Arabic}+", r"\p{Extended_Pictographic}+")
        assert emoji["right"] <= arabic["left"] + 1, (arabic, emoji)
        screen(page, "arabic-title-on-english-letter")

        # The Arabic admin.
        sign_in(page, device)
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        # 6. Titles in the page listing read in their own direction: the English title's
        # exclamation mark at its right end, in the right-to-left listing.
        page.goto(f"/admin/pages/{tree.letters.id}/")
        listed = page.locator(f"#page_{letters['scanning'].id}_title")
        assert direction_of(listed) == "ltr"
        words, mark = pieces(listed, "messages", "!")
        assert mark["left"] >= words["right"] - 1, (words, mark)
        assert direction_of(page.locator(f"#page_{letters['arabic-title'].id}_title")) == "rtl"
        screen(page, "admin-listing-titles")

        # 1. An English letter's fields read left to right in the right-to-left admin.
        page.goto(f"/admin/pages/{letters['scanning'].id}/edit/", wait_until="networkidle")
        assert direction_of(page.locator("body")) == "rtl"
        for name in ("title", "standfirst", "addressees"):
            assert direction_of(page.locator(f"#id_{name}")) == "ltr", name
        standfirst = page.locator("#id_standfirst").bounding_box()
        sidebar = page.locator(".sidebar__inner").bounding_box()
        assert sidebar["x"] > standfirst["x"], (sidebar, standfirst)  # the chrome is mirrored
        screen(page, "english-letter-in-arabic-admin")

        # 6. The script mismatch is said after a save, as a warning.
        page.goto(f"/admin/pages/{letters['arabic-title'].id}/edit/", wait_until="networkidle")
        page.locator("footer button.action-save").first.click()
        page.wait_for_load_state()
        warning = page.locator(".messages li.warning")
        expect(warning).to_be_visible()
        expect(warning).to_contain_text("العربية")
        screen(page, "script-mismatch-warning")

        # 5. The share card's problems (emoji no card font draws) are warnings, not errors.
        with translation.override("ar"):
            sharing_tab = page.get_by_role("tab", name=translation.gettext("Sharing"))
        sharing_tab.click()
        sharing = page.locator(f"[id='{sharing_tab.get_attribute('href')[1:]}']")
        problems = sharing.locator(".help-warning")
        expect(problems.first).to_be_visible()
        warning_background = problems.first.evaluate(
            "element => getComputedStyle(element).backgroundColor"
        )
        assert warning_background not in ("rgba(0, 0, 0, 0)", "transparent"), warning_background
        assert sharing.locator(".error-message, .help-critical").count() == 0
        expect(page.locator(".w-tabs__errors").filter(visible=True)).to_have_count(0)
        problems.first.scroll_into_view_if_needed()
        screen(page, "sharing-problems-as-warnings")

    leaks = other_hosts(page.requested, live_server.url)
    assert not leaks, f"the browser made requests to other hosts: {sorted(leaks)}"
