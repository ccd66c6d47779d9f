"""The dossier's content model as a Typst document, the PDF's source: the cover, the contents with page
numbers, the introduction, each axis with its recommendations, the annex of what was not adopted and,
when asked for, the discussion; in one language, or two side by side. Pages and styles live in
dossier.typ (TEMPLATE); every text of the content model goes through typst_markup, so that it reads as
written and runs as nothing.

Levels: 1 for the sections (introduction, axes, annexes), 2 for a recommendation or its discussion
(both bookmarked), 3 for the parts of a recommendation, below for the headings people wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from workspace.dossier.content import SCHEME_SIDES, DossierContent, Entry, EntryDiscussion, Votes
from workspace.dossier.exports.labels import failed_text, labels, percent, side_name
from workspace.dossier.exports.typst_markup import CELL_PARAGRAPH, PARAGRAPH, markdown, string, text

TEMPLATE = "dossier.typ"
FIELDS = ("finding", "proposal", "institutions", "expected_effect")
"""The text fields before the schemes; harmonisation comes after them."""
VOTE_FIGURES = ("for", "against", "abstain", "block", "cast", "turnout", "support")
_LABEL = re.compile(r"[0-9A-Za-z-]+")
"""What a target of the contents may be made of (ids are UUIDs, axis codes letters)."""


def _block(markup: str) -> str:
    """A paragraph of the dossier's own words (as typst_markup.PARAGRAPH)."""
    return PARAGRAPH.format(markup) if markup else ""


def _number(number: str) -> str:
    return f"{text(number)}\\. " if number else ""


