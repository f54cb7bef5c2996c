"""Composing social posts: counting as each network does, and trimming without breaking text."""

from __future__ import annotations

from itertools import groupby

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from publishing.channels.base import DEFAULT_TEMPLATE
from publishing.channels.bluesky import BlueskyTextRules
from publishing.channels.mastodon import MastodonTextRules
from publishing.channels.text import (
    PlainTextRules,
    TextRules,
    hashtag_spans,
    link_spans,
    mention_spans,
    utf8_offsets,
)
from publishing.channels.x import XTextRules
from publishing.social.compose import (
    PLACEHOLDERS,
    ComposedText,
    CompositionError,
    PostContext,
    PostTooLong,
    TemplateError,
    compose_text,
    hashtag,
    validate_template,
)
from tests.servers.mastodon import status_length as mastodon_status_length
from tests.servers.x import weighted_length as x_weighted_length

URL = "https://e.org/l/1"
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # one grapheme, 25 bytes
KSHI = "\u0915\u094d\u0937\u093f"  # Devanagari conjunct क्षि: one grapheme, 12 bytes
KI = "\u0915\u093f"  # कि: one grapheme, 6 bytes


def graphemes(text: str) -> list[str]:
    return regex.findall(r"\X", text)


def context(**fields) -> PostContext:
    fields.setdefault("title", "Open letter on surveillance")
    fields.setdefault("standfirst", "Civil society groups urge lawmakers to reject the proposal")
    fields.setdefault("url", URL)
    return PostContext(**fields)


# --- Counting --------------------------------------------------------------------------------


def test_x_counts_ascii_up_to_280():
    rules = XTextRules()
    assert rules.fits("a" * 280)
    assert not rules.fits("a" * 281)
    assert rules.length("a" * 281) == 281


@pytest.mark.parametrize(
    ("code_point", "weight"),
    [
        (0x41, 1),
        (4351, 1),
        (4352, 2),
        (8191, 2),
        (8192, 1),
        (8205, 1),
        (8206, 2),
        (8207, 2),
        (8208, 1),
        (8223, 1),
        (8224, 2),
        (8230, 2),  # "…": outside 8208–8223, so an ellipsis costs 2 on X
        (8241, 2),
        (8242, 1),
        (8247, 1),
        (8248, 2),
        (0x6F22, 2),  # 漢
        (0x1F600, 2),
    ],
)
def test_x_weight_table(code_point, weight):
    assert XTextRules().length(chr(code_point)) == weight


def test_x_ellipsis_weighs_two():
    assert ord("…") == 8230 and 8230 not in range(8208, 8224)
    assert XTextRules().length("…") == 2


def test_x_cjk_counts_double():
    rules = XTextRules()
    assert rules.length("漢") == 2
    assert rules.fits("漢" * 140)
    assert not rules.fits("漢" * 141)


def test_x_urls_count_23_whatever_their_length():
    rules = XTextRules()
    long_url = "https://example.org/" + "a" * 80
    assert len(long_url) == 100
    assert rules.length(long_url) == 23
    assert rules.length("http://a.co") == 23
    assert rules.length(f"Read {long_url}.") == 5 + 23 + 1
    assert XTextRules(url_length=24).length(long_url) == 24


def test_x_normalizes_to_nfc_first():
    assert XTextRules().length("e\u0301") == 1  # é, U+00E9


def test_x_counts_an_emoji_sequence_as_two_like_twitter_text():
    # twitter-text 3 weighs every emoji sequence 2 (conformance: "140 family emoji" = 280).
    assert XTextRules().length(FAMILY) == 2
    assert XTextRules().fits(FAMILY * 140) and not XTextRules().fits(FAMILY * 141)


# Values from twitter/twitter-text conformance/tests/validate.yml (WeightedTweetsCounterTest,
# WeightedTweetsWithDiscountedEmojiCounterTest, lengths), which X's count follows.
ENGLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
CJK_160 = (
    "故人西辞黄鹤楼，烟花三月下扬州。孤帆远影碧空尽，唯见长江天际流。朱雀桥边野草花，乌衣巷口夕阳斜。"
    "旧时王谢堂前燕，飞入寻常百姓家。朝辞白帝彩云间，千里江陵一日还。两岸猿声啼不住，轻舟已过万重山。"
    "泪湿罗巾梦不成，夜深前殿按歌声。红颜未老恩先断，斜倚薰笼坐到明。独在异乡为异客，每逢佳节倍思亲。"
    "遥知兄弟登高处，遍插茱萸少一人。"
)


