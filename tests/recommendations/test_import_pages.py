"""A facilitator imports a document: upload, review the proposed split on one page, create the drafts once."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.factories import add_member, make_cycle, make_user
from tests.helpers import csrf_token, sign_in
from tests.recommendations import import_documents as documents
from workspace.accounts.models import Language, MembershipRole
from workspace.core.models import AuditEntry
from workspace.cycles.models import Axis, Phase
from workspace.recommendations.models import Recommendation, Revision, SourceDocument, Status


async def facilitator_of(db, cycle):
    """A facilitator who reads the pages in English (the French and Dutch pages are walked in tests/browser)."""
    person = await make_user(db, language=Language.ENGLISH)
    await add_member(db, person, cycle, role=MembershipRole.FACILITATOR, group=None)
    return person


async def upload(client, cycle, data: bytes, file_name: str):
    token = await csrf_token(client, f"/cycles/{cycle.slug}/imports")
    return await client.post(
        f"/cycles/{cycle.slug}/imports",
        data={"_csrf_token": token},
        files={"document": (file_name, data, "application/octet-stream")},
        follow_redirects=False,
    )


def review_fields(html: str) -> dict[str, str]:
    """The review form's current values, as a browser would send them."""
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    fields.update(re.findall(r'<input type="text" id="[^"]+" name="([^"]+)" value="([^"]*)"', html))
    for name, options in re.findall(r'<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', options) or re.search(
            r'<option value="([^"]*)"', options
        )
        fields[name] = chosen.group(1) if chosen else ""
    return {name: value.replace("&#39;", "'").replace("&amp;", "&") for name, value in fields.items()}


async def act(client, path: str, action: str, **changes: str):
    page = await client.get(path)
    fields = {**review_fields(page.text), **changes, "action": action}
    return await client.post(path, data=fields, follow_redirects=False)


async def drafts_in(db, cycle):
    async with db.session(write=False) as session:
        query = (
            select(Recommendation, Axis.code)
            .join(Axis, Recommendation.axis_id == Axis.id)
            .where(Recommendation.cycle_id == cycle.id)
            .order_by(Recommendation.created_at, Recommendation.source_item)
        )
        return (await session.execute(query)).all()


async def test_a_facilitator_reviews_the_split_then_creates_the_drafts_once(client, db) -> None:
    cycle = await make_cycle(db)
    facilitator = await facilitator_of(db, cycle)
    await sign_in(client, facilitator)
    response = await upload(client, cycle, documents.FRENCH_MARKDOWN.encode(), "dossier-2012.md")
    assert response.status_code == 303
    review = response.headers["location"]
    page = await client.get(review)
    assert "Former aux économies d&#39;énergie" in page.text
    assert "Create 4 drafts" in page.text

    # Move the third up, give the first another axis, drop the moved one, split the last and merge it back.
    assert (await act(client, review, "up:2")).status_code == 303
    assert (await act(client, review, "", **{"axis-0": "G"})).status_code == 303
    assert (await act(client, review, "drop:1")).status_code == 303
    assert (await act(client, review, "split:2", **{"split-2": "1"})).status_code == 303
    page = await client.get(review)
    assert "Create 4 drafts" in page.text
    assert (await act(client, review, "merge:3")).status_code == 303
    page = await client.get(review)
    assert "Create 3 drafts" in page.text

    fields = {**review_fields(page.text), "action": "create", "language": "fr"}
    created = await client.post(review, data=fields, follow_redirects=False)
    assert created.status_code == 303
    again = await client.post(review, data=fields, follow_redirects=False)
    assert again.status_code == 303
    rows = await drafts_in(db, cycle)
    assert [(row.Recommendation.title, row.code) for row in rows] == [
        ("Former aux économies d'énergie", "G"),
        ("Créer un guichet commun transfrontalier", "P"),
        ("Associer les élus aux visites", "G"),
    ]
    energy = rows[0].Recommendation
    assert energy.status == Status.DRAFT
    assert energy.author_id == facilitator.id
    assert energy.finding.startswith("Les travailleurs sociaux")
    assert energy.institutions == "les écoles de travail social."
    assert energy.source_item == 1
    assert "CPAS" in rows[1].Recommendation.proposal
    # Split, then merged back: the text is whole again, nothing twice.
    merged = rows[2].Recommendation
    assert merged.proposal == "Les élus découvrent les logements indignes trop tard."
    assert merged.expected_effect == "des arrêtés d'insalubrité pris plus vite."
    async with db.session(write=False) as session:
        document = await session.scalar(select(SourceDocument).where(SourceDocument.cycle_id == cycle.id))
        assert document.file_name == "dossier-2012.md"
        assert document.imported_at is not None
        assert document.uploaded_by_id == facilitator.id
        revisions = await session.scalar(
            select(func.count())
            .select_from(Revision)
            .where(Revision.recommendation_id.in_([r.Recommendation.id for r in rows]))
        )
        assert revisions == 3
        audit = await session.scalar(select(AuditEntry).where(AuditEntry.action == "recommendation.import"))
        assert audit.details == {"file": "dossier-2012.md", "drafts": 3}

    shown = await client.get(f"/recommendations/{energy.id}")
    assert "Imported from dossier-2012.md, item 1" in shown.text
    assert (await client.get(review, follow_redirects=False)).status_code == 303


