"""Reports, the facilitators' queue, hiding with a public reason, suspending, merging, the audit log."""

from __future__ import annotations

from sqlalchemy import select

from tests.discussion.support import discussion_room
from tests.factories import make_comment, make_recommendation
from tests.helpers import post_form, sign_in
from workspace.core.models import AuditEntry
from workspace.cycles.models import Membership
from workspace.discussion.models import Comment, Follow, Report, ReportStatus
from workspace.recommendations.models import Recommendation, Status


async def audit_actions(db, cycle) -> list[str]:
    async with db.session(write=False) as session:
        return list((await session.scalars(select(AuditEntry.action).where(AuditEntry.cycle_id == cycle.id))).all())


async def test_a_report_goes_through_the_queue_to_a_hidden_comment_with_its_reason(client, db):
    room = await discussion_room(db)
    comment = await make_comment(db, room.recommendation, room.author, "Le maire de X est incompétent.")
    await sign_in(client, room.member)
    page = f"/recommendations/{room.recommendation.id}"
    reported = await post_form(client, f"/comments/{comment.id}/report", {"reason": "Attaque personnelle"},
                               token_from=page)  # fmt: skip
    assert reported.status_code == 303
    again = await post_form(client, f"/comments/{comment.id}/report", {"reason": "Encore"}, token_from=page)
    assert again.status_code == 303
    await sign_in(client, room.facilitator)
    queue = await client.get(f"/cycles/{room.cycle.slug}/moderation")
    assert queue.status_code == 200
    assert "Attaque personnelle" in queue.text
    assert "Le maire de X" in queue.text
    missing_reason = await post_form(client, f"/comments/{comment.id}/hide", {"reason": ""}, token_from=page)
    assert missing_reason.status_code == 400
    assert "This field is required." in missing_reason.text
    hidden = await post_form(client, f"/comments/{comment.id}/hide", {"reason": "Pas d’attaques personnelles"},
                             token_from=page)  # fmt: skip
    assert hidden.status_code == 303
    await sign_in(client, room.member)
    shown = await client.get(page)
    assert "Hidden by a facilitator: Pas d’attaques personnelles" in shown.text
    assert "incompétent" not in shown.text
    async with db.session(write=False) as session:
        statuses = (await session.scalars(select(Report.status).where(Report.comment_id == comment.id))).all()
    assert statuses == [ReportStatus.HIDDEN]
    await sign_in(client, room.facilitator)
    audit = await client.get(f"/cycles/{room.cycle.slug}/audit?action=comment")
    assert "<td>Comment hidden</td>" in audit.text
    assert "<td>Report made</td>" not in audit.text
    restored = await post_form(client, f"/comments/{comment.id}/restore", {}, token_from=page)
    assert restored.status_code == 303
    assert {"report.open", "comment.hide", "comment.restore"} <= set(await audit_actions(db, room.cycle))


async def test_nobody_reports_their_own_post_and_members_cannot_moderate(client, db):
    room = await discussion_room(db)
    comment = await make_comment(db, room.recommendation, room.member, "Mon avis")
    page = f"/recommendations/{room.recommendation.id}"
    await sign_in(client, room.member)
    own = await post_form(client, f"/comments/{comment.id}/report", {"reason": "Test"}, token_from=page)
    assert own.status_code == 400
    assert "cannot report your own" in own.text
    assert (await client.get(f"/cycles/{room.cycle.slug}/moderation")).status_code == 404
    assert (await client.get(f"/cycles/{room.cycle.slug}/audit")).status_code == 404
    assert (
        await post_form(client, f"/comments/{comment.id}/hide", {"reason": "x"}, token_from=page)
    ).status_code == 404
    assert (await post_form(client, f"{page}/lock", {}, token_from=page)).status_code == 404
    assert (await post_form(client, f"{page}/merge", {"target": "x"}, token_from=page)).status_code == 404
    await sign_in(client, room.outsider)
    assert (await post_form(client, f"/comments/{comment.id}/report", {"reason": "x"})).status_code == 404
    async with db.session(write=False) as session:
        assert (await session.scalars(select(Comment.hidden_at).where(Comment.id == comment.id))).one() is None