@pytest.mark.parametrize(
    ("text", "weighted"),
    [
        ("Hi http://test.co", 26),
        ("http://test.co", 23),
        ("test.com", 23),  # a URL without a scheme is a URL too
        ("Test https://test.com test https://test.com test.com test", 86),
        ("randomurlrandomurlrandomurlrandomurlrandomurlrandomurlrandomurls.com", 68),
        ("http://example.com/Русские_слова", 23),  # a Cyrillic path stays in the URL
        ("\u2066\u202ahttp://foobar.پاکستان/\u202c\u2069", 31),
        ("ÁB", 2),
        (CJK_160, 320),
        ("the" + CJK_160, 323),
        ("😷👾😡🔥💩", 10),
        ("Unicode 9.0 emoji: \U0001f920; \U0001f483; \U0001f483\U0001f3fe", 29),
        (f"Unicode 10.0 emoji: \U0001f92a; \U0001f9d5; \U0001f9d5\U0001f3fe; {ENGLAND}", 34),
        ("@username", 9),
        ("❤️", 2),  # U+2764 U+FE0F: one emoji
        ("Read it: broadside.org", 32),
    ],
)
def test_x_counts_like_twitter_texts_conformance_suite(text, weighted):
    assert XTextRules().length(text) == weighted


def test_x_refuses_characters_twitter_text_calls_invalid():
    # conformance: "Handle invalid characters" -> valid: false
    assert not XTextRules().fits("ABC\u202a\uffffABC\ufffe")


def test_mastodon_counts_only_the_username_of_a_remote_mention():
    rules = MastodonTextRules()
    assert rules.length("@user@mastodon.social") == len("@user")
    assert rules.length("Hi @aclu and @edri@eupolicy.social!") == len("Hi @aclu and @edri!")
    assert rules.length("mail me@example.org") == len("mail me@example.org")


def test_mastodon_counts_graphemes_and_urls_as_23():
    rules = MastodonTextRules()
    assert rules.length(FAMILY + "e\u0301") == 2
    assert rules.length("https://example.org/" + "a" * 80) == 23
    assert rules.fits("a" * 500)
    assert not rules.fits("a" * 501)


def test_bluesky_counts_urls_literally():
    url = "https://example.org/" + "a" * 80
    assert BlueskyTextRules().length(url) == 100


def test_bluesky_grapheme_limit():
    rules = BlueskyTextRules()
    assert len((KI * 300).encode()) == 1800
    assert rules.fits(KI * 300)
    assert not rules.fits(KI * 301)
    assert rules.describe(KI * 301) == "301 / 300"


def test_bluesky_byte_limit():
    rules = BlueskyTextRules()
    # 300 conjuncts are 300 graphemes, within the limit, but 3,600 bytes: too big.
    assert rules.length(KSHI * 300) == 300
    assert len((KSHI * 300).encode()) == 3600
    assert not rules.fits(KSHI * 300)
    assert rules.describe(KSHI * 300) == "300 / 300 (3600 / 3000 bytes)"
    assert rules.fits(FAMILY * 120)  # 3,000 bytes
    assert not rules.fits(FAMILY * 121)  # 3,025 bytes, 121 graphemes


def test_plain_rules_and_describe():
    assert PlainTextRules().fits("a" * 100_000)
    assert PlainTextRules().describe("ab" + FAMILY) == "3 characters"
    assert PlainTextRules(2).describe("abc") == "3 / 2"
    assert XTextRules().describe("a" * 287) == "287 / 280"
    assert isinstance(PlainTextRules(), TextRules)


# --- Templates -------------------------------------------------------------------------------


def test_default_template_is_valid():
    assert validate_template(DEFAULT_TEMPLATE) == []
    assert validate_template("".join(f"{{{name}}}" for name in PLACEHOLDERS)) == []
    assert validate_template("{{literal}} {title}") == []


