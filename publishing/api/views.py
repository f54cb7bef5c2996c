"""The API's endpoints. Read-only; writes are not exposed."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from typing import Annotated, Literal

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Schema
from ninja import Path as PathParam
from ninja.errors import HttpError, ValidationError
from ninja.security import django_auth
from pydantic import BeforeValidator, Field
from wagtail.models import Locale

from home.models import LetterPage, OrganizationPage, Topic, letters_for_listing
from publishing.models import ContentVersion
from search.query import words_only

from . import schemas
from .serializers import LetterBatch, OrganizationBatch, OrganizationDetailBuilder

MAX_LIMIT = 100
MAX_ID = 2**53 - 1  # ids beyond what every database (and JavaScript) can hold are refused
ApiId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="API id of the page.")]
CACHE_SECONDS = 24 * 60 * 60


api = NinjaAPI(
    title="Broadside API",
    version="1.0.0",
    description=(
        "Open letters, their signatory organizations and their translations, per language. "
        "Read-only; responses carry strong ETags and honour If-None-Match."
    ),
    urls_namespace="broadside_api",
    openapi_url="/openapi.json",
    # The OpenAPI document is always served; the interactive docs in development.
    docs_url="/docs/" if settings.DEBUG or settings.BROADSIDE_API_DOCS else None,
)


@api.exception_handler(ValidationError)
def bad_parameters(request, error: ValidationError):
    """Bad query parameters are the caller's mistake: 400 with what is wrong, never 422/500."""
    problems = [
        {"parameter": ".".join(str(p) for p in e.get("loc", [])[1:]), "problem": e.get("msg", "")}
        for e in error.errors
    ]
    message = "; ".join(f"{p['parameter']}: {p['problem']}" for p in problems)
    return api.create_response(
        request, {"message": _("Invalid parameters: %s") % message, "errors": problems}, status=400
    )


@api.exception_handler(HttpError)
def http_error(request, error: HttpError):
    return api.create_response(
        request, {"message": str(error), "errors": []}, status=error.status_code
    )


@api.exception_handler(Http404)
def not_found(request, error):
    return api.create_response(request, {"message": _("Not found."), "errors": []}, status=404)


# -- caching and conditional GET --------------------------------------------------------------
def cached_json(request: HttpRequest, schema, build, params: dict) -> HttpResponse:
    """The response for these parameters at this address, built once per content version.

    The key holds the scheme and host (answers contain absolute links) and the
    validated parameters, not the raw query string: unknown parameters cannot
    fill the cache with copies or bypass it.

    The ETag is the hash of the body, so a 304 never needs the body rebuilt: the
    version row (one query) and a cache lookup answer it.
    """
    address = f"{request.scheme}://{request.get_host()}{request.path}"
    canonical = json.dumps(params, sort_keys=True, default=str)
    location = hashlib.sha256(f"{address}?{canonical}".encode()).hexdigest()[:40]
    key = f"broadside:api:{ContentVersion.current()}:{location}"
    entry = cache.get(key)
    if entry is None:
        data = build()
        if settings.BROADSIDE_API_VALIDATE_RESPONSES:
            data = schema.model_validate(data).model_dump(mode="json")
        body = json.dumps(
            data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
        ).encode()
        entry = {"body": body, "etag": '"' + hashlib.sha256(body).hexdigest()[:40] + '"'}
        cache.set(key, entry, CACHE_SECONDS)
    response = get_conditional_response(request, etag=entry["etag"]) or HttpResponse(
        entry["body"], content_type="application/json; charset=utf-8"
    )
    response["ETag"] = entry["etag"]
    response["Cache-Control"] = "public, max-age=60"
    patch_vary_headers(response, ["Accept-Encoding", "Origin"])
    return response


def private_json(schema, data) -> HttpResponse:
    if settings.BROADSIDE_API_VALIDATE_RESPONSES:
        data = schema.model_validate(data).model_dump(mode="json")
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


def locale_for(code: str | None) -> Locale:
    code = code or settings.LANGUAGE_CODE
    locale = Locale.objects.filter(language_code=code).first()
    if locale is None:
        known = ", ".join(c for c, _name in settings.LANGUAGES)
        raise HttpError(
            400, _("Unknown locale “%(code)s”. Known: %(known)s.") % {"code": code, "known": known}
        )
    return locale


