"""Security baseline: headers and CSP on every response, production refuses unsafe settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import post_form
from workspace.settings import DEVELOPMENT_SECRET, PROJECT_ROOT, Settings, UnsafeSettingsError

TEMPLATES = sorted((PROJECT_ROOT / "templates").rglob("*.html"))


@pytest.mark.sqlite_only
@pytest.mark.parametrize("path", ["/", "/login", "/no-such-page", "/static/app.css"])
async def test_every_response_carries_the_security_headers(client, path):
    response = await client.get(path)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


@pytest.mark.sqlite_only
async def test_htmx_is_configured_for_a_strict_csp(client):
    page = await client.get("/login")
    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'", page.text).group(1)
    for setting in ('"allowEval":false', '"allowScriptTags":false', '"includeIndicatorStyles":false'):
        assert setting in config
    assert '"historyCacheSize":0' in config


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(PROJECT_ROOT)))
def test_templates_have_no_inline_script_style_or_handlers(template: Path):
    text = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", text), "inline event handler"
    assert not re.search(r"\sstyle\s*=", text), "inline style attribute"
    assert "hx-on" not in text


@pytest.mark.sqlite_only
async def test_an_unsafe_request_without_csrf_token_is_refused(client):
    await client.get("/")
    response = await client.post("/language", data={"language": "nl"})
    assert response.status_code == 403


@pytest.mark.sqlite_only
async def test_an_unsafe_request_with_the_htmx_header_token_is_accepted(client):
    page = await client.get("/login")
    token = re.search(r'"x-csrftoken": "([^"]+)"', page.text).group(1)
    response = await client.post(
        "/language", data={"language": "nl", "next": "/"}, headers={"x-csrftoken": token}, follow_redirects=False
    )
    assert response.status_code == 303


@pytest.mark.sqlite_only
async def test_a_language_change_with_a_foreign_next_stays_on_site(client):
    response = await post_form(client, "/language", {"language": "nl", "next": "https://evil.example/"})
    assert response.headers["location"] == "/"


def production(**overrides) -> Settings:
    values = {
        "environment": "production",
        "secret_key": "s" * 48,
        "secure_cookies": True,
        "base_url": "https://passerelle.example.org",
        "smtp_url": "smtp://127.0.0.1:1",
        "mail_from": "Passerelle <passerelle@passerelle.example.org>",
    }
    return Settings(**{**values, **overrides})


def test_production_refuses_the_development_secret():
    with pytest.raises(UnsafeSettingsError):
        production(secret_key=DEVELOPMENT_SECRET).check()


def test_production_refuses_cookies_without_https():
    with pytest.raises(UnsafeSettingsError):
        production(secure_cookies=False).check()
    with pytest.raises(UnsafeSettingsError):
        production(base_url="http://passerelle.example.org").check()


def test_production_settings_from_the_environment_turn_secure_cookies_on(monkeypatch):
    monkeypatch.setenv("PASSERELLE_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("BASE_URL", "https://passerelle.example.org")
    monkeypatch.setenv("SMTP_URL", "smtp://127.0.0.1:1")
    monkeypatch.setenv("MAIL_FROM", "Passerelle <passerelle@passerelle.example.org>")
    settings = Settings.from_env()
    assert settings.secure_cookies
    assert settings.session_cookie_name.startswith("__Host-")
    monkeypatch.delenv("SECRET_KEY")
    with pytest.raises(UnsafeSettingsError):
        Settings.from_env()


@pytest.mark.sqlite_only
async def test_production_cookies_are_secure_with_the_host_prefix(database_url):
    from litestar.testing import AsyncTestClient

    from workspace.app import create_app

    app = create_app(production(database_url=database_url))
    async with AsyncTestClient(app=app, base_url="https://testserver.local") as client:
        response = await client.get("/login")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-csrftoken=")
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_every_setting_is_documented_in_the_readme():
    readme = (PROJECT_ROOT / "README.md").read_text()
    source = (PROJECT_ROOT / "workspace" / "settings.py").read_text()
    variables = set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', source)) | set(
        re.findall(r'_env_(?:bool|int)\("([A-Z_]+)"', source)
    )
    assert variables
    for variable in variables:
        assert f"`{variable}`" in readme, variable
