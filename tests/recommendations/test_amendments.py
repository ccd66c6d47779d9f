"""Amendments: members who are not co-authors propose changes; co-authors accept or decline them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.factories import add_member, make_cycle, make_recommendation, make_user
from tests.helpers import post_form, sign_in
from tests.recommendations.test_writing import edit_data
from workspace.accounts.models import Language
from workspace.recommendations.models import Amendment, AmendmentStatus, Revision, Status


async def setup(db):
    cycle = await make_cycle(db)
    author, member = await make_user(db), await make_user(db, display_name="Pieter De Smet")
    await add_member(db, author, cycle)
    await add_member(db, member, cycle)
    recommendation = await make_recommendation(
        db, cycle, author=author, status=Status.SUBMITTED, finding="Un.\n\nDeux.", proposal="Ouvrir un guichet."
    )
    return cycle, author, member, recommendation


async def propose(client, recommendation, **changes):
    path = f"/recommendations/{recommendation.id}/amendments/new"
    data = {**edit_data(recommendation, 1), "reason": "Plus concret", **changes}
    data.pop("base_revision")
    return await post_form(client, path, data, token_from=path)


async def test_a_member_proposes_an_amendment_shown_as_a_diff(client, db):
    _cycle, _author, member, recommendation = await setup(db)
    await sign_in(client, member)
    response = await propose(client, recommendation, proposal="Ouvrir un guichet commun dans chaque bassin.")
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "<ins>" in page.text
    assert "Plus concret" in page.text


async def test_an_accepted_amendment_becomes_a_revision_credited_to_its_author(client, db):
    _cycle, author, member, recommendation = await setup(db)
    await sign_in(client, member)
    location = (await propose(client, recommendation, proposal="Ouvrir un guichet commun.")).headers["location"]
    await post_form(client, "/logout", {})
    await sign_in(client, author)
    response = await post_form(client, f"{location}/accept", {})
    assert response.status_code == 303
    async with db.session(write=False) as session:
        latest = await session.scalar(
            select(Revision).where(Revision.recommendation_id == recommendation.id).order_by(Revision.number.desc())
        )
        amendment = await session.scalar(select(Amendment))
    assert latest.number == 2
    assert latest.author_id == member.id
    assert latest.content["proposal"] == "Ouvrir un guichet commun."
    assert amendment.status == AmendmentStatus.ACCEPTED


async def test_an_amendment_is_merged_with_changes_made_since(client, db):
    _cycle, author, member, recommendation = await setup(db)
    await sign_in(client, member)
    location = (await propose(client, recommendation, finding="Un.\n\nDeux, amendé.")).headers["location"]
    await post_form(client, "/logout", {})
    await sign_in(client, author)
    edit = f"/recommendations/{recommendation.id}/edit"
    await post_form(client, edit, edit_data(recommendation, 1, finding="Un, revu.\n\nDeux."), token_from=edit)
    await post_form(client, f"{location}/accept", {})
    async with db.session(write=False) as session:
        latest = await session.scalar(
            select(Revision).where(Revision.recommendation_id == recommendation.id).order_by(Revision.number.desc())
        )
    assert latest.content["finding"] == "Un, revu.\n\nDeux, amendé."


async def test_declining_needs_a_reason_and_keeps_the_amendment(client, db):
    _cycle, author, member, recommendation = await setup(db)
    await sign_in(client, member)
    location = (await propose(client, recommendation, proposal="Autre chose.")).headers["location"]
    await post_form(client, "/logout", {})
    await sign_in(client, author)
    response = await post_form(client, f"{location}/decline", {"decision_reason": ""}, token_from=location)
    assert response.status_code == 400
    assert 'id="decision_reason-error"' in response.text
    response = await post_form(client, f"{location}/decline", {"decision_reason": "Hors sujet"}, token_from=location)
    assert response.status_code == 303
    await post_form(client, "/logout", {})
    await sign_in(client, member)
    page = await client.get(location)
    assert "Hors sujet" in page.text


async def test_an_amendment_that_changes_nothing_is_refused_with_the_text_kept(client, db):
    _cycle, _author, member, recommendation = await setup(db)
    await sign_in(client, member)
    response = await propose(client, recommendation, reason="Rien")
    assert response.status_code == 400
    assert re.search(r'class="form-errors"', response.text)


async def test_authors_do_not_amend_and_members_do_not_accept(client, db):
    _cycle, author, member, recommendation = await setup(db)
    await sign_in(client, author)
    assert (await client.get(f"/recommendations/{recommendation.id}/amendments/new")).status_code == 404
    await post_form(client, "/logout", {})
    await sign_in(client, member)
    location = (await propose(client, recommendation, proposal="Autre.")).headers["location"]
    assert (await post_form(client, f"{location}/accept", {})).status_code == 404
    async with db.session(write=False) as session:
        assert (await session.scalar(select(Amendment))).status == AmendmentStatus.OPEN


@pytest.mark.parametrize(
    ("language", "proposed_by", "changes", "breadcrumb_home"),
    [
        (Language.FRENCH, "Proposé par Pieter De Smet le", "Modifie : Proposition", "Accueil"),
        (Language.DUTCH, "Voorgesteld door Pieter De Smet op", "Wijzigt: Voorstel", "Startpagina"),
    ],
)
async def test_two_amendments_by_one_member_are_told_apart_and_each_names_its_recommendation(
    client, db, language, proposed_by, changes, breadcrumb_home
):
    _cycle, _author, member, recommendation = await setup(db)
    await sign_in(client, member)
    first = await propose(client, recommendation, proposal="Ouvrir deux guichets.", reason="Deux guichets valent mieux")
    await propose(client, recommendation, finding="Un.\n\nTrois.", reason="Corriger le **constat** chiffré " * 12)
    reader = await make_user(db, language=language)
    await add_member(db, reader, _cycle)
    await post_form(client, "/logout", {})
    await sign_in(client, reader)

    page = (await client.get(f"/recommendations/{recommendation.id}")).text
    listed = re.findall(r'<li class="amendment-summary">(.*?)</li>', page, re.S)
    assert len(listed) == 2
    latest, earliest = (" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in listed)
    assert "Pieter De Smet" in earliest
    assert str(datetime.now(UTC).year) in earliest
    assert changes in earliest
    assert "Deux guichets valent mieux" in earliest
    assert "Corriger le constat chiffré Corriger" in latest
    assert latest.endswith("…")
    assert "**" not in latest

    amendment_page = (await client.get(first.headers["location"])).text
    heading = re.search(r'<h1 class="page-title">(.*?)</h1>', amendment_page).group(1)
    assert recommendation.title in heading
    crumbs = re.search(r'<nav aria-label="[^"]+" class="breadcrumbs">(.*?)</nav>', amendment_page, re.S).group(1)
    assert breadcrumb_home in crumbs
    assert recommendation.title[:40] in crumbs
    assert proposed_by in amendment_page


async def test_an_amendment_is_previewed_whole_before_it_is_proposed(client, db):
    _cycle, _author, member, recommendation = await setup(db)
    await sign_in(client, member)
    shown = await propose(client, recommendation, proposal="Ouvrir *deux* guichets.", intent="preview")
    assert shown.status_code == 200
    assert "Ouvrir <em>deux</em> guichets." in shown.text
    assert ">Plus concret</textarea>" in shown.text
    async with db.session(write=False) as session:
        assert await session.scalar(select(Amendment)) is None
    assert (await propose(client, recommendation, proposal="Ouvrir *deux* guichets.")).status_code == 303
