"""The sign-in throttle: it slows down whoever guesses passwords, not the person whose address is guessed.

Every try is counted, before its password is checked, against keys that name the address and where the
try comes from:
- the address and the client address (or, with the device cookie of a browser that already signed in to
  this address, that device): a few free tries, then each further one must wait, 30 s and doubling up to
  an hour. A stranger's wrong passwords from elsewhere never hold up the person on her own device;
- the address alone, for tries from browsers that never signed in to it: a larger allowance shared by
  every client address, then the same growing waits. A guesser spread over many client addresses is
  slowed down once they add up, while the person's own devices (and a password reset, which marks the
  browser) still get in.

Counting first, in one atomic step for all the keys (a Lua script in Redis; plain code without an
await in memory), means a burst of parallel guesses gets no more tries than allowed. The counts live in
Redis when `REDIS_URL` is set (shared by every process; in each process's memory while Redis is away)
and in memory otherwise; never in the request's database transaction, which a refusal does not commit.
Unknown addresses are counted exactly as known ones, so the answers do not tell whether an address has
an account.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from workspace.core.redis import UNREACHABLE, RedisLink

FIRST_WAIT = 30.0
LONGEST_WAIT = 3600.0
MEMORY = 24 * 3600.0
"""A key is forgotten this long after its last try."""
DEVICE_COOKIE_ENTRIES = 5
"""A browser remembers the last few addresses it signed in to."""


@dataclass(frozen=True)
class Key:
    name: str
    free: int
    """Tries allowed before each further one must wait."""


@dataclass(frozen=True)
class Reservation:
    allowed: bool
    wait_until: float
    """Unix time before which the next try is refused (0: no wait); for a refused try, when to come back."""

    def seconds_left(self, now: float) -> int:
        return max(1, round(self.wait_until - now)) if self.wait_until > now else 0


class Counters(Protocol):
    async def reserve(self, keys: Sequence[Key], now: float) -> Reservation: ...

    async def forget(self, key: Key) -> None: ...

    async def refund(self, key: Key) -> None: ...


def wait_after(failures: int, free: int) -> float:
    if failures < free:
        return 0.0
    return min(FIRST_WAIT * 2 ** (failures - free), LONGEST_WAIT)


class MemoryCounters:
    """One process's counts (a bounded table: the oldest keys go first when it is full)."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._rows: OrderedDict[str, list[float]] = OrderedDict()  # name -> [failures, wait_until, expires]
        self._max_keys = max_keys

    def _row(self, name: str, now: float) -> list[float]:
        row = self._rows.get(name)
        if row is None or row[2] <= now:
            row = [0.0, 0.0, 0.0]
        return row

    async def reserve(self, keys: Sequence[Key], now: float) -> Reservation:
        # No await from here to the end: nothing else runs in between, so the step is atomic.
        rows = [self._row(key.name, now) for key in keys]
        blocked = max((row[1] for row in rows), default=0.0)
        if blocked > now:
            return Reservation(allowed=False, wait_until=blocked)
        wait_until = 0.0
        for key, row in zip(keys, rows, strict=True):
            row[0] += 1
            wait = wait_after(int(row[0]), key.free)
            row[1] = now + wait if wait else 0.0
            row[2] = now + MEMORY
            wait_until = max(wait_until, row[1])
            self._rows[key.name] = row
            self._rows.move_to_end(key.name)
        while len(self._rows) > self._max_keys:
            self._rows.popitem(last=False)
        return Reservation(allowed=True, wait_until=wait_until)

    async def forget(self, key: Key) -> None:
        self._rows.pop(key.name, None)

    async def refund(self, key: Key) -> None:
        row = self._rows.get(key.name)
        if row is not None and row[0] > 0:
            row[0] -= 1


_RESERVE = """
local now = tonumber(ARGV[1])
local memory = tonumber(ARGV[2])
local first, longest = tonumber(ARGV[3]), tonumber(ARGV[4])
local blocked = 0
for i, key in ipairs(KEYS) do
  local wait_until = tonumber(redis.call('HGET', key, 'wait_until') or '0')
  if wait_until > blocked then blocked = wait_until end
end
if blocked > now then return {0, tostring(blocked)} end
local result = 0
for i, key in ipairs(KEYS) do
  local free = tonumber(ARGV[4 + i])
  local failures = redis.call('HINCRBY', key, 'failures', 1)
  local wait_until = 0
  if failures >= free then
    wait_until = now + math.min(first * 2 ^ (failures - free), longest)
  end
  redis.call('HSET', key, 'wait_until', tostring(wait_until))
  redis.call('PEXPIRE', key, math.floor(memory * 1000))
  if wait_until > result then result = wait_until end
end
return {1, tostring(result)}
"""

_REFUND = """
local failures = tonumber(redis.call('HGET', KEYS[1], 'failures') or '0')
if failures > 0 then redis.call('HINCRBY', KEYS[1], 'failures', -1) end
return 1
"""


