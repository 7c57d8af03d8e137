"""Settings shared by every environment. Read from the environment (12-factor).

Each variable read here is documented on the line that reads it. Safe by default:
DEBUG is off unless asked for; the embedded defaults (SQLite, filesystem broker)
serve the quick start only and production.py refuses to start without real ones.
"""

import datetime
from decimal import Decimal
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from .env import BASE_DIR, database_config, env, keeping_the_client, require

# Runtime data of the embedded default (SQLite file, broker folders, media).
VAR_DIR = Path(env("IPGAR_VAR_DIR", default=str(BASE_DIR / "var")))

# SECRET_KEY: signing key for sessions, CSRF and tokens. Required in production.
SECRET_KEY = env("SECRET_KEY", default="")
# DEBUG: shows tracebacks in the browser. Never on in production.
DEBUG = env.bool("DEBUG", default=False)
# ALLOWED_HOSTS: comma-separated host names this instance answers to.
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# CSRF_TRUSTED_ORIGINS: comma-separated origins (scheme://host) allowed to POST.
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    # Django's database sessions with their user, address and browser (django-qsessions),
    # so a person sees and ends their own sessions (accounts/sessions.py).
    "qsessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Trigram search of person names on PostgreSQL (cases/selectors/search.py).
    "django.contrib.postgres",
    # third party
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_celery_beat",
    "django_htmx",
    "pgtrigger",
    "pghistory",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    # cross-cutting
    "accounts",
    "audit",
    # domain: monitoring -> cases -> pool
    "pool",
    "cases",
    "monitoring",
    # PTO-R's meetings, where exit proposals are decided (ptor/)
    "ptor",
    # case documents: scanned, encrypted at rest (documents/)
    "documents",
    # the sync API sits on top of all
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # qsessions' session middleware, reading the client's address as the access log does.
    "accounts.sessions.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django-otp's, with the session's device from the cache (accounts/signed_in.py).
    "accounts.middleware.SecondFactorMiddleware",
    # Every change made during a request is attributed to the signed-in user in the history.
    "audit.history.HistoryMiddleware",
    # A read request asks for the figures' data stamp once (cases/middleware.py).
    "cases.middleware.FiguresStampMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SignInPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: locks out after repeated failed sign-ins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ipgar.urls"
# Form widgets carry the Amsterdam Design System classes (ipgar/form_renderer.py).
FORM_RENDERER = "ipgar.form_renderer.AmsterdamFormRenderer"
WSGI_APPLICATION = "ipgar.wsgi.application"
ASGI_APPLICATION = "ipgar.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ipgar.views.navigation",
            ],
            # A form's fields with labels, hints and errors (includes/form_fields.html), and
            # the frame of every page (base.html): written in Python.
            "libraries": {"form_fields": "ipgar.form_fields", "page_frame": "ipgar.page_frame"},
        },
    },
]

# DATABASE_URL: e.g. postgres://user:pass@host:5432/ipgar. Default: SQLite for the quick start.
DATABASES = {
    "default": database_config(
        env("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ipgar.sqlite3'}")
    ),
}
# DATABASE_APP_ROLE: the PostgreSQL role web, worker and beat connect as (README "Database
# roles"). When set, `migrate` (run as the owner role) grants it what the application needs
# and no more: ordinary reads and writes, and only SELECT and INSERT on the access log.
# Empty (the default, and the SQLite quick start): no grants are made.
DATABASE_APP_ROLE = env.str("DATABASE_APP_ROLE", default="")
# Connections are reused across requests and checked before use, so the app
# recovers by itself when PostgreSQL restarts.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The quick start's web, worker and beat processes share one SQLite file:
    # WAL and immediate transactions keep them from tripping over each other.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Model permissions from the roles only, loaded with the role names (no extra query).
    "accounts.backends.RoleBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: the UI speaks Dutch, with English available.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "static")))
