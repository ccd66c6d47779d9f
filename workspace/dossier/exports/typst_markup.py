"""User text as Typst markup that shows it as text: what people wrote is data, never code or markup.

Every run of a person's text becomes a Typst string literal embedded in the markup (`#"…";`), in which
the only special characters, the backslash and the double quote, are escaped (and line breaks written as
escapes): whatever it holds (`#`, `$`, `*`, `_`, `@label`, `<label>`, `[`, `]`, `//`, `#read(…)`,
`#include`) reaches the page as those characters and nothing else; the semicolon ends the embedded
expression, so what follows cannot continue it. Markdown goes through `markdown`: markdown-it (with the
options the pages use: no raw HTML) parses it, and its tokens become Typst elements (paragraphs,
emphasis, lists, quotes, tables, raw text, links to http, https and mailto addresses only) around such
strings. Nothing is ever read from a file, an image or a package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

_markdown = MarkdownIt("js-default", {"linkify": False, "typographer": False})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u00ad]")
"""Control characters, and soft hyphens: Typst hyphenates by itself, and a soft hyphen it keeps comes
out twice in the PDF's text layer, which screen readers read."""
_SPACES = re.compile(r"[^\S\u00a0\u202f]+")
"""White space that may break a line (not the no-break spaces)."""
_LONG_WORD = re.compile(r"\S{30,}")
BREAK_EVERY = 20
"""A word too long for a column (30 characters or more) gets a break opportunity, a zero-width space,
every so many characters, so that it wraps inside its column instead of running off the page."""
URL_SCHEMES = ("http:", "https:", "mailto:")
"""The links kept, as on the pages (core.markdown); any other target is dropped and its text stays."""
MAX_NESTING = 6
"""Quotes and lists nested deeper than this are laid out flat: their text is kept, without more
indentation (Typst refuses to lay out a few dozen nested blocks)."""
_CONTAINERS = ("bullet_list", "ordered_list", "blockquote")


def string(value: str) -> str:
    """A Typst string literal holding value."""
    escaped = _CONTROL.sub("", value).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t") + '"'


def _run(value: str) -> str:
    if not value:
        return ""
    return f"#{string(_LONG_WORD.sub(_with_breaks, value))};"


def _with_breaks(match: re.Match[str]) -> str:
    word = match.group(0)
    return "\u200b".join(word[start : start + BREAK_EVERY] for start in range(0, len(word), BREAK_EVERY))


def text(value: str) -> str:
    """Plain text as Typst markup that shows exactly that text, on one line (a run of white space
    becomes one space; no-break spaces stay)."""
    return _run(_SPACES.sub(" ", value))


@dataclass
class _Frame:
    """A markdown block being converted: the Typst markup of what it holds so far."""

    kind: str
    token: Token | None = None
    parts: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    header_rows: int = 0
    flat: bool = False


PARAGRAPH = "#block(par[{}])\n"
"""A paragraph in a block of its own: Typst lays it out with far less memory than one straight in the
page's flow, which keeps each of its lines apart (about half of the memory of a large dossier)."""
CELL_PARAGRAPH = "#block[{}]\n"
"""A paragraph in a table cell: text in a block, without Typst's paragraph (which takes twice the memory);
the cell is what tells a screen reader where it belongs."""


