"""DOCX through python-docx: A4, Word's own Heading styles, a table of contents field over them (Word
updates it on opening, LibreOffice too), a table for the schemes on each side and one for the vote; both
languages side by side in a two-column table. The body's paragraphs and tables are written by wordml
(python-docx's add_paragraph and add_table are far too slow for a long document: see there)."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocumentObject
from docx.shared import Length, Mm

from workspace.dossier.content import SCHEME_SIDES, DossierContent, Entry, EntryDiscussion
from workspace.dossier.exports import wordml
from workspace.dossier.exports.labels import failed_text, labels, percent, side_name
from workspace.dossier.exports.plain import paragraphs
from workspace.dossier.exports.wordml import Cell, Run

FIELDS = ("finding", "proposal", "institutions", "expected_effect", "harmonisation")
VOTE_FIGURES = ("for", "against", "abstain", "block", "cast", "turnout", "support")
TEXT_WIDTH = Mm(170)
"""A4 (210 mm) less 20 mm margins on each side."""
FIGURE_WIDTHS = (Mm(110), Mm(30))
"""The vote table: a row for each figure, its name then its value. Ten columns across the page broke the
names mid-word ("Objecti/on"); down the page, the longest name fits on one line in both languages."""
TOC = 'TOC \\o "1-2" \\h \\z \\u'
"""A table of contents of heading levels 1-2 (the sections and the recommendations, as in the PDF's),
with links, without page numbers in web view, keeping the headings' own outline levels."""
PARAGRAPH_STYLES = ("Title", "Heading 1", "Heading 2", "Heading 3", "List Bullet", "TOC Heading")
TABLE_STYLE = "Table Grid"


class _Writer:
    def __init__(self, languages: tuple[str, ...]) -> None:
        self.languages = languages
        self.document: DocumentObject = Document()
        for section in self.document.sections:
            section.page_width, section.page_height = Mm(210), Mm(297)
            section.left_margin = section.right_margin = Mm(20)
        styles = self.document.styles
        self.style_ids = {name: styles[name].style_id for name in (*PARAGRAPH_STYLES, TABLE_STYLE)}
        self.body = wordml.Body(self.document)

    def label(self, key: str) -> str:
        return " / ".join(labels(language)[key] for language in self.languages)

    def paragraph(self, text: str = "", style: str | None = None, indent: Length | None = None) -> None:
        self.body.add(wordml.paragraph([Run(text)], self.style_ids[style] if style else None, indent))

    def note(self, text: str, indent: Length | None = None) -> None:
        self.body.add(wordml.paragraph([Run(text, italic=True)], indent=indent))

    def heading(self, text: str, level: int) -> None:
        self.paragraph(text, "Title" if level == 0 else f"Heading {level}")

    def table(self, rows: list[list[Cell]], widths: tuple[Length, ...] | None = None) -> None:
        widths = widths or (Mm(170 / len(rows[0])),) * len(rows[0])
        self.body.add(wordml.table(rows, widths, self.style_ids[TABLE_STYLE]))

    def columns(self, versions: list[tuple[str, str]]) -> None:
        """Each text as paragraphs, or side by side in a table of one row when there are several."""
        if not any(written for _language, written in versions):
            return
        if len(versions) == 1:
            for text in paragraphs(versions[0][1]):
                self.paragraph(text)
            return
        self.table([["\n\n".join(paragraphs(written)) for _language, written in versions]])

    def contents(self) -> None:
        """A TOC field over the headings, which Word updates on opening (it asks first) and LibreOffice
        too; until then it says how to fill it in."""
        self.paragraph(self.label("contents"), "TOC Heading")
        placeholder = Run(self.label("contents_update"), italic=True)
        self.body.add(wordml.field_paragraph(wordml.field(TOC, placeholder)))
        wordml.update_fields_on_open(self.document)
        self.body.add(wordml.page_break())

    def entry(self, entry: Entry) -> None:
        languages = self.languages
        title = " / ".join(written for _language, written in entry.versions("title", languages))
        self.heading(f"{entry.number + '. ' if entry.number else ''}{title}", level=2)
        for language in entry.untranslated:
            if language in languages:
                self.note(labels(language)["untranslated"])
        if entry.carried_from:
            self.paragraph(f"{self.label('carried_from')}: {entry.carried_from}")
        for name in FIELDS:
            if not any(entry.text[language][name] for language in languages):
                continue
            self.heading(self.label(name), level=3)
            if name == "institutions":
                self.paragraph(self.label(entry.action_level))
            if entry.missing(name, languages):
                self.note(self.label("not_translated"))
            self.columns(entry.versions(name, languages))
        if any(entry.text[language][f"scheme_{side}"] for language in languages for side in SCHEME_SIDES):
            self.schemes(entry)
        if entry.votes:
            self.votes(entry)
        if entry.minority_views:
            self.heading(self.label("minority_views"), level=3)
            for view in entry.minority_views:
                self.paragraph(f"{self.label(view.choice)}: {view.reason}", "List Bullet")

    def schemes(self, entry: Entry) -> None:
        self.heading(self.label("schemes"), level=3)
        header: list[Cell] = []
        body: list[Cell] = []
        for side in SCHEME_SIDES:
            name = f"scheme_{side}"
            header.append(self.label(name))
            texts = ["\n".join(paragraphs(written)) for _language, written in entry.versions(name, self.languages)]
            runs = [Run("\n\n".join(text for text in texts if text))]
            if entry.missing(name, self.languages):
                runs += [Run("\n\n"), Run(self.label("not_translated"), italic=True)]
            body.append(runs)
        self.table([header, body])

    def votes(self, entry: Entry) -> None:
        votes = entry.votes
        assert votes is not None
        self.heading(self.label("vote"), level=3)
        verdict = self.label("adopted" if votes.adopted else "not_adopted")
        failed = " / ".join(failed_text(votes.failed, language) for language in self.languages)
        self.paragraph(verdict + (f" ({failed})" if votes.failed else ""))
        names = [self.label(key) for key in VOTE_FIGURES] + [
            " / ".join(
                labels(language)["support_on"].format(side=side_name(side, language)) for language in self.languages
            )
            for side in votes.sides
        ]
        values = [
            str(votes.for_),
            str(votes.against),
            str(votes.abstain),
            str(votes.block),
            f"{votes.cast} / {votes.eligible}",
            percent(votes.turnout),
            percent(votes.support),
            *(percent(value) for value in votes.sides.values()),
        ]
        self.table([[name, value] for name, value in zip(names, values, strict=True)], FIGURE_WIDTHS)

    def discussion(self, item: EntryDiscussion) -> None:
        title = " / ".join(item.title[language] for language in self.languages)
        self.heading(f"{item.number + '. ' if item.number else ''}{title}", level=2)
        for comment in item.comments:
            indent = Mm(6 * comment.depth) if comment.depth else None
            self.note(f"{comment.author or self.label('former_member')} · {comment.posted_on}", indent)
            for text in paragraphs(comment.body):
                self.paragraph(text, indent=indent)
        if not item.comments:
            self.note(self.label("no_comments"))

    def render(self, content: DossierContent) -> bytes:
        languages = self.languages
        document = self.document
        title = " / ".join(content.title[language] for language in languages)
        document.core_properties.title = title
        document.core_properties.language = languages[0]
        self.heading(title, level=0)
        self.paragraph(f"{self.label('dossier')} · {content.year}")
        if content.version:
            self.paragraph(f"{labels(languages[0])['version'].format(number=content.version)} · {content.published_on}")
        else:
            self.paragraph(self.label("draft"))
        if content.organisations:
            self.paragraph(f"{self.label('partners')}: {', '.join(content.organisations)}")
        self.body.add(wordml.page_break())
        self.contents()
        self.heading(self.label("introduction"), level=1)
        self.columns([(language, content.introduction[language]) for language in languages])
        for axis in content.axes:
            self.heading(f"{axis.code}. " + " / ".join(axis.name[language] for language in languages), level=1)
            self.columns([(language, axis.introduction[language]) for language in languages])
            for entry in axis.entries:
                self.entry(entry)
        if content.annex:
            self.heading(self.label("annex"), level=1)
            self.paragraph(self.label("annex_intro"))
            for entry in content.annex:
                self.entry(entry)
        if content.discussion is not None:
            self.heading(self.label("discussion"), level=1)
            self.paragraph(self.label("discussion_intro"))
            for item in content.discussion:
                self.discussion(item)
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()


def render_docx(content: DossierContent, languages: tuple[str, ...]) -> bytes:
    return _Writer(languages).render(content)
