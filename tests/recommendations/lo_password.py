"""Save a document with a password through LibreOffice's own API.

Run with the system python3 (Debian's python3-uno): `python3 lo_password.py SOURCE TARGET FILTER PORT`.
The password is "secret". LibreOffice runs with a profile of its own, so that it never meets another one.
"""

import os
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    item = PropertyValue()
    item.Name, item.Value = name, value
    return item


def main(source, target, filter_name, port):
    profile = tempfile.mkdtemp()
    office = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--invisible",
            "--norestore",
            f"-env:UserInstallation=file://{profile}",
            f"--accept=socket,host=127.0.0.1,port={port};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        for _attempt in range(150):
            try:
                context = resolver.resolve(f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.2)
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        url = uno.systemPathToFileUrl(os.path.abspath(source))
        document = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
        target_url = uno.systemPathToFileUrl(os.path.abspath(target))
        document.storeToURL(target_url, (prop("FilterName", filter_name), prop("Password", "secret")))
        document.close(True)
    finally:
        office.terminate()
        office.wait(30)


if __name__ == "__main__":
    main(*sys.argv[1:5])
