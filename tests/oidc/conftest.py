"""A real OpenID Connect provider for this package's tests, and the app configured to use it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.oidc.provider import Client, RunningProvider, run_provider
from workspace.settings import OidcProviderSettings, Settings

BASE_URL = "http://testserver.local"
CLIENT = Client(
    "passerelle",
    "client-secret-0123456789-abcdefghij",
    (f"{BASE_URL}/login/oidc/partner/callback", f"{BASE_URL}/login/oidc/lille/callback"),
)
SHORT_CODES = Client("short-codes", "client-secret-short-codes-0123456789", (f"{BASE_URL}/login/oidc/slow/callback",))
"""A client whose authorization codes expire after one second (see provider.mjs)."""


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[RunningProvider]:
    with run_provider([CLIENT, SHORT_CODES]) as provider:
        yield provider


@pytest.fixture
def provider_settings(oidc_provider: RunningProvider) -> OidcProviderSettings:
    return OidcProviderSettings(
        key="partner",
        issuer=oidc_provider.issuer,
        client_id=CLIENT.client_id,
        client_secret=CLIENT.client_secret,
        display_name="Réseau Passerelle",
        link_by_email=True,  # the network's own provider: it vouches for the addresses it confirms
    )


@pytest.fixture
def partner_settings(provider_settings: OidcProviderSettings) -> OidcProviderSettings:
    """An organisation's provider, not trusted with addresses (the default)."""
    return OidcProviderSettings(
        key="lille",
        issuer=provider_settings.issuer,
        client_id=CLIENT.client_id,
        client_secret=CLIENT.client_secret,
        display_name="Ville de Lille",
    )


@pytest.fixture
def settings(
    database_url: str, provider_settings: OidcProviderSettings, partner_settings: OidcProviderSettings
) -> Settings:
    slow = OidcProviderSettings(
        key="slow",
        issuer=provider_settings.issuer,
        client_id=SHORT_CODES.client_id,
        client_secret=SHORT_CODES.client_secret,
        display_name="Provincie West-Vlaanderen",
        link_by_email=True,
    )
    return Settings(
        database_url=database_url,
        login_rate_limit=1000,
        base_url=BASE_URL,
        oidc_providers=(provider_settings, slow, partner_settings),
    )
