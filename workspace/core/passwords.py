"""argon2id password hashing (at least 19 MiB and 2 iterations, OWASP's minimum)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import Type
from litestar.concurrency import sync_to_thread

hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, type=Type.ID)

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
# Verified when the e-mail is unknown, so a wrong address costs as long as a wrong password.
_DUMMY_HASH = hasher.hash("passerelle-dummy-password")


def hash_password_sync(password: str) -> str:
    return hasher.hash(password)


async def hash_password(password: str) -> str:
    """Hash off the event loop: argon2 is deliberately slow."""
    return await sync_to_thread(hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    def _verify() -> bool:
        try:
            return hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await sync_to_thread(_verify)
