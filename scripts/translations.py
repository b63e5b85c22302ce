"""Write translations/en.json from strings.json (they must stay equal; tests check it).

    scripts/in-sid .venv-newest/bin/python scripts/translations.py

strings.json is the English source of truth, as in Home Assistant core; this
integration ships no ``[%key:...]`` references, so en.json is a plain copy.
"""

from __future__ import annotations

import json
from pathlib import Path

COMPONENT = Path(__file__).resolve().parent.parent / "custom_components" / "pandora_box"


def main() -> None:
    """Copy strings.json to translations/en.json, normalised."""
    data = json.loads((COMPONENT / "strings.json").read_text(encoding="utf-8"))
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    (COMPONENT / "strings.json").write_text(text, encoding="utf-8")
    (COMPONENT / "translations" / "en.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
