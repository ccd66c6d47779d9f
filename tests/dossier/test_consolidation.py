"""Consolidation: facilitators order and number the adopted recommendations, write introductions, preview,
publish frozen versions; the personal data guard blocks publishing; others cannot reach any of it."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.dossier.support import consolidation
from tests.factories import make_user
from tests.helpers import post_form, sign_in
from workspace.cycles.models import Cycle, Phase
from workspace.dossier.models import DossierVersion
from workspace.recommendations.models import Recommendation, Translation


async def test_facilitator_sees_adopted_recommendations_numbered_per_axis(client, db):
    setup = await consolidation(db)
    await sign_in(client, setup.facilitator)
    page = await client.get(f"/cycles/{setup.cycle.slug}/dossier/consolidation")
    assert page.status_code == 200
    text = page.text
    assert text.index("P1") < text.index("Un guichet unique pour les jeunes") < text.index("P2")
    assert "Former ensemble les travailleurs sociaux" in text
    assert "G1" in text
    assert "Une conférence des élus frontaliers" in text
    assert "1 recommendation was not adopted" in text


async def test_moving_a_recommendation_renumbers_the_axis(client, db):
    setup = await consolidation(db)
    second = setup.adopted[1]
    await sign_in(client, setup.facilitator)
    slug = setup.cycle.slug
    response = await post_form(
        client,
        f"/cycles/{slug}/dossier/move",
        {"recommendation_id": str(second.id), "direction": "up"},
        token_from=f"/cycles/{slug}",
    )
    assert response.status_code == 303
    page = await client.get(f"/cycles/{slug}/dossier/consolidation")
    assert page.text.index("Former ensemble") < page.text.index("Un guichet unique pour les jeunes")
    preview = await client.get(f"/cycles/{slug}/dossier/preview")
    assert 'P1. <span lang="fr">Former ensemble les travailleurs sociaux' in preview.text


async def test_introductions_are_saved_and_shown_in_the_preview_in_both_languages(client, db):
    setup = await consolidation(db)
    await sign_in(client, setup.facilitator)
    slug = setup.cycle.slug
    data = {
        "introduction_fr": "Une année de travail commun.",
        "introduction_nl": "Een jaar samenwerking.",
        "axis_P_fr": "Les pratiques d'abord.",
        "axis_P_nl": "Eerst de praktijken.",
    }
    response = await post_form(client, f"/cycles/{slug}/dossier/introductions", data, token_from=f"/cycles/{slug}")
    assert response.status_code == 303
    preview = await client.get(f"/cycles/{slug}/dossier/preview?language=fr-nl")
    for text in (*data.values(), "Eén loket voor jongeren", "Trop cher pour les petites communes"):
        assert text in preview.text
    assert "Onhaalbaar in Vlaanderen" in preview.text  # the annex says why


async def test_too_long_introduction_is_refused_with_the_text_kept(client, db):
    setup = await consolidation(db)
    await sign_in(client, setup.facilitator)
    slug = setup.cycle.slug
    long_text = "x" * 20_001
    response = await post_form(
        client, f"/cycles/{slug}/dossier/introductions", {"introduction_fr": long_text}, token_from=f"/cycles/{slug}"
    )
    assert response.status_code == 400
    assert "too long" in response.text
    assert long_text in response.text


async def test_publishing_freezes_a_version_and_a_correction_keeps_the_old_one(client, db):
    setup = await consolidation(db)
    await sign_in(client, setup.facilitator)
    slug = setup.cycle.slug
    response = await post_form(client, f"/cycles/{slug}/dossier/publish", {}, token_from=f"/cycles/{slug}")
    assert response.status_code == 303
    assert response.headers["location"] == f"/cycles/{slug}/dossier/versions/1"
    async with db.transaction() as session:
        cycle = await session.get(Cycle, setup.cycle.id)
        assert cycle.phase == Phase.PUBLISHED
        first = await session.get(Recommendation, setup.adopted[0].id)
        assert first.reference == "P1"
        first.title = "Un guichet unique, corrigé"
    refused = await post_form(client, f"/cycles/{slug}/dossier/publish", {}, token_from=f"/cycles/{slug}")
    assert refused.status_code == 400
    assert "Say what this correction changes" in refused.text
    corrected = await post_form(
        client, f"/cycles/{slug}/dossier/publish", {"note": "Titre de P1 corrigé"}, token_from=f"/cycles/{slug}"
    )
    assert corrected.headers["location"] == f"/cycles/{slug}/dossier/versions/2"
    client.cookies.clear()
    old = await client.get(f"/cycles/{slug}/dossier/versions/1")
    assert "Un guichet unique pour les jeunes" in old.text
    assert "Un guichet unique, corrigé" not in old.text
    latest = await client.get(f"/cycles/{slug}/dossier")
    assert "Un guichet unique, corrigé" in latest.text
    assert "Titre de P1 corrigé" in latest.text
    async with db.session(write=False) as session:
        numbers = (
            await session.scalars(select(DossierVersion.number).where(DossierVersion.cycle_id == setup.cycle.id))
        ).all()
    assert sorted(numbers) == [1, 2]


async def test_publishing_is_refused_while_personal_data_is_unconfirmed(client, db):
    setup = await consolidation(db)
    async with db.transaction() as session:
        recommendation = await session.get(Recommendation, setup.adopted[1].id)
        recommendation.finding = "Appeler Mme Dupont au 0470 12 34 56 pour son dossier."
    await sign_in(client, setup.facilitator)
    slug = setup.cycle.slug
    page = await client.get(f"/cycles/{slug}/dossier/consolidation")
    assert "Publishing is refused" in page.text
    response = await post_form(client, f"/cycles/{slug}/dossier/publish", {}, token_from=f"/cycles/{slug}")
    assert response.status_code == 400
    assert "personal data" in response.text
    async with db.session(write=False) as session:
        assert await session.scalar(select(DossierVersion).where(DossierVersion.cycle_id == setup.cycle.id)) is None
        assert (await session.get(Cycle, setup.cycle.id)).phase == Phase.CONSOLIDATION


async def test_members_outsiders_and_anonymous_cannot_reach_the_consolidation(client, db):
    setup = await consolidation(db)
    slug = setup.cycle.slug
    outsider = await make_user(db)
    for person in (setup.member, outsider, None):
        client.cookies.clear()
        if person is not None:
            await sign_in(client, person)
        for path in ("consolidation", "preview"):
            response = await client.get(f"/cycles/{slug}/dossier/{path}", follow_redirects=False)
            assert response.status_code in (404, 401, 302, 303), (person, path, response.status_code)
        if person is not None:
            for action, data in (
                ("publish", {}),
                ("move", {"recommendation_id": str(setup.adopted[1].id), "direction": "up"}),
                ("introductions", {"introduction_fr": "Pirate"}),
            ):
                response = await post_form(client, f"/cycles/{slug}/dossier/{action}", data)
                assert response.status_code == 404, (person, action)
    async with db.session(write=False) as session:
        assert await session.scalar(select(DossierVersion).where(DossierVersion.cycle_id == setup.cycle.id)) is None


async def test_consolidation_waits_for_the_vote_to_close(client, db):
    setup = await consolidation(db, phase=Phase.VOTING)
    await sign_in(client, setup.facilitator)
    response = await client.get(f"/cycles/{setup.cycle.slug}/dossier/consolidation")
    assert response.status_code == 404


async def test_unpublished_dossier_is_not_readable_and_unknown_version_is_404(client, db):
    setup = await consolidation(db)
    await sign_in(client, setup.facilitator)
    assert (await client.get(f"/cycles/{setup.cycle.slug}/dossier")).status_code == 404
    assert (await client.get(f"/cycles/{setup.cycle.slug}/dossier/versions/7")).status_code == 404


async def test_publishing_is_refused_while_a_translation_holds_unconfirmed_personal_data(client, db):
    setup = await consolidation(db)
    first = setup.adopted[0]
    async with db.transaction() as session:
        translation = await session.scalar(select(Translation).where(Translation.recommendation_id == first.id))
        translation.content = {**translation.content, "finding": "Bel mevrouw Peeters op 0470 12 34 56."}
    await sign_in(client, setup.facilitator)
    slug = setup.cycle.slug
    response = await post_form(client, f"/cycles/{slug}/dossier/publish", {}, token_from=f"/cycles/{slug}")
    assert response.status_code == 400
    assert "personal data" in response.text
    page = await client.get(f"/recommendations/{first.id}")
    fingerprints = re.findall(r'name="fingerprint" value="([0-9a-f]+)"', page.text)
    assert fingerprints
    assert "0470 12 34 56" in page.text
    assert "(Dutch)" in page.text  # the flagged passage is in the Dutch translation
    confirmed = await post_form(
        client,
        f"/recommendations/{first.id}/privacy",
        {"fingerprint": fingerprints},
        token_from=f"/recommendations/{first.id}",
    )
    assert confirmed.status_code == 303
    published = await post_form(client, f"/cycles/{slug}/dossier/publish", {}, token_from=f"/cycles/{slug}")
    assert published.status_code == 303
