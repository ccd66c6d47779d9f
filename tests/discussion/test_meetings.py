"""A working group records its meetings, with minutes and the recommendations discussed."""

from __future__ import annotations

from sqlalchemy import select

from tests.discussion.support import discussion_room
from tests.helpers import sign_in
from workspace.cycles.models import Meeting


async def test_a_member_records_a_meeting_with_minutes_and_the_recommendations_discussed(client, db):
    room = await discussion_room(db)
    group = room.cycle.groups[0]
    await sign_in(client, room.member)
    form_page = await client.get(f"/groups/{group.id}/meetings/new")
    assert form_page.status_code == 200
    token = form_page.text.split('name="_csrf_token" value="')[1].split('"')[0]
    data = {
        "_csrf_token": token,
        "kind": "site_visit",
        "held_on": "2026-03-14",
        "place": "Tournai",
        "minutes": "Visite du **CPAS**.",
        "recommendations": str(room.recommendation.id),
    }
    response = await client.post(f"/groups/{group.id}/meetings", data=data, follow_redirects=False)
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "<strong>CPAS</strong>" in page.text
    assert room.recommendation.title in page.text
    listing = await client.get(f"/groups/{group.id}/meetings")
    assert "Site visit" in listing.text


async def test_a_bad_date_comes_back_with_the_minutes_kept_and_outsiders_see_nothing(client, db):
    room = await discussion_room(db)
    group = room.cycle.groups[0]
    await sign_in(client, room.member)
    form_page = await client.get(f"/groups/{group.id}/meetings/new")
    token = form_page.text.split('name="_csrf_token" value="')[1].split('"')[0]
    data = {"_csrf_token": token, "kind": "meeting", "held_on": "14 mars", "minutes": "Notes précieuses"}
    response = await client.post(f"/groups/{group.id}/meetings", data=data)
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.text
    assert "Notes précieuses" in response.text
    await sign_in(client, room.outsider)
    assert (await client.get(f"/groups/{group.id}/meetings")).status_code == 404
    async with db.session(write=False) as session:
        assert (await session.scalars(select(Meeting))).all() == []