async def test_a_change_sent_from_an_older_page_is_not_applied_to_moved_drafts(client, db) -> None:
    cycle = await make_cycle(db)
    await sign_in(client, await facilitator_of(db, cycle))
    review = (await upload(client, cycle, documents.DUTCH_MARKDOWN.encode(), "notes.md")).headers["location"]
    old = review_fields((await client.get(review)).text)
    assert (await act(client, review, "drop:0")).status_code == 303
    stale = await client.post(review, data={**old, "action": "drop:0"}, follow_redirects=False)
    assert stale.status_code == 303
    page = await client.get(review)
    assert "Create 3 drafts" in page.text
    assert "another window" in page.text


async def test_the_drafts_keep_dutch_fields_and_language(client, db) -> None:
    cycle = await make_cycle(db)
    await sign_in(client, await facilitator_of(db, cycle))
    review = (await upload(client, cycle, documents.dutch_odt(), "werkgroep.odt")).headers["location"]
    response = await act(client, review, "create", language="nl")
    assert response.status_code == 303
    rows = await drafts_in(db, cycle)
    assert [row.code for row in rows] == ["F", "P", "P", "G"]
    assert all(row.Recommendation.language == "nl" for row in rows)
    assert rows[0].Recommendation.finding.startswith("Studenten")


@pytest.mark.parametrize(
    ("make", "file_name", "message"),
    [
        (lambda: documents.blank_pdf(), "scan.pdf", "save it as DOCX or ODT"),
        (lambda: documents.french_docx()[:4000], "cut.docx", "may be damaged"),
        (lambda: documents.password_docx(documents.french_docx()), "protected.docx", "protected by a password"),
        (lambda: b"Un paragraphe sans titre.\n", "notes.md", "No heading or numbered item"),
        (lambda: "".join(f"{n}. Item {n}\n" for n in range(1, 302)).encode(), "long.md", "at most 300"),
    ],
)
async def test_a_document_that_cannot_be_imported_is_refused_beside_the_file_field(
    client, db, make, file_name, message
) -> None:
    cycle = await make_cycle(db)
    await sign_in(client, await facilitator_of(db, cycle))
    response = await upload(client, cycle, make(), file_name)
    assert response.status_code == 400
    field = re.search(r'<p class="error-message" id="document-error">(.*?)</p>', response.text, re.S)
    assert field
    assert message in field.group(1).replace("&#39;", "'")
    async with db.session(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(SourceDocument)) == 0


async def test_a_file_over_the_limit_comes_back_to_the_form_with_the_reason(client, db) -> None:
    cycle = await make_cycle(db)
    await sign_in(client, await facilitator_of(db, cycle))
    response = await upload(client, cycle, b"# Titre\n" + b"a" * (11 * 1024 * 1024), "huge.md")
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert page.status_code == 400
    assert "too large (at most 10 MB)" in page.text


async def test_a_finished_cycle_of_an_earlier_year_takes_imported_drafts_from_its_facilitator(client, db) -> None:
    past = await make_cycle(db, phase=Phase.FOLLOW_UP, year=2012)
    facilitator = await facilitator_of(db, past)
    member = await make_user(db, language=Language.ENGLISH)
    await add_member(db, member, past)
    await sign_in(client, member)
    assert (await client.get(f"/cycles/{past.slug}/imports")).status_code == 404
    assert "Import a document" not in (await client.get(f"/cycles/{past.slug}")).text
    assert (await client.get(f"/cycles/{past.slug}/axes/p/new")).status_code == 404
    client.cookies.clear()
    await sign_in(client, facilitator)
    assert "Import a document" in (await client.get(f"/cycles/{past.slug}")).text
    page = await client.get(f"/cycles/{past.slug}/imports")
    assert "This cycle is finished" in page.text
    review = (await upload(client, past, documents.french_docx(), "dossier-2012.docx")).headers["location"]
    assert (await act(client, review, "create")).status_code == 303
    assert len(await drafts_in(db, past)) == 4


async def test_import_is_closed_while_the_vote_and_the_dossier_are_made(client, db) -> None:
    cycle = await make_cycle(db, phase=Phase.VOTING)
    await sign_in(client, await facilitator_of(db, cycle))
    assert (await client.get(f"/cycles/{cycle.slug}/imports")).status_code == 404


async def test_a_facilitator_of_another_cycle_cannot_see_or_create_from_a_proposal(client, db) -> None:
    cycle, other = await make_cycle(db), await make_cycle(db)
    await sign_in(client, await facilitator_of(db, cycle))
    review = (await upload(client, cycle, documents.FRENCH_MARKDOWN.encode(), "d.md")).headers["location"]
    fields = review_fields((await client.get(review)).text)
    client.cookies.clear()
    await sign_in(client, await facilitator_of(db, other))
    assert (await client.get(review)).status_code == 404
    assert (await client.get(review.replace(cycle.slug, other.slug))).status_code == 404
    token = await csrf_token(client, "/")
    refused = await client.post(
        review, data={**fields, "action": "create", "_csrf_token": token}, follow_redirects=False
    )
    assert refused.status_code == 404
    assert await drafts_in(db, cycle) == []
