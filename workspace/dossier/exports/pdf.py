"""PDF through Typst: the content model becomes one Typst document (typst_document.py, with dossier.typ
for the pages and styles), compiled in one go by a process of its own (typst_compile.py) in a fresh
temporary folder that holds nothing but that document and its template. Typst lays the whole dossier
out at once: the contents' page numbers, the bookmarks and the page numbers come from that one layout."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from workspace.dossier.content import DossierContent
from workspace.dossier.exports.typst_document import TEMPLATE, document

TEMPLATE_PATH = Path(__file__).with_name(TEMPLATE)
TIME_LIMIT = 600
"""Seconds Typst may take (a dossier of 300 recommendations takes a few, with 20,000 comments a minute or
two on a busy machine): past them its process is ended and the export fails, as an interrupted one would
be started again after jobs.STALE_AFTER."""


class CompileError(RuntimeError):
    """Typst refused the document: its message, and where."""


def render_pdf(content: DossierContent, languages: tuple[str, ...]) -> bytes:
    source = document(content, languages)
    with tempfile.TemporaryDirectory(prefix="passerelle-pdf-") as folder:
        root = Path(folder) / "document"
        root.mkdir()
        shutil.copyfile(TEMPLATE_PATH, root / TEMPLATE)
        (root / "main.typ").write_text(source, encoding="utf-8")
        output = Path(folder) / "dossier.pdf"
        command = [sys.executable, "-m", "workspace.dossier.exports.typst_compile", str(root / "main.typ"), str(output)]
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=TIME_LIMIT)
        if done.returncode != 0:
            raise CompileError(done.stderr.strip()[-2000:])
        return output.read_bytes()