class _Writer:
    def __init__(self, content: DossierContent, languages: tuple[str, ...]) -> None:
        self.content = content
        self.languages = languages
        self.words = {language: labels(language) for language in languages}

    def in_language(self, language: str, markup: str) -> str:
        """markup marked as written in language, when it is not the document's (for screen readers)."""
        if language == self.languages[0] or not markup:
            return markup
        return f"#text(lang: {string(language)})[{markup}]"

    def both(self, texts: dict[str, str]) -> str:
        """One text in each language, "français / Nederlands"."""
        return " / ".join(self.in_language(language, text(texts.get(language, ""))) for language in self.languages)

    def label(self, key: str) -> str:
        return self.both({language: self.words[language][key] for language in self.languages})

    def prose(self, texts: dict[str, str], heading_base: int) -> str:
        """Markdown in each language, side by side in a grid (in a block of its own, as _block)."""
        return self.columns([(language, texts.get(language, "")) for language in self.languages], heading_base)

    def columns(self, versions: list[tuple[str, str]], heading_base: int) -> str:
        """Each (language, markdown) in a column of its own; a single one takes the whole width."""
        columns = [self.in_language(language, markdown(written, heading_base)) for language, written in versions]
        if len(columns) == 1:
            return columns[0] + "\n"
        cells = ", ".join(f"[{column}]" for column in columns)
        return f"#block(grid(columns: (1fr,) * {len(columns)}, column-gutter: 6mm, {cells}))\n"

    def heading(self, level: int, markup: str, target: str | None = None) -> str:
        label = f" <{target}>" if target and _LABEL.fullmatch(target) else ""
        return f"#heading(level: {level})[{markup}]{label}\n"

    def section(self, markup: str, target: str) -> str:
        return f"#pagebreak(weak: true)\n{self.heading(1, markup, target)}"

    def document(self) -> Iterator[str]:
        content = self.content
        title = " / ".join(content.title.get(language, "") for language in self.languages)
        yield f'#import "{TEMPLATE}": *\n'
        yield f"#show: dossier.with(title: {string(title)}, lang: {string(self.languages[0])})\n"
        yield from self.cover()
        yield from self.contents()
        yield self.section(self.label("introduction"), "introduction")
        yield self.prose(content.introduction, 1)
        for axis in content.axes:
            yield self.section(f"{_number(axis.code)}{self.both(axis.name)}", f"axis-{axis.code}")
            yield self.prose(axis.introduction, 1)
            for entry in axis.entries:
                yield from self.entry(entry)
        if content.annex:
            yield self.section(self.label("annex"), "annex")
            yield _block(self.label("annex_intro"))
            for entry in content.annex:
                yield from self.entry(entry)
        if content.discussion is not None:
            yield self.section(self.label("discussion"), "discussion")
            yield _block(self.label("discussion_intro"))
            for item in content.discussion:
                yield from self.discussion(item)

    def cover(self) -> Iterator[str]:
        content = self.content
        yield "#v(50mm)\n"
        yield _block(f"{self.label('dossier')} · {content.year}")
        yield f"#title[{self.both(content.title)}]\n"
        for language in self.languages:
            yield self.in_language(language, markdown(content.theme.get(language), 0)) + "\n"
        if content.version:
            yield _block(
                self.both(
                    {
                        language: f"{self.words[language]['version'].format(number=content.version)} · "
                        f"{self.words[language]['published_on']} {content.published_on}"
                        for language in self.languages
                    }
                )
            )
        else:
            yield _block(self.label("draft"))
        if content.organisations:
            yield _block(f"{self.label('partners')}: {text(', '.join(content.organisations))}")
        yield "#pagebreak()\n"

    def contents(self) -> Iterator[str]:
        """The sections and the adopted recommendations (in the first language), with their pages."""
        content = self.content
        yield f"#heading(level: 1, outlined: false, bookmarked: false)[{self.label('contents')}]\n"
        lines = [("introduction", 1, self.label("introduction"))]
        for axis in content.axes:
            lines.append((f"axis-{axis.code}", 1, f"{_number(axis.code)}{self.both(axis.name)}"))
            for entry in axis.entries:
                lines.append((f"rec-{entry.id}", 2, _number(entry.number) + text(entry.title(self.languages[0]))))
        if content.annex:
            lines.append(("annex", 1, self.label("annex")))
        if content.discussion is not None:
            lines.append(("discussion", 1, self.label("discussion")))
        for target, level, markup in lines:
            if _LABEL.fullmatch(target):
                yield f"#contents-line(<{target}>, {level}, [{markup}])\n"

    def not_translated(self, entry: Entry, name: str) -> str:
        """The mark of a field printed once, in its original language, for want of a translation."""
        return f"#note[{self.label('not_translated')}]\n" if entry.missing(name, self.languages) else ""

    def entry(self, entry: Entry) -> Iterator[str]:
        title = " / ".join(
            self.in_language(language, text(written)) for language, written in entry.versions("title", self.languages)
        )
        yield self.heading(2, _number(entry.number) + title, f"rec-{entry.id}")
        untranslated = [
            self.in_language(language, text(self.words[language]["untranslated"]))
            for language in entry.untranslated
            if language in self.languages
        ]
        if untranslated:
            yield f"#note[{' '.join(untranslated)}]\n"
        if entry.carried_from:
            yield f"#note[{self.label('carried_from')}: {text(entry.carried_from)}]\n"
        for name in FIELDS:
            yield from self.field(entry, name)
        if any(entry.text[self.languages[0]].get(f"scheme_{side}") for side in SCHEME_SIDES):
            yield self.heading(3, self.label("schemes"))
            yield self.schemes(entry)
        yield from self.field(entry, "harmonisation")
        if entry.votes:
            yield self.heading(3, self.label("vote"))
            yield from self.votes(entry.votes)
        if entry.minority_views:
            yield self.heading(3, self.label("minority_views"))
            views = ", ".join(
                f"[#strong[{self.label(view.choice)}]: {text(view.reason)}]" for view in entry.minority_views
            )
            yield f"#list({views})\n"

    def field(self, entry: Entry, name: str) -> Iterator[str]:
        texts = {language: entry.text[language].get(name, "") for language in self.languages}
        if not (texts[self.languages[0]] or texts[self.languages[-1]]):
            return
        yield self.heading(3, self.label(name))
        if name == "institutions":
            yield _block(self.label(entry.action_level))
        yield self.not_translated(entry, name)
        yield self.columns(entry.versions(name, self.languages), 3)

    def schemes(self, entry: Entry) -> str:
        """The table of the current schemes: a column for each side, both languages in each cell."""
        header = ", ".join(f"[{self.label(f'scheme_{side}')}]" for side in SCHEME_SIDES)
        cells = []
        for side in SCHEME_SIDES:
            name = f"scheme_{side}"
            texts = [
                self.in_language(language, markdown(written, 3, CELL_PARAGRAPH))
                for language, written in entry.versions(name, self.languages)
            ]
            cells.append("[" + "\n".join(part for part in [*texts, self.not_translated(entry, name)] if part) + "]")
        return f"#figures((1fr, 1fr, 1fr), ({header},), {', '.join(cells)})\n"

    def votes(self, votes: Votes) -> Iterator[str]:
        """The verdict, then the figures in one line ("Pour : 6 · Contre : 2 · …"): Typst takes some 90 MB
        more for 300 small tables of them, which the benchmark's memory aim leaves no room for."""
        verdict = self.label("adopted" if votes.adopted else "not_adopted")
        if not votes.adopted and votes.failed:
            verdict += f" ({self.both({language: failed_text(votes.failed, language) for language in self.languages})})"
        yield _block(verdict)
        names = [self.label(key) for key in VOTE_FIGURES] + [
            self.both(
                {
                    language: self.words[language]["support_on"].format(side=side_name(side, language))
                    for language in self.languages
                }
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
            *(percent(support) for support in votes.sides.values()),
        ]
        colon = "~:~" if self.languages[0] == "fr" else ":~"  # the French space before the colon, unbroken
        unbroken = [text(value.replace(" ", "\u00a0")) for value in values]  # "27 %" stays on one line
        figures = " · ".join(f"{name}{colon}#strong[{value}]" for name, value in zip(names, unbroken, strict=True))
        yield _block(f"#text(size: 9pt)[{figures}]")

    def discussion(self, item: EntryDiscussion) -> Iterator[str]:
        yield self.heading(2, _number(item.number) + self.both(item.title), f"discussion-{item.id}")
        for comment in item.comments:
            author = text(comment.author) if comment.author else self.label("former_member")
            meta = f"{author} · {text(comment.posted_on)}"
            meta = f"#text(size: 8.5pt, fill: grey)[{meta}]"
            body = markdown(comment.body, 2)
            opening = PARAGRAPH.split("{}")[0]
            if body.startswith(opening):  # who and when open the first paragraph, so as to stay with it
                shown = f"#v(0.4em){opening}{meta}#linebreak(){body.removeprefix(opening)}\n"
            else:  # a sticky block takes Typst as much memory as a paragraph, for thousands of comments
                shown = f"#v(0.4em)#block[{meta}]\n{body}\n"
            depth = min(comment.depth, 4)
            yield f"#pad(left: {6 * depth}mm)[{shown}]\n" if depth else shown
        if not item.comments:
            yield f"#note[{self.label('no_comments')}]\n"


def document(content: DossierContent, languages: tuple[str, ...]) -> str:
    """The Typst source of the dossier in languages (one, or two side by side); it imports TEMPLATE."""
    return "".join(_Writer(content, languages).document())
