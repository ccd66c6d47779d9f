"""Typed settings, read once from the environment.

Every field is documented in the README (a test keeps the two in step).
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_SECRET = "development-only-secret-change-me-0123456789"  # noqa: S105
ENVIRONMENTS = ("development", "production")
"""The only values `PASSERELLE_ENV` may take: a typo must not start a production site with development defaults."""
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})
DEVELOPMENT_SENDER = "Passerelle <no-reply@passerelle.invalid>"
"""The sender of development mails; production must name an address its mail relay accepts."""
LOG_FORMATS = ("text", "json")


@dataclass(frozen=True)
class OidcProviderSettings:
    """One OpenID Connect provider people may sign in with (their organisation's identity provider)."""

    key: str
    """Short name used in addresses: `/login/oidc/{key}`."""
    issuer: str
    client_id: str
    client_secret: str
    display_name: str
    link_by_email: bool = False
    """Sign an unlinked identity in to the account (or pending invitation) with its verified address.
    Only for a provider whose addresses the network vouches for (its own): any other could claim
    anyone's address. Otherwise people link the identity from their profile once signed in."""


class UnsafeSettingsError(RuntimeError):
    """Raised when production settings would run the app insecurely."""


def _env_bool(name: str, default: bool) -> bool:
    """A yes/no variable; anything but the usual words is refused rather than read as "no"."""
    value = os.environ.get(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise UnsafeSettingsError(f"{name} must be on or off (1/0, true/false, yes/no), not {value!r}")


def _env_environment() -> str:
    value = os.environ.get("PASSERELLE_ENV", "development")
    if value not in ENVIRONMENTS:
        raise UnsafeSettingsError(f"PASSERELLE_ENV must be one of {', '.join(ENVIRONMENTS)}, not {value!r}")
    return value


def _oidc_providers_from_env() -> tuple[OidcProviderSettings, ...]:
    """`OIDC_PROVIDERS=key1,key2`, then for each key `OIDC_{KEY}_ISSUER`, `_CLIENT_ID`, `_CLIENT_SECRET`, `_NAME`,
    `_LINK_BY_EMAIL`."""
    providers = []
    for raw_key in os.environ.get("OIDC_PROVIDERS", "").split(","):
        key = raw_key.strip().lower()
        if not key:
            continue
        prefix = f"OIDC_{key.upper().replace('-', '_')}_"
        try:
            issuer = os.environ[prefix + "ISSUER"].rstrip("/")
            client_id = os.environ[prefix + "CLIENT_ID"]
            client_secret = os.environ[prefix + "CLIENT_SECRET"]
        except KeyError as missing:
            raise UnsafeSettingsError(f"OIDC provider {key!r} needs {missing.args[0]}") from None
        name = os.environ.get(prefix + "NAME") or key
        link_by_email = _env_bool(prefix + "LINK_BY_EMAIL", False)
        providers.append(OidcProviderSettings(key, issuer, client_id, client_secret, name, link_by_email))
    return tuple(providers)


def _env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """A whole number at least `minimum`; anything else stops the app rather than being guessed at."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = int(value)
    except ValueError:
        raise UnsafeSettingsError(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise UnsafeSettingsError(f"{name} must be at least {minimum}, not {number}")
    return number


def _log_format(value: str | None, production: bool) -> str:
    chosen = (value or ("json" if production else "text")).strip().lower()
    if chosen not in LOG_FORMATS:
        raise UnsafeSettingsError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {value!r}")
    return chosen


def _trusted_proxies(value: str) -> tuple[str, ...]:
    """Comma-separated addresses or networks (`10.0.0.0/8`), each checked now rather than never matched."""
    proxies = tuple(part.strip() for part in value.split(",") if part.strip())
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise UnsafeSettingsError(f"TRUSTED_PROXIES: {proxy!r} is not an address or a network") from None
    return proxies


@dataclass(frozen=True)
class Settings:
    environment: str = "development"
    """`development` or `production`. Production refuses unsafe defaults."""
    database_url: str = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'passerelle.sqlite3'}"
    """SQLAlchemy async URL: `sqlite+aiosqlite:///path` (one machine) or `postgresql+asyncpg://...`."""
    secret_key: str = DEVELOPMENT_SECRET
    """Signs CSRF tokens. Must be a long random value in production."""
    base_url: str = "http://127.0.0.1:8000"
    """Public address of the site, used in invitation and password-reset links."""
    redis_url: str | None = None
    """Redis for live events and stores when several app processes run; unset on one machine."""
    secure_cookies: bool = False
    """Mark cookies Secure and use the `__Host-` prefix; forced on in production."""
    smtp_url: str | None = None
    """`smtp://user:password@host:port` for outgoing e-mail; unset writes mails to the log."""
    login_rate_limit: int = 10
    """Sign-in, sign-up and reset attempts allowed per minute and client address."""
    login_free_tries: int = 5
    """Wrong passwords per address and client (or device) before each further try must wait (30 s, doubling)."""
    login_address_free_tries: int = 50
    """Wrong passwords per address from browsers that never signed in to it, all clients together, before
    those must wait too (the person's own devices never do)."""
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    """Addresses or networks of the reverse proxies whose `X-Forwarded-For` names the client."""
    oidc_providers: tuple[OidcProviderSettings, ...] = ()
    """OpenID Connect providers, from `OIDC_PROVIDERS` and `OIDC_{KEY}_...` variables."""
    mail_from: str = DEVELOPMENT_SENDER
    """The sender of every mail (`Name <address>`): an address the SMTP relay accepts for this site."""
    db_pool_size: int = 10
    """Database connections each process keeps open (PostgreSQL; SQLite's readers)."""
    db_max_overflow: int = 10
    """Connections a process may open beyond the pool under load, closed again afterwards."""
    workers: int = 1
    """Web processes `passerelle serve` starts; more than one needs Redis."""
    run_jobs: bool = True
    """Web processes also run background jobs (exports, mail, clean-up); off when `passerelle worker` runs."""
    metrics_token: str | None = None
    """Bearer token that opens `/metrics`; unset, `/metrics` answers 404."""
    log_format: str = "text"
    """`text` (one readable line) or `json` (one object per line, for a log collector)."""
    notifications_kept_days: int = 180
    """Notifications are deleted this many days after they were made, read or not."""
    spent_links_kept_days: int = 30
    """Used or expired invitations and password-reset links are deleted this many days after."""
    debug: bool = False
    """Show tracebacks in the browser (development only)."""
    sql_echo: bool = False
    """Log every SQL statement."""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def session_cookie_name(self) -> str:
        return "__Host-passerelle_session" if self.secure_cookies else "passerelle_session"

    @property
    def device_cookie_name(self) -> str:
        """The sign-in throttle's mark of a browser that signed in before (accounts/throttle.py)."""
        return "__Host-passerelle_device" if self.secure_cookies else "passerelle_device"

    @classmethod
    def from_env(cls) -> Settings:
        environment = _env_environment()
        production = environment == "production"
        settings = cls(
            environment=environment,
            database_url=os.environ.get("DATABASE_URL", cls.database_url),
            secret_key=os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET),
            base_url=os.environ.get("BASE_URL", cls.base_url).rstrip("/"),
            redis_url=os.environ.get("REDIS_URL") or None,
            secure_cookies=_env_bool("SECURE_COOKIES", production),
            smtp_url=os.environ.get("SMTP_URL") or None,
            login_rate_limit=int(os.environ.get("LOGIN_RATE_LIMIT", "10")),
            login_free_tries=int(os.environ.get("LOGIN_FREE_TRIES", "5")),
            login_address_free_tries=int(os.environ.get("LOGIN_ADDRESS_FREE_TRIES", "50")),
            trusted_proxies=_trusted_proxies(os.environ.get("TRUSTED_PROXIES", "127.0.0.1,::1")),
            mail_from=os.environ.get("MAIL_FROM") or DEVELOPMENT_SENDER,
            db_pool_size=_env_int("DB_POOL_SIZE", 10, minimum=1),
            db_max_overflow=_env_int("DB_MAX_OVERFLOW", 10),
            workers=_env_int("WORKERS", 1, minimum=1),
            run_jobs=_env_bool("RUN_JOBS", True),
            metrics_token=os.environ.get("METRICS_TOKEN") or None,
            log_format=_log_format(os.environ.get("LOG_FORMAT"), production),
            notifications_kept_days=_env_int("NOTIFICATIONS_KEPT_DAYS", 180, minimum=1),
            spent_links_kept_days=_env_int("SPENT_LINKS_KEPT_DAYS", 30, minimum=1),
            oidc_providers=_oidc_providers_from_env(),
            debug=_env_bool("DEBUG", False),
            sql_echo=_env_bool("SQL_ECHO", False),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse an unknown environment, several workers without Redis, and production with a development
        secret, cookies over plain HTTP, no mail server or sender, or a guessable metrics token."""
        if self.environment not in ENVIRONMENTS:
            known = ", ".join(ENVIRONMENTS)
            raise UnsafeSettingsError(f"the environment must be one of {known}, not {self.environment!r}")
        if self.workers > 1 and not self.redis_url:
            raise UnsafeSettingsError(
                f"WORKERS={self.workers} needs REDIS_URL: without Redis each process keeps its own live events and "
                "sign-in counts, so pages served by one never hear of changes made through another"
            )
        if self.metrics_token is not None and len(self.metrics_token) < 16:
            raise UnsafeSettingsError("METRICS_TOKEN must have at least 16 characters")
        if not self.is_production:
            return
        if self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32:
            raise UnsafeSettingsError("SECRET_KEY must be set to a random value of at least 32 characters")
        if not self.secure_cookies:
            raise UnsafeSettingsError("SECURE_COOKIES cannot be turned off in production")
        if not self.base_url.startswith("https://"):
            raise UnsafeSettingsError("BASE_URL must start with https:// in production")
        if self.debug:
            raise UnsafeSettingsError("DEBUG cannot be on in production")
        if not self.smtp_url:
            raise UnsafeSettingsError(
                "SMTP_URL must be set in production: invitations and password resets are mailed (without a mail "
                "server they would only be written to the log, links included)"
            )
        if self.mail_from == DEVELOPMENT_SENDER or "@" not in self.mail_from:
            raise UnsafeSettingsError("MAIL_FROM must be set in production to an address your mail relay accepts")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
