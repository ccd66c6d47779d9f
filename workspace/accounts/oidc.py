"""OpenID Connect sign-in: the authorization code flow with PKCE, state and nonce, and the ID token checks.

The provider's metadata and keys are read from its discovery document and cached per app. Each step
that can fail raises `OidcError` with a reason code the refusal page explains; nothing about the token
is shown to the person.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from workspace.settings import OidcProviderSettings

SCOPE = "openid email profile"
SIGNING_ALGORITHMS = ("RS256", "PS256", "ES256", "EdDSA")
CLOCK_LEEWAY = 60
HTTP_TIMEOUT = 10.0


class OidcError(Exception):
    """The sign-in cannot go on; `reason` is one of: state, provider, token, unavailable."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class PendingSignIn:
    """What the callback must match, kept in the person's server-side session between the two steps."""

    provider: str
    state: str
    nonce: str
    code_verifier: str
    next: str = "/"
    linking_user: str = ""
    """Set when a signed-in person links this provider from their profile: their account's id."""

    def as_dict(self) -> dict[str, str]:
        return {
            "provider": self.provider,
            "state": self.state,
            "nonce": self.nonce,
            "code_verifier": self.code_verifier,
            "next": self.next,
            "linking_user": self.linking_user,
        }

    @classmethod
    def from_dict(cls, data: Any) -> PendingSignIn | None:
        if not isinstance(data, dict):
            return None
        try:
            fields = {name: str(data[name]) for name in ("provider", "state", "nonce", "code_verifier", "next")}
        except KeyError:
            return None
        return cls(**fields, linking_user=str(data.get("linking_user") or ""))


