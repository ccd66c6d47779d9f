"""ODT through odfpy (Belgian administrations work in ODF): A4, real Heading 1-3 styles with outline
levels (so LibreOffice builds the navigator), a table of contents over headings 1-2 (written out without
page numbers; LibreOffice adds them with Tools > Update, as for the DOCX), tables for schemes and votes."""

from __future__ import annotations

import io

from odf.opendocument import OpenDocumentText
from odf.style import (
    MasterPage,
    PageLayout,
    PageLayoutProperties,
    ParagraphProperties,
    Style,
    TableCellProperties,
    TableColumnProperties,
    TableProperties,
    TabStop,
    TabStops,
    TextProperties,
)
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import (
    H,
    IndexBody,
    IndexEntryChapter,
    IndexEntryPageNumber,
    IndexEntryTabStop,
    IndexEntryText,
    IndexTitle,
    IndexTitleTemplate,
    P,
    TableOfContent,
    TableOfContentEntryTemplate,
    TableOfContentSource,
)

from workspace.dossier.content import DossierContent, Entry, EntryDiscussion
from workspace.dossier.exports.labels import failed_text, labels, percent, side_name
from workspace.dossier.exports.plain import paragraphs

FIELDS = ("finding", "proposal", "institutions", "expected_effect", "harmonisation")
HEADING_SIZES = {1: "18pt", 2: "14pt", 3: "11pt"}
VOTE_FIGURES = ("for", "against", "abstain", "block", "cast", "turnout", "support")
FIGURE_WIDTHS = ("11cm", "3cm")
"""The vote table: a row for each figure, its name then its value. Ten columns across the page broke the
names mid-word; down the page, the longest name fits on one line in both languages."""