@pytest.mark.parametrize(
    ("template", "named"),
    [
        ("{nope}", "{nope}"),
        ("{title.__class__}", "{title.__class__}"),
        ("{title[0]}", "{title[0]}"),
        ("{}", "{}"),
        ("{title", "“{”"),
        ("title}", "“}”"),
        ("{{title}", "“}”"),
        ("{ {title} }", "“{”"),
    ],
)
def test_template_errors(template, named):
    errors = validate_template(template)
    assert errors and named in errors[0]
    with pytest.raises(TemplateError) as raised:
        compose_text(template, context(), PlainTextRules())
    assert named in str(raised.value)
    assert isinstance(raised.value, CompositionError)


def test_literal_braces():
    assert compose_text("{{{title}}}", context(), PlainTextRules()).text == (
        "{Open letter on surveillance}\n\n" + URL
    )


def test_url_is_appended_when_the_template_has_none():
    assert compose_text("{title}", context(), PlainTextRules()).text == (
        "Open letter on surveillance\n\n" + URL
    )


def test_empty_values_leave_no_holes():
    result = compose_text(DEFAULT_TEMPLATE, context(standfirst=""), PlainTextRules())
    assert result == ComposedText(
        text=f"Open letter on surveillance\n\n{URL}", length=46, limit=None, trimmed=False
    )
    result = compose_text(
        "{signatories}  {title}   \n\n\n\n{mentions} {hashtags}\n{url}",
        context(hashtags=("#Privacy",)),
        PlainTextRules(),
    )
    assert result.text == f"Open letter on surveillance\n\n#Privacy\n{URL}"


def test_all_placeholders():
    ctx = context(signatories="13 organizations", signatory_count=13, mentions=("@aclu",))
    text = compose_text(
        "{signatories} ({signatory_count}) {mentions}: {url}", ctx, PlainTextRules()
    ).text
    assert text == f"13 organizations (13) @aclu: {URL}"


# --- Trimming --------------------------------------------------------------------------------

ORDER_CONTEXT = context(
    mentions=("@aclu", "@edri@eupolicy.social"), hashtags=("#Privacy", "#HumanRights")
)
TITLE = "Open letter on surveillance"
TAIL = "@aclu @edri@eupolicy.social #Privacy #HumanRights"


@pytest.mark.parametrize(
    "expected",
    [
        f"{TITLE}\n\nCivil society groups urge…\n\n{URL}\n\n{TAIL}",
        f"{TITLE}\n\nCivil…\n\n{URL}\n\n{TAIL}",
        f"{TITLE}\n\n{URL}\n\n{TAIL}",  # the standfirst goes first, with its blank line
        f"{TITLE}\n\n{URL}\n\n@aclu #Privacy #HumanRights",
        f"{TITLE}\n\n{URL}\n\n#Privacy #HumanRights",
        f"{TITLE}\n\n{URL}\n\n#Privacy",
        f"{TITLE}\n\n{URL}",
        f"Open letter on…\n\n{URL}",
        f"Open…\n\n{URL}",
        URL,
    ],
)
def test_trimming_order(expected):
    result = compose_text(DEFAULT_TEMPLATE, ORDER_CONTEXT, PlainTextRules(len(expected)))
    assert result == ComposedText(expected, len(expected), len(expected), trimmed=True)


def test_nothing_trimmed_when_it_fits():
    full = compose_text(DEFAULT_TEMPLATE, ORDER_CONTEXT, PlainTextRules())
    assert not full.trimmed
    assert compose_text(DEFAULT_TEMPLATE, ORDER_CONTEXT, PlainTextRules(full.length)) == (
        ComposedText(full.text, full.length, full.length, trimmed=False)
    )


def test_no_space_or_punctuation_before_the_ellipsis():
    ctx = context(title="T", standfirst="Hello world,  this is long.")
    result = compose_text(
        "{title}\n{standfirst}", ctx, PlainTextRules(len(f"T\nHello world…\n\n{URL}"))
    )
    assert result.text == f"T\nHello world…\n\n{URL}"


def test_standfirst_removed_if_one_word_does_not_fit():
    ctx = context(standfirst="Unbelievablylongword and more")
    expected = f"{TITLE}\n\n{URL}"
    assert compose_text(DEFAULT_TEMPLATE, ctx, PlainTextRules(len(expected) + 5)).text == expected


