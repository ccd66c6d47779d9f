"""The dossier as an HTML document, rendered from the content model by templates/dossier/_document.html.

The preview page includes the same template; the HTML export wraps it in a standalone page.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from workspace.core.templating import configure_environment
from workspace.dossier.content import DossierContent
from workspace.dossier.exports.labels import failed_text, labels, percent, side_name
from workspace.settings import PROJECT_ROOT

SCREEN_CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
.dossier__table { border-collapse: collapse; width: 100%; }
.dossier__table th, .dossier__table td { border: 1px solid #999; padding: .4rem; vertical-align: top;
  text-align: left; }
.bilingual { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5rem; }
.dossier__note { font-style: italic; color: #555; }
.dossier__comment-meta { color: #555; margin-bottom: 0; }
.dossier__comment--depth-1 { margin-left: 1.5rem; } .dossier__comment--depth-2 { margin-left: 3rem; }
.dossier__comment--depth-3 { margin-left: 4.5rem; } .dossier__comment--depth-4 { margin-left: 6rem; }
"""


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(PROJECT_ROOT / "templates"), autoescape=select_autoescape())
    configure_environment(env)
    env.globals.update(template_globals())
    return env


def template_globals() -> dict[str, Any]:
    return {"failed_text": failed_text, "side_name": side_name, "percent": percent}


def context(content: DossierContent, languages: tuple[str, ...]) -> dict[str, Any]:
    return {
        "content": content,
        "languages": languages,
        "words": {lang: labels(lang) for lang in languages},
    }


def body(content: DossierContent, languages: tuple[str, ...]) -> Markup:
    return Markup(environment().get_template("dossier/_document.html").render(context(content, languages)))  # noqa: S704 - autoescaped template


def _page(title: str, language: str, css: str, inside: str) -> str:
    return (
        f'<!doctype html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{Markup.escape(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n{inside}\n</body>\n</html>\n"
    )


def standalone(content: DossierContent, languages: tuple[str, ...]) -> str:
    title = " / ".join(content.title[language] for language in languages)
    return _page(title, languages[0], SCREEN_CSS, body(content, languages))


def render_html(content: DossierContent, languages: tuple[str, ...]) -> bytes:
    return standalone(content, languages).encode()
