"""Settings for litellm-console. Every value comes from the environment (see README)."""

from __future__ import annotations

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def _secret(name: str, default: str | None = None) -> str | None:
    """A secret from NAME, or from the file named by NAME_FILE (Docker/K8s secrets)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        return Path(path).read_text().strip()
    return env.str(name, default=default)


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = _secret("SECRET_KEY", default="insecure-dev-key-change-me" if DEBUG else None)
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("Set SECRET_KEY (or SECRET_KEY_FILE); DEBUG=true allows a dev default.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_tables2",
    "django_filters",
    "config",
    "accounts",
    "budgets",
    "deployments",
    "keys",
    "usage",
    "reports",
    "procrastinate.contrib.django",
    "jobs",
    "alerts",
    "database",
    "demo",  # only its `demo` command; nothing else imports it
]

MIDDLEWARE = [
    "config.probes.ProbeMiddleware",  # request id; /healthz, /readyz, /metrics before https redirect and host check
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.replica.ReplicaReadsMiddleware",  # after auth and sessions: read-your-writes per person
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.SecurityHeadersMiddleware",
    "config.middleware.ForbiddenLogMiddleware",
    "config.middleware.ConsolePagesMiddleware",
    "config.middleware.RejectNulMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.console",
            ],
        },
    },
]

# --- Databases -------------------------------------------------------------------------
# `litellm`: the proxy's own database (DATABASE_URL, as the proxy reads it). Unmanaged
# models only; never migrated. `default`: the console's own tables, in the schema
# `litellm_console` of the same database unless CONSOLE_DATABASE_URL says otherwise.
CONSOLE_SCHEMA = env.str("CONSOLE_SCHEMA", default="litellm_console")

_litellm_db = env.db_url("DATABASE_URL", default="postgresql://postgres:@/litellm?host=/tmp")
_litellm_db.setdefault("OPTIONS", {})
# LiteLLM stores naive UTC timestamps: pin the session zone so DB defaults agree.
_litellm_db["OPTIONS"]["options"] = (_litellm_db["OPTIONS"].get("options", "") + " -c TimeZone=UTC").strip()
_litellm_db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
_litellm_db["TIME_ZONE"] = None

if env.str("CONSOLE_DATABASE_URL", default=""):
    _console_db = env.db_url("CONSOLE_DATABASE_URL")
    _console_db["ENGINE"] = "config.dbbackend"
    _console_db.setdefault("OPTIONS", {})
else:
    _console_db = {**_litellm_db, "ENGINE": "config.dbbackend", "OPTIONS": dict(_litellm_db["OPTIONS"])}
    _console_db["OPTIONS"]["options"] = f"-c search_path={CONSOLE_SCHEMA} -c TimeZone=UTC"
_console_db["CONSOLE_SCHEMA"] = CONSOLE_SCHEMA if not env.str("CONSOLE_DATABASE_URL", default="") else None

# Persistent connections are checked before reuse: a restarted database or a proxy that
# dropped an idle connection costs a reconnect, not a 500.
for _db in (_console_db, _litellm_db):
    _db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _console_db, "litellm": _litellm_db}
# An optional streaming replica of the LiteLLM database for the heavy reads (usage, logs,
# exports); config/routers.py sends them there unless it is down, too far behind, or the person
# wrote something in the last READ_YOUR_WRITES_SECONDS.
if env.str("LITELLM_REPLICA_URL", default=""):
    _replica_db = env.db_url("LITELLM_REPLICA_URL")
    _replica_db.setdefault("OPTIONS", {})
    _replica_db["OPTIONS"]["options"] = (_replica_db["OPTIONS"].get("options", "") + " -c TimeZone=UTC").strip()
    _replica_db["OPTIONS"].setdefault("application_name", "litellm-console-replica")
    _replica_db.update(CONN_MAX_AGE=_litellm_db["CONN_MAX_AGE"], CONN_HEALTH_CHECKS=True, TIME_ZONE=None)
    _replica_db.setdefault("TEST", {})["MIRROR"] = None
    DATABASES["litellm_replica"] = _replica_db
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=30.0)
REPLICA_LAG_CHECK_SECONDS = env.float("REPLICA_LAG_CHECK_SECONDS", default=5.0)
READ_YOUR_WRITES_SECONDS = env.int("READ_YOUR_WRITES_SECONDS", default=30)
DATABASE_ROUTERS = ["config.routers.LiteLLMRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- LiteLLM ---------------------------------------------------------------------------
LITELLM_TABLE_PREFIX = env.str("LITELLM_TABLE_PREFIX", default="LiteLLM_")
# The proxy's litellm_settings.timezone and budget_reset_time (for budget_reset_at).
LITELLM_TIMEZONE = env.str("LITELLM_TIMEZONE", default="UTC")
# The reporting time zone: every moment the console shows or exports is written in it
# (config/dates.py); the daily tables' days stay UTC days.
CONSOLE_TIME_ZONE = env.str("CONSOLE_TIME_ZONE", default="UTC") or "UTC"
# Reports: who receives each closed month (comma-separated addresses), and Django's mail settings.
REPORTS_EMAIL_TO = env.list("REPORTS_EMAIL_TO", default=[])
# Month close: "utc" months (default) or "local", the months of CONSOLE_TIME_ZONE (reports/local_months.py).
REPORTS_MONTHS = env.str("REPORTS_MONTHS", default="utc") or "utc"
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = _secret("EMAIL_HOST_PASSWORD", default="") or ""
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="litellm-console@localhost")
LITELLM_BUDGET_RESET_TIME = env.str("LITELLM_BUDGET_RESET_TIME", default="00:00")
# The proxy's public address, for LiteLLM's own onboarding links (optional).
PROXY_BASE_URL = env.str("PROXY_BASE_URL", default="").rstrip("/")
# The console's own public address, for invitation links printed by manage.py.
CONSOLE_BASE_URL = env.str("CONSOLE_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The user id LiteLLM uses for master-key callers (PROXY_ADMIN_ID in the proxy).
LITELLM_PROXY_ADMIN_ID = env.str("LITELLM_PROXY_ADMIN_ID", default="default_user_id")
# The proxy's general_settings.disable_auto_add_proxy_admin_to_teams: a team made by an ops login
# (LiteLLM's master-key caller) then gets no default_user_id admin on its roster.
LITELLM_DISABLE_AUTO_ADD_PROXY_ADMIN_TO_TEAMS = env.bool("DISABLE_AUTO_ADD_PROXY_ADMIN_TO_TEAMS", default=False)
LITELLM_CACHE_TTL_SECONDS = env.int("LITELLM_CACHE_TTL_SECONDS", default=60)
# Spend at or above this share of a cap is "near budget" (budgets/thresholds.py).
NEAR_BUDGET_RATIO = env.float("NEAR_BUDGET_RATIO", default=0.8)
# Key generation as the proxy does it (LENGTH_OF_LITELLM_GENERATED_KEY, DISABLE_KEY_NAME).
LITELLM_KEY_BYTES = env.int("LENGTH_OF_LITELLM_GENERATED_KEY", default=16)
LITELLM_MINIMUM_CUSTOM_KEY_LENGTH = env.int("MINIMUM_CUSTOM_KEY_LENGTH", default=16)
LITELLM_DISABLE_KEY_NAME = env.bool("DISABLE_KEY_NAME", default=False)
# The proxy's salt key for litellm_params (LITELLM_SALT_KEY, else the master key, as
# encrypt_decrypt_utils.get_salt_key reads them), the at-rest algorithm for new writes
# (general_settings.encryption_algorithm) and the interval at which the proxy reloads DB models
# (general_settings.proxy_config_reload_interval_seconds / PROXY_CONFIG_RELOAD_INTERVAL_SECONDS).
LITELLM_SALT_KEY = env.str("LITELLM_SALT_KEY", default="") or None
LITELLM_MASTER_KEY = env.str("LITELLM_MASTER_KEY", default="") or None
LITELLM_ENCRYPTION_ALGORITHM = env.str("LITELLM_ENCRYPTION_ALGORITHM", default="")
LITELLM_MODEL_RELOAD_SECONDS = env.int("PROXY_CONFIG_RELOAD_INTERVAL_SECONDS", default=30)

# --- Auth ------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "accounts.auth.LiteLLMUserBackend",
]
# Every new password, LiteLLM user's or ops login's (accounts.passwords.new_password_errors).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.passwords.NoSurroundingWhitespaceValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "accounts.passwords.LiteLLMCompositionValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
# OpenID Connect single sign-on (accounts/oidc.py): on when OIDC_ISSUER is set.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="").rstrip("/")
OIDC_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_CLIENT_SECRET = _secret("OIDC_CLIENT_SECRET", default="")
OIDC_SCOPES = env.str("OIDC_SCOPES", default="openid email profile")
OIDC_EMAIL_CLAIM = env.str("OIDC_EMAIL_CLAIM", default="email")
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="")
OIDC_CREATE_USERS = env.bool("OIDC_CREATE_USERS", default=False)
OIDC_DEFAULT_ROLE = env.str("OIDC_DEFAULT_ROLE", default="internal_user_viewer")
# "group=role,group=role": IdP groups to LiteLLM roles (config/policy/signin.py role_for_groups).
OIDC_ROLE_MAP = env.str("OIDC_ROLE_MAP", default="")
OIDC_BUTTON_LABEL = env.str("OIDC_BUTTON_LABEL", default="Sign in with SSO")
# false: LiteLLM users sign in through SSO only; ops logins (break-glass) keep their password.
PASSWORD_LOGIN = env.bool("PASSWORD_LOGIN", default=True)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
LOGIN_THROTTLE_ATTEMPTS = env.int("LOGIN_THROTTLE_ATTEMPTS", default=5)
LOGIN_THROTTLE_WINDOW_SECONDS = env.int("LOGIN_THROTTLE_WINDOW_SECONDS", default=300)
# Per address the limit is higher: behind a reverse proxy or NAT many people share one.
LOGIN_THROTTLE_IP_ATTEMPTS = env.int("LOGIN_THROTTLE_IP_ATTEMPTS", default=LOGIN_THROTTLE_ATTEMPTS * 4)
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
# Proxies in front that append the client's address to X-Forwarded-For (the throttle reads it).
TRUSTED_PROXY_HOPS = env.int("TRUSTED_PROXY_HOPS", default=1 if BEHIND_TLS_PROXY else 0)

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "console_cache",
        # Sign-in throttles and the usage dashboard's closed days (~7 entries per scope and range).
        "OPTIONS": {"MAX_ENTRIES": env.int("CONSOLE_CACHE_MAX_ENTRIES", default=5000)},
    }
}
# How long the usage dashboard keeps the whole-proxy/organization figures of days older than
# 2 days (they no longer change); 0 reads everything live. `manage.py usage_warm` fills it.
USAGE_CLOSED_DAYS_CACHE_SECONDS = env.int("USAGE_CLOSED_DAYS_CACHE_SECONDS", default=6 * 3600)
# How long the home page keeps the whole proxy's figures (a change made in the console drops
# them at once; the proxy's own new keys and spend show after this); 0: always counted.
HOME_FIGURES_SECONDS = env.int("HOME_FIGURES_SECONDS", default=60)

# --- I18N / time -----------------------------------------------------------------------
# LiteLLM keeps naive UTC timestamps; the console works in naive UTC throughout.
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = False

# --- Static ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

DJANGO_TABLES2_TEMPLATE = "inc/table.html"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Production hardening (on unless DEBUG) --------------------------------------------
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# Plain http is redirected to https (behind a TLS-terminating proxy, set BEHIND_TLS_PROXY=true).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
X_FRAME_OPTIONS = "DENY"
# Idle timeout: a session ends SESSION_COOKIE_AGE seconds after its last request (sliding).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)
SESSION_SAVE_EVERY_REQUEST = True
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])

# /metrics (config/metrics.py): a bearer token, or client addresses in these networks.
METRICS_TOKEN = _secret("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.1/32", "::1/128"])

# LOG_FORMAT=json: one JSON object a line with the request id (config/logs.py); else plain text.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")

# --- Jobs and alerts (jobs/, alerts/) --------------------------------------------------
# Procrastinate's tables go into the console's own database/schema, never LiteLLM's.
PROCRASTINATE_DATABASE_ALIAS = "default"
# Email through Django's backend: the EMAIL_* variables above, or instead of them EMAIL_URL,
# django-environ's URL (smtp+tls://user:pass@host:587, filemail:///path, consolemail://).
# Neither set: alerts send no email (the channel shows "not configured").
ALERT_EMAIL_ENABLED = bool(env.str("EMAIL_URL", default="") or env.str("EMAIL_HOST", default=""))
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
if env.str("EMAIL_FILE_PATH", default=""):  # filemail:// with an absolute folder (the demo's)
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH")
ALERT_SLACK_WEBHOOK_URL = _secret("ALERT_SLACK_WEBHOOK_URL", default="") or ""
ALERT_WEBHOOK_URL = env.str("ALERT_WEBHOOK_URL", default="")
ALERT_WEBHOOK_SECRET = _secret("ALERT_WEBHOOK_SECRET", default="") or ""
ALERT_EXTRA_EMAILS = env.list("ALERT_EXTRA_EMAILS", default=[])
ALERT_THRESHOLDS = [float(x) for x in env.list("ALERT_THRESHOLDS", default=["80", "95", "100"])]
ALERT_EVERY_MINUTES = env.int("ALERT_EVERY_MINUTES", default=5)
ALERT_DELIVERY_ATTEMPTS = env.int("ALERT_DELIVERY_ATTEMPTS", default=5)
ALERT_RETRY_WAIT_SECONDS = env.int("ALERT_RETRY_WAIT_SECONDS", default=10)
ALERT_SPIKE_MIN_SPEND = env.float("ALERT_SPIKE_MIN_SPEND", default=10.0)
ALERT_SPIKE_SENSITIVITY = env.float("ALERT_SPIKE_SENSITIVITY", default=4.0)
ALERT_WEBHOOK_TIMEOUT_SECONDS = env.float("ALERT_WEBHOOK_TIMEOUT_SECONDS", default=10.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "config.logs.JsonFormatter"},
        "text": {"format": "%(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Procrastinate logs every task registration at INFO; `manage.py worker` turns it back up.
    "loggers": {"procrastinate": {"level": "WARNING"}},
}
