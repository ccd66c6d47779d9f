"""After the cycle is made: a facilitator adds and renames work axes, archives and restores working groups,
and tells everyone when the current phase is planned to end (for the vote: its closing date)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.factories import add_member, make_cycle, make_user
from tests.helpers import post_form, sign_in
from workspace.accounts.models import Language, MembershipRole
from workspace.core.models import AuditEntry
from workspace.cycles.models import Axis, Cycle, Phase, WorkingGroup


async def _facilitated(db, *, phase: Phase = Phase.DRAFTING, groups: int = 1, language=Language.FRENCH):
    cycle = await make_cycle(db, phase=phase, groups=groups)
    facilitator = await make_user(db, language=language)
    await add_member(db, facilitator, cycle, role=MembershipRole.FACILITATOR, group=None)
    return cycle, facilitator


async def _acts(db, cycle) -> list[str]:
    async with db.session(write=False) as session:
        return list((await session.scalars(select(AuditEntry.action).where(AuditEntry.cycle_id == cycle.id))).all())


NEW_AXIS = {"code": "m", "name_fr": "Mobilité", "name_nl": "Mobiliteit", "description_fr": "Se déplacer."}


async def test_a_facilitator_adds_a_fourth_axis_and_members_write_in_it(client, db):
    cycle, facilitator = await _facilitated(db)
    await sign_in(client, facilitator)
    page = f"/cycles/{cycle.slug}/axes"
    assert f'href="{page}"' in (await client.get(f"/cycles/{cycle.slug}")).text
    added = await post_form(client, page, NEW_AXIS, token_from=page)
    assert added.status_code == 303
    assert "L’axe « Mobilité » a été ajouté." in (await client.get(page)).text
    async with db.session(write=False) as session:
        axes = (await session.scalars(select(Axis).where(Axis.cycle_id == cycle.id).order_by(Axis.position))).all()
    assert [axis.code for axis in axes] == ["F", "P", "G", "M"]
    front = (await client.get(f"/cycles/{cycle.slug}")).text
    assert "Mobilité" in front
    assert (await client.get(f"/cycles/{cycle.slug}/axes/m")).status_code == 200
    member = await make_user(db, language=Language.DUTCH)
    await add_member(db, member, cycle, group=cycle.groups[0])
    client.cookies.clear()
    await sign_in(client, member)
    assert "Mobiliteit" in (await client.get(f"/cycles/{cycle.slug}")).text
    assert (await client.get(f"/cycles/{cycle.slug}/axes/m/new")).status_code == 200
    assert "axis.create" in await _acts(db, cycle)


async def test_a_refused_axis_comes_back_with_what_was_typed_and_the_error_beside_the_field(client, db):
    cycle, facilitator = await _facilitated(db)
    await sign_in(client, facilitator)
    page = f"/cycles/{cycle.slug}/axes"
    taken = await post_form(client, page, {**NEW_AXIS, "code": "P"}, token_from=page)
    assert taken.status_code == 400
    assert 'id="new-code-error"' in taken.text
    assert 'value="Mobilité"' in taken.text  # the names typed are kept
    bad = await post_form(client, page, {**NEW_AXIS, "code": "M1"}, token_from=page)
    assert bad.status_code == 400
    assert 'id="new-code-error"' in bad.text
    unnamed = await post_form(client, page, {**NEW_AXIS, "name_nl": ""}, token_from=page)
    assert unnamed.status_code == 400
    assert 'id="new-name_nl-error"' in unnamed.text
    assert 'href="#new-name_nl"' in unnamed.text  # the summary leads to the field
    async with db.session(write=False) as session:
        assert len((await session.scalars(select(Axis).where(Axis.cycle_id == cycle.id))).all()) == 3


async def test_a_facilitator_renames_an_axis_and_the_audit_log_says_so_in_words(client, db):
    cycle, facilitator = await _facilitated(db, phase=Phase.VOTING)
    await sign_in(client, facilitator)
    page = f"/cycles/{cycle.slug}/axes"
    words = {"name_fr": "Pratiques partagées", "name_nl": "Gedeelde praktijken", "description_fr": "Ensemble."}
    saved = await post_form(client, f"{page}/p/edit", words, token_from=page)
    assert saved.status_code == 303
    async with db.session(write=False) as session:
        axis = await session.scalar(select(Axis).where(Axis.cycle_id == cycle.id, Axis.code == "P"))
    assert (axis.name_fr, axis.name_nl, axis.description_fr) == (
        "Pratiques partagées",
        "Gedeelde praktijken",
        "Ensemble.",
    )
    refused = await post_form(client, f"{page}/p/edit", {**words, "name_fr": ""}, token_from=page)
    assert refused.status_code == 400
    assert 'id="axis-P-name_fr-error"' in refused.text
    assert 'value="Gedeelde praktijken"' in refused.text
    audit = (await client.get(f"/cycles/{cycle.slug}/audit")).text
    rows = audit[audit.index("<tbody") :]
    line = rows[rows.index("Axe de travail renommé") :].split("</tr>")[0]
    assert "Pratiques partagées" in line
    assert f'/cycles/{cycle.slug}/axes/p"' in line  # the act links to the axis


async def test_axes_stay_as_published_and_only_facilitators_change_them(client, db):
    published, facilitator = await _facilitated(db, phase=Phase.PUBLISHED)
    await sign_in(client, facilitator)
    page = f"/cycles/{published.slug}/axes"
    assert (await client.get(page)).status_code == 404
    assert (await post_form(client, page, NEW_AXIS, token_from=f"/cycles/{published.slug}")).status_code == 404
    cycle, _facilitator = await _facilitated(db)
    member = await make_user(db)
    await add_member(db, member, cycle, group=cycle.groups[0])
    client.cookies.clear()
    await sign_in(client, member)
    page = f"/cycles/{cycle.slug}/axes"
    assert (await client.get(page)).status_code == 404
    assert (await post_form(client, page, NEW_AXIS)).status_code == 404
    assert (await post_form(client, f"{page}/f/edit", {"name_fr": "X", "name_nl": "X"})).status_code == 404


async def test_an_archived_group_keeps_its_page_and_is_no_longer_offered(client, db):
    cycle, facilitator = await _facilitated(db, groups=2)
    first, second = sorted(cycle.groups, key=lambda group: group.name)
    member = await make_user(db, display_name="Nadia Benali")
    await add_member(db, member, cycle, group=first)
    await add_member(db, member, cycle, group=second)
    await sign_in(client, facilitator)
    path = f"/cycles/{cycle.slug}/working-groups"
    archived = await post_form(client, f"{path}/{first.id}/archive", {}, token_from=path)
    assert archived.status_code == 303
    page = (await client.get(path)).text
    assert "Groupes archivés" in page
    async with db.session(write=False) as session:
        assert (await session.get(WorkingGroup, first.id)).archived_at is not None
    invitations = (await client.get(f"/cycles/{cycle.slug}/invitations")).text
    assert str(first.id) not in invitations
    assert str(second.id) in invitations
    refused = await post_form(
        client,
        f"/cycles/{cycle.slug}/invitations",
        {"email": "x@example.org", "role": "member", "group_id": str(first.id)},
        token_from=f"/cycles/{cycle.slug}/invitations",
    )
    assert refused.status_code == 400
    assert first.name not in (await client.get(f"/cycles/{cycle.slug}")).text
    client.cookies.clear()
    await sign_in(client, member)
    group_page = (await client.get(f"/groups/{first.id}")).text
    assert "archivé le" in group_page
    assert "Nadia Benali" in group_page
    # Drafting no longer asks which group: only the active one is left.
    new = (await client.get(f"/cycles/{cycle.slug}/axes/p/new")).text
    assert str(first.id) not in new
    client.cookies.clear()
    await sign_in(client, facilitator)
    restored = await post_form(client, f"{path}/{first.id}/restore", {}, token_from=path)
    assert restored.status_code == 303
    assert str(first.id) in (await client.get(f"/cycles/{cycle.slug}/invitations")).text
    assert {"group.archive", "group.restore"} <= set(await _acts(db, cycle))
    audit = (await client.get(f"/cycles/{cycle.slug}/audit")).text
    rows = audit[audit.index("<tbody") :]
    line = rows[rows.index("Groupe de travail archivé") :].split("</tr>")[0]
    assert f'href="/groups/{first.id}"' in line


async def test_nobody_is_moved_into_an_archived_group(client, db):
    cycle, facilitator = await _facilitated(db, groups=2)
    first, second = cycle.groups
    member = await make_user(db)
    seat = await add_member(db, member, cycle, group=second)
    await sign_in(client, facilitator)
    path = f"/cycles/{cycle.slug}/working-groups"
    await post_form(client, f"{path}/{first.id}/archive", {}, token_from=path)
    moved = await post_form(client, f"{path}/members/{seat.id}", {"group_id": str(first.id)}, token_from=path)
    assert moved.status_code == 400
    assert f'id="group-{seat.id}-error"' in moved.text


async def test_members_do_not_archive_groups(client, db):
    cycle, _facilitator = await _facilitated(db)
    member = await make_user(db)
    await add_member(db, member, cycle, group=cycle.groups[0])
    await sign_in(client, member)
    path = f"/cycles/{cycle.slug}/working-groups/{cycle.groups[0].id}/archive"
    assert (await post_form(client, path, {})).status_code == 404
    async with db.session(write=False) as session:
        assert (await session.get(WorkingGroup, cycle.groups[0].id)).archived_at is None


async def test_the_vote_closing_date_is_shown_to_members_and_cleared_when_the_vote_closes(client, db):
    cycle, facilitator = await _facilitated(db, phase=Phase.VOTING)
    member = await make_user(db, language=Language.DUTCH)
    await add_member(db, member, cycle, group=cycle.groups[0])
    await sign_in(client, facilitator)
    front = f"/cycles/{cycle.slug}"
    closes = date.today() + timedelta(days=10)
    typed = closes.strftime("%d/%m/%Y")
    saved = await post_form(client, f"{front}/phase/end", {"ends_on": typed}, token_from=front)
    assert saved.status_code == 303
    page = (await client.get(front)).text
    assert f'value="{typed}"' in page
    assert "Le vote doit se clore le" in page
    client.cookies.clear()
    await sign_in(client, member)
    dutch = closes.strftime("%d-%m-%Y")
    home = (await client.get("/")).text
    assert "De stemming sluit volgens plan op" in home
    assert "De stemming sluit volgens plan op" in (await client.get(f"{front}/vote")).text
    assert dutch not in home  # dates are written out, not typed
    client.cookies.clear()
    await sign_in(client, facilitator)
    moved = await post_form(client, f"{front}/phase", {"phase": "consolidation"}, token_from=front)
    assert moved.status_code == 303
    async with db.session(write=False) as session:
        assert (await session.get(Cycle, cycle.id)).phase_ends_on is None
    assert "cycle.phase_end" in await _acts(db, cycle)


async def test_a_wrong_or_past_end_date_comes_back_beside_the_field(client, db):
    cycle, facilitator = await _facilitated(db, phase=Phase.DISCUSSION)
    await sign_in(client, facilitator)
    front = f"/cycles/{cycle.slug}"
    wrong = await post_form(client, f"{front}/phase/end", {"ends_on": "31/02/2027 soir"}, token_from=front)
    assert wrong.status_code == 400
    assert 'id="ends_on-error"' in wrong.text
    assert 'value="31/02/2027 soir"' in wrong.text
    past = (date.today() - timedelta(days=1)).strftime("%d/%m/%Y")
    late = await post_form(client, f"{front}/phase/end", {"ends_on": past}, token_from=front)
    assert late.status_code == 400
    assert "ne peut pas être passée" in late.text
    async with db.session(write=False) as session:
        assert (await session.get(Cycle, cycle.id)).phase_ends_on is None
    planned = (date.today() + timedelta(days=3)).strftime("%d/%m/%Y")
    await post_form(client, f"{front}/phase/end", {"ends_on": planned}, token_from=front)
    cleared = await post_form(client, f"{front}/phase/end", {"ends_on": ""}, token_from=front)
    assert cleared.status_code == 303
    async with db.session(write=False) as session:
        assert (await session.get(Cycle, cycle.id)).phase_ends_on is None


async def test_members_do_not_set_the_end_of_a_phase(client, db):
    cycle, _facilitator = await _facilitated(db, phase=Phase.DISCUSSION)
    member = await make_user(db)
    await add_member(db, member, cycle, group=cycle.groups[0])
    await sign_in(client, member)
    future = (date.today() + timedelta(days=3)).strftime("%d/%m/%Y")
    front = f"/cycles/{cycle.slug}"
    assert 'name="ends_on"' not in (await client.get(front)).text
    assert (await post_form(client, f"{front}/phase/end", {"ends_on": future})).status_code == 404
