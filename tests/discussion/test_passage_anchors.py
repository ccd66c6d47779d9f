"""A comment about one passage of a part (a paragraph of the proposal): chosen from the page without
JavaScript, kept when the paragraph moves in a later revision, and told apart once it is rewritten."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.discussion.support import discussion_room
from tests.helpers import post_form, sign_in
from workspace.discussion.models import Comment
from workspace.recommendations import passages
from workspace.recommendations.models import Recommendation

PROPOSAL = (
    "Ouvrir un guichet commun à Tournai.\n\n"
    "Former les équipes des deux côtés à la **garantie locative**.\n\n"
    "- Évaluer après un an\n- Publier le bilan"
)


async def _set_proposal(db, recommendation, text: str) -> None:
    async with db.transaction() as session:
        (await session.get(Recommendation, recommendation.id)).proposal = text


async def test_a_member_comments_on_one_paragraph_and_the_comment_follows_it_when_it_moves(client, db):
    room = await discussion_room(db)
    await _set_proposal(db, room.recommendation, PROPOSAL)
    second = passages.split("proposal", PROPOSAL)[1]
    await sign_in(client, room.member)
    page = f"/recommendations/{room.recommendation.id}"
    html = (await client.get(page)).text
    assert html.count('class="passage"') >= 3
    assert f'id="{second.element_id}"' in html
    link = f'href="?about={second.anchor.replace("~", "%7E")}#comment-form"'
    assert link in html or f'href="?about={second.anchor}#comment-form"' in html
    # Following the link (no JavaScript needed) opens the form about that passage.
    chosen = (await client.get(page, params={"about": second.anchor})).text
    assert re.search(rf'<option value="{re.escape(second.anchor)}" selected>', chosen)
    posted = await post_form(
        client, f"{page}/comments", {"body": "Qui paie la formation ?", "anchor": second.anchor}, token_from=page
    )
    assert posted.status_code == 303
    async with db.session(write=False) as session:
        comment = await session.scalar(select(Comment).where(Comment.recommendation_id == room.recommendation.id))
    assert comment.anchor == second.anchor
    assert comment.anchor_excerpt.startswith("Former les équipes")
    shown = (await client.get(page)).text
    assert f'<a href="#{second.element_id}">About: Proposal, passage 2</a>' in shown
    assert "1 comment on this passage" in shown

    # A later revision puts the paragraph first: the comment still points at it.
    moved = "Former les équipes des deux côtés à la **garantie locative**.\n\nOuvrir un guichet commun à Tournai."
    await _set_proposal(db, room.recommendation, moved)
    shown = (await client.get(page)).text
    assert f'<a href="#{second.element_id}">About: Proposal, passage 1</a>' in shown

    # Rewritten, the passage is gone: the comment says so and quotes how it read.
    await _set_proposal(db, room.recommendation, "Ouvrir un guichet commun à Tournai et à Kortrijk.")
    shown = (await client.get(page)).text
    assert '<a href="#proposal">About: Proposal</a>' in shown
    assert (
        "this passage has changed since; it read: “Former les équipes des deux côtés à la garantie locative.”" in shown
    )


async def test_a_comment_about_a_passage_rewritten_meanwhile_comes_back_with_its_text(client, db):
    room = await discussion_room(db)
    await _set_proposal(db, room.recommendation, PROPOSAL)
    first = passages.split("proposal", PROPOSAL)[0]
    await sign_in(client, room.member)
    page = f"/recommendations/{room.recommendation.id}"
    await client.get(page)
    await _set_proposal(db, room.recommendation, "Tout autre chose.")
    refused = await post_form(
        client, f"{page}/comments", {"body": "Mon avis détaillé", "anchor": first.anchor}, token_from=page
    )
    assert refused.status_code == 400
    assert 'id="anchor-error"' in refused.text
    assert "Mon avis détaillé" in refused.text
    async with db.session(write=False) as session:
        assert await session.scalar(select(Comment).where(Comment.recommendation_id == room.recommendation.id)) is None


def test_a_passage_is_named_by_its_words_not_its_place():
    one = passages.split("finding", "Premier.\n\nDeuxième **mot**.")
    two = passages.split("finding", "Deuxième mot.\n\nAutre.\n\nPremier.")
    assert one[1].key == two[0].key  # markup aside, the same words
    assert one[0].key == two[2].key
    assert [p.number for p in two] == [1, 2, 3]
    assert passages.parse(one[0].anchor) == ("finding", one[0].key)
    assert passages.parse("finding") == ("finding", "")
