"""Share cards: sizes, scripts, determinism, bad logos, storage, wiring."""

import glob
import io
import struct
import zlib
from unittest import mock

import feedparser
import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageFont, features
from wagtail.images import get_image_model

from publishing.messages import show_message
from publishing.models import ShareImage
from publishing.share_images import card as card_module
from publishing.share_images.card import LOGO_INSIDE, VARIANTS, CardContent, render_card
from publishing.share_images.fonts import coverage, faces_for
from publishing.share_images.layout import order_runs, split_runs
from publishing.share_images.logos import load_logo
from publishing.share_images.service import render_share_images
from publishing.share_images.storage import share_image_storage
from tests.responses import text_of

TITLES = {
    "en": "Speak up for private messaging in Russia",
    "ru": "Защитите частную переписку в России",
    "el": "Υπερασπιστείτε την ιδιωτική επικοινωνία",
    "ar": "دافعوا عن المراسلة الخاصة في روسيا مع ACLU منذ 2018",
    "he": "הגנו על התכתבות פרטית – ACRI ו-ICCL, 2024",
    "hi": "रूस में निजी संदेश सेवा के पक्ष में आवाज़ उठाएँ",
}


def content(title="A title", language="en", direction="ltr", logos=(), **kwargs):
    return CardContent(
        title=title,
        kicker=kwargs.pop("kicker", "Open letter · 3 May 2018"),
        signatures=kwargs.pop("signatures", "Signed by 13 organizations"),
        brand="Broadside",
        language=language,
        direction=direction,
        logos=tuple(logos),
        **kwargs,
    )


def image_file(name: str, image: Image.Image, format: str = "PNG", **save):
    buffer = io.BytesIO()
    image.save(buffer, format=format, **save)
    return ContentFile(buffer.getvalue(), name=name)


def wagtail_image(name: str, file, stored_bytes: bytes | None = None):
    """A Wagtail image; `stored_bytes` then replaces its file on disk, for files Wagtail's
    own upload checks would refuse (a logo uploaded before a limit existed, a file changed
    behind Wagtail's back)."""
    model = get_image_model()
    instance = model(title=name, file=file, width=10, height=10)
    instance.save()
    if stored_bytes is not None:
        with open(instance.file.path, "wb") as handle:
            handle.write(stored_bytes)
    return instance


def placeholder():
    return image_file("placeholder.png", Image.new("RGB", (10, 10)))


# -- the drawing ----------------------------------------------------------------------------


def test_raqm_layout_is_available():
    assert features.check("raqm"), "share cards need raqm (libfribidi0)"


@pytest.mark.parametrize("key", list(VARIANTS))
def test_every_variant_has_its_exact_size_and_format(key):
    variant = VARIANTS[key]
    rendered = render_card(content(TITLES["en"]), variant)
    with Image.open(io.BytesIO(rendered.data)) as image:
        assert image.size == (variant.width, variant.height)
        assert image.format == variant.format
    if variant.max_bytes:
        assert len(rendered.data) <= variant.max_bytes


def test_bluesky_card_stays_under_a_million_bytes_even_when_busy():
    noisy = Image.effect_noise((128, 128), 100).convert("RGB")
    rendered = render_card(content("x " * 400, logos=[noisy] * 8), VARIANTS["bluesky"])
    assert len(rendered.data) < 1_000_000


def test_png_cards_are_valid_and_lossless():
    """Pillow (the reference decoder here) verifies the file's chunks and CRCs and decodes
    exactly the drawn canvas."""
    from publishing.share_images import card as card_module

    captured = []
    encode = card_module._encode

    def capture(canvas, variant):
        captured.append(canvas.copy())
        return encode(canvas, variant)

    with mock.patch.object(card_module, "_encode", capture):
        rendered = render_card(content(TITLES["ar"], "ar", "rtl"), VARIANTS["og"])
    with Image.open(io.BytesIO(rendered.data)) as image:
        image.verify()
    with Image.open(io.BytesIO(rendered.data)) as image:
        assert image.format == "PNG" and image.mode == "RGB"
        assert image.tobytes() == captured[0].tobytes()


