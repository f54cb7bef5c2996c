"""Content: the pages and snippets an editor writes.

This app knows nothing of the publishing pipeline (feeds, share cards, social
posts): `publishing` listens to Wagtail's signals and offers template tags.
One module per kind of content; every model is importable as `home.models.X`.
"""

from home.signatories import SignatoryVisibility

from .indexes import HomePage, LetterIndexPage, OrganizationIndexPage
from .letters import (
    LetterPage,
    LetterSignatory,
    LetterSigner,
    LetterSocialText,
    LetterType,
    localized_topics,
)
from .organizations import OrganizationHandle, OrganizationPage
from .pages import (
    LETTERS_PER_PAGE,
    PAGE_TRANSLATABLE_FIELDS,
    ContentPageManager,
    ContentPageQuerySet,
    IntroPage,
    NumberedChildrenMixin,
    letters_for_listing,
    shareable_pages,
)
from .topics import Topic, localize_topics, source_language_only, topic_in

__all__ = [
    "LETTERS_PER_PAGE",
    "PAGE_TRANSLATABLE_FIELDS",
    "ContentPageManager",
    "ContentPageQuerySet",
    "HomePage",
    "IntroPage",
    "LetterIndexPage",
    "LetterPage",
    "LetterSignatory",
    "LetterSigner",
    "LetterSocialText",
    "LetterType",
    "NumberedChildrenMixin",
    "OrganizationHandle",
    "OrganizationIndexPage",
    "OrganizationPage",
    "SignatoryVisibility",
    "Topic",
    "letters_for_listing",
    "localize_topics",
    "localized_topics",
    "shareable_pages",
    "source_language_only",
    "topic_in",
]