def markdown(source: str | None, heading_base: int = 3, paragraph: str = PARAGRAPH) -> str:
    """Markdown as Typst markup, each paragraph written with the paragraph pattern. A heading written in
    the text sits below the one it is under (heading_base, as in the Markdown export) and is neither in
    the contents nor in the bookmarks."""
    if not source:
        return ""
    stack = [_Frame("root")]
    nesting = 0
    for token in _markdown.parse(source):
        top = stack[-1]
        if token.type == "inline":
            top.parts.append(_inline(token.children or []))
        elif token.type in ("code_block", "fence"):
            top.parts.append(f"#raw(block: true, {string(token.content.rstrip(chr(10)))})\n")
        elif token.type == "hr":
            top.parts.append("#line(length: 100%, stroke: 0.5pt + luma(153))\n")
        elif token.type in ("html_block", "html_inline"):  # only with raw HTML on: shown as written
            top.parts.append(paragraph.format(_run(token.content)))
        elif token.nesting == 1:
            frame = _Frame(token.type.removesuffix("_open"), token)
            if frame.kind in _CONTAINERS:
                nesting += 1
                frame.flat = nesting > MAX_NESTING
            stack.append(frame)
        elif token.nesting == -1:
            frame = stack.pop()
            if frame.kind in _CONTAINERS:
                nesting -= 1
            _close(frame, stack[-1], heading_base, paragraph)
    return "".join(stack[0].parts).strip()


def _close(frame: _Frame, parent: _Frame, heading_base: int, paragraph: str) -> None:
    inside = "".join(frame.parts)
    kind, token = frame.kind, frame.token
    assert token is not None
    if kind == "paragraph":
        parent.parts.append(inside if token.hidden else paragraph.format(inside))  # hidden: in a tight list
    elif kind == "heading":
        if not inside:
            return
        level = min(6, heading_base + int(token.tag[1]))
        parent.parts.append(f"#heading(level: {level}, outlined: false, bookmarked: false)[{inside}]\n")
    elif kind == "list_item":
        parent.parts.append(inside.strip())
    elif kind in ("bullet_list", "ordered_list"):
        if frame.flat:
            parent.parts.append("".join(paragraph.format(item) for item in frame.parts))
        elif kind == "bullet_list":
            parent.parts.append(f"#list({', '.join(f'[{item}]' for item in frame.parts)})\n")
        else:
            start = int(str(token.attrGet("start") or 1))
            parent.parts.append(f"#enum(start: {start}, {', '.join(f'[{item}]' for item in frame.parts)})\n")
    elif kind == "blockquote":
        parent.parts.append(inside if frame.flat else f"#quote(block: true)[{inside.strip()}]\n")
    elif kind in ("th", "td"):
        parent.parts.append(f"[{inside}]")
    elif kind == "tr":
        parent.rows.append(frame.parts)
    elif kind in ("thead", "tbody"):
        parent.rows.extend(frame.rows)
        parent.header_rows += len(frame.rows) if kind == "thead" else 0
    elif kind == "table":
        parent.parts.append(_table(frame))
    else:
        parent.parts.append(inside)


def _table(frame: _Frame) -> str:
    if not frame.rows:
        return ""
    columns = max(len(row) for row in frame.rows)
    rows = [row + ["[]"] * (columns - len(row)) for row in frame.rows]
    header = ", ".join(cell for row in rows[: frame.header_rows] for cell in row)
    body = ", ".join(cell for row in rows[frame.header_rows :] for cell in row)
    cells = ", ".join(part for part in (f"table.header({header})" if header else "", body) if part)
    return f"#table(columns: {columns}, {cells})\n"


_WRAPPERS = {"strong_open": "#strong[", "em_open": "#emph[", "s_open": "#strike["}


def _inline(tokens: list[Token]) -> str:
    out: list[str] = []
    links: list[bool] = []
    for token in tokens:
        kind = token.type
        if kind in _WRAPPERS:
            out.append(_WRAPPERS[kind])
        elif kind in ("strong_close", "em_close", "s_close"):
            out.append("]")
        elif kind == "softbreak":
            out.append(" ")
        elif kind == "hardbreak":
            out.append("#linebreak()")
        elif kind == "code_inline":
            out.append(f"#raw({string(token.content)})")
        elif kind == "link_open":
            href = str(token.attrGet("href") or "")
            links.append(href.lower().startswith(URL_SCHEMES))
            if links[-1]:
                out.append(f"#link({string(href)})[")
        elif kind == "link_close":
            if links.pop():
                out.append("]")
        else:  # text, an image's description, anything else: its text
            out.append(_run(token.content))
    return "".join(out)
