"""Acting as a person in the app: reading forms' CSRF tokens, signing in."""

from __future__ import annotations

import re
from typing import Any

from httpx import Response
from litestar.testing import AsyncTestClient

from tests.factories import PASSWORD
from workspace.accounts.models import User

_TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def csrf_token(client: AsyncTestClient[Any], path: str = "/login") -> str:
    response = await client.get(path)
    match = _TOKEN.search(response.text)
    assert match, f"no CSRF token in {path} ({response.status_code})"
    return match.group(1)


async def post_form(
    client: AsyncTestClient[Any],
    path: str,
    data: dict[str, str],
    *,
    token_from: str = "/",  # noqa: S107 - a page path, not a secret
) -> Response:
    token = await csrf_token(client, token_from)
    return await client.post(path, data={**data, "_csrf_token": token}, follow_redirects=False)


async def sign_in(client: AsyncTestClient[Any], user: User | str, password: str = PASSWORD) -> Response:
    email = user if isinstance(user, str) else user.email
    response = await post_form(client, "/login", {"email": email, "password": password}, token_from="/login")
    assert response.status_code == 303, response.text[:500]
    return response


def headings(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)]


async def open_session(db: Any, user: User) -> str:
    """A signed-in session stored as the app stores one, without paying argon2 for each of hundreds of voters.

    Returns the session id to put in the session cookie. Sign-in itself is tested in tests/accounts.
    """
    import json
    import secrets
    from datetime import UTC, datetime, timedelta

    from workspace.accounts.middleware import SESSION_USER_KEY
    from workspace.accounts.models import StoredSession

    key = secrets.token_hex(32)
    value = json.dumps({SESSION_USER_KEY: str(user.id)}).encode()
    async with db.transaction() as session:
        session.add(StoredSession(key=key, value=value, expires_at=datetime.now(UTC) + timedelta(hours=1)))
    return key