def test_same_inputs_give_the_same_bytes():
    first = render_card(content(TITLES["ar"], "ar", "rtl"), VARIANTS["og"]).data
    second = render_card(content(TITLES["ar"], "ar", "rtl"), VARIANTS["og"]).data
    assert first == second


@pytest.mark.parametrize("language", list(TITLES))
def test_every_drawn_character_has_a_glyph_in_the_font_drawing_it(language):
    """No tofu: spy on every text draw and check the font's character map."""
    direction = "rtl" if language in ("ar", "he") else "ltr"
    drawn = []
    original = card_module.draw_run

    def spy(draw, xy, text, path, *args):
        drawn.append((text, path))
        return original(draw, xy, text, path, *args)

    with mock.patch.object(card_module, "draw_run", spy):
        rendered = render_card(content(TITLES[language], language, direction), VARIANTS["og"])
    assert rendered.dropped == []
    assert drawn
    for text, path in drawn:
        missing = [c for c in text if ord(c) not in coverage(path) and c != " "]
        assert not missing, (text, path, missing)


def test_font_coverage_read_from_the_cmap_bytes_matches_fonttools():
    """The fast cmap reader gives what fontTools' getBestCmap gives, for every configured
    font (formats 4 and 12; fontTools is the reference)."""
    from fontTools.ttLib import TTFont

    from publishing.share_images.fonts import _fast_cmap, font_families

    paths = {p for faces in font_families().values() for f in faces for p in (f.regular, f.bold)}
    assert paths
    # Other fonts of the machine, if any, for more cmap layouts (segments, glyph arrays).
    paths |= set(glob.glob("/usr/share/fonts/truetype/*/*.ttf"))
    for path in sorted(paths):
        font = TTFont(path, lazy=True)
        assert _fast_cmap(font.reader["cmap"]) == frozenset(font["cmap"].getBestCmap()), path
        assert coverage(path) == frozenset(font["cmap"].getBestCmap()), path


def test_characters_no_font_has_are_left_out_not_drawn_as_boxes():
    rendered = render_card(content("Letter 🙂 ⾀ 𓀀 end"), VARIANTS["og"])
    assert "🙂" in rendered.dropped and "𓀀" in rendered.dropped


def test_runs_follow_font_coverage_and_rtl_order():
    faces = faces_for("noto-sans")
    runs, dropped = split_runs("مع ACLU و EIPR", faces)
    assert dropped == []
    assert [(r.text, r.face.name) for r in runs] == [
        ("مع", "Noto Sans Arabic"),
        (" ", "Noto Sans Arabic"),
        ("ACLU", "Noto Sans"),
        (" ", "Noto Sans"),
        ("و", "Noto Sans Arabic"),
        (" ", "Noto Sans Arabic"),
        ("EIPR", "Noto Sans"),
    ]
    visual = [r.text for r in order_runs(runs, "rtl")]
    # Right to left: مع, ACLU, و, EIPR — so left to right the order is reversed.
    assert [t for t in visual if t.strip()] == ["EIPR", "و", "ACLU", "مع"]
    assert all(r.direction == "rtl" for r in runs if r.text.strip() in ("مع", "و"))


def test_devanagari_is_shaped_by_raqm():
    path = faces_for("noto-sans")[3].bold
    shaped = ImageFont.truetype(path, 60, layout_engine=ImageFont.Layout.RAQM)
    unshaped = ImageFont.truetype(path, 60, layout_engine=ImageFont.Layout.BASIC)
    word = "क्षत्रिय"  # conjuncts and a pre-base vowel sign
    assert shaped.getlength(word) != unshaped.getlength(word)


def test_rtl_title_is_aligned_to_the_right():
    def ink_columns(rendered):
        with Image.open(io.BytesIO(rendered.data)) as image:
            band = image.crop((0, 150, image.width, 330)).convert("L")
            columns = [
                x
                for x in range(band.width)
                if any(band.getpixel((x, y)) > 128 for y in range(0, band.height, 3))
            ]
        return min(columns), max(columns)

    arabic = ink_columns(
        render_card(content("سلام", "ar", "rtl", kicker="", signatures=""), VARIANTS["og"])
    )
    english = ink_columns(render_card(content("Peace", kicker="", signatures=""), VARIANTS["og"]))
    assert arabic[1] > 1100 and arabic[0] > 600
    assert english[0] < 100 and english[1] < 600


