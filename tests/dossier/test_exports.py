"""Exports: each format opened by an independent reader, in French, Dutch or both; kept for published
versions; built in the background behind a page that shows progress; refused cleanly on bad input."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import zipfile
from datetime import UTC, date, datetime, timedelta

import docx
import jsonschema
import openpyxl
import pytest
from markdown_it import MarkdownIt
from odf import opendocument
from odf.namespaces import TEXTNS
from odf.text import H
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.dossier.support import consolidation
from tests.factories import make_user
from tests.helpers import headings, post_form, sign_in
from workspace.dossier.exports.json_export import SCHEMA_PATH
from workspace.dossier.exports.labels import labels
from workspace.dossier.models import DossierExport, DossierVersion, ExportStatus
from workspace.recommendations.models import Recommendation

TITLES = [
    "Un guichet unique pour les jeunes",
    "Former ensemble les travailleurs sociaux",
    "Une conférence des élus frontaliers",
]


async def published(client, db, **fields):
    setup = await consolidation(db)
    if fields:
        async with db.transaction() as session:
            recommendation = await session.get(Recommendation, setup.adopted[0].id)
            for name, value in fields.items():
                setattr(recommendation, name, value)
    await sign_in(client, setup.facilitator)
    slug = setup.cycle.slug
    response = await post_form(client, f"/cycles/{slug}/dossier/publish", {}, token_from=f"/cycles/{slug}")
    assert response.status_code == 303
    return setup


async def export(client, slug, format_name, language, version="1"):
    """Ask for an export, let the background task finish, and download the file."""
    data = {"format": format_name, "language": language, "version": version}
    response = await post_form(client, f"/cycles/{slug}/dossier/exports", data, token_from=f"/cycles/{slug}")
    assert response.status_code == 303, response.text[:300]
    page_path = response.headers["location"]
    page = await finished(client, page_path)
    assert "The export is ready." in page.text, page.text[:2000]
    download = await client.get(f"{page_path}/download")
    assert download.status_code == 200
    return download


async def finished(client, path):
    """Poll the progress page as htmx does, until the export is done or failed (30 s at most)."""
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        page = await client.get(path)
        if "every 1s" not in page.text or asyncio.get_running_loop().time() > deadline:
            return page
        await asyncio.sleep(0.05)


def pdf_outline(reader: PdfReader) -> list[str]:
    titles: list[str] = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


async def test_pdf_has_the_titles_in_order_an_outline_and_page_numbers(client, db):
    setup = await published(client, db)
    response = await export(client, setup.cycle.slug, "pdf", "fr")
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    outline = pdf_outline(reader)
    assert outline[:2] == [labels("fr")["introduction"], "F. Formation"]
    assert [title for title in outline if title[:2] in ("P1", "P2", "G1")] == [
        f"P1. {TITLES[0]}",
        f"P2. {TITLES[1]}",
        f"G1. {TITLES[2]}",
    ]
    assert outline[-2:] == [labels("fr")["annex"], "Une allocation unique transfrontalière"]
    text = "\n".join(page.extract_text() for page in reader.pages)
    positions = [
        text.index(f"{number}. {title}", text.index(labels("fr")["introduction"] + "\n"))
        for number, title in zip(("P1", "P2", "G1"), TITLES, strict=True)
    ]
    assert positions == sorted(positions)
    assert f"2 / {len(reader.pages)}" in reader.pages[1].extract_text()  # page numbers from page 2 on
    assert reader.metadata.title == setup.cycle.title_fr


async def test_docx_uses_word_heading_styles_and_a4(client, db):
    setup = await published(client, db)
    response = await export(client, setup.cycle.slug, "docx", "fr-nl")
    document = docx.Document(io.BytesIO(response.content))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert ("Heading 1", "P. Pratiques / Praktijken") in headings
    assert ("Heading 2", f"P1. {TITLES[0]} / Eén loket voor jongeren") in headings
    assert ("Heading 3", f"{labels('fr')['finding']} / {labels('nl')['finding']}") in headings
    assert round(document.sections[0].page_width.mm) == 210


async def test_odt_has_real_headings_with_outline_levels(client, db):
    setup = await published(client, db)
    response = await export(client, setup.cycle.slug, "odt", "nl")
    document = opendocument.load(io.BytesIO(response.content))
    headings = [
        (h.getAttrNS(TEXTNS, "outline-level"), h.getAttrNS(TEXTNS, "style-name"), str(h))
        for h in document.getElementsByType(H)
    ]
    assert ("1", "Heading_20_1", "P. Praktijken") in headings
    assert ("2", "Heading_20_2", "P1. Eén loket voor jongeren") in headings
    assert any(style == "Heading_20_1" for style in (s.getAttribute("name") for s in document.styles.childNodes))


FORMULA_LIKE = {
    "title": '=HYPERLINK("http://evil.example","click")',
    "proposal": "@SUM(1+1)",
    "institutions": "\tCPAS",
    "finding": "-2+3",
    "expected_effect": "\x01=1+1",
    "harmonisation": "+ de moyens",
    "scheme_fr": "\r=1+1",
}


async def test_xlsx_and_csv_have_one_row_per_recommendation_and_no_cell_runs_as_a_formula(client, db):
    """XLSX writes text as string cells, which never run: the text stays as written (control characters
    out). CSV has no such cells: what a spreadsheet would run gets a leading apostrophe, after the control
    characters are out (so that `\x01=1+1` is caught as `=1+1`)."""
    setup = await published(client, db, **FORMULA_LIKE)
    slug = setup.cycle.slug
    fr = labels("fr")
    xlsx = await export(client, slug, "xlsx", "fr")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows())
    header, body = [cell.value for cell in rows[0]], rows[1:]
    assert len(body) == 4  # three adopted, one in the annex
    first = dict(zip(header, body[0], strict=True))
    assert first[fr["number"]].value == "P1"
    for name, expected in {**FORMULA_LIKE, "expected_effect": "=1+1"}.items():
        cell = first[f"{fr[name]} (fr)"]
        assert (cell.value, cell.data_type) == (expected, "s"), name
    assert first[fr["for"]].value == 2
    assert first[fr["against"]].value == 1
    assert all(cell.data_type != "f" for row in rows for cell in row)
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()

    csv_file = await export(client, slug, "csv", "fr-nl")
    assert csv_file.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(csv_file.content.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert len(table) == 4
    for name, text in {**FORMULA_LIKE, "expected_effect": "=1+1"}.items():
        assert table[0][f"{fr[name]} (fr)"] == "'" + text, name
    assert table[0][f"{labels('nl')['title']} (nl)"] == "Eén loket voor jongeren"
    assert table[3][fr["status"]] == fr["not_adopted"]


async def test_json_validates_against_its_schema(client, db):
    setup = await published(client, db)
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    for language in ("fr", "nl", "fr-nl"):
        response = await export(client, setup.cycle.slug, "json", language)
        data = response.json()
        jsonschema.validate(data, schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        assert data["version"] == 1
    assert data["axes"][1]["entries"][0]["text"]["nl"]["title"] == "Eén loket voor jongeren"
    assert data["axes"][1]["entries"][0]["minority_views"] == [
        {"choice": "against", "reason": "Trop cher pour les petites communes"}
    ]
    broken = {**data, "year": "2013"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


async def test_html_and_markdown_carry_the_text_and_the_download_is_named_after_cycle_language_and_date(client, db):
    setup = await published(client, db)
    slug = setup.cycle.slug
    html = await export(client, slug, "html", "fr-nl")
    assert "Eén loket voor jongeren" in html.text
    assert "<h1" in html.text
    assert '<div class="bilingual__column markdown" lang="nl">' in html.text
    disposition = html.headers["content-disposition"]
    assert disposition == f'attachment; filename="{slug}_fr-nl_{date.today().isoformat()}_v1.html"'
    markdown = await export(client, slug, "md", "fr")
    assert f"### P1. {TITLES[0]}" in markdown.text
    assert "| Le CCAS | Le CPAS | Het OCMW |" in markdown.text


async def test_markdown_shows_html_written_in_the_text_as_text_as_the_pages_do(client, db):
    setup = await published(
        client,
        db,
        title="<script>alert(1)</script> Un guichet",
        finding="Voir <img src=x onerror=alert(1)> ici.\n\n```\nun bloc jamais fermé",
        proposal="```\n<iframe src=//evil.example></iframe>\n```",
    )
    markdown = (await export(client, setup.cycle.slug, "md", "fr")).text
    viewer = MarkdownIt("commonmark").enable("table")
    tokens = viewer.parse(markdown)
    kinds = {token.type for token in tokens} | {child.type for token in tokens for child in token.children or []}
    assert not kinds & {"html_block", "html_inline"}
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Un guichet" in viewer.render(markdown)
    page = await client.get(f"/cycles/{setup.cycle.slug}/dossier?language=fr")
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text


async def test_exports_of_a_published_version_are_kept_and_served_again(client, db):
    setup = await published(client, db)
    slug = setup.cycle.slug
    first = await export(client, slug, "docx", "fr")
    data = {"format": "docx", "language": "fr", "version": "1"}
    again = await post_form(client, f"/cycles/{slug}/dossier/exports", data, token_from=f"/cycles/{slug}")
    client.cookies.clear()
    anonymous = await post_form(client, f"/cycles/{slug}/dossier/exports", data, token_from=f"/cycles/{slug}")
    assert again.headers["location"] == anonymous.headers["location"]
    async with db.session(write=False) as session:
        count = await session.scalar(select(func.count()).select_from(DossierExport))
    assert count == 1
    served = await client.get(f"{anonymous.headers['location']}/download")
    assert served.content == first.content


async def test_bad_export_requests_change_nothing(client, db):
    setup = await published(client, db)
    slug = setup.cycle.slug
    for data in ({"format": "exe", "language": "fr", "version": "1"}, {"format": "pdf", "language": "de"}):
        response = await post_form(client, f"/cycles/{slug}/dossier/exports", data, token_from=f"/cycles/{slug}")
        assert response.status_code == 400
        assert "Choose one of the options." in response.text
    assert (
        await post_form(client, f"/cycles/{slug}/dossier/exports", {"format": "pdf", "language": "fr", "version": "9"})
    ).status_code == 404
    outsider = await make_user(db)
    for person in (setup.member, outsider, None):
        client.cookies.clear()
        if person:
            await sign_in(client, person)
        draft = await post_form(
            client, f"/cycles/{slug}/dossier/exports", {"format": "pdf", "language": "fr"}, token_from=f"/cycles/{slug}"
        )
        assert draft.status_code == 404
    async with db.session(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(DossierExport)) == 0


async def test_version_numbers_out_of_range_are_refused_not_a_server_error(client, db):
    """A number larger than the databases' integers once answered 500 on the page and on the export."""
    setup = await published(client, db)
    slug = setup.cycle.slug
    huge = "99999999999999999999999"
    page = await client.get(f"/cycles/{slug}/dossier/versions/{huge}")
    assert page.status_code == 400
    assert headings(page.text) == ["This request could not be understood"]
    assert (await client.get(f"/cycles/{slug}/dossier/versions/0")).status_code == 400
    assert (await client.get(f"/cycles/{slug}/dossier/versions/1")).status_code == 200
    for version in (huge, "-1", "0", "1.5", "un"):
        data = {"format": "md", "language": "fr", "version": version}
        response = await post_form(client, f"/cycles/{slug}/dossier/exports", data, token_from=f"/cycles/{slug}")
        assert response.status_code == 404, version
        assert headings(response.text) == ["Page not found"], version
    async with db.session(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(DossierExport)) == 0


