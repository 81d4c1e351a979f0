"""Settings shared by every environment. Everything variable comes from the environment."""

from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# var/ holds the SQLite database and generated local keys; default: ./var of the working directory.
VAR_DIR = Path(os.environ.get("DANGJIAN_VAR_DIR", Path.cwd() / "var")).resolve()

DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "treebeard",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "dangjian.core",
    "dangjian.accounts",
    "dangjian.orgs",
    "dangjian.members",
    "dangjian.rules",
    "dangjian.life",
    "dangjian.exchange",
    "dangjian.web",
    "dangjian.api",
    "dangjian.demo",
    "dangjian.recruit",
    "dangjian.assess",
    "dangjian.survey",
    "dangjian.rectify",
    "dangjian.service",
    "dangjian.open311",
    "dangjian.notify",
    "dangjian.batch",
    "dangjian.training",
    "dangjian.transfer",
    "dangjian.care",
    "dangjian.dues",
    "dangjian.mobile",
    "dangjian.review",
    "dangjian.inspection",
    "dangjian.liangxin",
    "dangjian.exemplar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dangjian.core.middleware.RequestContextMiddleware",
    # a busy database (SQLite's write lock) answers 503 with Retry-After: dangjian/core/busy.py
    "dangjian.core.busy.BusyDatabaseMiddleware",
    "dangjian.core.busy.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "dangjian.accounts.middleware.IdleTimeoutMiddleware",
    "dangjian.accounts.middleware.PendingStepMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dangjian.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "dangjian.urls"
WSGI_APPLICATION = "dangjian.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["dangjian.accounts.backends.LockoutModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dangjian.web.context.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'dangjian.sqlite3'}", conn_max_age=60
    )
}
# SQLite: readers never wait for the writer (WAL), a write transaction takes the write lock when it
# begins (IMMEDIATE: no deadlock between two readers turning writers), and a writer waits up to
# DANGJIAN_SQLITE_BUSY_TIMEOUT seconds for the lock; after that the request answers 503 with
# Retry-After (dangjian/core/busy.py) instead of a 500.
SQLITE_BUSY_TIMEOUT = float(os.environ.get("DANGJIAN_SQLITE_BUSY_TIMEOUT", "10"))
# the region boundaries of the 两新 coverage map: a GeoJSON FeatureCollection, properties.code
# the region code (dangjian/liangxin/boundaries.py); none: a grid by region code
DANGJIAN_REGION_BOUNDARIES = os.environ.get("DANGJIAN_REGION_BOUNDARIES", "")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": SQLITE_BUSY_TIMEOUT,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    # Argon2id, 1 lane, 64 MiB (accounts/hashers.py); reads every "argon2$" hash, Django's
    # default parameters included, and rehashes those at the next sign-in
    "dangjian.accounts.hashers.Argon2Hasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Password policy (等保 2.0 三级, GB/T 22239 8.1.4.1: 口令具有复杂度要求并定期更换). Length and
