"""Reading documents into proposed drafts: each format's reader on real files, the splitter's guesses
(axis from headings, fields from labels) in French and Dutch, and the documents that cannot be read."""

from __future__ import annotations

import io
import zipfile
from types import SimpleNamespace

import pytest

from tests.recommendations import import_documents as documents
from workspace.core.i18n import current_language
from workspace.cycles.services import SEEDED_AXES
from workspace.recommendations.importing.readers import MAX_UPLOAD, UnreadableDocument, read_blocks
from workspace.recommendations.importing.splitter import AxisNames, split

AXES = AxisNames.of(
    SimpleNamespace(code=code, name_fr=fr, name_nl=nl, name_en=en) for code, fr, nl, en, *_rest in SEEDED_AXES
)


@pytest.fixture(autouse=True)
def in_english():
    """The refusals are read in English here (their French and Dutch are checked with every catalogue)."""
    token = current_language.set("en")
    yield
    current_language.reset(token)


def drafts_of(data: bytes, file_name: str):
    _format, blocks = read_blocks(data, file_name)
    return split(blocks, AXES, "F")


def summary(drafts):
    return [(draft.axis, draft.title) for draft in drafts]


def test_a_french_docx_made_with_python_docx_becomes_one_draft_per_heading_and_numbered_item() -> None:
    drafts = drafts_of(documents.french_docx(), "dossier-2012.docx")
    assert summary(drafts) == [
        ("F", "Former aux économies d'énergie"),
        ("P", "Créer un guichet commun transfrontalier"),
        ("P", "Partager les fiches de visite"),
        ("G", "Associer les élus aux visites"),
    ]
    energy = drafts[0].content()
    assert energy["finding"] == "Les travailleurs sociaux ne connaissent pas les primes."
    assert energy["proposal"] == "Un module commun dans les écoles de Lille et de Tournai."
    assert energy["institutions"] == "les écoles de travail social."
    assert drafts[1].content() == {"proposal": "Le CPAS et le CCAS y recevraient ensemble."}
    assert drafts[3].content()["expected_effect"] == "des arrêtés pris plus vite."
    assert [draft.item for draft in drafts] == [1, 2, 3, 4]


def test_a_dutch_odt_made_with_odfpy_reads_its_outline_and_numbered_list() -> None:
    drafts = drafts_of(documents.dutch_odt(), "werkgroep-gent.odt")
    assert summary(drafts) == [
        ("F", "Stages over de grens"),
        ("P", "Eén loket voor jonge huurders"),
        ("P", "Een gedeelde lijst van betaalbare studio's"),
        ("G", "De gemeenten betrekken"),
    ]
    assert drafts[0].content() == {
        "finding": "Studenten kennen de diensten aan de andere kant niet.",
        "proposal": "Grensoverschrijdende stages in Kortrijk en Rijsel.",
    }
    assert drafts[3].content() == {"institutions": "de gemeenten en het OCMW."}


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_markdown_notes_are_split_in_french_and_in_dutch(language: str) -> None:
    source = documents.FRENCH_MARKDOWN if language == "fr" else documents.DUTCH_MARKDOWN
    drafts = drafts_of(source.encode(), "notes.md")
    assert [draft.axis for draft in drafts] == ["F", "P", "P", "G"]
    first = drafts[0].content()
    assert set(first) == {"finding", "proposal", "institutions"}
    if language == "nl":
        assert first["institutions"] == "de hogescholen."
        assert drafts[3].content()["finding"] == "Gemeenten kennen de jongeren zonder woning niet."
    else:
        # A numbered item of several sentences: its first sentence is the title, the whole item the proposal.
        assert drafts[1].title == "Créer un guichet commun transfrontalier"
        assert "CPAS et le CCAS" in drafts[1].content()["proposal"]


@pytest.mark.parametrize("target", ["docx", "odt"])
def test_documents_made_by_libreoffice_are_read(target: str, tmp_path) -> None:
    data = documents.libreoffice_convert(documents.LIBREOFFICE_HTML, target, tmp_path)
    drafts = drafts_of(data, f"dossier-2011.{target}")
    assert summary(drafts) == [
        ("F", "Un module sur le logement indigne"),
        ("P", "Visites croisées des logements"),
        ("P", "Un annuaire des services d'hygiène"),
        ("G", "Un arrêté commun"),
    ]
    assert drafts[0].content() == {"finding": "les écoles n'en parlent pas.", "proposal": "un module commun."}
    assert drafts[3].content() == {"institutions": "les préfectures et les provinces."}


def test_a_document_without_headings_or_numbered_items_gives_no_draft() -> None:
    assert drafts_of(b"Un paragraphe.\n\nUn autre paragraphe, sans titre.\n", "notes.md") == []


def refusal(data: bytes, file_name: str) -> str:
    with pytest.raises(UnreadableDocument) as refused:
        read_blocks(data, file_name)
    return str(refused.value)


def test_a_pdf_is_not_read_and_the_person_is_told_to_save_it_as_docx_or_odt() -> None:
    assert "save it as DOCX or ODT" in refusal(documents.blank_pdf(), "scan.pdf")
    assert "save it as DOCX or ODT" in refusal(documents.blank_pdf(), "renamed.docx")


def test_a_damaged_document_is_refused_with_a_reason() -> None:
    whole = documents.french_docx()
    assert "damaged" in refusal(whole[: len(whole) // 2], "cut.docx")
    assert "damaged" in refusal(b"PK\x03\x04 not really a zip", "fake.odt")
    assert "not the ODT document" in refusal(whole, "wrong-suffix.odt")


def test_a_docx_protected_by_a_password_is_refused() -> None:
    assert "password" in refusal(documents.password_docx(documents.french_docx()), "protected.docx")


def test_an_odt_protected_by_a_password_in_libreoffice_is_refused(tmp_path) -> None:
    protected = documents.libreoffice_with_password(documents.dutch_odt(), ".odt", "writer8", tmp_path)
    assert "password" in refusal(protected, "protected.odt")


def test_a_file_over_the_limit_or_one_that_unpacks_to_gigabytes_is_refused() -> None:
    assert "too large" in refusal(b"# Titre\n" + b"a" * MAX_UPLOAD, "huge.md")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", b" " * (101 * 1024 * 1024))
    assert "too large" in refusal(bomb.getvalue(), "bomb.docx")


def test_other_files_are_refused() -> None:
    assert "DOCX, ODT or Markdown" in refusal(b"GIF89a", "photo.gif")
    assert "UTF-8" in refusal("# Café".encode("latin-1"), "notes.md")
    assert "empty" in refusal(b"", "notes.md")
