"""Settings read from the environment: a typo is refused at start, never read as a safe-looking default."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from workspace.settings import PROJECT_ROOT, Settings, UnsafeSettingsError


@pytest.mark.parametrize("typo", ["prod", "Production", "production ", "dev", "staging"])
def test_an_unknown_environment_name_is_refused(monkeypatch, typo):
    monkeypatch.setenv("PASSERELLE_ENV", typo)
    with pytest.raises(UnsafeSettingsError, match="PASSERELLE_ENV"):
        Settings.from_env()
    with pytest.raises(UnsafeSettingsError):
        Settings(environment=typo).check()


def test_the_known_environment_names_are_accepted(monkeypatch):
    monkeypatch.setenv("PASSERELLE_ENV", "development")
    assert Settings.from_env().environment == "development"
    monkeypatch.delenv("PASSERELLE_ENV")
    assert not Settings.from_env().is_production


@pytest.mark.parametrize("typo", ["ture", "of", "enabled"])
def test_an_unreadable_yes_or_no_is_refused(monkeypatch, typo):
    monkeypatch.setenv("SECURE_COOKIES", typo)
    with pytest.raises(UnsafeSettingsError, match="SECURE_COOKIES"):
        Settings.from_env()


def test_the_server_does_not_start_with_a_mistyped_environment(tmp_path):
    env = {**os.environ, "PASSERELLE_ENV": "prod", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "-m", "workspace.cli", "serve", "--port", "1"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode != 0
    assert "PASSERELLE_ENV must be one of development, production, not 'prod'" in result.stderr
    assert "is running" not in result.stdout


def test_trusted_proxies_are_read_as_addresses_and_networks(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "10.20.0.0/16, 192.0.2.7,::1")
    assert Settings.from_env().trusted_proxies == ("10.20.0.0/16", "192.0.2.7", "::1")
    monkeypatch.setenv("TRUSTED_PROXIES", "10.20.0.0/16,proxy.internal")
    with pytest.raises(UnsafeSettingsError, match="TRUSTED_PROXIES"):
        Settings.from_env()


def test_an_identity_provider_links_by_email_only_when_told(monkeypatch):
    monkeypatch.setenv("OIDC_PROVIDERS", "reseau,lille")
    for key in ("RESEAU", "LILLE"):
        monkeypatch.setenv(f"OIDC_{key}_ISSUER", f"https://{key.lower()}.example")
        monkeypatch.setenv(f"OIDC_{key}_CLIENT_ID", "passerelle")
        monkeypatch.setenv(f"OIDC_{key}_CLIENT_SECRET", "s" * 32)
    monkeypatch.setenv("OIDC_RESEAU_LINK_BY_EMAIL", "on")
    providers = {provider.key: provider for provider in Settings.from_env().oidc_providers}
    assert providers["reseau"].link_by_email
    assert not providers["lille"].link_by_email
