"""DOCX through python-docx: A4, Word's own Heading styles (so Word builds the table of contents), a table
for the schemes on each side and one for the vote; both languages side by side in a two-column table."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml import OxmlElement
from docx.oxml.table import CT_Tbl
from docx.shared import Mm
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from workspace.dossier.content import DossierContent, Entry, EntryDiscussion
from workspace.dossier.exports.labels import failed_text, labels, percent, side_name
from workspace.dossier.exports.plain import paragraphs

FIELDS = ("finding", "proposal", "institutions", "expected_effect", "harmonisation")
TEXT_WIDTH = Mm(170)
"""A4 (210 mm) less 20 mm margins on each side."""


# Paragraphs and tables are put in place with lxml and styled by id: python-docx resolves a style name
# by scanning every style, looks for the section properties from the start of the body at each insertion
# and for every section at each table, which made a 300-recommendation dossier take 15 s instead of 2.
# The section properties are the body's last element: reached from the end, not looked for among
# thousands of paragraphs (another 2 s).
def _insert(document: DocumentObject, element: Any) -> None:
    document.element.body[-1].addprevious(element)


def _add_text(paragraph: Any, text: str) -> None:
    """A run with text in the w:p element paragraph, a line break for each newline: what python-docx's
    run.text does, without the character-by-character loop and the clearing of the run first (1.5 s of a
    300-recommendation dossier side by side)."""
    run = paragraph.add_r()
    for index, line in enumerate(text.replace("\t", " ").split("\n")):
        if index:
            run.add_br()
        if line:
            run.add_t(line)


def _set_text(cell: _Cell, text: str) -> None:
    """The text of a new table cell (which holds one empty paragraph)."""
    _add_text(cell.paragraphs[0]._p, text)


def _paragraph(document: DocumentObject, text: str = "", style_id: str | None = None) -> Paragraph:
    paragraph = Paragraph(OxmlElement("w:p"), document._body)
    _insert(document, paragraph._p)
    if text:
        _add_text(paragraph._p, text)
    if style_id:
        paragraph._p.get_or_add_pPr().style = style_id
    return paragraph


def _heading(document: DocumentObject, text: str, level: int) -> None:
    _paragraph(document, text, "Title" if level == 0 else f"Heading{level}")


def _table(document: DocumentObject, rows: int, cols: int) -> list[list[_Cell]]:
    """A grid table; returns its cells row by row."""
    table = Table(CT_Tbl.new_tbl(rows, cols, TEXT_WIDTH), document._body)
    _insert(document, table._tbl)
    table._tbl.tblPr.style = "TableGrid"
    return [row.cells for row in table.rows]


def _label(key: str, languages: tuple[str, ...]) -> str:
    return " / ".join(labels(language)[key] for language in languages)


def _prose(document: DocumentObject, texts: dict[str, str], languages: tuple[str, ...]) -> None:
    if len(languages) == 1:
        for paragraph in paragraphs(texts[languages[0]]):
            _paragraph(document, paragraph)
        return
    [cells] = _table(document, 1, len(languages))
    for cell, language in zip(cells, languages, strict=True):
        _set_text(cell, "\n\n".join(paragraphs(texts[language])))


def _entry(document: DocumentObject, entry: Entry, languages: tuple[str, ...]) -> None:
    title = " / ".join(entry.title(language) for language in languages)
    _heading(document, f"{entry.number + '. ' if entry.number else ''}{title}", level=2)
    for language in entry.untranslated:
        if language in languages:
            _paragraph(document).add_run(labels(language)["untranslated"]).italic = True
    if entry.carried_from:
        _paragraph(document, f"{_label('carried_from', languages)}: {entry.carried_from}")
    for name in FIELDS:
        texts = {language: entry.text[language][name] for language in languages}
        if not any(texts.values()):
            continue
        _heading(document, _label(name, languages), level=3)
        if name == "institutions":
            _paragraph(document, _label(entry.action_level, languages))
        _prose(document, texts, languages)
    sides = ("fr", "wal", "vl")
    if any(entry.text[language][f"scheme_{side}"] for language in languages for side in sides):
        _heading(document, _label("schemes", languages), level=3)
        header, body = _table(document, 2, 3)
        for index, side in enumerate(sides):
            _set_text(header[index], _label(f"scheme_{side}", languages))
            schemes = ("\n".join(paragraphs(entry.text[language][f"scheme_{side}"])) for language in languages)
            _set_text(body[index], "\n\n".join(schemes))
    if entry.votes:
        votes = entry.votes
        first = languages[0]
        words = labels(first)
        _heading(document, _label("vote", languages), level=3)
        verdict = _label("adopted" if votes.adopted else "not_adopted", languages)
        _paragraph(document, verdict + (f" ({failed_text(votes.failed, first)})" if votes.failed else ""))
        names = [
            words["for"],
            words["against"],
            words["abstain"],
            words["block"],
            words["cast"],
            words["turnout"],
            words["support"],
            *(words["support_on"].format(side=side_name(s, first)) for s in votes.sides),
        ]
        values = [
            votes.for_,
            votes.against,
            votes.abstain,
            votes.block,
            f"{votes.cast} / {votes.eligible}",
            percent(votes.turnout),
            percent(votes.support),
            *(percent(v) for v in votes.sides.values()),
        ]
        header, body = _table(document, 2, len(names))
        for index, (name, value) in enumerate(zip(names, values, strict=True)):
            _set_text(header[index], name)
            _set_text(body[index], str(value))
    if entry.minority_views:
        _heading(document, _label("minority_views", languages), level=3)
        for view in entry.minority_views:
            _paragraph(document, f"{_label(view.choice, languages)}: {view.reason}", "ListBullet")


def _discussion(document: DocumentObject, item: EntryDiscussion, languages: tuple[str, ...]) -> None:
    title = " / ".join(item.title[language] for language in languages)
    _heading(document, f"{item.number + '. ' if item.number else ''}{title}", level=2)
    for comment in item.comments:
        meta = _paragraph(document)
        meta.add_run(f"{comment.author or _label('former_member', languages)} · {comment.posted_on}").italic = True
        meta.paragraph_format.left_indent = Mm(6 * comment.depth)
        for text in paragraphs(comment.body):
            _paragraph(document, text).paragraph_format.left_indent = Mm(6 * comment.depth)
    if not item.comments:
        _paragraph(document).add_run(_label("no_comments", languages)).italic = True


def render_docx(content: DossierContent, languages: tuple[str, ...]) -> bytes:
    document = Document()
    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(20)
    title = " / ".join(content.title[language] for language in languages)
    document.core_properties.title = title
    document.core_properties.language = languages[0]
    _heading(document, title, level=0)
    _paragraph(document, f"{_label('dossier', languages)} · {content.year}")
    if content.version:
        _paragraph(
            document, f"{labels(languages[0])['version'].format(number=content.version)} · {content.published_on}"
        )
    else:
        _paragraph(document, _label("draft", languages))
    if content.organisations:
        _paragraph(document, f"{_label('partners', languages)}: {', '.join(content.organisations)}")
    document.add_page_break()
    _heading(document, _label("introduction", languages), level=1)
    _prose(document, content.introduction, languages)
    for axis in content.axes:
        _heading(document, f"{axis.code}. " + " / ".join(axis.name[language] for language in languages), level=1)
        _prose(document, axis.introduction, languages)
        for entry in axis.entries:
            _entry(document, entry, languages)
    if content.annex:
        _heading(document, _label("annex", languages), level=1)
        _paragraph(document, _label("annex_intro", languages))
        for entry in content.annex:
            _entry(document, entry, languages)
    if content.discussion is not None:
        _heading(document, _label("discussion", languages), level=1)
        _paragraph(document, _label("discussion_intro", languages))
        for item in content.discussion:
            _discussion(document, item, languages)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
