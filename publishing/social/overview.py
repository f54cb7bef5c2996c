"""What went out where, in every language of a letter, for the editor of any one of them.

A letter's language versions share a `translation_key`; each posts to the accounts of its
own language, so its deliveries are spread over the versions. The English letter's Sharing
tab, the French translation's editor (wagtail-localize's, which has no tabs: it links to
the "What went out" view) and that view all read `deliveries_by_language`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from wagtail.models import Locale, Page

from publishing.models import Delivery

from .permissions import may_act_on_deliveries, may_see_deliveries, may_see_every_delivery


@dataclass
class LanguageDeliveries:
    """One language version of a letter and what went out from it."""

    locale: Locale
    page: Page
    is_current: bool  # the version the editor opened
    deliveries: list[Delivery] = field(default_factory=list)
    can_act: bool = False  # Retry / Mark as posted on these deliveries
    can_post_again: bool = False

    @property
    def edit_url(self) -> str:
        return reverse("wagtailadmin_pages:edit", args=[self.page.pk])


@dataclass
class EveryLanguage:
    """`languages`: the current version first, then the others in the order of
    settings.LANGUAGES; `hidden`: how many other languages' deliveries the user may not see."""

    languages: list[LanguageDeliveries]
    hidden: int = 0

    @property
    def can_act(self) -> bool:
        """Whether any action is offered (the actions' script is needed)."""
        return any(group.can_act for group in self.languages)

    @property
    def deliveries(self) -> list[Delivery]:
        return [delivery for group in self.languages for delivery in group.deliveries]


def _language_order(locale: Locale) -> int:
    codes = [code for code, _name in settings.LANGUAGES]
    return codes.index(locale.language_code) if locale.language_code in codes else len(codes)


def deliveries_by_language(letter: Page, user) -> EveryLanguage:
    """Every delivery of every language version of `letter`, grouped per language.

    Two queries (the versions; the deliveries with their accounts, locales and requesters)
    plus the user's permissions, read once and cached by Wagtail and Django. A language is
    listed when its version has deliveries, and the current one always (it is where "Post
    again" is offered). A version's deliveries are shown to those who may see them
    (`may_see_deliveries`) and acted on by those who may act (`may_act_on_deliveries`),
    each judged on that version, not on the one opened: a translator of the French letter
    who may not edit the English one sees no English delivery and acts on none.
    """
    versions = {
        page.pk: page
        for page in Page.objects.filter(translation_key=letter.translation_key).select_related(
            "locale"
        )
    }
    versions[letter.pk] = letter  # the caller's copy (a draft, the specific page)
    deliveries = Delivery.objects.filter(page_id__in=list(versions)).select_related(
        "account", "locale", "requested_by"
    )
    groups: dict[int, LanguageDeliveries] = {}
    for delivery in deliveries:
        group = groups.get(delivery.page_id)
        if group is None:
            page = versions[delivery.page_id]
            group = groups[delivery.page_id] = LanguageDeliveries(
                locale=delivery.locale, page=page, is_current=page.pk == letter.pk
            )
        group.deliveries.append(delivery)
    if letter.pk not in groups:
        groups[letter.pk] = LanguageDeliveries(locale=letter.locale, page=letter, is_current=True)
    shown, hidden = [], 0
    for group in groups.values():
        if not may_see_deliveries(user, group.page):
            hidden += 1
            continue
        group.can_act = may_act_on_deliveries(user, group.page)
        group.can_post_again = group.can_act and group.page.live and not group.page.alias_of_id
        shown.append(group)
    shown.sort(key=lambda group: (not group.is_current, _language_order(group.locale)))
    return EveryLanguage(shown, hidden)


def delivery_summary(letter: Page, user) -> dict[str, int]:
    """How many deliveries the letter has in the languages whose deliveries `user` may see
    (`may_see_deliveries`), and in how many of them: `{"deliveries": int, "languages":
    int}`. One query for holders of "view delivery"; two otherwise. A translator of one
    language is not told how much went out in the languages hidden from them."""
    deliveries = Delivery.objects.filter(page__translation_key=letter.translation_key)
    if not may_see_every_delivery(user):
        versions = Page.objects.filter(translation_key=letter.translation_key)
        deliveries = deliveries.filter(
            page_id__in=[v.pk for v in versions if may_see_deliveries(user, v)]
        )
    return deliveries.aggregate(deliveries=Count("pk"), languages=Count("locale", distinct=True))


def is_letter(page: Page) -> bool:
    """A page whose versions are posted (a letter), read from its content type: no query."""
    from home.models import LetterPage

    model = page.specific_class
    return model is not None and issubclass(model, LetterPage)


def what_went_out_url(page: Page) -> str:
    return reverse("publishing_admin:what_went_out", args=[page.pk])
