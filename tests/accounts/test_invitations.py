"""Invitations: a facilitator invites, the person signs up through the link, once."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.factories import PASSWORD, add_member, make_cycle, make_user
from tests.helpers import post_form, sign_in
from workspace.accounts.models import MembershipRole, User
from workspace.cycles.models import Membership

SIGN_UP = {
    "email": "griet@ocmw.example",
    "password": "een-lang-wachtwoord",
    "password_confirm": "een-lang-wachtwoord",
    "display_name": "Griet Vandenberghe",
    "organisation": "OCMW Kortrijk",
    "territory": "west_vlaanderen",
    "side": "",
    "actor_kind": "social_worker",
    "language": "nl",
}


async def invite(client, db, *, role="member", email="", **extra):
    facilitator = await make_user(db)
    cycle = await make_cycle(db)
    await add_member(db, facilitator, cycle, role=MembershipRole.FACILITATOR)
    await sign_in(client, facilitator)
    path = f"/cycles/{cycle.slug}/invitations"
    data = {"role": role, "group_id": str(cycle.groups[0].id), "email": email, "institution": "", "note": "", **extra}
    response = await post_form(client, path, data, token_from=path)
    assert response.status_code == 201, response.text[:800]
    link = re.search(r'value="(http://[^"]+/signup/[^"]+)"', response.text).group(1)
    await post_form(client, "/logout", {})
    return cycle, link.split("/signup/")[1]


async def test_invited_person_signs_up_and_joins_the_group(client, db):
    cycle, token = await invite(client, db)
    response = await post_form(client, f"/signup/{token}", SIGN_UP, token_from=f"/signup/{token}")
    assert response.status_code == 303
    group_page = await client.get(f"/groups/{cycle.groups[0].id}")
    assert "Griet Vandenberghe" in group_page.text
    assert 'lang="nl"' in group_page.text
    async with db.session(write=False) as session:
        user = await session.scalar(select(User).where(User.email == "griet@ocmw.example"))
        membership = await session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert user.side == "vl"
    assert membership.group_id == cycle.groups[0].id
    assert membership.role == MembershipRole.MEMBER


async def test_an_invitation_link_works_only_once(client, db):
    _cycle, token = await invite(client, db)
    await post_form(client, f"/signup/{token}", SIGN_UP, token_from=f"/signup/{token}")
    await post_form(client, "/logout", {})
    again = await client.get(f"/signup/{token}")
    assert again.status_code == 404
    response = await post_form(
        client, f"/signup/{token}", {**SIGN_UP, "email": "other@example.org"}, token_from="/login"
    )
    assert response.status_code == 404


async def test_sign_up_with_errors_keeps_what_was_typed(client, db):
    _cycle, token = await invite(client, db)
    bad = {**SIGN_UP, "password_confirm": "something else", "territory": "atlantis"}
    response = await post_form(client, f"/signup/{token}", bad, token_from=f"/signup/{token}")
    assert response.status_code == 400
    assert 'value="Griet Vandenberghe"' in response.text
    assert 'value="OCMW Kortrijk"' in response.text
    assert 'id="password_confirm-error"' in response.text
    assert 'id="territory-error"' in response.text
    assert "een-lang-wachtwoord" not in response.text


async def test_an_invitation_for_an_address_refuses_another_one(client, db):
    _cycle, token = await invite(client, db, email="named@example.org")
    response = await post_form(client, f"/signup/{token}", SIGN_UP, token_from=f"/signup/{token}")
    assert response.status_code == 400
    assert 'id="email-error"' in response.text


async def test_sign_up_with_an_address_already_taken_is_refused(client, db):
    await make_user(db, email="griet@ocmw.example")
    _cycle, token = await invite(client, db)
    response = await post_form(client, f"/signup/{token}", SIGN_UP, token_from=f"/signup/{token}")
    assert response.status_code == 400
    assert 'id="email-error"' in response.text


async def test_an_authority_invitation_needs_an_institution(client, db):
    facilitator = await make_user(db)
    cycle = await make_cycle(db)
    await add_member(db, facilitator, cycle, role=MembershipRole.FACILITATOR)
    await sign_in(client, facilitator)
    path = f"/cycles/{cycle.slug}/invitations"
    response = await post_form(client, path, {"role": "authority", "group_id": "", "email": ""}, token_from=path)
    assert response.status_code == 400
    assert 'id="institution-error"' in response.text


async def test_a_member_cannot_invite(client, db):
    member = await make_user(db)
    cycle = await make_cycle(db)
    await add_member(db, member, cycle)
    await sign_in(client, member)
    assert (await client.get(f"/cycles/{cycle.slug}/invitations")).status_code == 404
    response = await post_form(client, f"/cycles/{cycle.slug}/invitations", {"role": "member"})
    assert response.status_code == 404


async def test_a_facilitator_of_another_cycle_cannot_invite_here(client, db):
    facilitator = await make_user(db)
    mine = await make_cycle(db)
    other = await make_cycle(db)
    await add_member(db, facilitator, mine, role=MembershipRole.FACILITATOR)
    await sign_in(client, facilitator)
    assert (await client.get(f"/cycles/{other.slug}/invitations")).status_code == 404


async def test_a_signed_in_person_joins_a_second_cycle_with_their_account(client, db):
    _cycle, token = await invite(client, db)
    person = await make_user(db)
    await sign_in(client, person)
    page = await client.get(f"/signup/{token}")
    assert f"/invitations/{token}/accept" in page.text
    response = await post_form(client, f"/invitations/{token}/accept", {})
    assert response.status_code == 303
    async with db.session(write=False) as session:
        count = len((await session.scalars(select(Membership).where(Membership.user_id == person.id))).all())
    assert count == 1
    assert PASSWORD
