"""The optional annex with the discussion of each recommendation: asked for with a checkbox, read back from
every format by an independent reader; only visible comments, in thread order, with their authors' names
as they are now (an erased account's pseudonym); kept exports told apart by it."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta

import docx
import jsonschema
from odf import opendocument, teletype
from odf.text import H, P
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.dossier.support import consolidation
from tests.dossier.test_exports import finished, pdf_outline
from tests.factories import make_comment, make_user
from tests.helpers import post_form, sign_in
from workspace.core.forms import Form
from workspace.discussion.models import Comment
from workspace.dossier.exports.json_export import SCHEMA_PATH
from workspace.dossier.exports.labels import labels
from workspace.dossier.models import DossierExport, DossierVersion
from workspace.rights.services import erase, pseudonym

FR = labels("fr")


async def discussed(client, db):
    """A published dossier whose first recommendation was discussed before publication: a thread with a
    reply, a hidden and a deleted comment, a comment by someone who later erased their account; one comment
    comes after publication."""
    setup = await consolidation(db)
    first = setup.adopted[0]
    earlier = datetime.now(UTC) - timedelta(hours=1)
    leaver = await make_user(db, display_name="Lucie Partie")
    opening = await make_comment(db, first, setup.member, "Le **guichet** existe déjà à Mons.", created_at=earlier)
    await make_comment(
        db,
        first,
        setup.facilitator,
        "Merci, à préciser.",
        parent_id=opening.id,
        created_at=earlier + timedelta(minutes=1),
    )
    hidden = {"hidden_at": earlier + timedelta(minutes=3), "hidden_reason": "Hors sujet"}
    await make_comment(db, first, setup.member, "Texte retiré par la modération", created_at=earlier, **hidden)
    deleted = {"deleted_at": earlier + timedelta(minutes=5)}
    await make_comment(db, first, setup.member, "Texte supprimé par son auteur", created_at=earlier, **deleted)
    await make_comment(
        db,
        first,
        leaver,
        "<script>alert(1)</script> [lien](javascript:alert(1))",
        created_at=earlier + timedelta(minutes=6),
    )
    async with db.transaction() as session:
        user = await session.merge(leaver)
        await erase(session, user, Form(values={"confirm_email": leaver.email}), actor_id=leaver.id)
    await sign_in(client, setup.facilitator)
    slug = setup.cycle.slug
    response = await post_form(client, f"/cycles/{slug}/dossier/publish", {}, token_from=f"/cycles/{slug}")
    assert response.status_code == 303
    await make_comment(db, first, setup.member, "Commentaire après publication")
    return setup, pseudonym(leaver.id)


async def export(client, slug, format_name, language="fr", discussion=True):
    data = {"format": format_name, "language": language, "version": "1"}
    if discussion:
        data["discussion"] = "1"
    response = await post_form(client, f"/cycles/{slug}/dossier/exports", data, token_from=f"/cycles/{slug}")
    assert response.status_code == 303, response.text[:300]
    page = await finished(client, response.headers["location"])
    assert "The export is ready." in page.text, page.text[:2000]
    return response.headers["location"], await client.get(f"{response.headers['location']}/download")


def assert_visible_discussion_only(text: str, pseudonym_of_leaver: str) -> None:
    assert "Le guichet existe déjà à Mons." in text or "Le **guichet** existe déjà à Mons." in text
    assert "Merci, à préciser." in text
    assert "Marc Membre" in text
    assert "Fanny Facilitatrice" in text
    assert pseudonym_of_leaver in text
    assert "Lucie Partie" not in text
    assert "retiré par la modération" not in text
    assert "supprimé par son auteur" not in text
    assert "après publication" not in text


async def test_pdf_annex_lists_visible_comments_with_authors_under_its_own_heading(client, db):
    setup, leaver = await discussed(client, db)
    _path, response = await export(client, setup.cycle.slug, "pdf")
    assert response.headers["content-disposition"].endswith('_v1_discussion.pdf"')
    reader = PdfReader(io.BytesIO(response.content))
    outline = pdf_outline(reader)
    assert FR["discussion"] in outline
    after = outline[outline.index(FR["discussion"]) + 1 :]
    assert after[0] == "P1. Un guichet unique pour les jeunes"
    start = next(i for i, page in enumerate(reader.pages) if FR["discussion"] in page.extract_text())
    annex = "\n".join(page.extract_text() for page in reader.pages[start:])
    assert_visible_discussion_only(annex, leaver)
    assert annex.index("Le guichet existe déjà") < annex.index("Merci, à préciser.")
    assert FR["no_comments"] in annex  # the other recommendations were not discussed
    contents = reader.pages[1].extract_text()
    assert FR["discussion"] in contents


async def test_docx_odt_and_markdown_annexes_keep_thread_order(client, db):
    setup, leaver = await discussed(client, db)
    slug = setup.cycle.slug
    _path, response = await export(client, slug, "docx")
    document = docx.Document(io.BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    heading = texts.index(FR["discussion"])
    assert document.paragraphs[heading].style.name == "Heading 1"
    annex = "\n".join(texts[heading:])
    assert_visible_discussion_only(annex, leaver)
    reply = next(p for p in document.paragraphs[heading:] if p.text == "Merci, à préciser.")
    assert reply.paragraph_format.left_indent > 0
    _path, response = await export(client, slug, "odt", "nl")
    odt = opendocument.load(io.BytesIO(response.content))
    headings = [teletype.extractText(h) for h in odt.getElementsByType(H)]
    assert labels("nl")["discussion"] in headings
    paragraphs = "\n".join(teletype.extractText(p) for p in odt.getElementsByType(P))
    assert_visible_discussion_only(paragraphs, leaver)
    assert "↳ Merci, à préciser." in paragraphs
    _path, response = await export(client, slug, "md", "fr-nl")
    assert f"## {FR['discussion']} / {labels('nl')['discussion']}" in response.text
    assert "> Le **guichet** existe déjà à Mons." in response.text
    assert ">> Merci, à préciser." in response.text
    assert_visible_discussion_only(response.text, leaver)


async def test_json_annex_validates_and_html_renders_comment_markdown_safely(client, db):
    setup, leaver = await discussed(client, db)
    slug = setup.cycle.slug
    _path, response = await export(client, slug, "json", "fr-nl")
    data = response.json()
    jsonschema.validate(
        data, json.loads(SCHEMA_PATH.read_text()), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    first = data["discussion"][0]
    assert first["number"] == "P1"
    assert first["title"] == {"fr": "Un guichet unique pour les jeunes", "nl": "Eén loket voor jongeren"}
    assert [(c["author"], c["depth"]) for c in first["comments"]] == [
        ("Marc Membre", 0),
        ("Fanny Facilitatrice", 1),
        (leaver, 0),
    ]
    assert {item["number"] for item in data["discussion"]} >= {"P1", "P2", "G1", ""}
    _path, plain = await export(client, slug, "json", "fr", discussion=False)
    assert plain.json()["discussion"] is None
    _path, html = await export(client, slug, "html")
    assert "<strong>guichet</strong>" in html.text
    assert "<script>alert" not in html.text
    assert 'href="javascript:' not in html.text  # markdown-it refuses the link: it stays text
    assert_visible_discussion_only(re.sub(r"<[^>]+>", "", html.text), leaver)


async def test_kept_exports_are_told_apart_by_the_annex_and_by_the_discussion_they_hold(client, db):
    setup, _leaver = await discussed(client, db)
    slug = setup.cycle.slug
    with_annex, first = await export(client, slug, "md")
    without, plain = await export(client, slug, "md", discussion=False)
    assert with_annex != without
    assert FR["discussion"] in first.text
    assert FR["discussion"] not in plain.text
    again, _same = await export(client, slug, "md")
    assert again == with_annex
    again_plain, _same = await export(client, slug, "md", discussion=False)
    assert again_plain == without
    async with db.transaction() as session:
        reply = await session.scalar(select(Comment).where(Comment.body == "Merci, à préciser."))
        reply.hidden_at = datetime.now(UTC)
    after_hiding, changed = await export(client, slug, "md")
    assert after_hiding != with_annex
    assert "Merci, à préciser." not in changed.text
    csv_with, _csv = await export(client, slug, "csv")
    csv_without, _csv = await export(client, slug, "csv", discussion=False)
    assert csv_with == csv_without  # tables leave the annex out: the same file serves both
    async with db.session(write=False) as session:
        version_id = await session.scalar(select(DossierVersion.id))
        count = await session.scalar(
            select(func.count()).select_from(DossierExport).where(DossierExport.version_id == version_id)
        )
    assert count == 4


async def test_export_form_offers_the_annex_unticked_and_keeps_it_when_shown_again(client, db):
    setup, _leaver = await discussed(client, db)
    slug = setup.cycle.slug
    page = await client.get(f"/cycles/{slug}/dossier")
    assert 'name="discussion" value="1"' in page.text
    assert 'name="discussion" value="1" aria-describedby="export-discussion-hint">' in page.text  # not checked
    refused = await post_form(
        client,
        f"/cycles/{slug}/dossier/exports",
        {"format": "exe", "language": "fr", "version": "1", "discussion": "1"},
        token_from=f"/cycles/{slug}",
    )
    assert refused.status_code == 400
    assert 'aria-describedby="export-discussion-hint" checked>' in refused.text
    path, _response = await export(client, slug, "md")
    status = await client.get(path, headers={"HX-Request": "true"})
    assert "With the annex on the discussion of each recommendation." in status.text


async def test_a_comment_hidden_after_an_export_is_in_no_stored_file_any_more(client, db):
    """Kept exports with the annex are forgotten when a comment is hidden: the old file cannot be
    downloaded again, and the next export leaves the comment out."""
    setup, _leaver = await discussed(client, db)
    slug = setup.cycle.slug
    path, first = await export(client, slug, "md")
    _plain_path, _plain = await export(client, slug, "md", discussion=False)
    assert "Merci, à préciser." in first.text
    async with db.session(write=False) as session:
        reply = await session.scalar(select(Comment).where(Comment.body == "Merci, à préciser."))
    await sign_in(client, setup.facilitator)
    page = f"/recommendations/{reply.recommendation_id}"
    hidden = await post_form(client, f"/comments/{reply.id}/hide", {"reason": "Hors sujet"}, token_from=page)
    assert hidden.status_code == 303
    assert (await client.get(f"{path}/download")).status_code == 404
    async with db.session(write=False) as session:
        kept = (await session.scalars(select(DossierExport.discussion))).all()
    assert kept == [""]  # the export without the annex stays
    _again, after = await export(client, slug, "md")
    assert "Merci, à préciser." not in after.text


async def test_a_published_annex_shows_comments_as_they_read_at_publication(client, db):
    setup, _leaver = await discussed(client, db)
    async with db.session(write=False) as session:
        reply = await session.scalar(select(Comment).where(Comment.body == "Merci, à préciser."))
    await sign_in(client, setup.facilitator)
    edited = await post_form(
        client,
        f"/comments/{reply.id}/edit",
        {"body": "Réécrit après la publication."},
        token_from=f"/comments/{reply.id}/edit",
    )
    assert edited.status_code == 303
    _path, annex = await export(client, setup.cycle.slug, "md")
    assert "Merci, à préciser." in annex.text
    assert "Réécrit après la publication." not in annex.text


async def test_the_annex_masks_passages_that_look_like_personal_data(client, db):
    setup = await consolidation(db)
    first = setup.adopted[0]
    earlier = datetime.now(UTC) - timedelta(hours=1)
    await make_comment(
        db, first, setup.member, "Mme Dupont attend, appelez-la au 0470 12 34 56. Le guichet aide.", created_at=earlier
    )
    await sign_in(client, setup.facilitator)
    slug = setup.cycle.slug
    assert (
        await post_form(client, f"/cycles/{slug}/dossier/publish", {}, token_from=f"/cycles/{slug}")
    ).status_code == 303
    _path, response = await export(client, slug, "md")
    assert "[…] attend, appelez-la au […]. Le guichet aide." in response.text
    assert "0470" not in response.text
    assert "Dupont" not in response.text
    _path, response = await export(client, slug, "pdf")
    shown = " ".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).split())
    assert "[…] attend, appelez-la au […]. Le guichet aide." in shown
    assert "0470" not in shown
    assert "Dupont" not in shown