async def test_draft_exports_are_for_facilitators_only(client, db):
    setup = await consolidation(db)
    slug = setup.cycle.slug
    await sign_in(client, setup.facilitator)
    data = {"format": "md", "language": "fr"}
    response = await post_form(client, f"/cycles/{slug}/dossier/exports", data, token_from=f"/cycles/{slug}")
    assert response.status_code == 303
    path = response.headers["location"]
    assert "_draft.md" in (await finished(client, path)).text
    client.cookies.clear()
    await sign_in(client, setup.member)
    assert (await client.get(path)).status_code == 404
    assert (await client.get(f"{path}/download")).status_code == 404


async def test_progress_page_refreshes_itself_with_and_without_javascript(client, db):
    setup = await published(client, db)
    async with db.transaction() as session:
        job = DossierExport(
            cycle_id=setup.cycle.id,
            version_id=None,
            format="pdf",
            language="fr",
            progress=40,
            status=ExportStatus.RUNNING,
            filename="x.pdf",
            error="",
        )
        session.add(job)
    path = f"/cycles/{setup.cycle.slug}/dossier/exports/{job.id}"
    page = await client.get(path)
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page.text
    assert 'hx-trigger="every 1s"' in page.text
    assert re.search(r'<progress max="100" value="40"', page.text)
    partial = await client.get(path, headers={"HX-Request": "true"})
    assert "<html" not in partial.text
    assert 'hx-trigger="every 1s"' in partial.text
    assert (await client.get(f"{path}/download")).status_code == 404