# Front-end packages from npm (package.json; `npm ci` in scripts/lib.sh), served as our own
# static files under vendor/: the Amsterdam Design System and htmx. Nothing comes from a CDN.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/ads/css", NODE_MODULES / "@amsterdam" / "design-system-css" / "dist"),
    ("vendor/ads/tokens", NODE_MODULES / "@amsterdam" / "design-system-tokens" / "dist"),
    ("vendor/ads/font", NODE_MODULES / "@amsterdam" / "design-system-assets" / "font"),
    ("vendor/ads/logo", NODE_MODULES / "@amsterdam" / "design-system-assets" / "logo"),
    ("vendor/ads/favicon", NODE_MODULES / "@amsterdam" / "design-system-assets" / "favicon"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
]
# MEDIA_ROOT: stored files (monitor PDFs). Back it up with the database.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never served publicly: downloads go through permission-checked views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The case page's rendered body (cases/views/pages.py): per process and in memory
# only, so case content is never copied into a shared or persisted store; keyed by
# the case's revision, so every process shows a change at once.
CASE_PAGES_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "case-pages",
    "OPTIONS": {"MAX_ENTRIES": 300},
}
# What each process keeps of the answers kept under the data stamp, in its own memory
# (cases/selectors/figures.py kept_under_stamp): ids, counts and rendered figures.
STAMPED_LOCAL_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "stamped",
    "OPTIONS": {"MAX_ENTRIES": 1000},
}
# CACHE_URL: e.g. redis://127.0.0.1:6379/1. Default: per-process memory.
CACHES = {
    "default": keeping_the_client(env.cache("CACHE_URL", default="locmemcache://")),
    "case_pages": CASE_PAGES_CACHE,
    "stamped": STAMPED_LOCAL_CACHE,
}
# Sessions and the signed-in user are kept in the default cache only when every serving
# process shares it (Redis, CACHE_URL); with the per-process default they are read from the
# database on every request, unless one process serves them all (accounts/signed_in.py).
IPGAR_SINGLE_PROCESS_CACHE = False
# Seconds /healthz answers from its last probe, so a flood of probes costs one database
# and broker round trip per interval per process (ipgar/health.py).
HEALTHZ_CACHE_SECONDS = env.int("HEALTHZ_CACHE_SECONDS", default=5)

# Sessions: signed-in users are signed out after 30 idle minutes and after 10
# hours at most. Activity moves the idle expiry on at most once a minute
# (accounts/middleware.py), not with a session write on every request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_REFRESH_SECONDS = 60
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=10 * 60 * 60)
# Database sessions that know their user, address and browser (django-qsessions); the
# rows are what "Mijn account" lists and what ending a session deletes. Read through the
# default cache, and from the database alone while the cache does not answer.
SESSION_ENGINE = "accounts.session_store"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

