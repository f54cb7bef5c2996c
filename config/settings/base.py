"""Settings shared by every environment.

Anything secret or specific to one installation comes from the environment
(documented in README.md); everything else has a default that works on one
machine with SQLite and the database task backend.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# The site layer (templates, static files, UI translations, fonts) lives in the
# top-level `site/` folder, which is not a Python package: see docs/decisions.md.
SITE_LAYER_DIR = BASE_DIR / "site"


def env_list(name: str, default: str) -> list[str]:
    """A comma-separated environment variable as a list of non-empty, stripped items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


INSTALLED_APPS = [
    "home",
    "search",
    "page_cache",
    "publishing",
    "security",
    # Before wagtail_localize: its editor and report templates are extended here.
    "translations",
    "wagtail_localize",
    "wagtail_localize.locales",  # replaces wagtail.locales, adds tree synchronisation
    "wagtail.contrib.settings",
    "wagtail.contrib.search_promotions",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    # Installed so that the API docs use Ninja's own copy of Swagger UI, not a CDN's
    # (the Content-Security-Policy allows scripts from this site only).
    "ninja",
    "corsheaders",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    # Sign-in protection and browser policies: see "Sign-in and browser security" below.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "security.csp.ContentSecurityPolicyMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Before anything that reads the session or the database: a cached public page is
    # answered from here (page_cache/middleware.py says which requests never are).
    "page_cache.middleware.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "home.privacy.PrivateSectionsMiddleware",
    "config.middleware.SiteLocaleMiddleware",
    # Before anything that queries: NUL in a path, parameter or cookie is a 400.
    "config.middleware.RejectNulBytesMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "security.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Wagtail's redirects, but never to a page the reader may not read (its address names it).
    "config.middleware.PrivacyAwareRedirectMiddleware",
    # django-axes asks to be last: it turns a lockout into the lockout page (from __call__,
    # so the page-save middleware below, which answers from process_view, stays inside it).
    "axes.middleware.AxesMiddleware",
    # Last: it calls the page editor's views itself, one save of a page at a time.
    "home.editing.SerialisedPageSavesMiddleware",
]

ROOT_URLCONF = "config.urls"
# Paths outside the language prefixes, whose 404s must stay 404s.
BROADSIDE_UNPREFIXED_PATHS = (
    "/api/",
    "/share-images/",
    "/admin/",
    "/documents/",
    "/static/",
    "/media/",
)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_LAYER_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# Database: SQLite in the project folder unless DATABASE_URL says otherwise
# (postgres://user@host:5432/name for the scale path).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One writer at a time: wait for the lock instead of failing while the task
    # worker writes, and use WAL so readers never block the writer.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]


# Internationalisation ---------------------------------------------------------
def _admin_languages(site_languages: list[tuple[str, str]]) -> list[tuple[str, str]]:
    from wagtail.admin.localization import WAGTAILADMIN_PROVIDED_LANGUAGES

    provided = dict(WAGTAILADMIN_PROVIDED_LANGUAGES)
    extra = [(code, LANG_INFO[code]["name"]) for code, _n in site_languages if code not in provided]
    return list(WAGTAILADMIN_PROVIDED_LANGUAGES) + extra


# The languages an installation publishes in come from BROADSIDE_LANGUAGES (the
# first is the source language that translations are made from); any language
# Django knows can be used. Each is named in its own language.
_languages = env_list("BROADSIDE_LANGUAGES", "en,fr,es,ru,ar,he,hi,hu")
_unknown = [code for code in _languages if code not in LANG_INFO]
if _unknown:
    raise RuntimeError(
        f"BROADSIDE_LANGUAGES names languages Django does not know: {', '.join(_unknown)}."
    )
LANGUAGE_CODE = _languages[0]
LANGUAGES = WAGTAIL_CONTENT_LANGUAGES = [
    (code, LANG_INFO[code]["name_local"][:1].upper() + LANG_INFO[code]["name_local"][1:])
    for code in _languages
]
WAGTAIL_I18N_ENABLED = True
# The admin offers Wagtail's own languages plus every language the site publishes in
# (Broadside ships their catalogues: Hebrew and Hindi are not among Wagtail's).
WAGTAILADMIN_PERMITTED_LANGUAGES = _admin_languages(LANGUAGES)
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
LOCALE_PATHS = [SITE_LAYER_DIR / "locale"]

