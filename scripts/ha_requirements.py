"""Print the requirements of Home Assistant integrations, as the installed release pins them.

The tests run Home Assistant with requirement installation off (``--skip-pip``,
and pytest-homeassistant-custom-component never installs), so the packages of
the integrations they start must already be in the venv, at the versions that
release pins.  ``scripts/bootstrap`` runs this in each leg's venv after
installing Home Assistant, and installs its output:

    .venv-newest/bin/python scripts/ha_requirements.py \
        --manifest custom_components/pandora_box/manifest.json frontend conversation ...

Each integration's ``dependencies`` and ``after_dependencies`` are followed (an
integration imports the helpers of its after-dependencies: analytics needs
hassio's package even where hassio never starts); requirements are read from the
manifests of the installed release (the same files Home Assistant reads).
``--default-integrations`` adds what every ``hass`` start sets up whatever the
configuration says (``homeassistant.bootstrap``'s default and core integrations,
the base entity platforms among them).
"""

from __future__ import annotations

import argparse
from importlib import resources
import json
from pathlib import Path


def _manifest(domain: str) -> dict[str, object]:
    path = resources.files("homeassistant.components") / domain / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _strings(manifest: dict[str, object], key: str) -> list[str]:
    value = manifest.get(key) or []
    assert isinstance(value, list)
    return [str(item) for item in value]


def requirements(domains: list[str], manifests: list[Path]) -> list[str]:
    """The requirements of ``domains``, of ``manifests`` and of all they depend on, sorted."""
    found: set[str] = set()
    pending = list(domains)
    seen: set[str] = set()

    def take(manifest: dict[str, object]) -> None:
        found.update(_strings(manifest, "requirements"))
        pending.extend(_strings(manifest, "dependencies"))
        pending.extend(_strings(manifest, "after_dependencies"))

    for path in manifests:
        take(json.loads(path.read_text(encoding="utf-8")))
    while pending:
        domain = pending.pop()
        if domain not in seen:
            seen.add(domain)
            take(_manifest(domain))
    return sorted(found, key=str.lower)


def main() -> None:
    """Print the requirements of the domains (and manifests) on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--manifest", type=Path, action="append", default=[])
    parser.add_argument("--default-integrations", action="store_true")
    parser.add_argument("domains", nargs="*")
    args = parser.parse_args()
    domains: list[str] = args.domains
    if args.default_integrations:
        from homeassistant import bootstrap  # noqa: PLC0415 - heavy, only when asked

        domains += sorted(
            bootstrap.CORE_INTEGRATIONS
            | bootstrap.LOGGING_AND_HTTP_DEPS_INTEGRATIONS
            | bootstrap.DEFAULT_INTEGRATIONS
        )
    for line in requirements(domains, args.manifest):
        print(line)


if __name__ == "__main__":
    main()
