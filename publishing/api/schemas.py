"""Response shapes of the API (they are the OpenAPI description)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema


class Link(Schema):
    language: str
    url: str


class Translation(Schema):
    locale: str
    title: str
    url: str
    api_id: int


class Rendition(Schema):
    url: str
    width: int
    height: int


class ShareImage(Schema):
    variant: str
    url: str
    width: int
    height: int
    mime_type: str
    size: int
    alt: str


class Feeds(Schema):
    rss: str
    atom: str


class Topic(Schema):
    slug: str
    name: str
    feeds: Feeds


class OrganizationSummary(Schema):
    api_id: int
    name: str
    acronym: str
    country: str
    country_name: str
    url: str
    locale: str
    logo: Rendition | None
    handles: dict[str, str]


class Signatory(Schema):
    """A named organization, or an anonymous one (name and link withheld for its safety)."""

    anonymous: bool
    organization: OrganizationSummary | None
    country: str
    country_name: str


class Signer(Schema):
    name: str
    role: str
    organization_api_id: int | None


class Block(Schema):
    id: str
    type: str
    value: object


class LetterSummary(Schema):
    api_id: int
    locale: str
    content_language: str
    title: str
    slug: str
    url: str
    letter_type: str
    letter_type_label: str
    standfirst: str
    addressees: str
    publication_date: date
    first_published_at: datetime | None
    last_published_at: datetime | None
    topics: list[Topic]
    signatory_count: int
    signatories: list[Signatory]
    translations: list[Translation]
    share_images: list[ShareImage]


class LetterDetail(LetterSummary):
    body: list[Block]
    body_html: str
    signers: list[Signer]
    contacts: list[Block]
    published_by: OrganizationSummary | None
    network: OrganizationSummary | None
    canonical_url: str
    hreflang: list[Link]
    feeds: Feeds


class LetterList(Schema):
    count: int
    items: list[LetterSummary]


class OrganizationDetail(OrganizationSummary):
    content_language: str
    website: str
    description_html: str
    member_of: OrganizationSummary | None
    translations: list[Translation]
    canonical_url: str
    hreflang: list[Link]
    feeds: Feeds
    letters_url: str


class OrganizationList(Schema):
    count: int
    items: list[OrganizationSummary]


class Error(Schema):
    message: str
    errors: list[dict] = []