@pytest.mark.parametrize("cluster", [FAMILY, KSHI, "e\u0301", "🇫🇷", "\u05e9\u05c1"])
def test_a_long_title_word_is_cut_between_graphemes(cluster):
    ctx = context(title=cluster * 10, standfirst="")
    result = compose_text(DEFAULT_TEMPLATE, ctx, PlainTextRules(3 + 1 + 2 + len(URL)))
    assert result.text == f"{cluster * 3}…\n\n{URL}"


def test_x_trimming_accounts_for_weights():
    ctx = context(title="漢" * 200, standfirst="")
    result = compose_text(DEFAULT_TEMPLATE, ctx, XTextRules())
    # 280 - 23 (URL) - 2 (blank line) - 2 (ellipsis) leaves 253: 126 CJK characters.
    assert result.text == "漢" * 126 + "…\n\n" + URL
    assert result.length == 279


def test_right_to_left_text_is_trimmed_in_logical_order():
    ctx = context(title="מכתב פתוח נגד מעקב המוני", standfirst="رسالة مفتوحة ضد المراقبة الجماعية")
    expected = f"מכתב פתוח נגד מעקב המוני\n\nرسالة مفتوحة…\n\n{URL}"
    assert compose_text(DEFAULT_TEMPLATE, ctx, PlainTextRules(len(expected))).text == expected


def test_template_text_is_trimmed_last_and_tokens_are_dropped_whole():
    template = "Read our new open letter now {url} #Privacy #Rights"
    full = f"Read our new open letter now {URL} #Privacy #Rights"
    ctx = context()
    assert compose_text(template, ctx, PlainTextRules()).text == full
    expected = f"Read our new open letter now {URL} #Privacy"
    assert compose_text(template, ctx, PlainTextRules(len(full) - 1)).text == expected
    expected = f"Read our new open… {URL}"
    assert compose_text(template, ctx, PlainTextRules(len(expected))).text == expected
    template = "Signed by @averyveryverylongname.bsky.social today: {url}"
    expected = f"Signed by… {URL}"
    assert compose_text(template, ctx, PlainTextRules(len(expected) + 10)).text == expected


def test_the_url_is_never_cut():
    url = "https://example.org/" + "a" * 250
    ctx = context(url=url, title="Title " * 30, standfirst="Standfirst " * 30)
    result = compose_text(DEFAULT_TEMPLATE, ctx, BlueskyTextRules())
    assert result.trimmed and result.text.endswith(url)
    assert result.text == f"Title Title Title Title…\n\n{url}"


def test_post_too_long_when_the_url_alone_is():
    url = "https://example.org/" + "a" * 281
    with pytest.raises(PostTooLong) as raised:
        compose_text(DEFAULT_TEMPLATE, context(url=url), BlueskyTextRules())
    assert (raised.value.length, raised.value.limit) == (301, 300)
    assert str(raised.value) == (
        "This post is 301 characters long even shortened; the limit is 300."
    )
    with pytest.raises(PostTooLong, match="too long even shortened: 40 / 300 \\(40 / 30 bytes"):
        compose_text(
            "{url}", context(url="https://example.org/" + "a" * 20), BlueskyTextRules(max_bytes=30)
        )


def test_composing_a_long_standfirst_is_not_quadratic():
    calls = []

    class Counting(XTextRules):
        def length(self, text):
            calls.append(len(text))
            return super().length(text)

    ctx = context(standfirst=("Lorem ipsum dolor sit amet. " * 180)[:5000])
    result = compose_text(DEFAULT_TEMPLATE, ctx, Counting())
    assert result.trimmed and Counting().fits(result.text)
    assert len(calls) < 40


