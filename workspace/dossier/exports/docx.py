"""DOCX through python-docx: A4, Word's own Heading styles (so Word builds the table of contents), a table
for the schemes on each side and one for the vote; both languages side by side in a two-column table."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocumentObject
from docx.shared import Mm

from workspace.dossier.content import DossierContent, Entry
from workspace.dossier.exports.labels import failed_text, labels, percent, side_name
from workspace.dossier.exports.plain import paragraphs

FIELDS = ("finding", "proposal", "institutions", "expected_effect", "harmonisation")


def _label(key: str, languages: tuple[str, ...]) -> str:
    return " / ".join(labels(language)[key] for language in languages)


def _prose(document: DocumentObject, texts: dict[str, str], languages: tuple[str, ...]) -> None:
    if len(languages) == 1:
        for paragraph in paragraphs(texts[languages[0]]):
            document.add_paragraph(paragraph)
        return
    table = document.add_table(rows=1, cols=len(languages))
    table.style = "Table Grid"
    for cell, language in zip(table.rows[0].cells, languages, strict=True):
        cell.text = "\n\n".join(paragraphs(texts[language]))


def _entry(document: DocumentObject, entry: Entry, languages: tuple[str, ...]) -> None:
    title = " / ".join(entry.title(language) for language in languages)
    document.add_heading(f"{entry.number + '. ' if entry.number else ''}{title}", level=2)
    for language in entry.untranslated:
        if language in languages:
            document.add_paragraph().add_run(labels(language)["untranslated"]).italic = True
    if entry.carried_from:
        document.add_paragraph(f"{_label('carried_from', languages)}: {entry.carried_from}")
    for name in FIELDS:
        texts = {language: entry.text[language][name] for language in languages}
        if not any(texts.values()):
            continue
        document.add_heading(_label(name, languages), level=3)
        if name == "institutions":
            document.add_paragraph(_label(entry.action_level, languages))
        _prose(document, texts, languages)
    sides = ("fr", "wal", "vl")
    if any(entry.text[language][f"scheme_{side}"] for language in languages for side in sides):
        document.add_heading(_label("schemes", languages), level=3)
        table = document.add_table(rows=2, cols=3)
        table.style = "Table Grid"
        for index, side in enumerate(sides):
            table.rows[0].cells[index].text = _label(f"scheme_{side}", languages)
            table.rows[1].cells[index].text = "\n\n".join(
                "\n".join(paragraphs(entry.text[language][f"scheme_{side}"])) for language in languages
            )
    if entry.votes:
        votes = entry.votes
        first = languages[0]
        words = labels(first)
        document.add_heading(_label("vote", languages), level=3)
        verdict = _label("adopted" if votes.adopted else "not_adopted", languages)
        document.add_paragraph(verdict + (f" ({failed_text(votes.failed, first)})" if votes.failed else ""))
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
        table = document.add_table(rows=2, cols=len(names))
        table.style = "Table Grid"
        for index, (name, value) in enumerate(zip(names, values, strict=True)):
            table.rows[0].cells[index].text = name
            table.rows[1].cells[index].text = str(value)
    if entry.minority_views:
        document.add_heading(_label("minority_views", languages), level=3)
        for view in entry.minority_views:
            document.add_paragraph(f"{_label(view.choice, languages)}: {view.reason}", style="List Bullet")


def render_docx(content: DossierContent, languages: tuple[str, ...]) -> bytes:
    document = Document()
    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(20)
    title = " / ".join(content.title[language] for language in languages)
    document.core_properties.title = title
    document.core_properties.language = languages[0]
    document.add_heading(title, level=0)
    document.add_paragraph(f"{_label('dossier', languages)} · {content.year}")
    if content.version:
        document.add_paragraph(
            f"{labels(languages[0])['version'].format(number=content.version)} · {content.published_on}"
        )
    else:
        document.add_paragraph(_label("draft", languages))
    if content.organisations:
        document.add_paragraph(f"{_label('partners', languages)}: {', '.join(content.organisations)}")
    document.add_page_break()
    document.add_heading(_label("introduction", languages), level=1)
    _prose(document, content.introduction, languages)
    for axis in content.axes:
        document.add_heading(f"{axis.code}. " + " / ".join(axis.name[language] for language in languages), level=1)
        _prose(document, axis.introduction, languages)
        for entry in axis.entries:
            _entry(document, entry, languages)
    if content.annex:
        document.add_heading(_label("annex", languages), level=1)
        document.add_paragraph(_label("annex_intro", languages))
        for entry in content.annex:
            _entry(document, entry, languages)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
