"""``essor check --deploy`` is clean with the production settings (in a separate process)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def _production(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # As a server would start: not with what the test run set for itself (the browser tests set
    # DJANGO_ALLOW_ASYNC_UNSAFE, which the deployment check rightly refuses).
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ESSOR_VAR_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "essor.example.ma",
    }
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_check_deploy_gives_no_warning_with_the_production_settings(tmp_path: Path) -> None:
    done = _production(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_production_cookies_are_secure_and_host_only(tmp_path: Path) -> None:
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k)"
        " for k in ('SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'LANGUAGE_COOKIE_SECURE',"
        " 'SESSION_COOKIE_NAME', 'CSRF_COOKIE_NAME', 'SECURE_HSTS_SECONDS',"
        " 'SECURE_SSL_REDIRECT', 'DEBUG')}))"
    )
    done = _production(tmp_path, "shell", "-c", code)
    assert done.returncode == 0, done.stderr
    values = json.loads(done.stdout.strip().splitlines()[-1])
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_SECURE": True,
        "SESSION_COOKIE_NAME": "__Host-essor_session",
        "CSRF_COOKIE_NAME": "__Host-essor_csrftoken",
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_SSL_REDIRECT": True,
        "DEBUG": False,
    }
