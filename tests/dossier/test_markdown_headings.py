"""The Markdown export copies the text as written, but a heading in it cannot open a part of the dossier."""

from __future__ import annotations

from markdown_it import MarkdownIt

from workspace.dossier.exports.markdown import below


def heading_levels(text: str) -> list[int]:
    return [int(token.tag[1]) for token in MarkdownIt("commonmark").parse(text) if token.type == "heading_open"]


def test_headings_written_in_a_finding_sit_below_the_recommendations_own():
    finding = "# Constat\n\nLes jeunes frappent à quatre portes.\n\nDétail\n------\n\n## Chiffres ##\n"
    moved = below(finding, 4)
    assert heading_levels(moved) == [5, 6, 6]
    assert "Les jeunes frappent à quatre portes." in moved
    assert "##### Constat" in moved
    assert "###### Détail" in moved


def test_code_and_plain_text_are_left_as_written():
    text = "Texte simple.\n\n```\n# pas un titre\n```\n"
    assert below(text, 4) == text
    assert heading_levels(below("```\n# code\n```", 4)) == []
