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
