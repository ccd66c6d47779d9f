"""Working groups after the cycle is made: a facilitator adds and renames groups and moves members between
them, the audit log records it; members and authorities do not reach the page."""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import add_member, make_cycle, make_user
from tests.helpers import post_form, sign_in
from workspace.accounts.models import Language, MembershipRole
from workspace.core.models import AuditEntry
from workspace.cycles.models import Membership, WorkingGroup


async def _facilitated(db, *, groups: int = 1):
    cycle = await make_cycle(db, groups=groups)
    facilitator = await make_user(db, language=Language.FRENCH)
    await add_member(db, facilitator, cycle, role=MembershipRole.FACILITATOR, group=None)
    return cycle, facilitator


async def _groups_of(db, cycle):
    async with db.session(write=False) as session:
        return {
            group.name: group
            for group in await session.scalars(select(WorkingGroup).where(WorkingGroup.cycle_id == cycle.id))
        }


async def test_a_facilitator_adds_a_working_group_after_the_cycle_is_made_and_renames_it(client, db):
    cycle, facilitator = await _facilitated(db)
    await sign_in(client, facilitator)
    path = f"/cycles/{cycle.slug}/working-groups"
    assert f'href="{path}"' in (await client.get(f"/cycles/{cycle.slug}")).text
    added = await post_form(client, path, {"name": "Mons – Maubeuge"}, token_from=path)
    assert added.status_code == 303
    page = await client.get(path)
    assert "Le groupe de travail « Mons – Maubeuge » a été ajouté." in page.text
    group = (await _groups_of(db, cycle))["Mons – Maubeuge"]
    renamed = await post_form(client, f"{path}/{group.id}", {"name": "Mons – Maubeuge – Charleroi"}, token_from=path)
    assert renamed.status_code == 303
    assert "Mons – Maubeuge – Charleroi" in await _groups_of(db, cycle)
    async with db.session(write=False) as session:
        acts = (await session.scalars(select(AuditEntry.action).where(AuditEntry.cycle_id == cycle.id))).all()
    assert {"group.create", "group.rename"} <= set(acts)
    audit = await client.get(f"/cycles/{cycle.slug}/audit")
    assert "Groupe de travail créé" in audit.text


async def test_a_name_already_taken_or_empty_comes_back_with_the_error_beside_the_field(client, db):
    cycle, facilitator = await _facilitated(db, groups=2)
    first, second = cycle.groups
    await sign_in(client, facilitator)
    path = f"/cycles/{cycle.slug}/working-groups"
    taken = await post_form(client, path, {"name": first.name.upper()}, token_from=path)
    assert taken.status_code == 400
    assert 'id="name-error"' in taken.text
    assert f'value="{first.name.upper()}"' in taken.text  # what was typed is kept
    clash = await post_form(client, f"{path}/{second.id}", {"name": first.name}, token_from=path)
    assert clash.status_code == 400
    assert f'id="name-{second.id}-error"' in clash.text
    assert f'value="{first.name}"' in clash.text
    assert set(await _groups_of(db, cycle)) == {first.name, second.name}


async def test_a_facilitator_moves_a_member_into_another_group_and_the_member_sees_it(client, db):
    cycle, facilitator = await _facilitated(db, groups=2)
    first, second = cycle.groups
    member = await make_user(db, display_name="Griet Vandenberghe")
    seat = await add_member(db, member, cycle, group=first)
    await sign_in(client, facilitator)
    path = f"/cycles/{cycle.slug}/working-groups"
    moved = await post_form(client, f"{path}/members/{seat.id}", {"group_id": str(second.id)}, token_from=path)
    assert moved.status_code == 303
    async with db.session(write=False) as session:
        assert (await session.get(Membership, seat.id)).group_id == second.id
    assert "Griet Vandenberghe est maintenant dans" in (await client.get(path)).text
    audit = (await client.get(f"/cycles/{cycle.slug}/audit")).text
    rows = audit[audit.index("<tbody") :]
    line = rows[rows.index("Membre déplacé vers un autre groupe de travail") :].split("</tr>")[0]
    assert "Griet Vandenberghe" in line  # whom it is about
    assert "Groupe de travail précédent" in line
    assert first.name in line
    assert second.name in line
    nowhere = await post_form(client, f"{path}/members/{seat.id}", {"group_id": "not-a-group"}, token_from=path)
    assert nowhere.status_code == 400
    assert f'id="group-{seat.id}-error"' in nowhere.text
    client.cookies.clear()
    await sign_in(client, member)
    assert member.display_name in (await client.get(f"/groups/{second.id}")).text


async def test_members_and_authorities_do_not_reach_the_working_groups_page(client, db):
    cycle, _facilitator = await _facilitated(db)
    member = await make_user(db)
    seat = await add_member(db, member, cycle)
    reviewer = await make_user(db)
    await add_member(db, reviewer, cycle, role=MembershipRole.AUTHORITY, group=None)
    path = f"/cycles/{cycle.slug}/working-groups"
    for person in (member, reviewer):
        client.cookies.clear()
        await sign_in(client, person)
        assert (await client.get(path)).status_code == 404
        assert (await post_form(client, path, {"name": "Le mien"})).status_code == 404
        moved = await post_form(client, f"{path}/members/{seat.id}", {"group_id": ""})
        assert moved.status_code == 404
    assert set(await _groups_of(db, cycle)) == {cycle.groups[0].name}
