"""What people write reaches the PDF as text, whatever Typst syntax it holds: a corpus of Typst code,
markup and math goes through every text field of the content model (plain and markdown), and the PDF
shows each piece as written, reads no file and breaks no layout."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from workspace.dossier.content import (
    AxisSection,
    DiscussionComment,
    DossierContent,
    Entry,
    EntryDiscussion,
    MinorityView,
    Votes,
)
from workspace.dossier.exports.pdf import render_pdf
from workspace.dossier.exports.typst_compile import compile_pdf
from workspace.dossier.exports.typst_markup import markdown, string, text
from workspace.recommendations.models import TEXT_FIELDS

LONG_WORD = "Hyperarbeidsongeschiktheidsverzekeringsmaatschappijen" * 4
CORPUS = [
    '#read("/etc/passwd")',
    '#include "main.typ"',
    '#import "dossier.typ": *',
    "#set text(fill: red, size: 40pt)",
    '#let x = "piège" #x',
    '#{ panic("boom") }',
    '#raw(read("/etc/hostname"))',
    "$x^2 + sqrt(y)$",
    "@label and <label> and @rec-1",
    "] ) } #strong[fermé",
    "// not a comment /* nor this */",
    "= not a heading",
    "+ not an enum",
    "~ tilde -- dash --- dash ... dots",
    "'single' \"double\" `backtick`",
    "\\u{1F600} \\#escaped \\",
    "https://example.org/a_b*c*",
    LONG_WORD,
    "שלום עולם",
    "مرحبا بالعالم",
]
MARKDOWN_EXTRA = '```\n#read("/etc/passwd")\n$ y $ #include "x"\n```'
"""A fenced raw block: in markdown fields, Typst code in code stays code shown as text."""


def _joined(pieces: list[str]) -> str:
    return "\n\n".join(pieces)


def _squeezed(value: str) -> str:
    return re.sub(r"\s+", "", value)


def _content() -> DossierContent:
    plain = " | ".join(CORPUS)
    prose = _joined(CORPUS) + "\n\n" + MARKDOWN_EXTRA
    texts = {**dict.fromkeys(TEXT_FIELDS, prose), "title": plain}
    entry = Entry(
        id=str(uuid.uuid4()),
        number="P1",
        axis_code="P",
        status="adopted",
        original_language="fr",
        action_level="local",
        text={"fr": texts, "nl": texts},
        votes=Votes(4, 3, 2, 1, 0, 0, 0.75, 0.6, {"fr": 0.5}, True, []),
        minority_views=[MinorityView("against", plain)],
        carried_from=plain,
    )
    return DossierContent(
        cycle_slug="piege",
        year=2013,
        title={"fr": plain, "nl": plain},
        theme={"fr": prose, "nl": prose},
        introduction={"fr": prose, "nl": prose},
        axes=[AxisSection(str(uuid.uuid4()), "P", {"fr": plain, "nl": plain}, {"fr": prose, "nl": prose}, [entry])],
        organisations=[plain],
        annex=[],
        version=1,
        published_on="2013-12-06",
        discussion=[
            EntryDiscussion(entry.id, "P1", {"fr": plain, "nl": plain}, [DiscussionComment(plain, "2013-11-02", prose)])
        ],
    )


@pytest.fixture(scope="module")
def shown() -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(render_pdf(_content(), ("fr", "nl"))))
    return reader, _squeezed("".join(page.extract_text() for page in reader.pages))


@pytest.mark.parametrize("piece", CORPUS)
def test_each_piece_of_typst_syntax_shows_as_written(piece: str, shown: tuple[PdfReader, str]):
    _reader, pdf_text = shown
    right_to_left = re.search(r"[\u0590-\u08ff]", piece)
    for part in piece.split() if right_to_left else [piece]:  # pypdf reads right-to-left words in visual order
        # every field holds the corpus: the title, the headings, the text, the reasons, the comments...
        assert pdf_text.count(_squeezed(part)) >= 10, part


def test_no_file_is_read_and_no_code_ran(shown: tuple[PdfReader, str]):
    reader, pdf_text = shown
    assert "root:" not in pdf_text  # /etc/passwd
    assert "boom" in pdf_text  # the panic's message is only text: the compilation went through
    assert _squeezed(MARKDOWN_EXTRA.strip("`\n").replace("```", "")) in pdf_text
    assert reader.metadata.title == " / ".join([" | ".join(CORPUS)] * 2)


def test_a_very_long_word_wraps_inside_its_column(shown: tuple[PdfReader, str]):
    reader, _pdf_text = shown
    lines = [line for page in reader.pages for line in page.extract_text().splitlines() if "....." not in line]
    assert max(len(line) for line in lines) < 125  # the word is 216 letters: none runs off the page with it


def test_strings_escape_only_what_a_typst_string_needs():
    assert string('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'
    assert text("  #x  \n y ") == '#" #x y ";'
    assert text("") == ""


def test_markdown_becomes_typst_elements_around_strings():
    written = "# Titre\n\n**gras** et [lien](https://example.org) et [piège](javascript:alert(1))\n\n- a\n- b"
    converted = markdown(written)
    assert converted.startswith('#heading(level: 4, outlined: false, bookmarked: false)[#"Titre";]')
    assert '#strong[#"gras";]' in converted
    assert '#link("https://example.org")[#"lien";]' in converted
    assert converted.count("#link(") == 1  # no link but to http(s) and mailto: the rest stays text
    assert "piège](javascript:alert(1))" in converted
    assert '#list([#"a";], [#"b";])' in converted


def test_deeply_nested_quotes_are_laid_out_flat():
    nested = markdown(">" * 80 + " au fond")
    assert nested.count("#quote(") == 6
    assert '#"au fond";' in nested


WRITTEN = st.text(st.characters(codec="latin-1", exclude_categories=("Cc", "Zs")) | st.sampled_from(" \n"), max_size=80)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(written=WRITTEN)
@example(written="0\xad")
@example(written="000000000000000000010000000000")
def test_any_text_compiles_and_shows_as_written(tmp_path, written: str):
    main = tmp_path / "main.typ"
    main.write_text(f'#set document(title: "t")\n#set text(font: "DejaVu Sans")\n{text(written)}\n', encoding="utf-8")
    shown = "".join(page.extract_text() for page in PdfReader(io.BytesIO(compile_pdf(main))).pages)
    # the zero-width spaces are the break opportunities given to words too long for a column
    assert _squeezed(shown.replace("\u200b", "")) == _squeezed(written.replace("\xad", ""))
