"""The Markdown export carries no raw HTML from people's text: a viewer with HTML on shows it as text, as
the pages do (they render user markdown with raw HTML off)."""

from __future__ import annotations

from markdown_it import MarkdownIt

from workspace.dossier.exports.markdown import inert

VIEWER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
"""What a reader's Markdown viewer does: CommonMark with GitHub's tables, raw HTML on."""
HOSTILE = [
    "<script>alert(1)</script>",
    "Voir <img src=x onerror=alert(1)> ici",
    "<div>\n\n<iframe src=//evil.example></iframe>\n\n</div>",
    "<!-- un commentaire -->",
    "\\\\<b>deux barres</b>",
    "<`@x.example> <img src=x onerror=alert(2)> `",
    "| `a | <img src=x onerror=alert(4)> | b` |\n|---|---|---|\n| 1 | 2 | 3 |",
]
"""Each carries raw HTML when copied as written."""
NEIGHBOURS = [
    "\\<b>déjà échappé",
    "` <img src=x onerror=alert(3)>`",
    "```\npas fermé",
    "```\n<img src=x onerror=alert(5)>\n```",
]
"""None carries raw HTML alone, but the last one does after the unclosed fence before it."""


def raw_html(markdown: str) -> list[str]:
    found = []
    for token in VIEWER.parse(markdown):
        found += [token.content] if token.type == "html_block" else []
        found += [child.content for child in token.children or [] if child.type == "html_inline"]
    return found


def test_no_text_carries_raw_html_alone_or_next_to_another():
    for text in HOSTILE:
        assert raw_html(text), text
        assert raw_html(inert(text)) == [], text
    for text in NEIGHBOURS:
        assert raw_html(text) == [], text
    fields = "\n\n".join(NEIGHBOURS)
    assert raw_html(fields)
    assert raw_html(inert(fields)) == []
    assert raw_html(inert("\n\n".join(HOSTILE + NEIGHBOURS))) == []


def test_the_text_reads_as_written():
    assert VIEWER.render(inert("Voir <img src=x> & <b>ici</b>")) == (
        "<p>Voir &lt;img src=x&gt; &amp; &lt;b&gt;ici&lt;/b&gt;</p>\n"
    )
    assert VIEWER.render(inert("a < b, 3<4")) == "<p>a &lt; b, 3&lt;4</p>\n"
    assert inert("\\<b>") == "\\<b>"
    assert VIEWER.render(inert("\\\\<b>")) == "<p>\\&lt;b&gt;</p>\n"
    assert inert("Sans balise, *avec* du **gras**.") == "Sans balise, *avec* du **gras**."


def test_web_and_mail_autolinks_stay_links():
    text = "Voir <https://www.cpas.be/aide> ou <mailto:accueil@ccas-lille.fr>."
    assert inert(text) == text
    assert '<a href="https://www.cpas.be/aide">' in VIEWER.render(inert(text))
    assert raw_html(inert("<javascript:alert(1)>")) == []