# --- Hashtags, links, mentions, offsets ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "tag"),
    [
        ("Libertés civiles", "#LibertésCiviles"),
        ("surveillance tech", "#SurveillanceTech"),
        ("Privacy & data-protection", "#PrivacyDataProtection"),
        ("GDPR enforcement", "#GDPREnforcement"),
        ("People's rights", "#PeoplesRights"),
        ("Liberté d’expression", "#LibertéDExpression"),
        ("Droits de l'homme", "#DroitsDeLHomme"),
        ("Aujourd’hui", "#Aujourdhui"),
        ("Article 19", "#Article19"),
        ("حرية التعبير", "#حرية_التعبير"),
        ("חופש הביטוי", "#חופש_הביטוי"),
        ("मानव अधिकार", "#मानव_अधिकार"),
        ("日本 人権", "#日本_人権"),
        ("Libert\u0065\u0301s", "#Libert\u00e9s"),
        ("2025", ""),
        ("  !! ", ""),
        ("", ""),
    ],
)
def test_hashtag(name, tag):
    assert hashtag(name) == tag


def test_link_spans():
    text = "See https://en.wikipedia.org/wiki/Foo_(bar), (https://e.org/x). Or http://a.co/?q=1!"
    assert link_spans(text) == [
        (4, 43, "https://en.wikipedia.org/wiki/Foo_(bar)"),
        (46, 61, "https://e.org/x"),
        (67, 83, "http://a.co/?q=1"),
    ]
    for start, end, url in link_spans(text):
        assert text[start:end] == url
    assert link_spans("ftp://x.org https:// nothing") == []


def test_mention_spans():
    text = "@aclu, @name.bsky.social and @user@mastodon.social. Mail me@x.org, "
    text += "https://m.s/@bob @Jürgen @1234 @a_b-"
    assert [handle for *_, handle in mention_spans(text)] == [
        "aclu",
        "name.bsky.social",
        "user@mastodon.social",
        "1234",
    ]
    for start, end, handle in mention_spans(text):
        assert text[start:end] == "@" + handle


def test_hashtag_spans():
    text = "#Privacy #LibertésCiviles, #حرية_التعبير #1 a#b C# https://x.org/#frag #मानव_अधिकार"
    assert [tag for *_, tag in hashtag_spans(text)] == [
        "Privacy",
        "LibertésCiviles",
        "حرية_التعبير",
        "मानव_अधिकार",
    ]
    for start, end, tag in hashtag_spans(text):
        assert text[start:end] == "#" + tag


def test_utf8_offsets_with_arabic_and_emoji():
    text = f"مرحبا {FAMILY} #حرية_التعبير @aclu https://e.org/ar"
    spans = hashtag_spans(text) + mention_spans(text) + link_spans(text)
    assert len(spans) == 3
    data = text.encode()
    for start, end, _value in spans:
        byte_start, byte_end = utf8_offsets(text, start, end)
        assert data[byte_start:byte_end].decode() == text[start:end]
    assert utf8_offsets(text, 0, 5) == (0, 10)
    with pytest.raises(ValueError):
        utf8_offsets(text, 3, 2)


# --- Properties ------------------------------------------------------------------------------

SAMPLES = [FAMILY, KSHI, "🇫🇷", "e\u0301", "\u0301", " \u0301", "\u0600", "שלום", "مرحبا", "漢字"]
SAMPLES += ["#tag", "@user@x.org", "@name.bsky.social", "https://e.org/a", "end.", "—", "…", "\n"]
WORD = st.one_of(
    st.text(min_size=1, max_size=12),
    st.sampled_from(SAMPLES),
    st.text(st.characters(categories=["Mn", "Mc", "Me", "So", "Lo", "Cf", "Zs"]), max_size=6),
)
PROSE = st.lists(WORD, min_size=4, max_size=40).map(" ".join) | st.sampled_from(["", " "])
RULES = st.one_of(
    st.builds(XTextRules, limit=st.integers(30, 280)),
    st.builds(MastodonTextRules, limit=st.integers(25, 500)),
    st.builds(BlueskyTextRules, limit=st.integers(25, 300), max_bytes=st.integers(60, 3000)),
    st.builds(PlainTextRules, limit=st.none() | st.integers(10, 200)),
)
CONTEXTS = st.builds(
    PostContext,
    title=PROSE,
    standfirst=PROSE,
    url=st.sampled_from(["https://e.org/x", "https://example.org/letters/an-open-letter/"]),
    hashtags=st.lists(st.text(max_size=15).map(hashtag).filter(bool), max_size=4).map(tuple),
    mentions=st.lists(
        st.sampled_from(["@aclu", "@edri@eupolicy.social", "@name.bsky.social"]), max_size=3
    ).map(tuple),
)
TEMPLATES = st.sampled_from([DEFAULT_TEMPLATE, "{title}\n{standfirst}\n{hashtags}", "{standfirst}"])


