"""Privacy rights: download one's data as a ZIP of JSON, delete one's account (contributions kept under
a pseudonym, ballots kept in the tallies), admins doing both on request, all in the audit log."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import func, select

from tests.factories import add_member, make_comment, make_cycle, make_recommendation, make_user
from tests.helpers import post_form, sign_in
from workspace.accounts.models import OidcIdentity, User
from workspace.core.models import AuditEntry
from workspace.cycles.models import Membership, Phase
from workspace.discussion.models import Comment, Notification
from workspace.recommendations.models import Recommendation
from workspace.rights.services import pseudonym
from workspace.voting.models import Ballot, Choice
from workspace.voting.services import tallies


async def _contributions(db, phase: Phase = Phase.CONSOLIDATION):  # type: ignore[no-untyped-def]
    cycle = await make_cycle(db, phase=phase)
    user = await make_user(db, email="julie@example.org", display_name="Julie Martin", organisation="CPAS de Mons")
    await add_member(db, user, cycle)
    recommendation = await make_recommendation(db, cycle, author=user, title="Un guichet unique")
    await make_comment(db, recommendation, user, "Je connais bien ce dispositif.")
    async with db.transaction() as session:
        session.add(
            Ballot(
                recommendation_id=recommendation.id,
                user_id=user.id,
                choice=Choice.AGAINST,
                reason="Trop coûteux",
                side=user.side,
                actor_kind=user.actor_kind,
            )
        )
        session.add(Notification(user_id=user.id, kind="reply", params={"who": "Griet"}, link="/"))
        session.add(OidcIdentity(provider="partner", subject="julie", user_id=user.id))
    return cycle, user, recommendation


async def _audit_actions(db) -> list[str]:  # type: ignore[no-untyped-def]
    async with db.session(write=False) as session:
        return list((await session.scalars(select(AuditEntry.action))).all())


async def test_member_downloads_all_their_data_as_a_zip_of_json(client, db):
    _cycle, user, recommendation = await _contributions(db)
    await sign_in(client, user)
    assert (await client.get("/profile/privacy")).status_code == 200

    response = await post_form(client, "/profile/data", {}, token_from="/profile/privacy")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    files = {name: json.loads(archive.read(name)) for name in archive.namelist()}
    assert files["profile.json"]["email"] == "julie@example.org"
    assert files["profile.json"]["organisation"] == "CPAS de Mons"
    assert files["profile.json"]["memberships"]
    assert files["profile.json"]["sign_in_identities"][0]["provider"] == "partner"
    assert files["texts.json"]["recommendations"][0]["id"] == str(recommendation.id)
    assert files["comments.json"]["comments"][0]["body"] == "Je connais bien ce dispositif."
    assert files["ballots.json"][0]["choice"] == "against"
    assert files["ballots.json"][0]["reason"] == "Trop coûteux"
    assert files["notifications.json"][0]["kind"] == "reply"
    assert "privacy.export" in await _audit_actions(db)


async def _tally(db, cycle, recommendation):  # type: ignore[no-untyped-def]
    async with db.session(write=False) as session:
        return (await tallies(session, cycle, [recommendation]))[recommendation.id]


async def test_deleting_an_account_erases_the_person_and_keeps_their_contributions(client, db):
    cycle, user, recommendation = await _contributions(db)
    before = await _tally(db, cycle, recommendation)
    await sign_in(client, user)

    response = await post_form(
        client, "/profile/delete", {"confirm_email": "julie@example.org"}, token_from="/profile/privacy"
    )

    assert response.status_code == 303
    assert (await client.get("/profile", follow_redirects=False)).status_code != 200
    async with db.session(write=False) as session:
        erased = await session.get(User, user.id)
        assert erased.deleted_at is not None
        assert not erased.is_active
        assert "julie" not in erased.email
        assert erased.display_name.startswith("Participant ")
        assert erased.organisation == ""
        assert erased.password_hash is None
        kept = await session.get(Recommendation, recommendation.id)
        assert kept.author_id == user.id  # shown under the pseudonym
        assert await session.scalar(select(func.count()).select_from(Comment).where(Comment.author_id == user.id)) == 1
        ballot = await session.scalar(select(Ballot).where(Ballot.recommendation_id == recommendation.id))
        assert ballot.user_id is None
        assert ballot.choice == Choice.AGAINST
        assert ballot.side == user.side
        for model, column in (
            (Notification, Notification.user_id),
            (Membership, Membership.user_id),
            (OidcIdentity, OidcIdentity.user_id),
        ):
            assert await session.scalar(select(func.count()).select_from(model).where(column == user.id)) == 0
    assert "privacy.delete" in await _audit_actions(db)
    after = await _tally(db, cycle, recommendation)
    assert after.overall == before.overall  # the ballot still counts
    assert after.by_side == before.by_side
    page = await client.get(f"/recommendations/{recommendation.id}")
    assert "Julie Martin" not in page.text


async def test_deleting_an_account_removes_its_name_from_other_peoples_notifications(client, db):
    cycle, user, _recommendation = await _contributions(db)
    colleague = await make_user(db, display_name="Griet Peeters")
    await add_member(db, colleague, cycle)
    async with db.transaction() as session:
        about_julie = {"actor": "Julie Martin", "actor_id": str(user.id), "title": "Un guichet unique"}
        told = Notification(user_id=colleague.id, kind="comment", link="/", params=about_julie)
        about_marc = {"actor": "Marc Membre", "actor_id": str(colleague.id), "title": "Autre"}
        other = Notification(user_id=colleague.id, kind="comment", link="/", params=about_marc)
        session.add_all([told, other])
    await sign_in(client, user)

    response = await post_form(
        client, "/profile/delete", {"confirm_email": "julie@example.org"}, token_from="/profile/privacy"
    )

    assert response.status_code == 303
    async with db.session(write=False) as session:
        assert (await session.get(Notification, told.id)).params == {**about_julie, "actor": pseudonym(user.id)}
        assert (await session.get(Notification, other.id)).params["actor"] == "Marc Membre"


async def test_deletion_needs_the_address_typed_and_keeps_what_was_typed(client, db):
    _cycle, user, _recommendation = await _contributions(db)
    await sign_in(client, user)
    response = await post_form(
        client, "/profile/delete", {"confirm_email": "someone@else.org"}, token_from="/profile/privacy"
    )
    assert response.status_code == 400
    assert 'value="someone@else.org"' in response.text
    async with db.session(write=False) as session:
        assert (await session.get(User, user.id)).deleted_at is None


async def test_deletion_is_refused_while_a_vote_the_member_takes_part_in_is_open(client, db):
    _cycle, user, _recommendation = await _contributions(db, phase=Phase.VOTING)
    await sign_in(client, user)
    page = await client.get("/profile/privacy")
    assert "flash--info" in page.text
    response = await post_form(
        client, "/profile/delete", {"confirm_email": "julie@example.org"}, token_from="/profile/privacy"
    )
    assert response.status_code == 409
    assert 'role="alert"' in response.text
    async with db.session(write=False) as session:
        assert (await session.get(User, user.id)).deleted_at is None
        assert await session.scalar(select(func.count()).select_from(Ballot).where(Ballot.user_id == user.id)) == 1


async def test_admin_downloads_and_deletes_on_request(client, db):
    _cycle, user, _recommendation = await _contributions(db)
    admin = await make_user(db, is_admin=True)
    await sign_in(client, admin)
    assert "julie@example.org" in (await client.get("/admin/users")).text
    page = f"/admin/users/{user.id}"
    assert (await client.get(page)).status_code == 200

    download = await post_form(client, f"{page}/data", {}, token_from=page)
    assert download.status_code == 200
    assert "profile.json" in zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    deleted = await post_form(client, f"{page}/delete", {"confirm_email": "julie@example.org"}, token_from=page)
    assert deleted.status_code == 303

    async with db.session(write=False) as session:
        assert (await session.get(User, user.id)).deleted_at is not None
        entries = (await session.scalars(select(AuditEntry).where(AuditEntry.action.like("privacy.%")))).all()
        assert {(entry.action, entry.actor_id) for entry in entries} == {
            ("privacy.export", admin.id),
            ("privacy.delete", admin.id),
        }


async def test_members_cannot_reach_the_admin_privacy_pages(client, db):
    _cycle, user, _recommendation = await _contributions(db)
    other = await make_user(db)
    await sign_in(client, other)
    assert (await client.get(f"/admin/users/{user.id}")).status_code == 404
    response = await post_form(client, f"/admin/users/{user.id}/data", {})
    assert response.status_code == 404
    response = await post_form(client, f"/admin/users/{user.id}/delete", {"confirm_email": user.email})
    assert response.status_code == 404
    async with db.session(write=False) as session:
        assert (await session.get(User, user.id)).deleted_at is None


async def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = await client.get("/profile/privacy", follow_redirects=False)
    assert response.status_code in (302, 303, 401)


async def test_a_pending_invitation_to_a_deleted_account_does_not_become_an_open_link(client, db):
    """Erasing the address from it would leave an invitation anyone holding the link could use."""
    from datetime import timedelta

    from workspace.accounts.models import MembershipRole
    from workspace.core.tokens import new_token, utcnow
    from workspace.cycles.models import Invitation

    cycle, user, _recommendation = await _contributions(db)
    token, token_hash = new_token()
    async with db.transaction() as session:
        session.add(
            Invitation(
                token_hash=token_hash,
                email=user.email,
                role=MembershipRole.MEMBER,
                cycle_id=cycle.id,
                expires_at=utcnow() + timedelta(days=3),
            )
        )
    await sign_in(client, user)
    response = await post_form(
        client, "/profile/delete", {"confirm_email": "julie@example.org"}, token_from="/profile/privacy"
    )
    assert response.status_code == 303
    stranger = await make_user(db)
    await sign_in(client, stranger)
    assert (await post_form(client, f"/invitations/{token}/accept", {})).status_code == 404
    async with db.session(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(Invitation).where(Invitation.email.is_(None))) == 0
