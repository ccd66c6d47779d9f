"""One check decides where people may be sent after signing in, changing language or opening a
notification: a path of this site, never another site however the address is disguised."""

from __future__ import annotations

import pytest

from tests.discussion.support import discussion_room
from tests.helpers import post_form, sign_in
from workspace.core.web import safe_next
from workspace.discussion.models import Notification

DISGUISED = [
    "//evil.example/",
    "/\\evil.example",
    "/\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    " /evil",
    "https://evil.example/",
    "javascript:alert(1)",
    "",
    None,
]


@pytest.mark.parametrize("target", DISGUISED)
def test_a_disguised_address_of_another_site_is_refused(target):
    assert safe_next(target, "/fallback") == "/fallback"


def test_a_path_of_this_site_is_kept_with_its_query_and_anchor():
    assert safe_next("/recommendations/1?tab=discussion#comment-2") == "/recommendations/1?tab=discussion#comment-2"


@pytest.mark.parametrize("link", ["/\\evil.example", "//evil.example", "/\t/evil.example", "https://evil.example"])
async def test_opening_a_notification_never_leaves_the_site(client, db, link):
    room = await discussion_room(db)
    async with db.transaction() as session:
        notification = Notification(user_id=room.member.id, kind="comment", params={}, link=link)
        session.add(notification)
    await sign_in(client, room.member)
    response = await post_form(client, f"/inbox/{notification.id}/open", {}, token_from="/inbox")
    assert response.status_code == 303
    assert response.headers["location"] == "/inbox"