def test_long_titles_shrink_and_are_cut_only_at_a_word_with_an_ellipsis():
    long_title = " ".join(["solidarity"] * 300)
    with mock.patch.object(card_module, "draw_run") as draw_run:
        render_card(content(long_title), VARIANTS["og"])
    texts = [call.args[2] for call in draw_run.call_args_list]
    title_lines = [t for t in texts if "solidarity" in t]
    assert title_lines[-1].endswith("solidarity…")
    assert all(
        word in ("solidarity", "solidarity…") for line in title_lines for word in line.split()
    )


@given(
    title=st.one_of(
        st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=300),
        st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1500, max_size=2000),
        st.sampled_from(
            [
                "",
                " ",
                "👩‍👩‍👧‍👦 family",
                "e\u0301\u0301\u0301",
                "\u202eevil",
                "\u200d\u200c",
                "ᄀᄀᄀ",
            ]
        ),
    ),
    language=st.sampled_from(["en", "ar", "he", "hi", "ru"]),
    variant=st.sampled_from(list(VARIANTS)),
)
def test_any_title_gives_an_image_of_the_exact_size(title, language, variant):
    direction = "rtl" if language in ("ar", "he") else "ltr"
    rendered = render_card(content(title, language, direction), VARIANTS[variant])
    with Image.open(io.BytesIO(rendered.data)) as image:
        assert image.size == (VARIANTS[variant].width, VARIANTS[variant].height)


# -- bad logos --------------------------------------------------------------------------------