class RedisCounters:
    """Counts shared by every app process, each step one Lua script (atomic in Redis)."""

    def __init__(self, redis: Any, namespace: str = "passerelle-sign-in") -> None:
        self._redis = redis
        self._namespace = namespace
        self._reserve = redis.register_script(_RESERVE)
        self._refund = redis.register_script(_REFUND)

    def _name(self, key: Key) -> str:
        return f"{self._namespace}:{key.name}"

    async def reserve(self, keys: Sequence[Key], now: float) -> Reservation:
        args = [now, MEMORY, FIRST_WAIT, LONGEST_WAIT, *(key.free for key in keys)]
        allowed, wait_until = await self._reserve(keys=[self._name(key) for key in keys], args=args)
        return Reservation(allowed=bool(int(allowed)), wait_until=float(wait_until))

    async def forget(self, key: Key) -> None:
        await self._redis.delete(self._name(key))

    async def refund(self, key: Key) -> None:
        await self._refund(keys=[self._name(key)])


class FallbackCounters:
    """Counts in Redis, and in this process's memory while Redis is away (`core.redis.RedisLink` says so
    in the log): sign-in keeps working, each process counting for itself until Redis answers again."""

    def __init__(self, link: RedisLink, primary: Counters, fallback: Counters) -> None:
        self.link = link
        self.primary = primary
        self.fallback = fallback

    async def _call(self, name: str, *args: Any) -> Any:
        if self.link.worth_trying():
            try:
                result = await getattr(self.primary, name)(*args)
            except UNREACHABLE as error:
                self.link.failed(error)
            else:
                self.link.answered()
                return result
        return await getattr(self.fallback, name)(*args)

    async def reserve(self, keys: Sequence[Key], now: float) -> Reservation:
        return await self._call("reserve", keys, now)

    async def forget(self, key: Key) -> None:
        await self._call("forget", key)

    async def refund(self, key: Key) -> None:
        await self._call("refund", key)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Attempt:
    """Where one try comes from and which keys count it."""

    personal: Key
    shared: Key | None
    """The address-wide key, for browsers that never signed in to the address."""

    @property
    def keys(self) -> list[Key]:
        return [self.personal] + ([self.shared] if self.shared else [])


class DeviceCookie:
    """A signed mark left in a browser that signed in to an address: "this browser knew the password".

    The value lists a few entries `address-digest.nonce.signature`; nothing in it names the person."""

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def _sign(self, body: str) -> str:
        return hmac.new(self._secret, body.encode(), hashlib.sha256).hexdigest()[:32]

    def entries(self, value: str | None) -> list[tuple[str, str]]:
        found = []
        for entry in (value or "").split("|")[:DEVICE_COOKIE_ENTRIES]:
            parts = entry.split(".")
            if len(parts) == 3 and hmac.compare_digest(self._sign(f"{parts[0]}.{parts[1]}"), parts[2]):
                found.append((parts[0], parts[1]))
        return found

    def device_for(self, value: str | None, address: str) -> str | None:
        digest = _digest(address)
        return next((nonce for owner, nonce in self.entries(value) if owner == digest), None)

    def with_address(self, value: str | None, address: str) -> str:
        digest = _digest(address)
        nonce = self.device_for(value, address) or secrets.token_urlsafe(12)
        others = [(owner, other) for owner, other in self.entries(value) if owner != digest]
        kept = [(digest, nonce), *others][:DEVICE_COOKIE_ENTRIES]
        return "|".join(f"{owner}.{n}.{self._sign(f'{owner}.{n}')}" for owner, n in kept)


class SignInThrottle:
    def __init__(
        self,
        counters: Counters,
        *,
        free_tries: int,
        address_free_tries: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.counters = counters
        self.free_tries = free_tries
        self.address_free_tries = address_free_tries
        self.clock = clock
        """Tests move time forward here."""

    def attempt(self, address: str, client: str, device: str | None) -> Attempt:
        digest = _digest(address)
        if device is not None:
            return Attempt(personal=Key(f"device:{digest}:{device}", self.free_tries), shared=None)
        return Attempt(
            personal=Key(f"client:{digest}:{_digest(client)}", self.free_tries),
            shared=Key(f"address:{digest}", self.address_free_tries),
        )

    async def reserve(self, attempt: Attempt) -> Reservation:
        """Count the try now, before its password is checked; refused while a key must wait."""
        return await self.counters.reserve(attempt.keys, self.clock())

    async def succeeded(self, attempt: Attempt) -> None:
        """The password was right: this client or device starts afresh; the address-wide count gives the
        try back but keeps the others (a stranger's guesses elsewhere do not vanish with her sign-in)."""
        await self.counters.forget(attempt.personal)
        if attempt.shared is not None:
            await self.counters.refund(attempt.shared)
