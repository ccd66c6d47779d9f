"""The JSON API a kiosk or a phone uses to cast and read one's ballot."""

from __future__ import annotations

from sqlalchemy import select, update

from tests.helpers import sign_in
from tests.voting.support import voting_room
from workspace.accounts.models import Language, User
from workspace.cycles.models import Phase
from workspace.voting.models import Ballot


async def api_sign_in(client, user) -> dict[str, str]:
    await sign_in(client, user)
    session = await client.get("/api/session")
    assert session.status_code == 200
    assert session.json()["user_id"] == str(user.id)
    return {"x-csrftoken": session.json()["csrf_token"]}


async def test_a_member_casts_and_reads_their_ballot_through_the_api(client, db):
    room = await voting_room(db)
    headers = await api_sign_in(client, room.voters["vl"][0])
    path = f"/api/recommendations/{room.recommendation.id}/ballot"
    before = await client.get(path)
    assert before.json()["choice"] is None
    assert before.json()["may_vote"]

    response = await client.put(path, json={"choice": "against", "reason": "Te duur"}, headers=headers)
    assert response.status_code == 200, response.text
    again = await client.put(path, json={"choice": "against", "reason": "Te duur"}, headers=headers)
    assert again.status_code == 200
    mine = (await client.get(path)).json()
    assert (mine["choice"], mine["reason"]) == ("against", "Te duur")
    async with db.session(write=False) as session:
        assert len((await session.scalars(select(Ballot))).all()) == 1


async def test_the_api_refuses_bad_ballots_with_reasons_by_field(client, db):
    room = await voting_room(db)
    headers = await api_sign_in(client, room.voters["fr"][0])
    path = f"/api/recommendations/{room.recommendation.id}/ballot"
    blocked = await client.put(path, json={"choice": "block"}, headers=headers)
    assert blocked.status_code == 400
    assert "reason" in blocked.json()["errors"]
    unknown = await client.put(path, json={"choice": "maybe"}, headers=headers)
    assert unknown.status_code == 400
    assert (await client.get(path)).json()["choice"] is None


async def test_the_api_needs_a_session_and_a_csrf_token(client, db):
    room = await voting_room(db)
    path = f"/api/recommendations/{room.recommendation.id}/ballot"
    assert (await client.get(path)).status_code == 401
    await sign_in(client, room.voters["fr"][0])
    refused = await client.put(path, json={"choice": "for"})
    assert refused.status_code == 403
    assert (await client.get(path)).json()["choice"] is None


async def test_the_api_says_when_the_vote_is_not_open(client, db):
    room = await voting_room(db, phase=Phase.DISCUSSION)
    headers = await api_sign_in(client, room.voters["fr"][0])
    response = await client.put(
        f"/api/recommendations/{room.recommendation.id}/ballot", json={"choice": "for"}, headers=headers
    )
    assert response.status_code == 409
    assert "not open" in response.json()["detail"]


async def test_the_openapi_schema_documents_the_ballot_api_and_nothing_else(client):
    schema = (await client.get("/api/schema/openapi.json")).json()
    assert "/api/recommendations/{recommendation_id}/ballot" in schema["paths"]
    assert set(schema["paths"]["/api/recommendations/{recommendation_id}/ballot"]) == {"get", "put"}
    assert all(path.startswith("/api/") for path in schema["paths"])


async def test_the_api_answers_in_the_voters_language(client, db):
    room = await voting_room(db, phase=Phase.DISCUSSION)
    voter = room.voters["wal"][0]
    async with db.transaction() as session:
        await session.execute(update(User).where(User.id == voter.id).values(language=Language.FRENCH))
    headers = await api_sign_in(client, voter)
    response = await client.put(
        f"/api/recommendations/{room.recommendation.id}/ballot", json={"choice": "for"}, headers=headers
    )
    assert response.status_code == 409
    assert "Le vote n’est pas ouvert" in response.json()["detail"]
