"""Real documents to import, made the ways people make them: python-docx, odfpy, LibreOffice, by hand in
Markdown; in French and in Dutch; and the bad ones (damaged, protected by a password, a PDF, too large)."""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
from pathlib import Path

import docx
import pytest
from docx.shared import Mm
from odf import text as odf_text
from odf.opendocument import OpenDocumentText
from odf.style import ListLevelProperties
from odf.text import ListLevelStyleNumber, ListStyle

SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"
SYSTEM_PYTHON = "/usr/bin/python3"

FRENCH_MARKDOWN = """# Dossier 2012 — Développement durable et logement des plus pauvres

Ce dossier rassemble les propositions du colloque de Tournai.

## Axe 1 : Formation

### Former aux économies d'énergie

Constat : Les travailleurs sociaux ne connaissent pas les primes à la rénovation de l'autre côté.

Proposition : Un module commun dans les écoles de travail social de Lille et de Tournai.

**Qui doit agir** : les écoles de travail social.

## Axe 2 : Pratiques

1. Créer un guichet commun transfrontalier. Il réunirait le CPAS et le CCAS.
2. Partager les fiches de visite des logements insalubres

## Axe 3 : Gouvernance

### Associer les élus aux visites

Les élus découvrent les logements indignes trop tard.

Effet attendu : des arrêtés d'insalubrité pris plus vite.
"""

DUTCH_MARKDOWN = """# Dossier 2013 — Toegang tot huisvesting voor jongeren

## Opleiding

### Stages over de grens

Vaststelling: Studenten sociaal werk kennen de diensten aan de andere kant niet.

Voorstel: Grensoverschrijdende stages in Kortrijk en Rijsel.

Wie moet handelen: de hogescholen.

## Praktijken

1. Eén loket voor jonge huurders
2. Een gedeelde lijst van betaalbare studio's

## Bestuur

### De gemeenten betrekken

Vaststelling: Gemeenten kennen de jongeren zonder woning niet.

Voorstel: Een jaarlijkse telling met het OCMW.
"""


def french_docx() -> bytes:
    """A past dossier written with python-docx: styled headings, labelled paragraphs, a numbered list."""
    document = docx.Document()
    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
    document.add_heading("Dossier 2012 — Développement durable", level=1)
    document.add_paragraph("Ce dossier rassemble les propositions du colloque.")
    document.add_heading("Axe 1 : Formation", level=2)
    document.add_heading("Former aux économies d'énergie", level=3)
    document.add_paragraph("Constat : Les travailleurs sociaux ne connaissent pas les primes.")
    document.add_paragraph("Proposition : Un module commun dans les écoles de Lille et de Tournai.")
    document.add_paragraph("Qui doit agir : les écoles de travail social.")
    document.add_heading("Axe 2 : Pratiques", level=2)
    document.add_paragraph("Créer un guichet commun transfrontalier", style="List Number")
    document.add_paragraph("Le CPAS et le CCAS y recevraient ensemble.")
    document.add_paragraph("Partager les fiches de visite", style="List Number")
    document.add_heading("Axe 3 : Gouvernance", level=2)
    document.add_heading("Associer les élus aux visites", level=3)
    document.add_paragraph("Les élus découvrent les logements indignes trop tard.")
    document.add_paragraph("Effet attendu : des arrêtés pris plus vite.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def dutch_odt() -> bytes:
    """A working group's notes written with odfpy: outline headings and a numbered list."""
    document = OpenDocumentText()
    numbered = ListStyle(name="Genummerd")
    level = ListLevelStyleNumber(level=1, numformat="1", numsuffix=".")
    level.addElement(ListLevelProperties(spacebefore="0.25in", minlabelwidth="0.25in"))
    numbered.addElement(level)
    document.automaticstyles.addElement(numbered)
    body = document.text
    body.addElement(odf_text.H(outlinelevel=1, text="Werkgroep Gent — notities"))
    body.addElement(odf_text.H(outlinelevel=2, text="As Vorming"))
    body.addElement(odf_text.H(outlinelevel=3, text="Stages over de grens"))
    body.addElement(odf_text.P(text="Vaststelling: Studenten kennen de diensten aan de andere kant niet."))
    body.addElement(odf_text.P(text="Voorstel: Grensoverschrijdende stages in Kortrijk en Rijsel."))
    body.addElement(odf_text.H(outlinelevel=2, text="Praktijken"))
    items = odf_text.List(stylename=numbered)
    for label in ("Eén loket voor jonge huurders", "Een gedeelde lijst van betaalbare studio's"):
        item = odf_text.ListItem()
        item.addElement(odf_text.P(text=label))
        items.addElement(item)
    body.addElement(items)
    body.addElement(odf_text.H(outlinelevel=2, text="Bestuur"))
    body.addElement(odf_text.H(outlinelevel=3, text="De gemeenten betrekken"))
    body.addElement(odf_text.P(text="Wie moet handelen: de gemeenten en het OCMW."))
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def needs_libreoffice() -> None:
    if not os.path.exists(SOFFICE):
        pytest.skip(f"LibreOffice is not installed ({SOFFICE}): the documents it makes cannot be tested here")


def libreoffice_convert(html: str, target: str, tmp_path: Path) -> bytes:
    """An HTML page converted by LibreOffice (`soffice --headless --convert-to docx|odt`)."""
    needs_libreoffice()
    source = tmp_path / "source.html"
    source.write_text(html, encoding="utf-8")
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            SOFFICE,
            "--headless",
            f"-env:UserInstallation=file://{profile}",
            "--infilter=HTML (StarWriter)",
            "--convert-to",
            target,
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return (tmp_path / f"source.{target}").read_bytes()


def libreoffice_with_password(data: bytes, suffix: str, filter_name: str, tmp_path: Path) -> bytes:
    """A document saved with a password by LibreOffice itself (through its UNO interface)."""
    needs_libreoffice()
    if subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True).returncode != 0:
        pytest.skip("the system python3 has no uno module (python3-uno): LibreOffice cannot be driven here")
    source, target = tmp_path / f"plain{suffix}", tmp_path / f"protected{suffix}"
    source.write_bytes(data)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = Path(__file__).with_name("lo_password.py")
    subprocess.run(
        [SYSTEM_PYTHON, str(script), str(source), str(target), filter_name, str(port)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return target.read_bytes()


def password_docx(data: bytes) -> bytes:
    """A DOCX encrypted with a password as Word does it (ECMA-376 agile encryption, msoffcrypto-tool)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt("secret", out)
    return out.getvalue()


def blank_pdf() -> bytes:
    """A PDF with no text in it, as a scanned page is."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


LIBREOFFICE_HTML = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Dossier</title></head><body>
<h1>Dossier 2011 — Logement indigne</h1>
<p>Introduction.</p>
<h2>Formation</h2>
<h3>Un module sur le logement indigne</h3>
<p>Constat : les écoles n'en parlent pas.</p>
<p>Proposition : un module commun.</p>
<h2>Pratiques</h2>
<ol><li>Visites croisées des logements</li><li>Un annuaire des services d'hygiène</li></ol>
<h2>Gouvernance</h2>
<h3>Un arrêté commun</h3>
<p>Qui doit agir : les préfectures et les provinces.</p>
</body></html>"""
