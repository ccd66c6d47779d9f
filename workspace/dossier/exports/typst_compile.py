"""Compiling a Typst document to a tagged PDF (PDF/UA-1): the only module of the PDF export that imports
the compiler, run as a process of its own by pdf.py,

    python -m workspace.dossier.exports.typst_compile FOLDER/main.typ FOLDER/out.pdf

since Typst keeps what it laid out in its caches once done (some 600 MB for a dossier of 300
recommendations side by side): that memory goes back when the process ends."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Final

FONT_FOLDER = Path("/usr/share/fonts/truetype/dejavu")
"""DejaVu Sans (and DejaVu Sans Mono for code), from Debian's fonts-dejavu-core and fonts-dejavu-extra
(scripts/system-deps.sh installs them): the only fonts the compiler sees."""
PDF_STANDARD: Final = "ua-1"


def compile_pdf(main: Path) -> bytes:
    """The PDF of the Typst file main, whose folder is the compiler's root: the document can read nothing
    outside it, and no package is fetched (the folder holds none, the document imports none)."""
    import typst

    if not (FONT_FOLDER / "DejaVuSans.ttf").exists():
        raise RuntimeError(f"DejaVu Sans is missing from {FONT_FOLDER}: run scripts/system-deps.sh")
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(FONT_FOLDER)])
    root = str(main.parent)
    return typst.compile(
        str(main),
        root=root,
        font_paths=fonts,
        ignore_system_fonts=True,
        pdf_standards=[PDF_STANDARD],
        package_path=root,
        package_cache_path=root,
    )


def main(argv: list[str]) -> int:
    import typst

    source, output = (Path(arg) for arg in argv)
    try:
        output.write_bytes(compile_pdf(source))
    except typst.TypstError as error:
        print(f"{error.message}\n{error.diagnostic}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
