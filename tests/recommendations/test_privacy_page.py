"""The personal-data guard on the recommendation page: a full name is flagged, each finding is highlighted where
it stands in the text the reader sees, and quoted in the reader's language."""

from __future__ import annotations

import re

from tests.factories import add_member, make_cycle, make_recommendation, make_user
from tests.helpers import sign_in
from workspace.accounts.models import Language
from workspace.recommendations.models import Status, Translation

FRENCH_FINDING = "Sa référente, Sylvie Dupont, nous a alertés. Les jeunes frappent à quatre portes."
DUTCH_FINDING = "Haar begeleider, Jan De Smet, belde ons. Jongeren kloppen aan vier deuren."


def marks(page: str) -> list[str]:
    return re.findall(r'<mark class="privacy-mark" id="privacy-[0-9a-f]+">([^<]+)</mark>', page)


def guard_section(page: str) -> str:
    return page[page.index('id="privacy"') : page.index("</section>", page.index('id="privacy"'))]


async def translated_recommendation(db, cycle, author):
    recommendation = await make_recommendation(
        db, cycle, author=author, status=Status.DRAFT, finding=FRENCH_FINDING, language="fr"
    )
    async with db.transaction() as session:
        session.add(
            Translation(
                recommendation_id=recommendation.id,
                language="nl",
                content={"title": "Eén loket", "finding": DUTCH_FINDING, "proposal": "Een gemeenschappelijk loket."},
                source_revision=1,
            )
        )
    return recommendation


async def test_an_author_sees_a_bare_full_name_highlighted_where_it_stands_in_french(client, db):
    cycle = await make_cycle(db)
    author = await make_user(db)
    await add_member(db, author, cycle)
    recommendation = await translated_recommendation(db, cycle, author)
    await sign_in(client, author)

    page = (await client.get(f"/recommendations/{recommendation.id}")).text

    assert marks(page) == ["Sylvie Dupont"]
    guard = guard_section(page)
    assert '«\u00a0<span lang="fr" hx-disable>Sylvie Dupont</span>\u00a0»' in guard
    assert "le prénom et le nom d’une personne" in guard
    fingerprint = re.search(r'id="privacy-([0-9a-f]+)">Sylvie Dupont', page).group(1)
    assert f'href="#privacy-{fingerprint}"' in guard
    # the Dutch translation's own finding is listed under its language, not highlighted in the French text
    assert "Jan De Smet" in guard
    assert "Constat (néerlandais)" in guard


async def test_on_a_dutch_page_the_translation_is_highlighted_and_quoted_with_dutch_marks(client, db):
    cycle = await make_cycle(db)
    author = await make_user(db, language=Language.DUTCH)
    await add_member(db, author, cycle)
    recommendation = await translated_recommendation(db, cycle, author)
    await sign_in(client, author)

    page = (await client.get(f"/recommendations/{recommendation.id}")).text

    assert marks(page) == ["Jan De Smet"]
    guard = guard_section(page)
    assert "«" not in guard
    assert "»" not in guard
    assert '‘<span lang="nl" hx-disable>Jan De Smet</span>’' in guard
    assert '‘<span lang="fr" hx-disable>Sylvie Dupont</span>’' in guard
    assert "Vaststelling (Frans)" in guard
    # the finding shown in the text comes first in the list, with its link
    assert guard.index("Jan De Smet") < guard.index("Sylvie Dupont")
    assert guard.count('class="privacy-flags__where"') == 1


async def test_a_member_who_is_not_an_author_sees_no_highlighting(client, db):
    cycle = await make_cycle(db)
    author = await make_user(db)
    reader = await make_user(db)
    await add_member(db, author, cycle)
    await add_member(db, reader, cycle)
    recommendation = await translated_recommendation(db, cycle, author)
    await sign_in(client, reader)

    page = (await client.get(f"/recommendations/{recommendation.id}")).text

    assert marks(page) == []
    assert 'id="privacy"' not in page
    assert "Sylvie Dupont" in page


async def test_a_confirmed_full_name_is_no_longer_highlighted(client, db):
    cycle = await make_cycle(db)
    author = await make_user(db)
    await add_member(db, author, cycle)
    recommendation = await translated_recommendation(db, cycle, author)
    await sign_in(client, author)
    page = (await client.get(f"/recommendations/{recommendation.id}")).text
    fingerprint = re.search(r'id="privacy-([0-9a-f]+)">Sylvie Dupont', page).group(1)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)

    await client.post(
        f"/recommendations/{recommendation.id}/privacy",
        data={"fingerprint": [fingerprint], "_csrf_token": token},
        follow_redirects=False,
    )

    page = (await client.get(f"/recommendations/{recommendation.id}")).text
    assert marks(page) == []
    assert "Jan De Smet" in guard_section(page)
