"""The admin creates cycles; nobody else reaches the admin pages."""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import make_user
from tests.helpers import post_form, sign_in
from workspace.core.models import AuditEntry
from workspace.cycles.models import Cycle

NEW_CYCLE = {
    "year": "2014",
    "title_fr": "Le logement des personnes âgées précarisées",
    "title_nl": "Huisvesting voor kwetsbare ouderen",
    "title_en": "",
    "theme_fr": "Vieillir chez soi **sans** s'appauvrir.",
    "theme_nl": "",
    "group_name": "Lille – Kortrijk",
}


async def test_the_admin_creates_a_cycle_with_its_three_axes(client, db):
    admin = await make_user(db, is_admin=True)
    await sign_in(client, admin)
    response = await post_form(client, "/admin/cycles", NEW_CYCLE, token_from="/admin")
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "Le logement des personnes âgées précarisées" in page.text
    assert "<strong>sans</strong>" in page.text
    async with db.session(write=False) as session:
        cycle = await session.scalar(select(Cycle).where(Cycle.year == 2014))
        entries = (await session.scalars(select(AuditEntry).where(AuditEntry.cycle_id == cycle.id))).all()
    assert cycle.slug.startswith("2014-")
    for code in ("f", "p", "g"):
        assert (await client.get(f"/cycles/{cycle.slug}/axes/{code}")).status_code == 200
    assert [entry.action for entry in entries] == ["cycle.create"]


async def test_a_cycle_form_with_errors_comes_back_with_the_input(client, db):
    admin = await make_user(db, is_admin=True)
    await sign_in(client, admin)
    response = await post_form(
        client, "/admin/cycles", {**NEW_CYCLE, "year": "twenty", "title_nl": ""}, token_from="/admin"
    )
    assert response.status_code == 400
    assert 'value="Le logement des personnes âgées précarisées"' in response.text
    assert 'id="year-error"' in response.text
    assert 'id="title_nl-error"' in response.text


async def test_an_oversized_title_is_refused_not_truncated(client, db):
    admin = await make_user(db, is_admin=True)
    await sign_in(client, admin)
    response = await post_form(client, "/admin/cycles", {**NEW_CYCLE, "title_fr": "x" * 500}, token_from="/admin")
    assert response.status_code == 400
    assert 'id="title_fr-error"' in response.text


async def test_members_and_visitors_do_not_reach_the_admin_pages(client, db):
    member = await make_user(db)
    assert (await client.get("/admin", follow_redirects=False)).status_code in (302, 303)
    await sign_in(client, member)
    assert (await client.get("/admin")).status_code == 404
    response = await post_form(client, "/admin/cycles", NEW_CYCLE)
    assert response.status_code == 404


async def test_a_second_cycle_for_the_same_year_is_made_only_when_the_admin_says_so(client, db):
    admin = await make_user(db, is_admin=True)
    await sign_in(client, admin)
    assert (await post_form(client, "/admin/cycles", NEW_CYCLE, token_from="/admin")).status_code == 303
    second = {**NEW_CYCLE, "title_fr": "Les aidants proches", "title_nl": "Mantelzorgers"}
    warned = await post_form(client, "/admin/cycles", second, token_from="/admin")
    assert warned.status_code == 400
    assert 'id="year-error"' in warned.text
    assert "Un cycle existe déjà pour 2014" in warned.text
    assert "Le logement des personnes âgées précarisées" in warned.text
    assert 'value="Les aidants proches"' in warned.text  # the admin's text is kept
    assert 'id="second_of_year"' in warned.text
    made = await post_form(client, "/admin/cycles", {**second, "second_of_year": "1"}, token_from="/admin")
    assert made.status_code == 303
    async with db.session(write=False) as session:
        titles = (await session.scalars(select(Cycle.title_fr).where(Cycle.year == 2014))).all()
    assert sorted(titles) == ["Le logement des personnes âgées précarisées", "Les aidants proches"]