@dataclass
class OidcClients:
    """The configured providers, their discovery documents and keys (cached), and the HTTP transport."""

    providers: dict[str, OidcProviderSettings]
    transport: httpx.AsyncBaseTransport | None = None
    """Tests put a transport here to tamper with what the provider answers."""
    now: Any = None
    """Tests set a callable returning the current timestamp to check expiry; None is the real clock."""
    _metadata: dict[str, dict[str, Any]] = field(default_factory=dict)
    _keys: dict[str, KeySet] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, providers: tuple[OidcProviderSettings, ...]) -> OidcClients:
        return cls(providers={provider.key: provider for provider in providers})

    def get(self, key: str) -> OidcProviderSettings | None:
        return self.providers.get(key)

    def _http(self, provider: OidcProviderSettings, redirect_uri: str | None = None) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            scope=SCOPE,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic",  # noqa: S106 - a method name
            transport=self.transport,
            timeout=HTTP_TIMEOUT,
        )

    async def metadata(self, provider: OidcProviderSettings) -> dict[str, Any]:
        if provider.key not in self._metadata:
            async with self._http(provider) as http:
                try:
                    response = await http.request(
                        "GET", f"{provider.issuer}/.well-known/openid-configuration", withhold_token=True
                    )
                    response.raise_for_status()
                    metadata = response.json()
                except (httpx.HTTPError, ValueError) as error:
                    raise OidcError("unavailable", str(error)) from error
            if not isinstance(metadata, dict) or metadata.get("issuer") != provider.issuer:
                raise OidcError("provider", "the discovery document names another issuer")
            self._metadata[provider.key] = metadata
        return self._metadata[provider.key]

    async def _key_set(self, provider: OidcProviderSettings, *, refresh: bool = False) -> KeySet:
        if refresh or provider.key not in self._keys:
            metadata = await self.metadata(provider)
            async with self._http(provider) as http:
                try:
                    response = await http.request("GET", metadata["jwks_uri"], withhold_token=True)
                    response.raise_for_status()
                    self._keys[provider.key] = KeySet.import_key_set(response.json())
                except (httpx.HTTPError, ValueError, KeyError, JoseError) as error:
                    raise OidcError("unavailable", str(error)) from error
        return self._keys[provider.key]

    async def begin(
        self, provider: OidcProviderSettings, redirect_uri: str, next_path: str, *, linking_user: str = ""
    ) -> tuple[str, PendingSignIn]:
        """The provider's authorization address to send the person to, and what to keep until they return."""
        metadata = await self.metadata(provider)
        pending = PendingSignIn(
            provider=provider.key,
            state=generate_token(32),
            nonce=generate_token(32),
            code_verifier=generate_token(64),
            next=next_path,
            linking_user=linking_user,
        )
        async with self._http(provider, redirect_uri) as http:
            url, _state = http.create_authorization_url(
                metadata["authorization_endpoint"],
                state=pending.state,
                nonce=pending.nonce,
                code_verifier=pending.code_verifier,
            )
        return url, pending

    async def finish(
        self, provider: OidcProviderSettings, pending: PendingSignIn, params: dict[str, str], redirect_uri: str
    ) -> dict[str, Any]:
        """Check the callback, exchange the code (with the PKCE verifier) and return the ID token's claims."""
        if pending.provider != provider.key or not hmac.compare_digest(pending.state, params.get("state", "")):
            raise OidcError("state")
        if "error" in params:
            raise OidcError("provider", params.get("error", ""))
        metadata = await self.metadata(provider)
        if "iss" in params and params["iss"] != provider.issuer:
            raise OidcError("provider", "the callback names another issuer")  # RFC 9207 mix-up defence
        code = params.get("code", "")
        if not code:
            raise OidcError("provider", "no code")
        async with self._http(provider, redirect_uri) as http:
            try:
                token = await http.fetch_token(
                    metadata["token_endpoint"],
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=pending.code_verifier,
                )
            except OAuthError as error:
                raise OidcError("provider", str(error)) from error
            except (httpx.HTTPError, ValueError) as error:
                raise OidcError("unavailable", str(error)) from error
            id_token = token.get("id_token")
            if not isinstance(id_token, str):
                raise OidcError("token", "no id_token")
            claims = await self.verify_id_token(provider, id_token, nonce=pending.nonce)
            if "email" not in claims and metadata.get("userinfo_endpoint"):
                claims = await self._with_userinfo(http, metadata["userinfo_endpoint"], claims)
        return claims

    @staticmethod
    async def _with_userinfo(http: AsyncOAuth2Client, endpoint: str, claims: dict[str, Any]) -> dict[str, Any]:
        """Providers may keep e-mail and name out of the ID token: read them from userinfo, for the same subject."""
        try:
            response = await http.get(endpoint)
            response.raise_for_status()
            userinfo = response.json()
        except (OAuthError, httpx.HTTPError, ValueError) as error:
            raise OidcError("unavailable", str(error)) from error
        if not isinstance(userinfo, dict) or userinfo.get("sub") != claims["sub"]:
            raise OidcError("token", "userinfo is about another subject")
        return {**userinfo, **claims}

    async def verify_id_token(self, provider: OidcProviderSettings, id_token: str, *, nonce: str) -> dict[str, Any]:
        """Signature (against the provider's keys), issuer, audience, expiry and nonce."""
        keys = await self._key_set(provider)
        try:
            try:
                decoded = jwt.decode(id_token, keys, algorithms=SIGNING_ALGORITHMS)
            except JoseError:
                # The provider may have rotated its keys since we cached them: read them once more.
                keys = await self._key_set(provider, refresh=True)
                decoded = jwt.decode(id_token, keys, algorithms=SIGNING_ALGORITHMS)
            registry = jwt.JWTClaimsRegistry(
                now=self.now or (lambda: int(time.time())),
                leeway=CLOCK_LEEWAY,
                iss={"essential": True, "value": provider.issuer},
                aud={"essential": True, "value": provider.client_id},
                sub={"essential": True},
                exp={"essential": True},
                iat={"essential": True},
                nonce={"essential": True, "value": nonce},
            )
            registry.validate(decoded.claims)
        except (JoseError, ValueError) as error:
            raise OidcError("token", str(error)) from error
        claims = dict(decoded.claims)
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != provider.client_id:
            raise OidcError("token", "azp does not name this client")
        return claims