# Lockout after repeated failed sign-ins (django-axes), per username and address, and a
# throttle per address (accounts/lockout.py; docs/adr/0013-sign-in-hardening.md).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Failed sign-ins from one address (all usernames together) within the cool-off after
# which that address is refused; high, since many people may share one gateway.
IPGAR_SIGN_IN_ADDRESS_FAILURE_LIMIT = env.int("IPGAR_SIGN_IN_ADDRESS_FAILURE_LIMIT", default=30)
AXES_HANDLER = "accounts.lockout.AddressThrottlingHandler"
# Attempts during a lockout are refused without being counted: the cool-off never restarts.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# Reverse proxies in front of the application (0: none, REMOTE_ADDR is the client's
# address); the access log and axes read the client's address through audit/client_ip.py.
IPGAR_TRUSTED_PROXY_COUNT = env.int("IPGAR_TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "audit.client_ip.client_ip"
OTP_TOTP_ISSUER = "ipgar iPGA-R"

# Sign-in through the municipality's identity provider (OpenID Connect, mozilla-django-oidc;
# accounts/oidc.py, README "Sign-in with an Amsterdam-account"). Off unless OIDC_OP_ISSUER is
# set; then the client and the provider's endpoints are required.
# OIDC_OP_ISSUER: the provider's issuer, exactly as its ID tokens name it (`iss`).
OIDC_OP_ISSUER = env("OIDC_OP_ISSUER", default="")
IPGAR_OIDC_ENABLED = bool(OIDC_OP_ISSUER)
if IPGAR_OIDC_ENABLED:
    # OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_TOKEN_ENDPOINT, OIDC_OP_JWKS_ENDPOINT: the
    # provider's endpoints (from its /.well-known/openid-configuration).
    OIDC_OP_AUTHORIZATION_ENDPOINT = require("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = require("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = require("OIDC_OP_JWKS_ENDPOINT")
    # OIDC_OP_LOGOUT_ENDPOINT: the provider's end_session_endpoint; when set, signing out
    # here ends the provider's session too. Empty: only the local session ends.
    OIDC_OP_LOGOUT_ENDPOINT = env("OIDC_OP_LOGOUT_ENDPOINT", default="")
    # The claims come from the signed ID token; the userinfo endpoint is not asked.
    OIDC_OP_USER_ENDPOINT = ""
    # OIDC_RP_CLIENT_ID, OIDC_RP_CLIENT_SECRET: this application's registration there.
    OIDC_RP_CLIENT_ID = require("OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = require("OIDC_RP_CLIENT_SECRET")
    # OIDC_RP_SCOPES: the scopes asked for (space-separated).
    OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", default="openid profile email")
    # OIDC_RP_SIGN_ALGO: the ID tokens' signing algorithm (Entra ID: RS256).
    OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", default="RS256")
    # OIDC_TIMEOUT: seconds to wait for the provider's token and key endpoints.
    OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "accounts.oidc.OidcBackend"]
# Never an account on the fly: the person must have been invited and linked by `sub`.
OIDC_CREATE_USER = False
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # the hint for the provider's sign-out
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"
# IPGAR_OIDC_MFA_AMR: `amr` values (comma-separated) by which the provider says it did
# multi-factor authentication; the local second factor is then skipped (RFC 8176 names).
IPGAR_OIDC_MFA_AMR = env.list("IPGAR_OIDC_MFA_AMR", default=["mfa", "otp", "hwk"])
# IPGAR_OIDC_MFA_ACR: `acr` values (comma-separated) that count as multi-factor too.
IPGAR_OIDC_MFA_ACR = env.list("IPGAR_OIDC_MFA_ACR", default=[])

# Content Security Policy (django-csp): only our own scripts, styles and images; no inline
# script anywhere. Images may be data: URIs (the QR code of the two-factor set-up).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
if IPGAR_OIDC_ENABLED and OIDC_OP_LOGOUT_ENDPOINT:
    # Signing out is a form post that the browser follows to the identity provider's
    # sign-out: CSP's form-action must allow that redirect.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] = [
        SELF,
        "/".join(OIDC_OP_LOGOUT_ENDPOINT.split("/")[:3]),
    ]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# E-mail: EMAIL_URL, e.g. smtp+tls://user:pass@mail.example.org:587. Default prints to the console.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# DEFAULT_FROM_EMAIL: sender of reminders and notifications.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="ipgar <noreply@ipgar.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# ACTIVATION_LINK_HOURS: how long an invitation or second-factor reset link works (once).
ACTIVATION_LINK_HOURS = env.int("ACTIVATION_LINK_HOURS", default=72)

# Celery. CELERY_BROKER_URL (or REDIS_URL): the broker. Default: kombu's
# filesystem transport under var/broker, so the quick start needs no server.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
BROKER_DIR = VAR_DIR / "broker"
# Redis with acks_late: a message not acknowledged within this time is handed to another
# worker, while the first may still be running it (a second monitor version, a second
# e-mail). So it must exceed the longest task's hard time limit (the global one below and
# each task's own, at most 30 minutes: cases.tasks); tests/monitoring/test_task_limits.py
# checks every registered task against it.
IPGAR_BROKER_VISIBILITY_TIMEOUT = 60 * 60
CELERY_BROKER_TRANSPORT_OPTIONS: dict = (
    {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": IPGAR_BROKER_VISIBILITY_TIMEOUT}
)
# CELERY_RESULT_BACKEND: where task results go. Default: none needed (tasks store their own state).
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Every task is stopped after these unless it sets its own limits (see the visibility timeout).
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Publishing a task must never hang a web request when the broker is down.
CELERY_BROKER_TRANSPORT_OPTIONS.setdefault("max_retries", 2)
CELERY_BROKER_CONNECTION_TIMEOUT = 2

# django-guardian: no anonymous user object; object permissions only for signed-in users.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.ScopedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.tokens.TokenHasScope",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "api.problems.problem_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    # API_THROTTLE_RATE: requests per client token (or per user), e.g. "600/min".
    "DEFAULT_THROTTLE_RATES": {"api_token": env("API_THROTTLE_RATE", default="600/min")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# API_MAX_BODY_BYTES: the largest request body the API accepts (413 above it).
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
# Bodies Django reads into memory at most (forms and API alike).
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES
# Hours an Idempotency-Key's first answer is kept for replay.
API_IDEMPOTENCY_HOURS = env.int("API_IDEMPOTENCY_HOURS", default=48)
# Seconds before the first retry of a failed webhook delivery (then doubling each time).
API_WEBHOOK_RETRY_BASE_SECONDS = env.int("API_WEBHOOK_RETRY_BASE_SECONDS", default=30)
# Seconds a webhook receiver should accept a signature's timestamp (replay window).
API_WEBHOOK_TOLERANCE_SECONDS = env.int("API_WEBHOOK_TOLERANCE_SECONDS", default=300)
# IPGAR_WEBHOOK_ALLOWED_HOSTS: webhook hosts that may be internal (http://, private address).
IPGAR_WEBHOOK_ALLOWED_HOSTS = env.list("IPGAR_WEBHOOK_ALLOWED_HOSTS", default=[])
SPECTACULAR_SETTINGS = {
    "TITLE": "ipgar API",
    "DESCRIPTION": "Registration sync for the iPGA-R regisseurspool.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # The schema describes no data, but maps the attack surface: only a person past the
    # second factor or a sync client's token may read it (and its docs pages).
    "SERVE_PERMISSIONS": ["accounts.tokens.TokenOrVerifiedSession"],
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.problem_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "MeetingKindEnum": "cases.models.Meeting.Kind",
        "EvaluationKindEnum": "cases.models.Evaluation.Kind",
        "OrganisationKindEnum": "accounts.models.Organisation.Kind",
        "InterventionStatusEnum": "cases.models.Intervention.Status",
        "DocumentKindEnum": "documents.models.DocumentKind",
        "EscalationStepKindEnum": "cases.models.EscalationStepKind",
    },
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "tokenAuth": {"type": "apiKey", "in": "header", "name": "Authorization"}
        }
    },
}

