"""JSON: the content model itself, restricted to the chosen languages, valid against dossier.schema.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from workspace.dossier.content import DossierContent

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "dossier.schema.json"
SCHEMA_ID = "https://passerelle.example/schemas/dossier-1.json"


def _only(texts: dict[str, str], languages: tuple[str, ...]) -> dict[str, str]:
    return {language: texts[language] for language in languages}


def _entry(raw: dict[str, Any], languages: tuple[str, ...]) -> dict[str, Any]:
    return {
        **raw,
        "text": {language: raw["text"][language] for language in languages},
        "untranslated": [language for language in raw["untranslated"] if language in languages],
        "untranslated_fields": {
            language: fields for language, fields in raw["untranslated_fields"].items() if language in languages
        },
    }


def as_json(content: DossierContent, languages: tuple[str, ...]) -> dict[str, Any]:
    data = content.to_dict()
    for key in ("title", "theme", "introduction"):
        data[key] = _only(data[key], languages)
    for axis in data["axes"]:
        axis["name"] = _only(axis["name"], languages)
        axis["introduction"] = _only(axis["introduction"], languages)
        axis["entries"] = [_entry(entry, languages) for entry in axis["entries"]]
    data["annex"] = [_entry(entry, languages) for entry in data["annex"]]
    if data["discussion"] is not None:
        for item in data["discussion"]:
            item["title"] = _only(item["title"], languages)
    return {"$schema": SCHEMA_ID, "languages": list(languages), **data}


def render_json(content: DossierContent, languages: tuple[str, ...]) -> bytes:
    return json.dumps(as_json(content, languages), ensure_ascii=False, indent=1).encode()
