"""The recommendation page shows every field; user text is rendered safely."""

from __future__ import annotations

from tests.factories import add_member, make_comment, make_cycle, make_recommendation, make_user
from tests.helpers import sign_in


async def test_the_recommendation_page_shows_every_part_of_the_recommendation(client, db):
    member = await make_user(db, display_name="Nadia Benali")
    cycle = await make_cycle(db)
    await add_member(db, member, cycle)
    recommendation = await make_recommendation(
        db,
        cycle,
        author=member,
        title="Garantie locative commune",
        finding="La garantie **bloque** l'accès.",
        proposal="Reconnaître les garanties.",
        institutions="Action Logement, SPW Logement",
        expected_effect="Un premier logement accessible.",
        scheme_fr="Visale",
        scheme_wal="Garantie CPAS",
        scheme_vl="Huurwaarborglening",
        harmonisation="Une attestation commune.",
    )
    reply_to = await make_comment(db, recommendation, member, "Bonne idée")
    await make_comment(db, recommendation, member, "Je précise", parent_id=reply_to.id)
    await sign_in(client, member)
    page = await client.get(f"/recommendations/{recommendation.id}")
    assert page.status_code == 200
    for text in (
        "Garantie locative commune",
        "<strong>bloque</strong>",
        "Action Logement, SPW Logement",
        "Visale",
        "Garantie CPAS",
        "Huurwaarborglening",
        "Une attestation commune.",
        "Nadia Benali",
        "Je précise",
    ):
        assert text in page.text, text
    assert page.text.count('class="comment"') == 2


async def test_scripts_and_javascript_links_in_user_text_never_reach_the_page(client, db):
    member = await make_user(db)
    cycle = await make_cycle(db)
    await add_member(db, member, cycle)
    recommendation = await make_recommendation(
        db,
        cycle,
        title="<script>alert('title')</script>",
        finding="<script>alert(1)</script> <img src=x onerror=alert(2)> [click](javascript:alert(3))",
        proposal='<a href="javascript:alert(4)">x</a>',
    )
    await make_comment(db, recommendation, member, "<iframe src='https://evil.example'></iframe>")
    await sign_in(client, member)
    page = await client.get(f"/recommendations/{recommendation.id}")
    body = page.text
    assert "<script>alert" not in body
    assert "<img" not in body
    assert "<iframe" not in body
    assert '<a href="javascript:' not in body
    assert "hx-disable" in body


async def test_an_unknown_recommendation_is_404(client, db):
    member = await make_user(db)
    await sign_in(client, member)
    response = await client.get("/recommendations/01a21209-d820-73f5-89f5-6c2d3ba1a0fa")
    assert response.status_code == 404
