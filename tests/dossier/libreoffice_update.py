"""Open a DOCX in a headless LibreOffice of its own, update its indexes (the table of contents) as a person
does with Tools > Update > Update All, and export it as PDF; LibreOffice is stopped whatever happens.

    /usr/bin/python3 libreoffice_update.py SOURCE.docx TARGET.pdf PROFILE_FOLDER

Run with the system's Python, which has LibreOffice's bridge (uno); used by test_export_documents.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

STARTUP_SECONDS = 60


def _property(name: str, value: object) -> PropertyValue:
    result = PropertyValue()
    result.Name, result.Value = name, value
    return result


def main(source: str, target: str, profile: str) -> int:
    pipe = f"passerelle-test-{os.getpid()}"
    office = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--invisible",
            "--norestore",
            f"-env:UserInstallation={uno.systemPathToFileUrl(profile)}",
            f"--accept=pipe,name={pipe};urp;",
        ]
    )
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        url = uno.systemPathToFileUrl(os.path.abspath(source))
        document = desktop.loadComponentFromURL(url, "_blank", 0, (_property("Hidden", True),))
        indexes = document.getDocumentIndexes()
        count = indexes.getCount()
        for index in range(count):
            indexes.getByIndex(index).update()
        export = (_property("FilterName", "writer_pdf_Export"),)
        document.storeToURL(uno.systemPathToFileUrl(os.path.abspath(target)), export)
        document.close(True)
        return 0 if count else 1
    finally:
        office.terminate()
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            office.kill()
            office.wait()


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