# -- letters -------------------------------------------------------------------------------------
def _iso_date(value):
    """Only YYYY-MM-DD: pydantic alone would also take "0" as 1970-01-01."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("use a date written as YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]

# The configured languages, so the OpenAPI document lists them and others get a 400.
LanguageCode = Literal[tuple(code for code, _name in settings.LANGUAGES)]

# Text parameters never hold NUL: config.middleware.RejectNulBytesMiddleware answers 400
# before any view runs (PostgreSQL cannot compare such text). Said in the document too, so a
# client generating "valid" requests from it (schemathesis) does not send one.
NO_NUL = r"^[^\x00]*$"


class LetterFilters(Schema):
    locale: LanguageCode | None = Field(
        None, description="Language code; default: the source language."
    )
    organization: int | None = Field(
        None, description="API id of an organization (any language).", ge=1, le=MAX_ID
    )
    topic: str | None = Field(None, description="Topic slug.", max_length=100, pattern=NO_NUL)
    published_after: IsoDate | None = Field(None, description="Publication date on or after.")
    published_before: IsoDate | None = Field(None, description="Publication date on or before.")
    search: str | None = Field(
        None,
        description="Full-text search in the locale.",
        min_length=1,
        max_length=200,
        pattern=NO_NUL,
    )
    order: Literal["-publication_date", "publication_date"] | None = Field(
        None, description="Default: newest first (by relevance when searching)."
    )
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=1_000_000)


@api.get(
    "/letters/",
    response={200: schemas.LetterList, 400: schemas.Error, 404: schemas.Error},
    url_name="list_letters",
    tags=["letters"],
)
def list_letters(request, filters: Query[LetterFilters]):
    """Live, public letters in one language (untranslated ones appear as their original)."""

    def build():
        locale = locale_for(filters.locale)
        if filters.search and not words_only(filters.search):
            return {"count": 0, "items": []}  # only punctuation: nothing can match
        letters = LetterPage.objects.live().public().filter(locale=locale)
        if filters.published_after:
            letters = letters.filter(publication_date__gte=filters.published_after)
        if filters.published_before:
            letters = letters.filter(publication_date__lte=filters.published_before)
        if filters.organization:
            from home.signed_letters import letters_signed_by

            # A private organization is unknown: its id must not tell which letters it signed.
            organization = (
                OrganizationPage.objects.live().public().filter(pk=filters.organization).first()
            )
            if organization is None:
                raise HttpError(
                    404, _("No organization has API id %(id)s.") % {"id": filters.organization}
                )
            keys = letters_signed_by(organization).values("translation_key")
            ids = list(
                LetterPage.objects.filter(locale=locale, translation_key__in=keys).values_list(
                    "pk", flat=True
                )
            )
            letters = letters.filter(pk__in=ids)
        if filters.topic:
            topic = Topic.objects.filter(slug=filters.topic).first()
            if topic is None:
                raise HttpError(404, _("Unknown topic “%(slug)s”.") % {"slug": filters.topic})
            ids = list(
                LetterPage.objects.filter(
                    locale=locale, topics__translation_key=topic.translation_key
                ).values_list("pk", flat=True)
            )
            letters = letters.filter(pk__in=ids)
        if filters.search and words_only(filters.search):
            ordered = (
                letters.order_by(filters.order or "-publication_date") if filters.order else letters
            )
            results = ordered.search(
                words_only(filters.search), order_by_relevance=not filters.order
            )
            count = results.count()
            page = list(results[filters.offset : filters.offset + filters.limit])
            page = _with_listing_relations(page)
        else:
            if filters.order == "publication_date":
                letters = letters.select_related("locale", "alias_of", "alias_of__locale").order_by(
                    "publication_date", "first_published_at", "pk"
                )
            else:
                letters = letters_for_listing(letters).select_related("alias_of__locale")
            count = letters.count()
            page = list(letters[filters.offset : filters.offset + filters.limit])
        batch = LetterBatch(request, page)
        return {"count": count, "items": [batch.summary(letter) for letter in page]}

    return cached_json(request, schemas.LetterList, build, filters.model_dump())


def _with_listing_relations(letters: list[LetterPage]) -> list[LetterPage]:
    by_id = {
        letter.pk: letter
        for letter in LetterPage.objects.filter(
            pk__in=[letter.pk for letter in letters]
        ).select_related("locale", "alias_of", "alias_of__locale")
    }
    return [by_id[letter.pk] for letter in letters if letter.pk in by_id]


@api.get(
    "/letters/{api_id}/",
    response={200: schemas.LetterDetail, 400: schemas.Error, 404: schemas.Error},
    url_name="letter_detail",
    tags=["letters"],
)
def letter_detail(request, api_id: ApiId):
    """One live, public letter with its signatories, translations and share cards."""

    def detail(letter: LetterPage) -> dict:
        return LetterBatch(request, [letter]).detail(letter)

    letters = LetterPage.objects.select_related("locale", "alias_of", "alias_of__locale")
    return _cached_detail(request, schemas.LetterDetail, letters, api_id, detail)


def _cached_detail(request, schema, pages, api_id: int, detail):
    """The cached answer about the live, public page `api_id` among `pages` (a 404 if it is
    not one): `detail(page)`, built only on a cache miss (`cached_json`)."""

    def build():
        return detail(get_object_or_404(pages.live().public(), pk=api_id))

    return cached_json(request, schema, build, {"api_id": api_id})


@api.get(
    "/letters/{api_id}/draft/",
    response={
        200: schemas.LetterDetail,
        401: schemas.Error,
        403: schemas.Error,
        404: schemas.Error,
    },
    auth=django_auth,
    url_name="letter_draft",
    tags=["preview"],
)
def letter_draft(request, api_id: ApiId):
    """The latest draft of a letter, for a headless front-end's preview. Editors only."""
    page = get_object_or_404(LetterPage.objects.select_related("locale"), pk=api_id)
    if not page.permissions_for_user(request.user).can_edit():
        raise HttpError(403, _("You may not edit this letter."))
    draft = page.get_latest_revision_as_object() if page.latest_revision_id else page
    return private_json(
        schemas.LetterDetail, LetterBatch(request, [draft], draft=True).detail(draft)
    )