# Static and media files -------------------------------------------------------
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [SITE_LAYER_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
# Share cards on the filesystem: outside MEDIA_ROOT on purpose. The web server serves
# MEDIA_ROOT to anyone (docs/deploy.md), and a card must answer readers only through its view,
# which checks that its letter is public (publishing/share_images/views.py).
BROADSIDE_SHARE_IMAGES_ROOT = Path(
    os.environ.get("BROADSIDE_SHARE_IMAGES_ROOT", BASE_DIR / "var" / "share-images")
)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Share cards (content-addressed names); see publishing/share_images/storage.py.
    "share_images": {"BACKEND": "publishing.share_images.storage.ShareImageFileStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Cache: local memory on one machine, Redis when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "broadside",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Whole public pages (page_cache/): shared by every process, since any of them (the web
# workers, the task worker) may retire them all: files on one server, else Redis.
CACHES["pages"] = (
    {**CACHES["default"], "KEY_PREFIX": "broadside-pages"}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("BROADSIDE_PAGE_CACHE_DIR", BASE_DIR / "var" / "page-cache"),
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
)
BROADSIDE_PAGE_CACHE = os.environ.get("BROADSIDE_PAGE_CACHE", "1") != "0"
BROADSIDE_PAGE_CACHE_SECONDS = int(os.environ.get("BROADSIDE_PAGE_CACHE_SECONDS", "86400"))

# Background tasks: the database backend by default (run `manage.py db_worker`);
# TASK_BACKEND=rq puts them on Redis (run `manage.py rqworker --with-scheduler
# --job-class django_tasks_rq.Job`; see docs/deploy.md).
TASK_BACKEND = os.environ.get("TASK_BACKEND", "database")
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"}}
if TASK_BACKEND == "rq":
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASK_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
else:
    raise ValueError(f"TASK_BACKEND must be 'database' or 'rq', not {TASK_BACKEND!r}")

# Wagtail ----------------------------------------------------------------------
WAGTAIL_SITE_NAME = os.environ.get("BROADSIDE_SITE_NAME", "Broadside")
WAGTAILADMIN_BASE_URL = os.environ.get("BROADSIDE_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# One limit for every image: a logo the cards could not use is refused at upload, with
# Wagtail's message on the upload form, rather than left off every card later.
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 25_000_000
# Uploads are decoded before they are stored: a damaged file gets a form error.
WAGTAILIMAGES_IMAGE_FORM_BASE = "home.images.BroadsideImageForm"
WAGTAIL_ENABLE_UPDATE_CHECK = False
# CDN purges (publishing.cdn) go through Wagtail's frontend-cache backends, set from the
# environment in production (config/settings/cdn.py); none here: nothing is purged. The app
# itself is not installed: its handlers would purge on every alias's publish signal and
# before the commit. No per-language copies of each address: publishing.cdn gives each
# language version's own address (Wagtail would add /de/… for a letter with no German).
WAGTAILFRONTENDCACHE: dict[str, dict] = {}
WAGTAILFRONTENDCACHE_LANGUAGES: list[str] = []
WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False

# Publishing ---------------------------------------------------------------------
# A WebSub hub to ping when feeds change (https://www.w3.org/TR/websub/); empty: none.
BROADSIDE_WEBSUB_HUB = os.environ.get("BROADSIDE_WEBSUB_HUB", "")
# The date in feed ids (tag: URIs, RFC 4151): a day the site's host name was yours.
BROADSIDE_TAG_DATE = os.environ.get("BROADSIDE_TAG_DATE", "2026")

# Share cards: font families, each an ordered fallback list of faces (regular,
# bold). Relative paths are in site/fonts/. Add a CJK face here before adding a
# CJK language; `manage.py check` says when a language's script is not covered.
# cards/ holds the Noto faces without glyph programs (site/fonts/build_card_fonts.py):
# cards rasterize three to four times faster and look the same. Any TrueType or
# OpenType file works here; run that script on a hinted one for the same speed.
BROADSIDE_SHARE_IMAGE_FONTS = {
    "noto-sans": [
        {
            "name": "Noto Sans",
            "regular": "cards/NotoSans-Regular.ttf",
            "bold": "cards/NotoSans-Bold.ttf",
        },
        {
            "name": "Noto Sans Arabic",
            "regular": "cards/NotoSansArabic-Regular.ttf",
            "bold": "cards/NotoSansArabic-Bold.ttf",
        },
        {
            "name": "Noto Sans Hebrew",
            "regular": "cards/NotoSansHebrew-Regular.ttf",
            "bold": "cards/NotoSansHebrew-Bold.ttf",
        },
        {
            "name": "Noto Sans Devanagari",
            "regular": "cards/NotoSansDevanagari-Regular.ttf",
            "bold": "cards/NotoSansDevanagari-Bold.ttf",
        },
    ]
}
# Logos larger than this many pixels are refused on cards (decompression bombs): the
# upload limit, so that only images stored before a lower limit can reach it.
BROADSIDE_SHARE_IMAGE_MAX_LOGO_PIXELS = WAGTAILIMAGES_MAX_IMAGE_PIXELS

# Social posting. Channels are plug-ins, configured by dotted path like Wagtail's
# frontend-cache backends; an account names one of these keys. Extra keys are
# passed to the channel's constructor.
BROADSIDE_CHANNELS = {
    "x": {"BACKEND": "publishing.channels.x.XChannel"},
    "mastodon": {"BACKEND": "publishing.channels.mastodon.MastodonChannel"},
    "bluesky": {"BACKEND": "publishing.channels.bluesky.BlueskyChannel"},
    "facebook": {"BACKEND": "publishing.channels.facebook.FacebookPageChannel"},
    "instagram": {"BACKEND": "publishing.channels.instagram.InstagramChannel"},
    "linkedin": {"BACKEND": "publishing.channels.linkedin.LinkedInChannel"},
    "threads": {"BACKEND": "publishing.channels.threads.ThreadsChannel"},
    "webhook": {"BACKEND": "publishing.channels.webhook.WebhookChannel"},
    "console": {"BACKEND": "publishing.channels.console.ConsoleChannel"},
}
# Networks organizations can be mentioned on even where their channel is not configured
# (a site that does not post to Facebook still keeps its signatories' Facebook handles).
BROADSIDE_MENTION_ONLY_NETWORKS = [
    "publishing.channels.facebook.NETWORK",
    "publishing.channels.instagram.NETWORK",
    "publishing.channels.linkedin.NETWORK",
    "publishing.channels.threads.NETWORK",
]
# Connecting accounts from the admin (publishing/social/connect/): each network's app
# credentials, from the environment, never shown in a page. A network without them has
# no Connect button. Mastodon registers itself on each instance; Bluesky takes an app
# password. The redirect URI to register with each network is
# WAGTAILADMIN_BASE_URL + /admin/publishing/connect/<network>/callback/ (docs/channels.md).
BROADSIDE_CONNECT = {
    "x": {
        "CONSUMER_KEY": os.environ.get("BROADSIDE_X_CONSUMER_KEY", ""),
        "CONSUMER_SECRET": os.environ.get("BROADSIDE_X_CONSUMER_SECRET", ""),
        # Set: OAuth 2.0 with PKCE instead of OAuth 1.0a.
        "CLIENT_ID": os.environ.get("BROADSIDE_X_CLIENT_ID", ""),
        "CLIENT_SECRET": os.environ.get("BROADSIDE_X_CLIENT_SECRET", ""),
    },
    "mastodon": {},
    "bluesky": {},
    **{
        network: {
            "CLIENT_ID": os.environ.get(f"BROADSIDE_{network.upper()}_CLIENT_ID", ""),
            "CLIENT_SECRET": os.environ.get(f"BROADSIDE_{network.upper()}_CLIENT_SECRET", ""),
        }
        for network in ("facebook", "instagram", "threads", "linkedin")
    },
}
# Keys that encrypt account credentials at rest (Fernet keys, comma-separated, newest
# first: older ones still decrypt, so keys can be rotated; see docs/deploy.md).
BROADSIDE_CREDENTIAL_KEYS = env_list("BROADSIDE_CREDENTIAL_KEYS", "")
# Delivery retries: attempts before a delivery fails, and the backoff (seconds).
BROADSIDE_DELIVERY_MAX_ATTEMPTS = int(os.environ.get("BROADSIDE_DELIVERY_MAX_ATTEMPTS", "6"))
BROADSIDE_DELIVERY_BACKOFF = (10.0, 3600.0)  # first wait, longest wait
# How long a claimed delivery may stay "sending" before a sweep decides what happened.
BROADSIDE_DELIVERY_LEASE_SECONDS = 300
# Network timeouts for channels: (connect, read) seconds.
BROADSIDE_CHANNEL_TIMEOUT = (5.0, 30.0)
# Which addresses channels, webhooks and the WebSub hub may be reached at (checked when
# connecting; publishing/outbound.py): "public" only, "loopback" too, or "private" networks too.
BROADSIDE_OUTBOUND_ADDRESSES = os.environ.get("BROADSIDE_OUTBOUND_ADDRESSES", "public")
if BROADSIDE_OUTBOUND_ADDRESSES not in ("public", "loopback", "private"):
    raise ValueError("BROADSIDE_OUTBOUND_ADDRESSES must be 'public', 'loopback' or 'private'.")

# Headless API: which front-end origins may read it from a browser (comma-separated).
CORS_ALLOWED_ORIGINS = env_list("BROADSIDE_CORS_ORIGINS", "")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag"]
# Interactive API docs (/api/v1/docs/) are on with DEBUG; set to show them in production.
BROADSIDE_API_DOCS = os.environ.get("BROADSIDE_API_DOCS") == "1"
# Check every API answer against its schema before sending it (development and tests;
# it costs about a third of the time of a built answer).
BROADSIDE_API_VALIDATE_RESPONSES = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(levelname)s %(name)s: %(message)s"},
        # LOG_FORMAT=json: one JSON object a line, for a log collector (docs/deploy.md).
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if os.environ.get("LOG_FORMAT") == "json" else "plain",
        },
        # Django's own, as in its DEFAULT_LOGGING (errors mailed to ADMINS, if any).
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's default gives "django" a console handler of its own (with DEBUG), so
        # each of its lines was printed twice, once plain and once by the root's handler.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.db.backends": {"level": "WARNING"},
        # At DEBUG these print signed Authorization headers: never let them.
        "oauthlib": {"level": "WARNING"},
        "requests_oauthlib": {"level": "WARNING"},
        # At DEBUG it logs each request's path, and a webhook's path may be its secret.
        "urllib3": {"level": "INFO"},
    },
}
# Error reports and the debug page mask secrets, also with DEBUG on (config/error_reports.py).
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.error_reports.SecretsMaskedReporterFilter"

