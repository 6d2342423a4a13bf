"""Settings for the test suite: its own embedded PostgreSQL, built from LiteLLM's migrations."""

import os
import tempfile

from demo.testdb import prepare_test_database

os.environ["DATABASE_URL"] = prepare_test_database()
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.pop("CONSOLE_DATABASE_URL", None)
if os.environ.get("LITELLM_TEST_DEMO") == "1":  # the browser tests read the demo's encrypted deployments
    from demo.database import DEMO_SALT_KEY

    os.environ.setdefault("LITELLM_SALT_KEY", DEMO_SALT_KEY)

from config.settings import *  # noqa: E402,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = tempfile.mkdtemp(prefix="litellm-console-static-")  # whitenoise warns if it is missing
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SECURE_SSL_REDIRECT = False  # the test client and live server speak plain http
ALLOWED_HOSTS = ["*"]