async def test_a_suspended_member_reads_but_can_no_longer_comment(client, db):
    room = await discussion_room(db)
    await sign_in(client, room.facilitator)
    suspended = await post_form(client, f"/cycles/{room.cycle.slug}/members/{room.member.id}/suspension",
                                {"action": "suspend", "reason": "Propos répétés"},
                                token_from=f"/cycles/{room.cycle.slug}/moderation")  # fmt: skip
    assert suspended.status_code == 303
    await sign_in(client, room.member)
    page = f"/recommendations/{room.recommendation.id}"
    assert (await client.get(page)).status_code == 200
    refused = await post_form(client, f"{page}/comments", {"body": "Encore moi"}, token_from=page)
    assert refused.status_code == 409
    assert "participation in this cycle is suspended" in refused.text
    assert ">Encore moi</textarea>" in refused.text
    async with db.session(write=False) as session:
        assert (await session.scalars(select(Comment.body).where(Comment.body == "Encore moi"))).all() == []
        membership = await session.scalar(select(Membership).where(Membership.user_id == room.member.id))
    assert membership is not None
    assert membership.suspended_at is not None
    assert "member.suspend" in await audit_actions(db, room.cycle)


async def test_merging_a_duplicate_moves_comments_and_followers_and_redirects(client, db):
    room = await discussion_room(db)
    duplicate = await make_recommendation(db, room.cycle, author=room.member, title="Guichet unique (doublon)")
    comment = await make_comment(db, duplicate, room.member, "Commentaire sur le doublon")
    async with db.transaction() as session:
        session.add(Follow(user_id=room.member.id, recommendation_id=duplicate.id))
    await sign_in(client, room.facilitator)
    page = f"/recommendations/{duplicate.id}"
    wrong = await post_form(client, f"{page}/merge", {"target": str(duplicate.id)}, token_from=f"{page}/merge")
    assert wrong.status_code == 400
    assert "cannot be merged into itself" in wrong.text
    merged = await post_form(client, f"{page}/merge", {"target": str(room.recommendation.id)},
                             token_from=f"{page}/merge")  # fmt: skip
    assert merged.status_code == 303
    old_address = await client.get(page, follow_redirects=False)
    assert old_address.status_code == 301
    assert old_address.headers["location"] == f"/recommendations/{room.recommendation.id}"
    target_page = await client.get(f"/recommendations/{room.recommendation.id}")
    assert "Commentaire sur le doublon" in target_page.text
    async with db.session(write=False) as session:
        moved = await session.get(Comment, comment.id)
        follows = (
            await session.scalars(select(Follow.recommendation_id).where(Follow.user_id == room.member.id))
        ).all()
        status = await session.scalar(select(Recommendation.status).where(Recommendation.id == duplicate.id))
    assert moved is not None
    assert moved.recommendation_id == room.recommendation.id
    assert list(follows) == [room.recommendation.id]
    assert status == Status.MERGED
    assert "recommendation.merge" in await audit_actions(db, room.cycle)


async def test_a_member_reports_a_recommendation_and_it_reaches_the_queue(client, db):
    room = await discussion_room(db)
    page = f"/recommendations/{room.recommendation.id}"
    await sign_in(client, room.member)
    reported = await post_form(client, f"{page}/report", {"reason": "Doublon de la recommandation P2"}, token_from=page)
    assert reported.status_code == 303
    await sign_in(client, room.author)
    own = await post_form(client, f"{page}/report", {"reason": "Test"}, token_from=page)
    assert own.status_code == 400
    await sign_in(client, room.facilitator)
    queue = await client.get(f"/cycles/{room.cycle.slug}/moderation")
    assert "Doublon de la recommandation P2" in queue.text
    assert "Merge into another recommendation" in queue.text


async def test_facilitators_cannot_be_suspended_and_nobody_reinstates_themselves(client, db):
    from tests.factories import add_member, make_user
    from workspace.accounts.models import Language, MembershipRole

    room = await discussion_room(db)
    other = await make_user(db, language=Language.ENGLISH)
    await add_member(db, other, room.cycle, role=MembershipRole.FACILITATOR, group=None)
    await sign_in(client, room.facilitator)
    path = f"/cycles/{room.cycle.slug}/members"
    refused = await post_form(client, f"{path}/{other.id}/suspension", {"action": "suspend", "reason": "Abus"},
                              token_from=f"/cycles/{room.cycle.slug}/moderation")  # fmt: skip
    assert refused.status_code == 400
    assert "Facilitators are not suspended" in refused.text
    itself = await post_form(client, f"{path}/{room.facilitator.id}/suspension", {"action": "reinstate"},
                             token_from=f"/cycles/{room.cycle.slug}/moderation")  # fmt: skip
    assert itself.status_code == 400
    async with db.session(write=False) as session:
        suspended = (await session.scalars(select(Membership.suspended_at).where(Membership.user_id == other.id))).all()
    assert suspended == [None]