# Sign-in and browser security ---------------------------------------------------
# (README "Sign-in security", docs/deploy.md "HTTPS, headers and sign-in").
# Failed sign-ins are counted per username *and* address (django-axes); after
# BROADSIDE_LOGIN_FAILURE_LIMIT failures that pair is refused for
# BROADSIDE_LOGIN_LOCKOUT_MINUTES. `manage.py axes_reset_username NAME` unlocks.
# The backend must come first so that a locked-out pair never reaches the password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("BROADSIDE_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("BROADSIDE_LOGIN_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "security.lockout.lockout_response"
# No start-up banner in every command's output; failures are still logged (masked).
AXES_VERBOSE = False
# The client address is REMOTE_ADDR unless production settings trust a proxy
# (BROADSIDE_PROXY_COUNT); see config/settings/production.py.
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
# Two-step sign-in (django-otp, TOTP apps): an account with a device always passes the
# code step; BROADSIDE_REQUIRE_2FA=1 sends every account without one to enrol first.
BROADSIDE_REQUIRE_2FA = os.environ.get("BROADSIDE_REQUIRE_2FA") == "1"
OTP_TOTP_ISSUER = WAGTAIL_SITE_NAME
# Editors' browsers ask no third party for avatars (Gravatar would learn who edits).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Content-Security-Policy (django-csp): strict on the public site, what the Wagtail admin
# needs under /admin/ (it still has inline scripts and styles); see security/csp.py.
# A MEDIA_URL on another origin (object storage, CDN) is allowed for images.
_media_url = urlsplit(MEDIA_URL)
_media_origin = [f"{_media_url.scheme}://{_media_url.netloc}"] if _media_url.netloc else []


def with_media_origins(policy: dict, origins: list[str]) -> dict:
    """A copy of the django-csp `policy` ({"DIRECTIVES": {...}}) whose img-src and media-src
    also allow `origins` (e.g. ["https://cdn.example.org"]): where object storage serves
    media (config/settings/production.py)."""
    directives = {name: list(values) for name, values in policy["DIRECTIVES"].items()}
    for name in ("img-src", "media-src"):
        if name in directives:
            directives[name] += [origin for origin in origins if origin not in directives[name]]
    return {**policy, "DIRECTIVES": directives}


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *_media_origin],
        "media-src": ["'self'", *_media_origin],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
BROADSIDE_ADMIN_CONTENT_SECURITY_POLICY = {
    **CONTENT_SECURITY_POLICY["DIRECTIVES"],
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:", *_media_origin],
    "frame-src": ["'self'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'self'"],
}

# Shown in templates where a name of the software itself is needed.
BROADSIDE_PRODUCT_NAME = _("Broadside")
