"""The integration's own brand images (``brand/``, served by Home Assistant 2026.3.0+).

Home Assistant's ``brands`` integration (new in 2026.3.0; 2026.2 has none) serves
``custom_components/<domain>/brand/`` at ``/api/brands/integration/<domain>/<image>``
before it asks the brands CDN, for the eight names of its ``ALLOWED_IMAGES``
(the same eight from 2026.3.0 to 2026.11.0), and HACS's brands check accepts
``custom_components/<domain>/brand/icon.png``.  These tests hold the images to
the brand rules (home-assistant/brands README): PNG, icon 256x256 and 512x512
for ``@2x``, logo shortest side 128-256 (256-512 for ``@2x``) and landscape,
transparency, trimmed, compressed; every served name is there, and each
``dark_`` image is drawn for dark pages (lighter than its light twin).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from awesomeversion import AwesomeVersion
from homeassistant.const import __version__ as ha_version
from homeassistant.core import HomeAssistant
from homeassistant.loader import async_get_custom_components
from homeassistant.util.yaml import load_yaml_dict
from PIL import Image
import pytest

from custom_components.pandora_box.const import DOMAIN

ROOT = Path(__file__).parent.parent
BRAND = ROOT / "custom_components" / DOMAIN / "brand"
# homeassistant.components.brands.const.ALLOWED_IMAGES, 2026.3.0 to 2026.11.0.
ALLOWED = {
    f"{dark}{kind}{hdpi}.png"
    for dark in ("", "dark_")
    for kind in ("icon", "logo")
    for hdpi in ("", "@2x")
}
MAX_BYTES = 128 * 1024
IMAGES = sorted(p.name for p in BRAND.iterdir())


def test_names_are_those_home_assistant_serves() -> None:
    """Every name Home Assistant serves is there, and nothing else."""
    assert set(IMAGES) == ALLOWED, set(IMAGES) ^ ALLOWED


def test_names_match_the_installed_brands_integration() -> None:
    """Where the Home Assistant under test has the brands integration, its names are ours."""
    try:  # imported by name: the Home Assistant that mypy reads may predate it
        brands_const = importlib.import_module("homeassistant.components.brands.const")
    except ImportError:
        assert AwesomeVersion(ha_version) < AwesomeVersion("2026.3.0")
        pytest.skip(f"Home Assistant {ha_version} has no brands integration (new in 2026.3.0)")
    assert set(brands_const.ALLOWED_IMAGES) == ALLOWED


@pytest.mark.parametrize("name", IMAGES)
def test_image_follows_the_brand_rules(name: str) -> None:
    """PNG with alpha, the rule's size, trimmed to its visible pixels, compressed."""
    path = BRAND / name
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size <= MAX_BYTES
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.mode == "RGBA"
        width, height = image.size
        alpha = image.getchannel("A")
        assert alpha.getbbox() == (0, 0, width, height), "not trimmed"
        assert alpha.getpixel((0, 0)) == 0, "no transparent background"
    scale = 2 if "@2x" in name else 1
    if "icon" in name:
        assert (width, height) == (256 * scale, 256 * scale)
    else:
        assert 128 * scale <= min(width, height) <= 256 * scale
        assert width >= height, "logos are landscape"


def test_hdpi_is_twice_the_size() -> None:
    """Each @2x image is the same drawing at twice the pixels (within rounding)."""
    for name in IMAGES:
        if "@2x" not in name:
            continue
        with Image.open(BRAND / name) as big, Image.open(BRAND / name.replace("@2x", "")) as small:
            assert abs(big.width - 2 * small.width) <= 2, name
            assert abs(big.height - 2 * small.height) <= 2, name


def _mean_lightness(name: str, part: str) -> float:
    """Mean lightness (0-255) of the opaque pixels of ``part``: the icon or the wordmark."""
    with Image.open(BRAND / name) as image:
        rgba = image.convert("RGBA")
    side = rgba.height  # the icon is square, at the left of a logo
    box = (0, 0, side, side) if part == "icon" else (rgba.width // 2, 0, rgba.width, side)
    pixels = [
        sum(p[:3]) / 3
        for p in rgba.crop(box).get_flattened_data()
        if isinstance(p, tuple) and p[3] > 200  # RGBA: every pixel is a 4-tuple
    ]
    assert pixels
    return float(sum(pixels) / len(pixels))


@pytest.mark.parametrize("name", sorted(n for n in ALLOWED if not n.startswith("dark_")))
def test_dark_variant_is_drawn_for_dark_pages(name: str) -> None:
    """Each dark_ image is its own drawing, lighter than the light one (tile and wordmark)."""
    dark = f"dark_{name}"
    with Image.open(BRAND / name) as light_image, Image.open(BRAND / dark) as dark_image:
        assert light_image.size == dark_image.size, dark
        assert light_image.tobytes() != dark_image.tobytes(), f"{dark} is a copy of {name}"
    assert _mean_lightness(dark, "icon") > _mean_lightness(name, "icon") + 15
    if "logo" in name:
        assert _mean_lightness(name, "wordmark") < 80
        assert _mean_lightness(dark, "wordmark") > 180


async def test_home_assistant_finds_the_brand_folder(hass: HomeAssistant) -> None:
    """The brands integration looks in <integration file_path>/brand: it is there."""
    integration = (await async_get_custom_components(hass))[DOMAIN]
    assert (Path(integration.file_path) / "brand" / "icon.png").is_file()


def test_hacs_brands_check_is_not_ignored() -> None:
    """HACS's brands check passes on brand/icon.png, so the workflow no longer skips it."""
    assert (ROOT / "custom_components" / DOMAIN / "brand" / "icon.png").is_file()
    workflow = load_yaml_dict(str(ROOT / ".github/workflows/validate.yml"))
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    hacs = [s for s in steps if str(s.get("uses", "")).startswith("hacs/action")]
    assert hacs
    assert all("ignore" not in s.get("with", {}) for s in hacs)
