"""Test settings: the same as base, with fast hashing and throttling that tests can reach."""

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, STORAGES

# Fast hashing for the tests' thousands of users; essor/accounts/tests/test_sign_in.py proves
# that the base settings hash with Argon2 and upgrade older hashes.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = 3
# Never reached by the suite nor by the API fuzzing; test_throttling.py lowers them to see a 429.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "1000000/hour", "user": "1000000/hour"},
}

# Background tasks run at once in tests, in the same transaction.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# LocMemCache is per process: fine for tests, which run in one.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