class _Writer:
    def __init__(self, languages: tuple[str, ...]) -> None:
        self.languages = languages
        self.document = OpenDocumentText()
        layout = PageLayout(name="A4")
        layout.addElement(
            PageLayoutProperties(pagewidth="21cm", pageheight="29.7cm", margin="2cm", printorientation="portrait")
        )
        self.document.automaticstyles.addElement(layout)
        self.document.masterstyles.addElement(MasterPage(name="Standard", pagelayoutname=layout))
        heading = Style(name="Heading", family="paragraph")
        heading.addElement(ParagraphProperties(margintop="0.4cm", marginbottom="0.2cm", keepwithnext="always"))
        self.document.styles.addElement(heading)
        self.headings: dict[int, Style] = {}
        for level, size in HEADING_SIZES.items():
            style = Style(
                name=f"Heading_20_{level}",
                displayname=f"Heading {level}",
                family="paragraph",
                parentstylename="Heading",
                defaultoutlinelevel=str(level),
            )
            style.addElement(TextProperties(fontsize=size, fontweight="bold"))
            self.document.styles.addElement(style)
            self.headings[level] = style
        self.title_style = Style(name="Title", family="paragraph", parentstylename="Heading")
        self.title_style.addElement(TextProperties(fontsize="24pt", fontweight="bold"))
        self.document.styles.addElement(self.title_style)
        self.body = Style(name="Text_20_body", displayname="Text body", family="paragraph")
        self.body.addElement(ParagraphProperties(marginbottom="0.2cm"))
        self.document.styles.addElement(self.body)
        self.cell = Style(name="DossierCell", family="table-cell")
        self.cell.addElement(TableCellProperties(border="0.5pt solid #999999", padding="0.1cm"))
        self.document.automaticstyles.addElement(self.cell)
        self.note_style = Style(name="DossierNote", family="paragraph", parentstylename=self.body)
        self.note_style.addElement(TextProperties(fontstyle="italic"))
        self.document.styles.addElement(self.note_style)
        self.figures = Style(name="DossierFigures", family="table")
        self.figures.addElement(TableProperties(width="14cm", align="left"))
        self.document.automaticstyles.addElement(self.figures)
        self.figure_columns = []
        for index, width in enumerate(FIGURE_WIDTHS):
            column = Style(name=f"DossierFigures.{index}", family="table-column")
            column.addElement(TableColumnProperties(columnwidth=width))
            self.document.automaticstyles.addElement(column)
            self.figure_columns.append(column)
        self.contents_styles, self.contents_title = self._contents_styles()
        self.contents_body: IndexBody | None = None
        self.page_break = Style(name="PageBreak", family="paragraph")
        self.page_break.addElement(ParagraphProperties(breakafter="page"))
        self.document.automaticstyles.addElement(self.page_break)

    def _contents_styles(self) -> tuple[dict[int, Style], Style]:
        """The table of contents' paragraph styles (two levels, page numbers at a dotted right tab) and its
        heading's, under the names LibreOffice gives its own so that Tools > Update keeps them."""
        levels: dict[int, Style] = {}
        for level in (1, 2):
            style = Style(name=f"Contents_20_{level}", displayname=f"Contents {level}", family="paragraph")
            properties = ParagraphProperties(marginleft=f"{(level - 1) * 0.5}cm", marginbottom="0.1cm")
            stops = TabStops()
            stops.addElement(TabStop(position="17cm", type="right", leaderstyle="dotted", leadertext="."))
            properties.addElement(stops)
            style.addElement(properties)
            self.document.styles.addElement(style)
            levels[level] = style
        title = Style(name="Contents_20_Heading", displayname="Contents Heading", family="paragraph")
        title.addElement(TextProperties(fontsize="18pt", fontweight="bold"))
        self.document.styles.addElement(title)
        return levels, title

    def label(self, key: str) -> str:
        return " / ".join(labels(language)[key] for language in self.languages)

    def heading(self, text: str, level: int) -> None:
        self.document.text.addElement(H(outlinelevel=level, stylename=self.headings[level], text=text))
        if self.contents_body is not None and level in self.contents_styles:
            self.contents_body.addElement(P(stylename=self.contents_styles[level], text=text))

    def contents(self) -> None:
        """A table of contents of heading levels 1-2 (the sections and the recommendations, as in the PDF),
        its lines written as the headings come and its page numbers left to LibreOffice's update."""
        title = self.label("contents")
        toc = TableOfContent(name="Contents", protected="true")
        source = TableOfContentSource(outlinelevel="2")
        source.addElement(IndexTitleTemplate(stylename=self.contents_title, text=title))
        for level, style in self.contents_styles.items():
            template = TableOfContentEntryTemplate(outlinelevel=str(level), stylename=style)
            template.addElement(IndexEntryChapter())
            template.addElement(IndexEntryText())
            template.addElement(IndexEntryTabStop(type="right", leaderchar="."))
            template.addElement(IndexEntryPageNumber())
            source.addElement(template)
        toc.addElement(source)
        body = IndexBody()
        heading = IndexTitle(name="Contents_Head")
        heading.addElement(P(stylename=self.contents_title, text=title))
        body.addElement(heading)
        body.addElement(P(stylename=self.note_style, text=self.label("contents_update")))
        toc.addElement(body)
        self.document.text.addElement(toc)
        self.document.text.addElement(P(stylename=self.page_break))
        self.contents_body = body

    def paragraph(self, text: str) -> None:
        self.document.text.addElement(P(stylename=self.body, text=text))

    def note(self, text: str) -> None:
        self.document.text.addElement(P(stylename=self.note_style, text=text))

    def table(self, rows: list[list[str]], figures: bool = False) -> None:
        """A table with columns of equal widths, or the vote's figures (a narrow column for the values)."""
        if figures:
            table = Table(stylename=self.figures)
            for column in self.figure_columns:
                table.addElement(TableColumn(stylename=column))
        else:
            table = Table()
            table.addElement(TableColumn(numbercolumnsrepeated=len(rows[0])))
        for values in rows:
            row = TableRow()
            for value in values:
                cell = TableCell(stylename=self.cell, valuetype="string")
                for line in value.split("\n\n") or [""]:
                    cell.addElement(P(text=line))
                row.addElement(cell)
            table.addElement(row)
        self.document.text.addElement(table)

    def prose(self, texts: dict[str, str]) -> None:
        self.columns([(language, texts[language]) for language in self.languages])

    def columns(self, versions: list[tuple[str, str]]) -> None:
        """Each text as paragraphs, or side by side in a table of one row when there are several."""
        if len(versions) == 1:
            for paragraph in paragraphs(versions[0][1]):
                self.paragraph(paragraph)
        elif any(written for _language, written in versions):
            self.table([["\n\n".join(paragraphs(written)) for _language, written in versions]])

    def entry(self, entry: Entry) -> None:
        languages = self.languages
        title = " / ".join(written for _language, written in entry.versions("title", languages))
        self.heading(f"{entry.number + '. ' if entry.number else ''}{title}", 2)
        for language in entry.untranslated:
            if language in languages:
                self.note(labels(language)["untranslated"])
        if entry.carried_from:
            self.paragraph(f"{self.label('carried_from')}: {entry.carried_from}")
        for name in FIELDS:
            texts = {language: entry.text[language][name] for language in languages}
            if not any(texts.values()):
                continue
            self.heading(self.label(name), 3)
            if name == "institutions":
                self.paragraph(self.label(entry.action_level))
            if entry.missing(name, languages):
                self.note(self.label("not_translated"))
            self.columns(entry.versions(name, languages))
        sides = ("fr", "wal", "vl")
        if any(entry.text[language][f"scheme_{side}"] for language in languages for side in sides):
            self.heading(self.label("schemes"), 3)
            self.table(
                [
                    [self.label(f"scheme_{side}") for side in sides],
                    [self.scheme(entry, f"scheme_{side}") for side in sides],
                ]
            )
        if entry.votes:
            votes = entry.votes
            first = languages[0]
            self.heading(self.label("vote"), 3)
            verdict = self.label("adopted" if votes.adopted else "not_adopted")
            self.paragraph(verdict + (f" ({failed_text(votes.failed, first)})" if votes.failed else ""))
            names = [self.label(key) for key in VOTE_FIGURES] + [
                " / ".join(
                    labels(language)["support_on"].format(side=side_name(side, language)) for language in languages
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
                *(percent(v) for v in votes.sides.values()),
            ]
            self.table([[name, value] for name, value in zip(names, values, strict=True)], figures=True)
        if entry.minority_views:
            self.heading(self.label("minority_views"), 3)
            for view in entry.minority_views:
                self.paragraph(f"• {self.label(view.choice)}: {view.reason}")

    def scheme(self, entry: Entry, name: str) -> str:
        texts = [" ".join(paragraphs(written)) for _language, written in entry.versions(name, self.languages)]
        if entry.missing(name, self.languages):
            texts.append(self.label("not_translated"))
        return "\n\n".join(texts)

    def discussion(self, item: EntryDiscussion) -> None:
        """Replies are marked with one arrow per level (ODF collapses leading spaces)."""
        title = " / ".join(item.title[language] for language in self.languages)
        self.heading(f"{item.number + '. ' if item.number else ''}{title}", 2)
        for comment in item.comments:
            marker = "↳ " * comment.depth
            self.paragraph(f"{marker}{comment.author or self.label('former_member')} · {comment.posted_on}")
            for text in paragraphs(comment.body):
                self.paragraph(f"{marker}{text}")
        if not item.comments:
            self.paragraph(self.label("no_comments"))

    def render(self, content: DossierContent) -> bytes:
        languages = self.languages
        title = " / ".join(content.title[language] for language in languages)
        self.document.text.addElement(P(stylename=self.title_style, text=title))
        self.paragraph(f"{self.label('dossier')} · {content.year}")
        if content.version:
            self.paragraph(f"{labels(languages[0])['version'].format(number=content.version)} · {content.published_on}")
        else:
            self.paragraph(self.label("draft"))
        if content.organisations:
            self.document.text.addElement(
                P(stylename=self.page_break, text=f"{self.label('partners')}: {', '.join(content.organisations)}")
            )
        self.contents()
        self.heading(self.label("introduction"), 1)
        self.prose(content.introduction)
        for axis in content.axes:
            self.heading(f"{axis.code}. " + " / ".join(axis.name[language] for language in languages), 1)
            self.prose(axis.introduction)
            for entry in axis.entries:
                self.entry(entry)
        if content.annex:
            self.heading(self.label("annex"), 1)
            self.paragraph(self.label("annex_intro"))
            for entry in content.annex:
                self.entry(entry)
        if content.discussion is not None:
            self.heading(self.label("discussion"), 1)
            self.paragraph(self.label("discussion_intro"))
            for item in content.discussion:
                self.discussion(item)
        buffer = io.BytesIO()
        self.document.write(buffer)
        return buffer.getvalue()


def render_odt(content: DossierContent, languages: tuple[str, ...]) -> bytes:
    return _Writer(languages).render(content)
