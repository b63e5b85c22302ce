"""The card's JavaScript under Node's own test runner (``card.test.mjs``): logic and markup."""

from __future__ import annotations

from pathlib import Path
import shutil
import subprocess

TESTS = Path(__file__).with_name("card.test.mjs")
"""It imports ``custom_components/pandora_box/frontend/pandora-box-card.js`` itself."""


def test_card_logic_under_node() -> None:
    """Config checks, stub config, escaping, our poster view, buttons, bars: node --test passes."""
    node = shutil.which("node")
    assert node, "node is needed for the card's unit tests (the sid root has nodejs)"
    done = subprocess.run(
        [node, "--test", "--test-reporter=tap", str(TESTS)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "# pass 5" in done.stdout, done.stdout
