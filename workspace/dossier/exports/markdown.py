"""Markdown: the recommendations' text is already markdown, so it is copied as written, except that its
own headings are moved below the dossier's (a `# …` in a finding must not open a new part), and that no
`<` in it can open raw HTML (`inert`): the pages render user markdown with raw HTML off, and a reader's
Markdown viewer should show the same text, not run it."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from workspace.dossier.content import SCHEME_SIDES, DossierContent, Entry, EntryDiscussion
from workspace.dossier.exports.labels import failed_text, labels, percent, side_name

FIELDS = ("finding", "proposal", "institutions", "expected_effect", "harmonisation")
_parser = MarkdownIt("commonmark")


def below(text: str, level: int) -> str:
    """`text` with each of its headings moved `level` levels down (at most to level 6); underlined
    (setext) headings become `#` ones. Code blocks and everything else are left as written."""
    lines = text.splitlines()
    changes: dict[int, str | None] = {}
    for token in _parser.parse(text):
        if token.type != "heading_open" or token.map is None:
            continue
        start, end = token.map
        depth = min(6, int(token.tag[1]) + level)
        if token.markup.startswith("#"):
            changes[start] = "#" * depth + lines[start].lstrip()[len(token.markup) :]
        else:  # setext: the text lines, then the underline
            heading = " ".join(line.strip() for line in lines[start : end - 1])
            changes[start] = "#" * depth + " " + heading
            for index in range(start + 1, end):
                changes[index] = None
    if not changes:
        return text
    kept = (changes.get(index, line) for index, line in enumerate(lines))
    return "\n".join(line for line in kept if line is not None)


_LESS_THAN = re.compile(r"(\\*)<(?!(?:https?|mailto):[^\s<>\\`]*>)")
"""A `<` with the backslashes before it, unless it opens a plain web or mail autolink (kept as links)."""


def inert(text: str) -> str:
    """`text` with every `<` escaped as `\\<`, which Markdown shows as `<`: no tag, comment or HTML block can
    start, however a viewer reads the document. Escaping every `<`, rather than those a parser of one field
    finds outside code, keeps the guarantee when fields meet (an unclosed fence in one field turns the next
    field's code into text); the cost is a backslash shown before `<` inside code, which recommendations
    hardly use. A `<` already escaped (after an odd number of backslashes) is left as it is."""

    def escape(match: re.Match[str]) -> str:
        backslashes = match.group(1)
        return f"{backslashes}<" if len(backslashes) % 2 else f"{backslashes}\\<"

    return _LESS_THAN.sub(escape, text)


def _joined(texts: dict[str, str], languages: tuple[str, ...]) -> str:
    return " / ".join(texts[language] for language in languages)


def _label(key: str, languages: tuple[str, ...]) -> str:
    return " / ".join(labels(language)[key] for language in languages)


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def _schemes(entry: Entry, languages: tuple[str, ...]) -> list[str]:
    """A column for each side; side by side, a row for each language, starting with the language, where a
    scheme without a translation is marked (its text is in the original's row)."""
    header = [_label(f"scheme_{side}", languages) for side in SCHEME_SIDES]
    side_by_side = len(languages) > 1
    lines = [
        "| " + " | ".join(["", *header] if side_by_side else header) + " |",
        "|" + "---|" * (len(header) + side_by_side),
    ]
    marker = f"*{_label('not_translated', languages)}*"
    for language in languages:
        cells = []
        for side in SCHEME_SIDES:
            name = f"scheme_{side}"
            text = _cell(entry.text[language][name])
            if language in entry.missing(name, languages):
                text = marker if entry.original_language in languages else f"{text} {marker}"
            cells.append(text)
        lines.append("| " + " | ".join([language.upper(), *cells] if side_by_side else cells) + " |")
    return lines


def _entry(entry: Entry, languages: tuple[str, ...]) -> list[str]:
    title = " / ".join(written for _language, written in entry.versions("title", languages))
    lines = [f"### {entry.number + '. ' if entry.number else ''}{title}", ""]
    for language in entry.untranslated:
        if language in languages:
            lines += [f"*{labels(language)['untranslated']}* ({language})", ""]
    if entry.carried_from:
        lines += [f"*{_label('carried_from', languages)}: {entry.carried_from}*", ""]
    for name in FIELDS:
        if not any(entry.text[language][name] for language in languages):
            continue
        lines += [f"#### {_label(name, languages)}", ""]
        if name == "institutions":
            lines += [f"*{_label(entry.action_level, languages)}*", ""]
        if entry.missing(name, languages):
            lines += [f"*{_label('not_translated', languages)}*", ""]
        versions = entry.versions(name, languages)
        for language, written in versions:
            if len(versions) > 1:
                lines += [f"**{language.upper()}**", ""]
            lines += [below(written, 4), ""]
    if any(entry.text[language][f"scheme_{side}"] for language in languages for side in SCHEME_SIDES):
        lines += [f"#### {_label('schemes', languages)}", "", *_schemes(entry, languages), ""]
    if entry.votes:
        votes = entry.votes
        first = languages[0]
        words = labels(first)
        verdict = _label("adopted" if votes.adopted else "not_adopted", languages)
        if votes.failed:
            verdict += f" ({failed_text(votes.failed, first)})"
        lines += [f"#### {_label('vote', languages)}", "", verdict, ""]
        sides = [
            f"{words['support_on'].format(side=side_name(side, first))}: {percent(value)}"
            for side, value in votes.sides.items()
        ]
        lines += [
            f"- {words['for']}: {votes.for_}, {words['against']}: {votes.against}, {words['abstain']}: "
            f"{votes.abstain}, {words['block']}: {votes.block}",
            f"- {words['cast']}: {votes.cast} / {votes.eligible}, {words['turnout']}: {percent(votes.turnout)}, "
            f"{words['support']}: {percent(votes.support)}",
            f"- {', '.join(sides)}",
            "",
        ]
    if entry.minority_views:
        lines += [f"#### {_label('minority_views', languages)}", ""]
        lines += [
            f"- **{_label(view.choice, languages)}**: {' '.join(view.reason.split())}" for view in entry.minority_views
        ]
        lines.append("")
    return lines


def _discussion(item: EntryDiscussion, languages: tuple[str, ...]) -> list[str]:
    """Each comment as a quote (nested one level per reply), so that its own markdown cannot break the
    dossier's headings."""
    title = " / ".join(item.title[language] for language in languages)
    lines = [f"### {item.number + '. ' if item.number else ''}{title}", ""]
    for comment in item.comments:
        quote = ">" * (comment.depth + 1) + " "
        author = comment.author or _label("former_member", languages)
        lines.append(f"{quote}*{author} · {comment.posted_on}*")
        lines.append(quote.rstrip())
        lines += [(quote + line).rstrip() for line in below(comment.body, 3).splitlines()]
        lines.append("")
    if not item.comments:
        lines += [f"*{_label('no_comments', languages)}*", ""]
    return lines


def render_markdown(content: DossierContent, languages: tuple[str, ...]) -> bytes:
    """The whole document goes through `inert` at once: every text in it comes from people (titles,
    fields, reasons, comments, names, organisations) but the labels, and those hold no `<`."""
    lines = [f"# {_joined(content.title, languages)}", ""]
    lines += [f"*{_label('dossier', languages)} · {content.year}*", ""]
    if content.version:
        lines += [f"{labels(languages[0])['version'].format(number=content.version)} · {content.published_on}", ""]
    else:
        lines += [f"*{_label('draft', languages)}*", ""]
    if content.organisations:
        lines += [f"{_label('partners', languages)}: {', '.join(content.organisations)}", ""]
    lines += [f"## {_label('introduction', languages)}", ""]
    lines += [below(content.introduction[language], 2) for language in languages if content.introduction[language]]
    lines += [""]
    for axis in content.axes:
        lines += [f"## {axis.code}. {_joined(axis.name, languages)}", ""]
        lines += [below(axis.introduction[language], 2) for language in languages if axis.introduction[language]]
        lines += [""]
        for entry in axis.entries:
            lines += _entry(entry, languages)
    if content.annex:
        lines += [f"## {_label('annex', languages)}", "", _label("annex_intro", languages), ""]
        for entry in content.annex:
            lines += _entry(entry, languages)
    if content.discussion is not None:
        lines += [f"## {_label('discussion', languages)}", "", _label("discussion_intro", languages), ""]
        for item in content.discussion:
            lines += _discussion(item, languages)
    return (inert("\n".join(lines)).rstrip() + "\n").encode()