async def test_a_nul_byte_in_a_comment_or_report_is_dropped_not_a_crash(client, db):
    room = await discussion_room(db)
    comment = await make_comment(db, room.recommendation, room.author, "Texte")
    await sign_in(client, room.member)
    page = f"/recommendations/{room.recommendation.id}"
    posted = await post_form(client, f"{page}/comments", {"body": "a\x00b"}, token_from=page)
    assert posted.status_code == 303
    reported = await post_form(client, f"/comments/{comment.id}/report", {"reason": "x\x00y"}, token_from=page)
    assert reported.status_code == 303
    async with db.session(write=False) as session:
        bodies = (await session.scalars(select(Comment.body).where(Comment.author_id == room.member.id))).all()
    assert bodies == ["ab"]


async def test_a_reported_comment_keeps_what_was_reported_for_the_facilitators(client, db):
    """Its author may still edit it (the queue shows the reported text beside the new one), but not
    delete it until a facilitator has handled the report."""
    room = await discussion_room(db)
    comment = await make_comment(db, room.recommendation, room.author, "Le maire de X est incompétent.")
    page = f"/recommendations/{room.recommendation.id}"
    await sign_in(client, room.member)
    await post_form(client, f"/comments/{comment.id}/report", {"reason": "Attaque personnelle"}, token_from=page)
    await sign_in(client, room.author)
    edited = await post_form(client, f"/comments/{comment.id}/edit", {"body": "Le guichet de X est fermé."},
                             token_from=f"/comments/{comment.id}/edit")  # fmt: skip
    assert edited.status_code == 303
    refused = await post_form(client, f"/comments/{comment.id}/delete", {}, token_from=page)
    assert refused.status_code == 303
    assert "once a facilitator has looked at the report" in (await client.get(page)).text
    async with db.session(write=False) as session:
        assert (await session.get(Comment, comment.id)).deleted_at is None
    await sign_in(client, room.facilitator)
    queue = (await client.get(f"/cycles/{room.cycle.slug}/moderation")).text
    assert queue.index("Le maire de X est incompétent.") < queue.index("Le guichet de X est fermé.")
    dismissed = await post_form(client, f"/cycles/{room.cycle.slug}/reports/"
                                f"{await _open_report_id(db, comment)}/dismiss", {},
                                token_from=f"/cycles/{room.cycle.slug}/moderation")  # fmt: skip
    assert dismissed.status_code == 303
    await sign_in(client, room.author)
    assert (await post_form(client, f"/comments/{comment.id}/delete", {}, token_from=page)).status_code == 303
    async with db.session(write=False) as session:
        assert (await session.get(Comment, comment.id)).deleted_at is not None


async def _open_report_id(db, comment):  # type: ignore[no-untyped-def]
    async with db.session(write=False) as session:
        return await session.scalar(
            select(Report.id).where(Report.comment_id == comment.id, Report.status == ReportStatus.OPEN)
        )


async def test_the_audit_log_reads_in_french_and_links_to_what_each_act_touched(client, db):
    from sqlalchemy import update

    from workspace.accounts.models import Language, User

    room = await discussion_room(db)
    async with db.transaction() as session:
        await session.execute(update(User).where(User.id == room.facilitator.id).values(language=Language.FRENCH))
    comment = await make_comment(db, room.recommendation, room.author, "Le maire de X est incompétent.")
    page = f"/recommendations/{room.recommendation.id}"
    await sign_in(client, room.member)
    await post_form(client, f"/comments/{comment.id}/report", {"reason": "Attaque personnelle"}, token_from=page)
    await sign_in(client, room.facilitator)
    await post_form(client, f"/comments/{comment.id}/hide", {"reason": "Pas d’attaques"}, token_from=page)
    queue_page = f"/cycles/{room.cycle.slug}/moderation"
    await post_form(client, f"/cycles/{room.cycle.slug}/members/{room.member.id}/suspension",
                    {"action": "suspend", "reason": "Insultes répétées"}, token_from=queue_page)  # fmt: skip
    audit = await client.get(f"/cycles/{room.cycle.slug}/audit")
    assert audit.status_code == 200
    for word in ("Commentaire masqué", "Signalement fait", "Membre suspendu", "Justification", "Insultes répétées"):
        assert word in audit.text, word
    for code in ("comment.hide", "report.open", "member.suspend", "reason:"):
        assert f">{code}<" not in audit.text, code
        assert f"{code}: " not in audit.text, code
    assert f'href="{page}#comment-{comment.id}"' in audit.text
    assert f'href="{queue_page}#member-{room.member.id}"' in audit.text
    assert '<option value="comment.hide">Commentaire masqué</option>' in audit.text
    queue = await client.get(queue_page)
    assert f'id="member-{room.member.id}"' in queue.text
    reinstated = await post_form(client, f"/cycles/{room.cycle.slug}/members/{room.member.id}/suspension",
                                 {"action": "reinstate"}, token_from=queue_page)  # fmt: skip
    assert reinstated.status_code == 303
    assert "Membre réintégré" in (await client.get(f"/cycles/{room.cycle.slug}/audit")).text
