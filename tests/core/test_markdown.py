"""User markdown: raw HTML off, output sanitised."""

from __future__ import annotations

import pytest

from workspace.core.markdown import render_markdown


def test_markdown_renders_emphasis_lists_and_links():
    html = str(render_markdown("**fort** et *doux*\n\n- un\n- deux\n\n[site](https://example.org)"))
    assert "<strong>fort</strong>" in html
    assert "<li>deux</li>" in html
    assert 'href="https://example.org"' in html
    assert 'rel="noopener noreferrer nofollow ugc"' in html


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        '<a href="javascript:alert(1)">x</a>',
        "<svg onload=alert(1)>",
        "![x](javascript:alert(1))",
    ],
)
def test_markdown_never_lets_script_through(payload):
    html = str(render_markdown(payload))
    assert "<script" not in html
    assert "<img" not in html
    assert "<svg" not in html
    assert '<a href="javascript' not in html.lower()
    assert '<a href="data:' not in html


def test_empty_text_renders_nothing():
    assert str(render_markdown("")) == ""
    assert str(render_markdown(None)) == ""