def test_docx_is_a_zip_with_a_document():
    """Sanity check of the reader used above (python-docx would also open a renamed ODT badly)."""
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    assert "word/document.xml" in zipfile.ZipFile(buffer).namelist()


async def test_an_export_interrupted_by_a_restart_is_started_again(client, db):
    setup = await published(client, db)
    slug = setup.cycle.slug
    async with db.session(write=False) as session:
        version_id = await session.scalar(select(DossierVersion.id).where(DossierVersion.cycle_id == setup.cycle.id))
    async with db.transaction() as session:
        stale = DossierExport(
            cycle_id=setup.cycle.id,
            version_id=version_id,
            format="md",
            language="fr",
            progress=10,
            status=ExportStatus.RUNNING,
            filename="x.md",
            error="",
        )
        session.add(stale)
        await session.flush()
        stale.updated_at = datetime.now(UTC) - timedelta(hours=1)
    response = await export(client, slug, "md", "fr")
    assert response.text.startswith("# ")
    async with db.session(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(DossierExport)) == 2


async def test_a_new_draft_export_clears_out_draft_exports_older_than_a_day(client, db):
    setup = await published(client, db)
    slug = setup.cycle.slug
    async with db.session(write=False) as session:
        version_id = await session.scalar(select(DossierVersion.id).where(DossierVersion.cycle_id == setup.cycle.id))
    ages = {
        "old draft": (None, timedelta(days=2)),
        "recent draft": (None, timedelta(hours=1)),
        "old published": (version_id, timedelta(days=2)),
    }
    async with db.transaction() as session:
        rows = {
            name: DossierExport(
                cycle_id=setup.cycle.id,
                version_id=version,
                format="md",
                language="fr",
                progress=100,
                status=ExportStatus.DONE,
                filename=f"{name}.md",
                error="",
                data=b"# x",
            )
            for name, (version, _age) in ages.items()
        }
        session.add_all(rows.values())
        await session.flush()
        for name, (_version, age) in ages.items():
            rows[name].updated_at = datetime.now(UTC) - age
    response = await post_form(
        client, f"/cycles/{slug}/dossier/exports", {"format": "md", "language": "fr"}, token_from=f"/cycles/{slug}"
    )
    assert response.status_code == 303
    await finished(client, response.headers["location"])
    async with db.session(write=False) as session:
        left = set((await session.scalars(select(DossierExport.filename))).all())
    assert "old draft.md" not in left
    assert {"recent draft.md", "old published.md"} <= left
    assert len(left) == 3


async def test_side_by_side_a_field_its_translation_left_empty_is_printed_once_and_marked(client, db):
    """The Dutch translation of P1 has its title, finding and proposal only; P2 has no translation."""
    setup = await published(client, db)
    slug = setup.cycle.slug
    marker = f"{labels('fr')['not_translated']} / {labels('nl')['not_translated']}"
    both = (await export(client, slug, "md", "fr-nl")).text
    first = both[both.index(f"### P1. {TITLES[0]}") : both.index("### P2.")]
    assert first.count("CPAS de Mons; Département du Nord") == 1
    assert f"*{marker}*" in first
    assert "Jongeren kloppen aan vier deuren." in first
    assert f"### P2. {TITLES[1]}\n" in both
    document = docx.Document(io.BytesIO((await export(client, slug, "docx", "nl")).content))
    texts = [p.text for p in document.paragraphs]
    assert texts.count("CPAS de Mons; Département du Nord") == 1
    assert labels("nl")["not_translated"] in texts
    data = (await export(client, slug, "json", "fr-nl")).json()
    untranslated = data["axes"][1]["entries"][0]["untranslated_fields"]["nl"]
    assert {"institutions", "harmonisation", "scheme_fr"} <= set(untranslated)
    assert "finding" not in untranslated