def png_with_size(width: int, height: int) -> bytes:
    """A valid PNG header claiming huge dimensions, with almost no data (a decompression bomb)."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 10))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "name,data,reason",
    [
        ("bomb.png", png_with_size(60_000, 60_000), "too large"),
        ("svg.svg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
        ("corrupt.png", b"\x89PNG\r\n\x1a\nnot really", "damaged"),
        ("text.png", b"hello", "not an image"),
    ],
)
def test_bad_logos_are_refused_with_a_reason(name, data, reason):
    logo, problem = load_logo(ContentFile(data, name=name), "Some Org")
    assert logo is None
    assert reason in str(problem) and "Some Org" in str(problem)


def test_truncated_logo_is_refused():
    data = image_file("x.jpg", Image.effect_noise((400, 400), 50).convert("RGB"), "JPEG").read()
    logo, problem = load_logo(ContentFile(data[: len(data) // 2], name="x.jpg"), "Org")
    assert logo is None and "damaged" in str(problem)


@pytest.mark.parametrize(
    "image,format",
    [
        (Image.new("CMYK", (300, 200), (0, 100, 200, 0)), "JPEG"),
        (Image.new("P", (300, 200)), "PNG"),
        (Image.new("LA", (300, 200), (128, 0)), "PNG"),
        (Image.new("RGBA", (300, 200), (255, 0, 0, 0)), "PNG"),
        (Image.new("I;16", (300, 200)), "PNG"),
        (Image.new("1", (300, 200)), "GIF"),
    ],
)
def test_unusual_image_modes_are_converted(image, format):
    if image.mode == "P":
        image.info["transparency"] = 0
    logo, problem = load_logo(image_file(f"logo.{format.lower()}", image, format), "Org")
    assert problem is None
    # Decoded straight to the size a card draws it: no card resamples it again.
    assert logo.mode == "RGBA" and max(logo.size) == LOGO_INSIDE


def test_a_letter_with_bad_logos_still_gets_its_cards(make_organization, make_letter):
    good = wagtail_image("good", image_file("good.png", Image.new("RGB", (50, 50), "red")))
    bomb = wagtail_image("bomb", placeholder(), png_with_size(60_000, 60_000))
    svg = wagtail_image("svg", placeholder(), b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    organizations = [
        make_organization("good", "Good Org", logo=good),
        make_organization("bomb", "Bomb Org", logo=bomb),
        make_organization("svg", "Svg Org", logo=svg),
    ]
    letter = make_letter("logos", signatories=organizations)
    result = render_share_images(letter)
    assert all(result.values())
    image = ShareImage.objects.get(page=letter, variant="og")
    problems = [show_message(problem) for problem in image.problems]
    assert any("Bomb Org" in problem for problem in problems)
    assert any("Svg Org" in problem and "SVG" in problem for problem in problems)
    assert not any("Good Org" in problem for problem in problems)


def test_each_logo_is_decoded_once_for_all_cards_of_a_letter(make_organization, make_letter):
    """Decoding logos cost more than drawing: a letter's 4 variants share one decode, and a
    logo whose file changed (new file hash) is decoded again."""
    from publishing.share_images import content as content_module

    logos = [
        wagtail_image(name, image_file(f"{name}.png", Image.new("RGB", (90, 60), colour)))
        for name, colour in (("first", "red"), ("second", "blue"))
    ]
    organizations = [
        make_organization(f"org-{index}", f"Org {index}", logo=logo)
        for index, logo in enumerate(logos)
    ]
    letter = make_letter("decoded", signatories=organizations)
    content_module._LOGOS.clear()
    with mock.patch.object(content_module, "load_logo", wraps=load_logo) as decode:
        letter.share_images.all().update(input_hash="")
        assert all(render_share_images(letter).values())
        assert decode.call_count == 2
        type(logos[0]).objects.filter(pk=logos[0].pk).update(file_hash="replaced")
        assert all(render_share_images(letter).values())
        assert decode.call_count == 3


# -- storage and wiring ----------------------------------------------------------------------


@pytest.fixture
def published_letter(make_organization, make_letter, translate, django_capture_on_commit_callbacks):
    logo = wagtail_image("logo", image_file("logo.png", Image.new("RGB", (80, 80), "navy")))
    organization = make_organization("ccla", "CCLA", logo=logo)
    with django_capture_on_commit_callbacks(execute=True):
        letter = make_letter("carded", title="A carded letter", signatories=[organization])
    arabic = translate(letter, "ar", {"A carded letter": "رسالة ببطاقة"})
    with django_capture_on_commit_callbacks(execute=True):
        arabic.save_revision().publish()
    return letter, arabic


def test_publishing_renders_every_variant_in_each_language(published_letter):
    letter, arabic = published_letter
    for page in (letter, arabic):
        assert set(ShareImage.objects.filter(page=page).values_list("variant", flat=True)) == set(
            VARIANTS
        )
    arabic_og = ShareImage.objects.get(page=arabic, variant="og")
    assert "رسالة ببطاقة" in arabic_og.alt_text
    assert arabic_og.width == 1200 and arabic_og.height == 630


def test_republishing_unchanged_letter_renders_nothing(published_letter):
    letter, _ = published_letter
    names = dict(ShareImage.objects.filter(page=letter).values_list("variant", "file_name"))
    with mock.patch("publishing.share_images.service.render_card", side_effect=AssertionError):
        assert render_share_images(letter) == dict.fromkeys(VARIANTS, False)
    assert dict(ShareImage.objects.filter(page=letter).values_list("variant", "file_name")) == names


def test_changed_title_gives_a_new_file_and_url(published_letter):
    letter, _ = published_letter
    before = ShareImage.objects.get(page=letter, variant="og")
    letter.title = "A retitled letter"
    letter.save_revision().publish()
    render_share_images(letter)
    after = ShareImage.objects.get(page=letter, variant="og")
    assert after.file_name != before.file_name and after.url != before.url
    assert not share_image_storage().exists(before.file_name)


def test_letter_page_has_og_image_meta(client, published_letter):
    letter, arabic = published_letter
    image = ShareImage.objects.get(page=arabic, variant="og")
    html = text_of(client.get(arabic.url))
    assert f'<meta property="og:image" content="http://testserver{image.url}">' in html
    assert '<meta property="og:image:width" content="1200">' in html
    assert '<meta property="og:image:height" content="630">' in html
    assert f'<meta property="og:image:alt" content="{image.alt_text}">' in html
    assert f'<meta name="twitter:image" content="http://testserver{image.url}">' in html


def test_stored_cards_are_served_with_immutable_caching(client, published_letter):
    letter, _ = published_letter
    image = ShareImage.objects.get(page=letter, variant="bluesky")
    response = client.get(image.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"immutable", "max-age=31536000"} <= directives
    assert "s-maxage=300" in directives  # a CDN forgets a card hidden later within minutes
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    assert client.get("/share-images/../secret").status_code == 404


def test_feeds_carry_the_card_as_enclosure_and_media_content(client, published_letter):
    letter, _ = published_letter
    image = ShareImage.objects.get(page=letter, variant="og")
    for format in ("rss", "atom"):
        feed = feedparser.parse(client.get(f"/en/feeds/letters.{format}").content)
        assert feed.bozo == 0
        enclosure = feed.entries[0].enclosures[0]
        assert enclosure.href.endswith(image.url)
        assert int(enclosure.length) == image.size
        assert enclosure.type == "image/png"
        assert feed.entries[0].media_content[0]["width"] == "1200"


def test_editor_preview_and_sharing_tab(client, django_user_model, published_letter):
    letter, _ = published_letter
    preview_url = f"/admin/publishing/share-images/{letter.pk}/portrait/preview/"
    assert client.get(preview_url).status_code == 302  # to the login page
    client.force_login(django_user_model.objects.create_superuser("e", "e@example.org", "pw"))
    response = client.get(preview_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.size == (1080, 1350)
    html = text_of(client.get(f"/admin/pages/{letter.pk}/edit/"))
    assert "Sharing" in html and preview_url in html
    assert "رسالة ببطاقة" in html  # the Arabic card's alt text, listed with the stored cards


def test_replacement_image_is_used_and_a_bad_one_falls_back(published_letter):
    from publishing.models import ShareImageOverride

    letter, _ = published_letter
    photo = wagtail_image(
        "photo", image_file("p.jpg", Image.new("RGB", (2000, 1000), "green"), "JPEG")
    )
    ShareImageOverride.objects.create(page=letter, image=photo, alt_text="A green field")
    render_share_images(letter)
    og = ShareImage.objects.get(page=letter, variant="og")
    assert og.alt_text == "A green field" and og.problems == []
    with share_image_storage().open(og.file_name) as stored, Image.open(stored) as image:
        assert image.size == (1200, 630) and image.getpixel((600, 300))[1] > 100

    broken = wagtail_image("broken", placeholder(), b"<svg/>")
    ShareImageOverride.objects.filter(page=letter).update(image=broken)
    render_share_images(letter)
    og = ShareImage.objects.get(page=letter, variant="og")
    assert "replacement image cannot be used" in show_message(og.problems[0])


def test_regenerate_command_filters_and_reports(published_letter):
    letter, arabic = published_letter
    out = io.StringIO()
    call_command("regenerate_share_images", "--locale", "ar", "--force", stdout=out)
    assert f"1 letters checked, {len(VARIANTS)} cards rendered." in out.getvalue()
    with pytest.raises(CommandError, match="Unknown locale"):
        call_command("regenerate_share_images", "--locale", "xx", stdout=io.StringIO())


def test_regenerate_command_resumes_by_skipping_cards_already_current(published_letter):
    """After an interruption a second run draws only what is not current yet."""
    call_command("regenerate_share_images", "--locale", "ar", "--force", stdout=io.StringIO())
    out = io.StringIO()
    call_command("regenerate_share_images", "--processes", "1", stdout=out)
    assert "0 cards rendered." in out.getvalue()
    assert "cards/s with 1 process(es)" in out.getvalue()
    with pytest.raises(CommandError, match="at least 1"):
        call_command("regenerate_share_images", "--processes", "0", stdout=io.StringIO())


def test_system_checks_name_missing_fonts_and_uncovered_scripts(settings):
    from publishing.share_images.checks import check_share_image_fonts

    assert check_share_image_fonts() == []
    settings.LANGUAGES = [*settings.LANGUAGES, ("ja", "日本語")]
    errors = check_share_image_fonts()
    assert [e.id for e in errors] == ["broadside.E003"] and "'ja'" in errors[0].msg
    settings.BROADSIDE_SHARE_IMAGE_FONTS = {
        "broken": [{"name": "Gone", "regular": "Gone.ttf", "bold": "Gone-Bold.ttf"}]
    }
    assert {e.id for e in check_share_image_fonts()} == {"broadside.E002"}
