"""The JSON API a kiosk or a phone uses to cast and read one's ballot."""

from __future__ import annotations

from sqlalchemy import select, update

from tests.helpers import sign_in
from tests.voting.support import cast, voting_room
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


async def test_the_api_cleans_a_reason_exactly_as_the_ballot_form_does(client, db):
    """A NUL in the reason: PostgreSQL would refuse it, SQLite would store it for the dossier to print."""
    room = await voting_room(db)
    written = "  Trop\x00 cher pour les petites communes \x00 "
    from_form, from_api = room.voters["fr"]
    await sign_in(client, from_form)
    assert (await cast(client, room.recommendation, "against", written)).status_code == 303
    client.cookies.clear()
    headers = await api_sign_in(client, from_api)
    path = f"/api/recommendations/{room.recommendation.id}/ballot"
    response = await client.put(path, json={"choice": "against", "reason": written}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["reason"] == "Trop cher pour les petites communes"
    async with db.session(write=False) as session:
        reasons = {ballot.user_id: ballot.reason for ballot in (await session.scalars(select(Ballot))).all()}
    assert reasons == {from_form.id: "Trop cher pour les petites communes", from_api.id: reasons[from_form.id]}
    too_long = await client.put(path, json={"choice": "against", "reason": "x" * 2_001}, headers=headers)
    assert too_long.status_code == 400
    assert "reason" in too_long.json()["errors"]


async def test_a_hostile_json_body_is_refused_with_json_not_a_server_error(client, db):
    room = await voting_room(db)
    headers = {**await api_sign_in(client, room.voters["vl"][0]), "content-type": "application/json"}
    path = f"/api/recommendations/{room.recommendation.id}/ballot"
    deep_list = b"[" * 100_000 + b"]" * 100_000
    deep_objects = b'{"choice": "for", "x": ' + b'{"a": ' * 1_000 + b"1" + b"}" * 1_000 + b"}"
    for body in (deep_list, deep_objects):
        response = await client.put(path, content=body, headers=headers)
        assert response.status_code == 400, response.text[:200]
        assert "nested" in response.json()["detail"]
    many = b'{"choice": "for", "x": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_000 + b"}"
    too_long = await client.put(path, content=many, headers=headers)
    assert too_long.status_code == 413
    assert too_long.json()["status_code"] == 413
    brackets_in_text = {"choice": "against", "reason": "[" * 100 + "{" * 100}
    response = await client.put(path, json=brackets_in_text, headers=headers)
    assert response.status_code == 200
    assert (await client.get(path)).json()["reason"] == brackets_in_text["reason"]
