"""No lost work: two people, or twenty, editing one recommendation at the same moment."""

from __future__ import annotations

import asyncio

import httpx
from markupsafe import escape
from sqlalchemy import select

from tests.factories import add_member, make_cycle, make_recommendation, make_user
from tests.helpers import csrf_token, sign_in
from workspace.accounts.models import MembershipRole
from workspace.recommendations.models import CoAuthor, Recommendation, Revision, Status

EDITORS = 20


def browser(app) -> httpx.AsyncClient:
    """A separate person (own cookies) on the same app and event loop, like browsers on one server."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local")


def form_for(recommendation, finding: str, title: str, base: int = 1, token: str = "") -> dict[str, str]:
    return {
        "title": title,
        "finding": finding,
        "proposal": recommendation.proposal,
        "action_level": "local",
        "institutions": "",
        "expected_effect": "",
        "scheme_fr": "",
        "scheme_wal": "",
        "scheme_vl": "",
        "harmonisation": "",
        "tags": "",
        "base_revision": str(base),
        "message": "",
        "_csrf_token": token,
    }


async def test_two_editors_at_once_one_merge_one_conflict(app, db):
    cycle = await make_cycle(db)
    first, second = await make_user(db), await make_user(db)
    await add_member(db, first, cycle, role=MembershipRole.FACILITATOR)
    await add_member(db, second, cycle, role=MembershipRole.FACILITATOR)
    recommendation = await make_recommendation(
        db, cycle, status=Status.DRAFT, finding="Paragraphe un.\n\nParagraphe deux.", title="Titre"
    )
    path = f"/recommendations/{recommendation.id}/edit"
    async with browser(app) as one, browser(app) as two:
        await sign_in(one, first)
        await sign_in(two, second)
        token_one, token_two = await csrf_token(one, path), await csrf_token(two, path)
        both = "Paragraphe UN.\n\nParagraphe DEUX."
        saved = await one.post(
            path,
            data=form_for(recommendation, "Paragraphe UN.\n\nParagraphe deux.", "Titre", token=token_one),
            follow_redirects=False,
        )
        assert saved.status_code == 303
        merged = await two.post(
            path,
            data=form_for(recommendation, "Paragraphe un.\n\nParagraphe DEUX.", "Titre", token=token_two),
            follow_redirects=True,
        )
        assert merged.status_code == 200
        assert "flash--success" in merged.text
        # Both now retitle it from revision 3; the second to save meets a conflict and keeps their title.
        first = await one.post(
            path,
            data=form_for(recommendation, both, "Titre de Sophie", base=3, token=token_one),
            follow_redirects=False,
        )
        assert first.status_code == 303
        clash = await two.post(
            path, data=form_for(recommendation, both, "Titre de Griet", base=3, token=token_two), follow_redirects=False
        )
    assert clash.status_code == 409
    assert 'value="Titre de Griet"' in clash.text
    assert "Titre de Sophie" in clash.text
    assert 'name="base_revision" value="4"' in clash.text
    async with db.session(write=False) as session:
        revisions = (
            await session.scalars(
                select(Revision).where(Revision.recommendation_id == recommendation.id).order_by(Revision.number)
            )
        ).all()
    assert [revision.number for revision in revisions] == [1, 2, 3, 4]
    assert revisions[2].content["finding"] == both
    assert revisions[3].content["title"] == "Titre de Sophie"


async def test_twenty_concurrent_editors_never_lose_a_word(app, db):
    """Every submitted text ends up in the history or in a conflict shown to its author."""
    cycle = await make_cycle(db)
    author = await make_user(db)
    await add_member(db, author, cycle)
    paragraphs = [f"Paragraphe {index} d'origine." for index in range(EDITORS)]
    recommendation = await make_recommendation(
        db, cycle, author=author, status=Status.DRAFT, finding="\n\n".join(paragraphs), title="Titre d'origine"
    )
    editors = []
    for _ in range(EDITORS):
        editor = await make_user(db)
        await add_member(db, editor, cycle)
        editors.append(editor)
    async with db.transaction() as session:
        session.add_all(CoAuthor(recommendation_id=recommendation.id, user_id=editor.id) for editor in editors)

    path = f"/recommendations/{recommendation.id}/edit"
    clients = [browser(app) for _ in editors]
    submitted: list[tuple[str, str]] = []
    try:
        tokens = []
        for client, editor in zip(clients, editors, strict=True):
            await client.__aenter__()
            await sign_in(client, editor)
            tokens.append(await csrf_token(client, path))

        def edit_for(index: int) -> dict[str, str]:
            # Even editors change their own paragraph (should merge); odd editors all rewrite the title (clash).
            own = list(paragraphs)
            title = "Titre d'origine"
            if index % 2 == 0:
                own[index] = f"Paragraphe {index} réécrit par l'éditeur {index}."
                submitted.append(("finding", own[index]))
            else:
                title = f"Titre proposé par l'éditeur {index}"
                submitted.append(("title", title))
            return form_for(recommendation, "\n\n".join(own), title, token=tokens[index])

        forms = [edit_for(index) for index in range(EDITORS)]
        responses = await asyncio.gather(
            *(client.post(path, data=form, follow_redirects=False) for client, form in zip(clients, forms, strict=True))
        )
    finally:
        for client in clients:
            await client.__aexit__(None, None, None)

    statuses = [response.status_code for response in responses]
    assert set(statuses) <= {303, 409}, statuses
    async with db.session(write=False) as session:
        revisions = (
            await session.scalars(
                select(Revision).where(Revision.recommendation_id == recommendation.id).order_by(Revision.number)
            )
        ).all()
    history_text = "\n".join(f"{revision.content['title']}\n{revision.content['finding']}" for revision in revisions)
    final = revisions[-1].content
    for (field, text), response in zip(submitted, responses, strict=True):
        if response.status_code == 303:
            assert text in history_text, f"saved text missing from the history: {text}"
        else:
            assert str(escape(text)) in response.text, f"conflict page does not give the author back their text: {text}"
            assert field == "title", "paragraph edits by different people must merge, not conflict"
    for index in range(0, EDITORS, 2):
        assert f"Paragraphe {index} réécrit par l'éditeur {index}." in final["finding"]
    assert [revision.number for revision in revisions] == list(range(1, len(revisions) + 1))
    assert statuses.count(303) >= EDITORS // 2 + 1


async def test_pages_open_while_someone_is_saving_the_recommendation(app, db):
    """Only a save locks the recommendation (on PostgreSQL, until it commits): opening the edit, amendment
    or translation pages must not take that lock, or every save would wait for someone's page to render."""
    cycle = await make_cycle(db)
    author, reader = await make_user(db), await make_user(db)
    await add_member(db, author, cycle)
    await add_member(db, reader, cycle)
    recommendation = await make_recommendation(db, cycle, author=author, status=Status.DRAFT)
    path = f"/recommendations/{recommendation.id}"
    pages = {
        author: [f"{path}/edit", f"{path}/translations/nl", f"{path}/history"],
        reader: [f"{path}/amendments/new", path],
    }
    async with browser(app) as one, browser(app) as two:
        people = {author: one, reader: two}
        for person, client in people.items():
            await sign_in(client, person)
        async with db.session(write=True) as saving:
            locked = select(Recommendation).where(Recommendation.id == recommendation.id).with_for_update()
            assert (await saving.scalar(locked)) is not None
            for person, paths in pages.items():
                for page in paths:
                    response = await asyncio.wait_for(people[person].get(page), timeout=10)
                    assert response.status_code == 200, page
            await saving.rollback()