# Domain settings: the rules of docs/rules.md that are numbers.
# Cases per 1.0 FTE (R-POOL-1).
IPGAR_CASES_PER_FTE = env.int("IPGAR_CASES_PER_FTE", default=12)
# The least FTE a regisseur from a kernpartner other than OOV works as regisseur (R-POOL-2).
IPGAR_PARTNER_MINIMUM_FTE = Decimal(env.str("IPGAR_PARTNER_MINIMUM_FTE", default="0.5"))
# The size the pool is meant to have in FTE, from-to (R-POOL-4: about 5-6 FTE).
IPGAR_POOL_FTE_MIN = Decimal(env.str("IPGAR_POOL_FTE_MIN", default="5"))
IPGAR_POOL_FTE_MAX = Decimal(env.str("IPGAR_POOL_FTE_MAX", default="6"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
# Weeks after the notification letter within which the first UVO is due (assumption A-1).
IPGAR_FIRST_UVO_WEEKS = env.int("IPGAR_FIRST_UVO_WEEKS", default=4)
# Months between UVOs in phase 2 (R-CASE-3: at least once every two months).
IPGAR_UVO_INTERVAL_MONTHS = env.int("IPGAR_UVO_INTERVAL_MONTHS", default=2)
# Months between plan evaluations (R-CASE-8: monthly).
IPGAR_PLAN_EVALUATION_MONTHS = env.int("IPGAR_PLAN_EVALUATION_MONTHS", default=1)
# Years between the evaluations that ask whether the person can exit (R-CASE-10: two-yearly).
IPGAR_EXIT_EVALUATION_YEARS = env.int("IPGAR_EXIT_EVALUATION_YEARS", default=2)
# Months between caseload reviews per regisseur (R-POOL-6: every 3 months).
IPGAR_CASELOAD_REVIEW_MONTHS = env.int("IPGAR_CASELOAD_REVIEW_MONTHS", default=3)
# Months between three-way talks per regisseur (R-POOL-7: yearly).
IPGAR_THREE_WAY_TALK_MONTHS = env.int("IPGAR_THREE_WAY_TALK_MONTHS", default=12)
# Days within which ITAT-R should advise on an exit proposal, and PTO-R decide once ITAT-R
# has advised (assumption A-2).
IPGAR_EXIT_DECISION_DAYS = env.int("IPGAR_EXIT_DECISION_DAYS", default=28)
# PTO-R decides an exit proposal in a meeting only when more than this percentage of the
# kernpartners on the meeting's attendance list is present (docs/rules.md R-PTO-4; the
# ground is in docs/adr/0020-pto-r-meetings.md).
IPGAR_PTO_R_QUORUM_PERCENT = env.int("IPGAR_PTO_R_QUORUM_PERCENT", default=50)
# Days ahead that the worklists and reminders look for items coming due.
IPGAR_DEADLINE_HORIZON_DAYS = env.int("IPGAR_DEADLINE_HORIZON_DAYS", default=14)
# Hours an emergency access ("break the glass") keeps a case open to the regisseur who opened it.
IPGAR_EMERGENCY_ACCESS_HOURS = env.int("IPGAR_EMERGENCY_ACCESS_HOURS", default=24)
# Emergency accesses one regisseur may open per calendar day; over it the attempt is refused.
IPGAR_EMERGENCY_ACCESS_PER_DAY = env.int("IPGAR_EMERGENCY_ACCESS_PER_DAY", default=2)
# Days after which an emergency access not yet reviewed shows on the programme team's dashboard.
IPGAR_EMERGENCY_REVIEW_DAYS = env.int("IPGAR_EMERGENCY_REVIEW_DAYS", default=3)
# Days after a case's exit after which its person record is pseudonymised (AVG storage
# limitation). Five years: the ground is in docs/adr/0006-retention.md.
IPGAR_RETENTION_AFTER_EXIT_DAYS = env.int("IPGAR_RETENTION_AFTER_EXIT_DAYS", default=5 * 365)

# Periodic jobs. django-celery-beat's database scheduler copies these into its
# tables at start-up; the programme team can see them in the admin.
CELERY_BEAT_SCHEDULE = {
    "access-refresh-daily": {
        "task": "cases.tasks.access_refresh_daily",
        "schedule": crontab(hour=0, minute=5),
    },
    # Reminders of due and overdue items, every morning before work starts.
    "reminders-daily": {
        "task": "monitoring.tasks.reminders_daily",
        "schedule": crontab(hour=6, minute=30),
    },
    # Each monitor of the period just ended, on the first day of the next (docs/monitors.md).
    "monitor-monthly": {
        "task": "monitoring.tasks.monitor_scheduled",
        "args": ("maand",),
        "schedule": crontab(hour=4, minute=30, day_of_month=1),
    },
    "monitor-quarterly": {
        "task": "monitoring.tasks.monitor_quarterly",
        "schedule": crontab(hour=5, minute=0, day_of_month=1, month_of_year="1,4,7,10"),
    },
    "monitor-half-yearly": {
        "task": "monitoring.tasks.monitor_scheduled",
        "args": ("halfjaar",),
        "schedule": crontab(hour=5, minute=30, day_of_month=1, month_of_year="1,7"),
    },
    "monitor-yearly-effect": {
        "task": "monitoring.tasks.monitor_scheduled",
        "args": ("effect",),
        "schedule": crontab(hour=6, minute=0, day_of_month=1, month_of_year="1"),
    },
    "retention-daily": {
        "task": "cases.tasks.retention_daily",
        "schedule": crontab(hour=2, minute=30),
    },
    "webhooks-dispatch": {"task": "api.tasks.dispatch_webhooks", "schedule": 60.0},
}

# --- case documents (documents/) ------------------------------------------------------
# DOCUMENTS_ROOT: where the encrypted document files are kept (inside MEDIA_ROOT, so
# scripts/backup carries them).
DOCUMENTS_ROOT = Path(env("DOCUMENTS_ROOT", default=str(MEDIA_ROOT / "documents")))
# DOCUMENTS_ENCRYPTION_KEY: comma-separated Fernet keys; the first wraps the key of each new
# file, every one unwraps (rotation: docs/documents.md). Required in production.
DOCUMENTS_ENCRYPTION_KEY = env.list("DOCUMENTS_ENCRYPTION_KEY", default=[])
# DOCUMENTS_MAX_UPLOAD_BYTES: the largest file one may upload (default 20 MiB).
DOCUMENTS_MAX_UPLOAD_BYTES = env.int("DOCUMENTS_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
# DOCUMENTS_ALLOWED_TYPES: the content types accepted, decided by the file's content.
DOCUMENTS_ALLOWED_TYPES = env.list(
    "DOCUMENTS_ALLOWED_TYPES",
    default=[
        "application/pdf",
        "image/png",
        "image/jpeg",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ],
)
# Django's upload handlers, behind one that keeps each file's name as the client sent it:
# a name carrying a folder is refused, not silently cut (documents/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "documents.uploads.RawFileNameUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# CLAMD_ADDRESS: the virus scanner, host:port or the path of its local socket.
CLAMD_ADDRESS = env.str("CLAMD_ADDRESS", default="127.0.0.1:3310")
# CLAMD_TIMEOUT_SECONDS: how long a scan may take before the upload is refused.
CLAMD_TIMEOUT_SECONDS = env.float("CLAMD_TIMEOUT_SECONDS", default=60.0)
