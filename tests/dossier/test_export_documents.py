"""The dossier's documents as a reader meets them, read back by independent readers (pypdf, python-docx,
odfpy, openpyxl, a Markdown parser): side by side, a field without a translation is printed once and
marked "not translated" in the reader's languages; the vote's figures read whole in French, Dutch and
English; the DOCX has a table of contents Word and LibreOffice fill in; the XLSX's shares are percentages;
the Markdown schemes table has no stray row label."""

from __future__ import annotations

import io
import re
import subprocess
import uuid
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from odf import opendocument, teletype
from odf.table import Table, TableRow
from pypdf import PdfReader

from workspace.dossier.content import AxisSection, DossierContent, Entry, MinorityView, Votes
from workspace.dossier.exports import render
from workspace.dossier.exports.labels import labels
from workspace.recommendations.models import TEXT_FIELDS

INSTITUTIONS = "Le CPAS de Mons agit."
HARMONISATION = "Un seul formulaire partout."
WALLOON_SCHEME = "Le CPAS wallon."
ALONE = "Jamais traduit."
LANGUAGES = {"fr": ("fr",), "nl": ("nl",), "fr-nl": ("fr", "nl")}


def _texts(prefix: str) -> dict[str, str]:
    return {name: f"{prefix} {name}." for name in TEXT_FIELDS}


def _entry(number: str, title: str, **fields) -> Entry:
    votes = Votes(11, 9, 6, 1, 1, 1, 0.8182, 0.6364, {"fr": 0.9, "wal": 0.55, "vl": 0.8}, True, [])
    return Entry(
        id=str(uuid.uuid4()),
        number=number,
        axis_code="P",
        status="adopted",
        original_language="fr",
        action_level="local",
        text={"fr": {**_texts("le texte"), "title": title}, "nl": {**_texts("de tekst"), "title": f"NL {title}"}},
        votes=votes,
        minority_views=[MinorityView("against", "Trop cher")],
        **fields,
    )


def _content() -> DossierContent:
    """P1 translated; P2's Dutch translation leaves institutions, harmonisation and the Walloon scheme
    empty (their French shown instead); P3 not translated at all."""
    partial = _entry(
        "P2", "Une partie traduite", untranslated_fields={"nl": ["institutions", "harmonisation", "scheme_wal"]}
    )
    partial.text["fr"].update(institutions=INSTITUTIONS, harmonisation=HARMONISATION, scheme_wal=WALLOON_SCHEME)
    partial.text["nl"].update(institutions=INSTITUTIONS, harmonisation=HARMONISATION, scheme_wal=WALLOON_SCHEME)
    alone = _entry("P3", "Rien de traduit", untranslated=["nl"])
    alone.text["fr"]["finding"] = ALONE
    alone.text["nl"] = dict(alone.text["fr"])
    return DossierContent(
        cycle_slug="logement-2013",
        year=2013,
        title={"fr": "Le logement des jeunes", "nl": "Huisvesting van jongeren"},
        theme={"fr": "Le logement", "nl": "Huisvesting"},
        introduction={"fr": "Une introduction.", "nl": "Een inleiding."},
        axes=[
            AxisSection(
                str(uuid.uuid4()),
                "P",
                {"fr": "Pratiques", "nl": "Praktijken"},
                {"fr": "", "nl": ""},
                [_entry("P1", "Tout traduit"), partial, alone],
            )
        ],
        organisations=["CPAS de Mons"],
        annex=[],
        version=1,
        published_on="2013-12-06",
    )


