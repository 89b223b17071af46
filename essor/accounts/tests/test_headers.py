"""Security headers on every page, templates that the Content-Security-Policy lets run, CSRF.

The browser test (``test_browser_csp.py``) shows the policy enforced by Chromium; these tests
read the headers and scan every template, so that a new page with an inline script fails here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from essor.core.testing import PASSWORD, Personas

pytestmark = pytest.mark.django_db

ESSOR = Path(settings.BASE_DIR) / "essor"
TEMPLATES = sorted(path for path in ESSOR.rglob("templates/**/*.html") if ".venv" not in path.parts)
# Rendered only into PDFs by WeasyPrint, never served to a browser: their <style> stays.
PDF_ONLY = {"monitoring/report.html", "privacy/access_pdf.html"}


def _policy(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _template_name(path: Path) -> str:
    parts = path.parts
    return "/".join(parts[parts.index("templates") + 1 :])


def test_pages_carry_a_policy_without_inline_script_or_eval(personas: Personas, client) -> None:
    client.force_login(personas.user("admin"), backend="django.contrib.auth.backends.ModelBackend")
    for url in ("/", "/conventions/", reverse("accounts:profile"), reverse("accounts:security")):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = _policy(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["img-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["form-action"] == ["'self'"]
        assert policy["base-uri"] == ["'self'"]
        assert "unsafe" not in response["Content-Security-Policy"]


def test_sign_in_page_carries_every_security_header(client) -> None:
    response = client.get(reverse("accounts:login"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions


def test_cookies_are_http_only_and_same_site(personas: Personas) -> None:
    client = Client()
    client.get(reverse("accounts:login"))
    answer = client.post(
        reverse("accounts:login"),
        {"username": personas.user("counsellor").username, "password": PASSWORD},
    )
    session = answer.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert answer.cookies[settings.CSRF_COOKIE_NAME]["httponly"] is True


def test_only_the_admin_and_the_api_docs_relax_styles_never_scripts(
    personas: Personas, client
) -> None:
    assert personas.operator is not None
    client.force_login(personas.operator, backend="django.contrib.auth.backends.ModelBackend")
    admin = _policy(client.get("/admin/accounts/user/"))
    assert admin["style-src"] == ["'self'", "'unsafe-inline'"]
    assert admin["script-src"] == ["'self'"]
    assert admin["img-src"] == ["'self'"]

    docs_response = client.get(reverse("api-docs"))
    docs = _policy(docs_response)
    assert docs["style-src"] == ["'self'", "'unsafe-inline'"]
    assert docs["img-src"] == ["'self'", "data:"]
    assert docs["script-src"] == ["'self'"]
    # Swagger UI's initialiser is a script file: every <script> of the page has a src.
    scripts = re.findall(r"<script\b[^>]*>", docs_response.content.decode())
    assert scripts
    assert all("src=" in tag for tag in scripts)


def test_templates_hold_no_inline_script_handler_or_style() -> None:
    assert len(TEMPLATES) > 50
    problems = []
    rules = [
        ("inline <script>", re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)),
        ("on… handler", re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)),
        ("javascript: URL", re.compile(r"javascript:", re.I)),
        ("hx-on", re.compile(r"\b(?:data-)?hx-on", re.I)),
        (
            "js: value",
            re.compile(r"hx-(?:vals|vars|headers)\s*=\s*['\"]\s*(?:js|javascript):", re.I),
        ),
        ("style attribute", re.compile(r"<[^>]+\sstyle\s*=", re.I)),
    ]
    for path in TEMPLATES:
        text = path.read_text()
        name = _template_name(path)
        for label, pattern in rules:
            if pattern.search(text):
                problems.append(f"{name}: {label}")
        if "<style" in text and name not in PDF_ONLY:
            problems.append(f"{name}: <style> element")
    assert problems == []


def test_every_post_form_carries_the_csrf_token() -> None:
    missing = []
    form = re.compile(r"<form\b[^>]*method=[\"']?post[^>]*>(.*?)</form>", re.I | re.S)
    for path in TEMPLATES:
        for match in form.finditer(path.read_text()):
            if "{% csrf_token %}" not in match.group(1):
                missing.append(f"{_template_name(path)}: {match.group(0)[:80]!r}")
    assert missing == []


# Views exempt from the CSRF check, each with its reason. Nothing else may be.
CSRF_EXEMPT = {
    # The JSON 404 for an unknown address under /api/v1/: it reads nothing and changes nothing;
    # exempt so that a POST there gets the API's 404, not the site's CSRF page.
    "core/api.py:not_found",
}


def test_no_view_is_exempt_from_csrf_without_a_reason() -> None:
    decorated = re.compile(r"@csrf_exempt\s*\n(?:@[^\n]*\n)*(?:async\s+)?def\s+(\w+)")
    exempt = set()
    for path in ESSOR.rglob("*.py"):
        if "tests" in path.parts:
            continue
        text = path.read_text()
        if "csrf_exempt" not in text:
            continue
        names = decorated.findall(text)
        # A use other than as a decorator (csrf_exempt(view)) is listed by file.
        uses = text.count("csrf_exempt") - 1 - len(names)  # one import
        exempt |= {f"{path.relative_to(ESSOR)}:{name}" for name in names}
        if uses > 0:
            exempt.add(f"{path.relative_to(ESSOR)}:(call)")
    assert exempt == CSRF_EXEMPT


def test_api_calls_signed_in_by_session_are_checked_for_csrf(personas: Personas) -> None:
    """DRF's session authentication checks the token; a token-authenticated call needs none."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.user("admin"), backend="django.contrib.auth.backends.ModelBackend")
    payload = {"first_name": "Hanane"}
    url = f"/api/v1/users/{personas.user('counsellor').pk}"
    refused = client.patch(url, payload, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    page = client.get(reverse("accounts:profile"))
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page.content.decode())
    assert token is not None
    accepted = client.patch(
        url, payload, content_type="application/json", HTTP_X_CSRFTOKEN=token.group(1)
    )
    assert accepted.status_code == 200


def test_a_form_without_its_token_gets_a_page_that_says_what_to_do(
    personas: Personas,
) -> None:
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(personas.user("admin"), backend="django.contrib.auth.backends.ModelBackend")
    answer = client.post(reverse("accounts:token_rotate"))
    assert answer.status_code == 403
    assert '<html lang="fr" dir="ltr">' in answer.content.decode()
    assert reverse("core:home") in answer.content.decode()