# character classes are settings; the defaults meet 等保 (≥ 8 characters, 3 of 4 classes) with a
# longer minimum as NIST SP 800-63B/ASVS recommend. See README "Security".
DANGJIAN_PASSWORD_MIN_LENGTH = int(os.environ.get("DANGJIAN_PASSWORD_MIN_LENGTH", 10))
DANGJIAN_PASSWORD_MIN_CLASSES = int(os.environ.get("DANGJIAN_PASSWORD_MIN_CLASSES", 3))
# the longest run of one repeated character ("aaaa" is a run of 4)
DANGJIAN_PASSWORD_MAX_REPEAT = int(os.environ.get("DANGJIAN_PASSWORD_MAX_REPEAT", 3))
# words that, with digits and symbols around them, make a guessable password ("Dangjian2026")
DANGJIAN_PASSWORD_FORBIDDEN_WORDS = [
    w for w in os.environ.get("DANGJIAN_PASSWORD_FORBIDDEN_WORDS", "").split(",") if w.strip()
]
# maximum password age in days; 0 = never expires (ASVS V2.1.10 advises against forced rotation;
# deployments audited to 等保 set 90, the usual reading of "定期更换")
DANGJIAN_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("DANGJIAN_PASSWORD_MAX_AGE_DAYS", 0))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "dangjian.accounts.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "dangjian.accounts.passwords.MinimumLengthValidator"},
    {"NAME": "dangjian.accounts.passwords.CharacterClassesValidator"},
    {"NAME": "dangjian.accounts.passwords.RepeatedCharactersValidator"},
    {"NAME": "dangjian.accounts.passwords.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins per client address (web login and API token alike, counted in the default cache):
# after this many failures in the window every attempt from the address gets 429 until it ends.
DANGJIAN_LOGIN_RATE_LIMIT = int(os.environ.get("DANGJIAN_LOGIN_RATE_LIMIT", 20))
DANGJIAN_LOGIN_RATE_WINDOW = int(os.environ.get("DANGJIAN_LOGIN_RATE_WINDOW", 600))
# TOTP second factor (django-otp) for the administrator roles; 等保三级 8.1.4.1 d) asks for two
# factors for administrators. Off by default so a fresh install can be signed into.
DANGJIAN_ADMIN_TOTP = os.environ.get("DANGJIAN_ADMIN_TOTP", "").lower() in ("1", "true", "yes")
OTP_TOTP_ISSUER = "党建平台"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]  # site-wide CSS and vendored front-end builds
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Sessions live in the database (django.contrib.sessions.backends.db, Django's default): logging
# out, a password change or a deactivated account end them on the server at once, which signed
# cookies cannot do. A page view does not write its session (SESSION_SAVE_EVERY_REQUEST is False
# and the idle timeout refreshes its time stamp at most once a minute): a session is written when
# it changes (login, logout, a message that does not fit the cookie).
# The idle timeout is enforced by IdleTimeoutMiddleware from the security policy;
# the cookie itself dies with the browser and after 12 hours at the latest.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_AGE = 12 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Uploads: imports are read in memory up to this size; anything larger is refused with a message.
DANGJIAN_MAX_UPLOAD_BYTES = int(os.environ.get("DANGJIAN_MAX_UPLOAD_BYTES", 20 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# larger uploads wait in an anonymous temporary file (no name a crash could leave behind)
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "dangjian.core.uploads.AnonymousFileUploadHandler",
]

# Field encryption key (SM4, 128 bit, hex). Never in the repository; see README.
DANGJIAN_FIELD_KEY = os.environ.get("DANGJIAN_FIELD_KEY", "")

# Audit chain key (HMAC-SM3, hex, >= 128 bit; separate from the field key), or a file holding it.
# Never in the database or the repository; see README "审计日志".
DANGJIAN_AUDIT_KEY = os.environ.get("DANGJIAN_AUDIT_KEY", "")
DANGJIAN_AUDIT_KEY_FILE = os.environ.get("DANGJIAN_AUDIT_KEY_FILE", "")
# Audit entries are kept at least this many months (网络安全法 第二十一条: 不少于六个月); fewer
# than 6 is refused. `dangjian audit purge` removes only older entries.
DANGJIAN_AUDIT_RETENTION_MONTHS = int(os.environ.get("DANGJIAN_AUDIT_RETENTION_MONTHS", 6))
# Whether `flush` may empty the audit trail (tests only).
DANGJIAN_AUDIT_FLUSH_ALLOWED = False

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "dangjian.api.auth.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {"api_token": "20/minute"},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "dangjian.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "dangjian API",
    "DESCRIPTION": "基层党建质量提升平台 REST API (v1)",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # the schema is for signed-in users only (session or token)
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "dangjian.api.schema.error_responses",
    ],
    # the choice sets of the hardship register (dangjian/care), named apart from the others
    "ENUM_NAME_OVERRIDES": {
        "CareReasonEnum": "dangjian.care.choices.Reason",
        "CareCloseReasonEnum": "dangjian.care.choices.CloseReason",
        "CareHelpKindEnum": "dangjian.care.choices.HelpKind",
        "CareLevelEnum": "dangjian.care.choices.Level",
        "CareOccasionEnum": "dangjian.care.choices.Occasion",
        "LiangxinUnitKindEnum": "dangjian.liangxin.choices.UnitKind",
        "LiangxinIndustryEnum": "dangjian.liangxin.choices.Industry",
        "LiangxinSizeEnum": "dangjian.liangxin.choices.Size",
        "LiangxinOrgModeEnum": "dangjian.liangxin.choices.OrgMode",
        "LiangxinAdvisorRoleEnum": "dangjian.liangxin.choices.AdvisorRole",
        "InspectionKindEnum": "dangjian.inspection.choices.Kind",
        "InspectionResultEnum": "dangjian.inspection.choices.Result",
        "InspectionSeverityEnum": "dangjian.inspection.choices.Severity",
        "InspectionRevisitEnum": "dangjian.inspection.choices.Revisit",
        "ExemplarKindEnum": "dangjian.exemplar.choices.Kind",
        "ExemplarLevelEnum": "dangjian.exemplar.choices.Level",
        "ExemplarStatusEnum": "dangjian.exemplar.choices.Status",
        "ExemplarEvidenceKindEnum": "dangjian.exemplar.choices.EvidenceKind",
        "ReviewRaterKindEnum": "dangjian.review.choices.RaterKind",
        "ReviewGradeEnum": "dangjian.review.choices.Grade",
    },
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# outbound messages of the inbox (dangjian/notify/senders.py): a JSON list of channels; the log only
DANGJIAN_NOTIFY_SENDERS = json.loads(os.environ.get("DANGJIAN_NOTIFY_SENDERS") or "[]") or [
    {"channel": "log"}
]


def cache_settings(redis_url: str, var_dir: Path) -> dict[str, dict[str, object]]:
    """The default cache, shared by every web process: it holds the rate-limit counters (survey
    pages, logins) and the cached overview tables, so a per-process cache would give each worker
    its own budget.

    * ``REDIS_URL`` set (e.g. ``redis://127.0.0.1:6379/0``): Django's Redis cache — atomic
      counters, shared by several hosts; the production choice.
    * unset: a file cache under ``var/cache`` — shared by the processes of one host (gunicorn
      workers, the demo's server, the command line) without a service to run, and without
      writing into the database (SQLite's one writer stays free for data).
    """
    if redis_url:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
                "KEY_PREFIX": "dangjian",
            }
        }
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(var_dir / "cache"),
            "KEY_PREFIX": "dangjian",
            # rate-limit counters are one file each: room for many addresses before culling
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }


REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = cache_settings(REDIS_URL, VAR_DIR)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}


def _local_rules(path: str) -> dict:
    """Local rule parameters (rules.md "local default"): a JSON file, changed without code."""
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(
            f"DANGJIAN_RULES_FILE {path} 无法读取或不是 JSON：{exc}"
        ) from exc
    if not isinstance(data, dict):
        raise ImproperlyConfigured(f"DANGJIAN_RULES_FILE {path} 应为 JSON 对象（规则编号 → 参数）")
    return data


# rule id → parameter overrides ({"enabled": false} switches a rule off), family → version,
# source and dated versions; see rules/params.py
DANGJIAN_RULES = _local_rules(os.environ.get("DANGJIAN_RULES_FILE", ""))

# PDF exports (ledgers, case records, bulletins): a TrueType font with glyf outlines to embed
# (.ttf, or .ttc with the face index); unset, the built-in CID font STSong-Light is used
DANGJIAN_PDF_FONT = os.environ.get("DANGJIAN_PDF_FONT", "")
DANGJIAN_PDF_FONT_INDEX = int(os.environ.get("DANGJIAN_PDF_FONT_INDEX", "0") or 0)

# folders of local assessment standards (YAML, see dangjian/assess/standard.py), besides the
# defaults shipped in dangjian/assess/standards/; separated like PATH
DANGJIAN_STANDARDS_DIRS = [
    p for p in os.environ.get("DANGJIAN_STANDARDS_DIRS", "").split(os.pathsep) if p
]

# folders of working-day calendar files (one YAML/JSON file per year copying the State Council's
# holiday notice, see dangjian/core/workdays.py), besides dangjian/core/calendars/ and the years
# chinese-calendar knows; separated like PATH, a later folder wins for the same year
DANGJIAN_CALENDAR_DIRS = [
    p for p in os.environ.get("DANGJIAN_CALENDAR_DIRS", "").split(os.pathsep) if p
]

# assessment campaigns with more participants than this are scored in the background
# (django-tasks; run `dangjian manage db_worker` beside the web server), smaller ones at once
DANGJIAN_ASSESS_INLINE_SCORE_MAX = int(os.environ.get("DANGJIAN_ASSESS_INLINE_SCORE_MAX", 3000))

# the findings store (dangjian/rules/store.py): findings kept as rows, refreshed after the writes
# that change them (django-tasks) and read by the findings page and the API
DANGJIAN_FINDINGS_STORE = os.environ.get("DANGJIAN_FINDINGS_STORE", "1") not in ("0", "false", "")
# The SETUP facts read the committee of each organization from its rollup row
# (dangjian.members.committee, kept by every write of the roll: the services, the member import,
# the seed) instead of grouping the roll, where the rows hold on the checked day. Off by default:
# on a district the two take the same time, and the roll's grouping costs one query less.
# DANGJIAN_SETUP_FROM_ROLLUPS=1 turns it on (the two give the same findings: tested).
DANGJIAN_SETUP_FROM_ROLLUPS = os.environ.get("DANGJIAN_SETUP_FROM_ROLLUPS", "").lower() in (
    "1",
    "true",
    "yes",
)
