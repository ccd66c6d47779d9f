"""Invitations: a facilitator invites, the person signs up through the link, once."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from tests.factories import PASSWORD, add_member, make_cycle, make_user
from tests.helpers import post_form, sign_in
from workspace.accounts.models import MembershipRole, User
from workspace.cycles.models import Invitation, Membership, WorkingGroup

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


async def invite(client, db, *, role="member", email=SIGN_UP["email"], **extra):
    facilitator = await make_user(db)
    cycle = await make_cycle(db)
    await add_member(db, facilitator, cycle, role=MembershipRole.FACILITATOR)
    await sign_in(client, facilitator)
    path = f"/cycles/{cycle.slug}/invitations"
    data = {"role": role, "group_id": str(cycle.groups[0].id), "email": email, "institution": "", "note": "", **extra}
    response = await post_form(client, path, data, token_from=path)
    assert response.status_code == 303, response.text[:800]
    assert response.headers["location"] == path
    shown = await client.get(path)
    link = re.search(r'value="(http://[^"]+/signup/[^"]+)"', shown.text).group(1)
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


async def test_an_invitation_into_a_group_archived_since_joins_the_cycle_without_a_group(client, db):
    cycle, token = await invite(client, db)
    async with db.transaction() as session:
        group = await session.get(WorkingGroup, cycle.groups[0].id)
        group.archived_at = datetime.now(UTC)
    response = await post_form(client, f"/signup/{token}", SIGN_UP, token_from=f"/signup/{token}")
    assert response.status_code == 303
    async with db.session(write=False) as session:
        user = await session.scalar(select(User).where(User.email == "griet@ocmw.example"))
        membership = await session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert membership.cycle_id == cycle.id
    assert membership.group_id is None


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
    person = await make_user(db, email=SIGN_UP["email"])
    await sign_in(client, person)
    page = await client.get(f"/signup/{token}")
    assert f"/invitations/{token}/accept" in page.text
    response = await post_form(client, f"/invitations/{token}/accept", {})
    assert response.status_code == 303
    async with db.session(write=False) as session:
        count = len((await session.scalars(select(Membership).where(Membership.user_id == person.id))).all())
    assert count == 1
    assert PASSWORD


async def memberships_of(db, user) -> list[Membership]:
    async with db.session(write=False) as session:
        return list((await session.scalars(select(Membership).where(Membership.user_id == user.id))).all())


async def invitation_with(db, token: str) -> Invitation:
    from workspace.core.tokens import hash_token

    async with db.session(write=False) as session:
        return await session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))


async def test_a_forwarded_invitation_does_not_let_another_signed_in_person_join(client, db):
    """Sophie is invited as facilitator; the link is forwarded to Julien, who has an account."""
    cycle, token = await invite(client, db, role="facilitator", email="sophie.lambert@passerelle.example")
    julien = await make_user(db, email="julien.deroo@passerelle.example")
    await sign_in(client, julien)
    page = await client.get(f"/signup/{token}")
    assert page.status_code == 403
    assert "julien.deroo@passerelle.example" in page.text
    assert f"/invitations/{token}/accept" not in page.text
    response = await post_form(client, f"/invitations/{token}/accept", {})
    assert response.status_code == 403
    assert await memberships_of(db, julien) == []
    assert (await invitation_with(db, token)).accepted_at is None
    assert (await client.get(f"/cycles/{cycle.slug}/moderation")).status_code == 404

    await post_form(client, "/logout", {})
    sophie = await make_user(db, email="Sophie.Lambert@passerelle.example".lower())
    await sign_in(client, sophie)
    assert (await post_form(client, f"/invitations/{token}/accept", {})).status_code == 303
    assert [m.role for m in await memberships_of(db, sophie)] == [MembershipRole.FACILITATOR]


async def test_a_facilitator_must_name_the_address_and_cannot_make_an_open_link(client, db):
    facilitator = await make_user(db)
    cycle = await make_cycle(db)
    await add_member(db, facilitator, cycle, role=MembershipRole.FACILITATOR)
    await sign_in(client, facilitator)
    path = f"/cycles/{cycle.slug}/invitations"
    assert 'name="open_link"' not in (await client.get(path)).text
    no_address = await post_form(client, path, {"role": "member", "email": ""}, token_from=path)
    assert no_address.status_code == 400
    assert 'id="email-error"' in no_address.text
    open_link = await post_form(client, path, {"role": "member", "email": "", "open_link": "1"}, token_from=path)
    assert open_link.status_code == 400
    assert "Seuls les admins peuvent créer un lien ouvert" in open_link.text


async def test_an_admin_makes_an_open_link_for_members_only_shown_as_such(client, db):
    admin = await make_user(db, is_admin=True)
    cycle = await make_cycle(db)
    await sign_in(client, admin)
    path = f"/cycles/{cycle.slug}/invitations"
    assert 'name="open_link"' in (await client.get(path)).text
    higher = await post_form(client, path, {"role": "facilitator", "email": "", "open_link": "1"}, token_from=path)
    assert higher.status_code == 400
    assert 'id="role-error"' in higher.text
    assert 'value="1" aria-describedby="open_link-hint" checked' in higher.text
    made = await post_form(client, path, {"role": "member", "email": "", "open_link": "1"}, token_from=path)
    assert made.status_code == 303
    made = await client.get(path)
    assert "Lien ouvert" in made.text  # the pending list, in French
    token = re.search(r'value="http://[^"]+/signup/([^"]+)"', made.text).group(1)
    await post_form(client, "/logout", {})

    person = await make_user(db)
    await sign_in(client, person)
    assert (await post_form(client, f"/invitations/{token}/accept", {})).status_code == 303
    assert [m.role for m in await memberships_of(db, person)] == [MembershipRole.MEMBER]


async def test_an_open_link_with_a_role_above_member_is_refused_when_used(client, db):
    """Made before open links were limited: it neither signs anyone up nor lets anyone join."""
    from datetime import timedelta

    from workspace.core.tokens import new_token, utcnow

    cycle = await make_cycle(db)
    token, token_hash = new_token()
    async with db.transaction() as session:
        session.add(
            Invitation(
                token_hash=token_hash,
                email=None,
                role=MembershipRole.FACILITATOR,
                cycle_id=cycle.id,
                expires_at=utcnow() + timedelta(days=3),
            )
        )
    assert (await client.get(f"/signup/{token}")).status_code == 403
    response = await post_form(client, f"/signup/{token}", SIGN_UP, token_from="/login")
    assert response.status_code == 403
    person = await make_user(db)
    await sign_in(client, person)
    assert (await post_form(client, f"/invitations/{token}/accept", {})).status_code == 403
    assert await memberships_of(db, person) == []
    async with db.session(write=False) as session:
        assert await session.scalar(select(User).where(User.email == SIGN_UP["email"])) is None


async def test_reloading_the_page_after_inviting_makes_no_second_invitation_and_the_link_shows_once(client, db):
    cycle, _token = await invite(client, db)
    facilitator = await make_user(db)
    await add_member(db, facilitator, cycle, role=MembershipRole.FACILITATOR)
    await sign_in(client, facilitator)
    path = f"/cycles/{cycle.slug}/invitations"
    page = await client.get(path)
    once = re.search(r'name="_once" value="([^"]+)"', page.text).group(1)
    data = {"role": "member", "group_id": str(cycle.groups[0].id), "email": "an.devos@brugge.example"}
    first = await post_form(client, path, {**data, "_once": once}, token_from="/")
    again = await post_form(client, path, {**data, "_once": once}, token_from="/")  # a double click, a resend
    assert (first.status_code, again.status_code) == (303, 303)
    elsewhere = await make_cycle(db)
    await add_member(db, facilitator, elsewhere, role=MembershipRole.FACILITATOR)
    other_page = await client.get(f"/cycles/{elsewhere.slug}/invitations")  # another tab, another cycle
    assert 'id="issued-link"' not in other_page.text
    shown = await client.get(path)
    assert "an.devos@brugge.example" in shown.text
    assert 'id="issued-link"' in shown.text
    assert f'value="{cycle.groups[0].id}" selected' in shown.text  # the next invitation starts from the same group
    reloaded = await client.get(path)
    assert 'id="issued-link"' not in reloaded.text  # shown once: the link is kept nowhere else
    async with db.session(write=False) as session:
        made = (await session.scalars(select(Invitation).where(Invitation.email == "an.devos@brugge.example"))).all()
    assert len(made) == 1