# -- organizations -----------------------------------------------------------------------------
class OrganizationFilters(Schema):
    locale: LanguageCode | None = Field(
        None, description="Language code; default: the source language."
    )
    country: str | None = Field(
        None, description="ISO 3166-1 alpha-2 code.", min_length=2, max_length=2, pattern=NO_NUL
    )
    search: str | None = Field(None, min_length=1, max_length=200, pattern=NO_NUL)
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=1_000_000)


@api.get(
    "/organizations/",
    response={200: schemas.OrganizationList, 400: schemas.Error},
    url_name="list_organizations",
    tags=["organizations"],
)
def list_organizations(request, filters: Query[OrganizationFilters]):
    """Live, public organizations in one language, by name."""

    def build():
        locale = locale_for(filters.locale)
        if filters.search and not words_only(filters.search):
            return {"count": 0, "items": []}
        organizations = OrganizationPage.objects.live().public().filter(locale=locale)
        if filters.country:
            organizations = organizations.filter(country=filters.country.upper())
        if filters.search and words_only(filters.search):
            results = organizations.search(words_only(filters.search))
            count = results.count()
            page = list(results[filters.offset : filters.offset + filters.limit])
        else:
            organizations = organizations.order_by("title", "pk")
            count = organizations.count()
            page = list(organizations[filters.offset : filters.offset + filters.limit])
        batch = OrganizationBatch(request, page)
        return {"count": count, "items": [batch.summary(o) for o in page]}

    return cached_json(request, schemas.OrganizationList, build, filters.model_dump())


@api.get(
    "/organizations/{api_id}/",
    response={200: schemas.OrganizationDetail, 400: schemas.Error, 404: schemas.Error},
    url_name="organization_detail",
    tags=["organizations"],
)
def organization_detail(request, api_id: ApiId):
    def detail(organization: OrganizationPage) -> dict:
        return OrganizationDetailBuilder(request, organization).build()

    organizations = OrganizationPage.objects.select_related(
        "locale", "alias_of", "alias_of__locale", "member_of"
    )
    return _cached_detail(request, schemas.OrganizationDetail, organizations, api_id, detail)