def _pdf_text(data: bytes) -> str:
    return " ".join("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def _docx_text(data: bytes) -> str:
    """The body's paragraphs and tables' cells, in order."""
    document = docx.Document(io.BytesIO(data))
    parts = []
    for block in document.iter_inner_content():
        if isinstance(block, docx.table.Table):
            parts += [cell.text for row in block.rows for cell in row.cells]
        else:
            parts.append(block.text)
    return "\n".join(parts)


def _odt_text(data: bytes) -> str:
    document = opendocument.load(io.BytesIO(data))
    blocks = [node for node in document.text.childNodes if node.qname[1] in ("h", "p", "table")]
    return "\n".join(teletype.extractText(block) for block in blocks)


def _html_text(data: bytes) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", data.decode()).split())


READERS = {"pdf": _pdf_text, "docx": _docx_text, "odt": _odt_text, "md": bytes.decode, "html": _html_text}


@pytest.fixture(scope="module")
def content() -> DossierContent:
    return _content()


@pytest.mark.parametrize("format_name", list(READERS))
def test_side_by_side_a_field_without_translation_is_printed_once_and_marked(content, format_name):
    text = READERS[format_name](render(content, format_name, ("fr", "nl")))
    marker = f"{labels('fr')['not_translated']} / {labels('nl')['not_translated']}"
    assert marker == "Non traduit / Niet vertaald"
    partial = text[text.rindex("Une partie traduite") : text.rindex("Rien de traduit")]
    for written in (INSTITUTIONS, HARMONISATION, WALLOON_SCHEME, ALONE):
        assert text.count(written) == 1, (written, format_name)
    assert partial.count(marker) >= 3  # institutions, harmonisation, the Walloon scheme
    assert text.count("de tekst finding.") == 2  # P1 and P2 are translated there: both columns
    assert "Rien de traduit / Rien de traduit" not in text
    assert "le texte finding. le texte finding." not in " ".join(text.split())


@pytest.mark.parametrize("format_name", list(READERS))
def test_in_one_language_a_field_shown_in_the_original_is_marked(content, format_name):
    text = READERS[format_name](render(content, format_name, ("nl",)))
    assert text.count(INSTITUTIONS) == 1
    assert labels("nl")["not_translated"] in text
    assert labels("fr")["not_translated"] not in text


def _docx_vote_rows(data: bytes) -> list[list[str]]:
    document = docx.Document(io.BytesIO(data))
    [table] = [t for t in document.tables if t.rows[0].cells[-1].text == "6"][:1]
    return [[cell.text for cell in row.cells] for row in table.rows]


def _odt_vote_rows(data: bytes) -> list[list[str]]:
    document = opendocument.load(io.BytesIO(data))
    for table in document.text.getElementsByType(Table):
        rows = [[teletype.extractText(cell) for cell in row.childNodes] for row in table.getElementsByType(TableRow)]
        if rows[0][-1] == "6":
            return rows
    raise AssertionError("no vote table")


@pytest.mark.parametrize("language", ["fr", "nl", "fr-nl"])
@pytest.mark.parametrize("reader", [_docx_vote_rows, _odt_vote_rows], ids=["docx", "odt"])
def test_the_vote_table_gives_each_figure_its_own_line_with_its_whole_name(content, language, reader):
    """Ten columns across the page broke the names mid-word ("Objecti/on"): down the page, each name has a
    line (and the width) of its own, beside its figure."""
    languages = LANGUAGES[language]
    data = render(content, "odt" if reader is _odt_vote_rows else "docx", languages)
    rows = reader(data)

    def name(key: str) -> str:
        return " / ".join(labels(lang)[key] for lang in languages)

    assert rows[:5] == [
        [name("for"), "6"],
        [name("against"), "1"],
        [name("abstain"), "1"],
        [name("block"), "1"],
        [name("cast"), "9 / 11"],
    ]
    assert rows[-1][1] == "80 %"


def test_the_pdf_gives_each_figure_after_its_name(content):
    text = _pdf_text(render(content, "pdf", ("fr", "nl")))
    assert "Abstention / Onthouding : 1 · Objection bloquante / Blokkerend bezwaar : 1" in text


def test_the_docx_has_a_table_of_contents_field_over_its_headings_updated_on_opening(content):
    data = render(content, "docx", ("fr", "nl"))
    document = docx.Document(io.BytesIO(data))
    paragraphs = document.paragraphs
    contents = next(index for index, p in enumerate(paragraphs) if p.style.name == "TOC Heading")
    assert paragraphs[contents].text == "Sommaire / Inhoud"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        body = archive.read("word/document.xml").decode()
        settings = archive.read("word/settings.xml").decode()
    field = body[body.index('w:fldCharType="begin"') : body.index('w:fldCharType="end"')]
    assert 'TOC \\o "1-2" \\h \\z \\u' in field
    assert '<w:updateFields w:val="true"/>' in settings
    assert settings.index("<w:updateFields") < settings.index("<w:compat")  # the schema's order
    assert [p.text for p in paragraphs if p.style.name in ("Heading 1", "Heading 2")][:3] == [
        "Introduction / Inleiding",
        "P. Pratiques / Praktijken",
        "P1. Tout traduit / NL Tout traduit",
    ]


UPDATE_IN_LIBREOFFICE = Path(__file__).with_name("libreoffice_update.py")
SYSTEM_PYTHON = "/usr/bin/python3"
"""LibreOffice's Python bridge (uno) comes with the system's Python, not in the virtualenv."""


def test_libreoffice_fills_in_the_docx_table_of_contents_with_page_numbers(content, tmp_path):
    source = tmp_path / "dossier.docx"
    source.write_bytes(render(content, "docx", ("fr", "nl")))
    target = tmp_path / "dossier.pdf"
    subprocess.run(
        [SYSTEM_PYTHON, str(UPDATE_IN_LIBREOFFICE), str(source), str(target), str(tmp_path / "profile")],
        check=True,
        timeout=120,
        capture_output=True,
    )
    reader = PdfReader(target)
    contents = reader.pages[1].extract_text()
    assert re.search(r"Introduction / Inleiding\.+ ?3", contents), contents
    assert re.search(r"P3\. Rien de traduit\.+ ?\d", contents), contents
    assert labels("fr")["contents_update"] not in contents


@pytest.mark.parametrize(("language", "shown"), [("fr", "64 %"), ("nl", "64%")])
def test_xlsx_shares_are_numbers_shown_as_percentages(content, language, shown):
    sheet = openpyxl.load_workbook(io.BytesIO(render(content, "xlsx", (language,)))).active
    header = [cell.value for cell in sheet[1]]
    first = dict(zip(header, sheet[2], strict=True))
    words = labels(language)
    for key, value in (("support", 0.6364), ("turnout", 0.8182)):
        cell = first[words[key]]
        assert (cell.data_type, cell.value) == ("n", value)
        assert cell.number_format == shown.replace("64", "0")
    side = first[words["support_on"].format(side=words["scheme_wal"])]
    assert (side.value, side.number_format) == (0.55, shown.replace("64", "0"))
    assert first[words["for"]].number_format == "General"
    assert first[words["title"] + f" ({language})"].value == ("Tout traduit" if language == "fr" else "NL Tout traduit")


def test_markdown_schemes_table_has_a_column_per_side_and_no_stray_row_label(content):
    french = render(content, "md", ("fr",)).decode()
    rows = [line for line in french.splitlines() if line.startswith("|")]
    assert rows[0] == "| France | Wallonie | Flandre |"
    assert rows[2] == "| le texte scheme_fr. | le texte scheme_wal. | le texte scheme_vl. |"
    assert not any(line.startswith("| FR") for line in rows)
    both = render(content, "md", ("fr", "nl")).decode()
    rows = [line for line in both.splitlines() if line.startswith("|")]
    assert rows[2].startswith("| FR | le texte scheme_fr.")
    assert rows[3].startswith("| NL | de tekst scheme_fr.")


def test_the_odt_has_a_table_of_contents_that_libreoffice_fills_in_with_page_numbers(content, tmp_path):
    source = tmp_path / "dossier.odt"
    source.write_bytes(render(content, "odt", ("fr", "nl")))
    target = tmp_path / "dossier.pdf"
    subprocess.run(
        [SYSTEM_PYTHON, str(UPDATE_IN_LIBREOFFICE), str(source), str(target), str(tmp_path / "profile")],
        check=True,
        timeout=120,
        capture_output=True,
    )
    reader = PdfReader(target)
    contents = reader.pages[1].extract_text()
    assert re.search(r"Introduction / Inleiding\.+ ?3", contents), contents
    assert re.search(r"P3\. Rien de traduit\.+ ?\d", contents), contents
    assert labels("fr")["contents_update"] not in contents