def words(text: str) -> list[str]:
    """Maximal runs of non-space graphemes."""
    return ["".join(run) for space, run in groupby(graphemes(text), key=str.isspace) if not space]


def reference_length(rules: TextRules, text: str) -> int:
    """The length the network itself would count, from the loopback servers' own
    re-implementations of each network's rules (tests/servers/: they never import
    production code), not from the counting code under test."""
    if type(rules) is XTextRules:
        return x_weighted_length(text)  # twitter-text v3 weights, every URL 23
    if type(rules) is MastodonTextRules:
        return mastodon_status_length(text)  # graphemes, URLs 23, remote mentions local
    assert type(rules) in (BlueskyTextRules, PlainTextRules), rules
    return len(graphemes(text))


def reference_fits(rules: TextRules, text: str) -> bool:
    """Whether the network would accept `text` under the limit the rules were built with."""
    if type(rules) is BlueskyTextRules and len(text.encode()) > rules.max_bytes:
        return False
    return rules.limit is None or reference_length(rules, text) <= rules.limit


@given(template=TEMPLATES, ctx=CONTEXTS, rules=RULES)
def test_composed_text_fits_and_only_shortens(template, ctx, rules):
    full = compose_text(template, ctx, PlainTextRules()).text
    try:
        result = compose_text(template, ctx, rules)
    except PostTooLong:
        assert not reference_fits(rules, ctx.url)  # only the URL is left, never cut
        return
    out = result.text
    assert reference_fits(rules, out)
    assert result.length == reference_length(rules, out)
    assert result.trimmed == (out != full)
    assert ctx.url in [url for *_, url in link_spans(out)]
    assert "".join(graphemes(out)) == out
    assert set(graphemes(out)) <= set(graphemes(full)) | {"…"}
    # Every word is one of the full text, or a grapheme-wise prefix of one followed by "…".
    full_words = words(full)
    prefixes = {"".join(graphemes(w)[:i]) for w in full_words for i in range(len(graphemes(w)) + 1)}
    for word in words(out):
        assert word in full_words or (word.endswith("…") and word[:-1] in prefixes), word
    for spans in (hashtag_spans, mention_spans):
        assert {tag for *_, tag in spans(out)} <= {tag for *_, tag in spans(full)}


@given(st.text())
def test_hashtag_is_one_whole_hashtag_or_nothing(name):
    tag = hashtag(name)
    assert tag == "" or hashtag_spans(tag) == [(0, len(tag), tag[1:])]


@given(st.text(), st.data())
def test_utf8_offsets_slice_the_same_text(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    byte_start, byte_end = utf8_offsets(text, start, end)
    assert text.encode()[byte_start:byte_end].decode() == text[start:end]


# --- Bluesky lexicon limits (bluesky-social/atproto lexicons/app/bsky/...) -------------------


def test_bluesky_leaves_out_a_hashtag_longer_than_a_tag_facet_allows():
    # app.bsky.richtext.facet#tag: maxGraphemes 64, maxLength 640 (UTF-8 bytes).
    too_long = hashtag("Protection of human rights defenders and independent journalists worldwide")
    assert len(graphemes(too_long)) - 1 == 66
    at_limit = "#" + "a" * 64
    heavy = "#" + FAMILY * 26  # 26 graphemes, 650 bytes
    ctx = context(hashtags=(too_long, at_limit, heavy, "#Ok"))
    text = compose_text("{title} {url} {hashtags}", ctx, BlueskyTextRules()).text
    assert too_long not in text and heavy not in text
    assert at_limit in text and "#Ok" in text
    # Networks without tag limits keep it.
    assert too_long in compose_text("{hashtags} {url}", ctx, PlainTextRules()).text


@pytest.mark.parametrize("separator", ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f"])
def test_a_control_character_between_two_words_becomes_a_space_in_posts(separator):
    ctx = context(title=f"Word{separator}paste title", standfirst=f"One{separator}two")
    text = compose_text("{title} {standfirst} {url}", ctx, MastodonTextRules()).text
    assert text == f"Word paste title One two {URL}"
