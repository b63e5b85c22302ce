"""Draw the integration's brand images into ``custom_components/pandora_box/brand/``.

    scripts/in-sid .venv-newest/bin/python scripts/brand.py

Since Home Assistant 2026.3.0 a custom integration ships its own icon and logo
in a ``brand/`` folder next to its manifest (served by the ``brands``
integration at ``/api/brands/integration/pandora_box/<image>``;
home-assistant/brands no longer takes custom integrations).  Home Assistant
serves eight names (``brands.const.ALLOWED_IMAGES``): ``icon``, ``logo``, their
``dark_`` variants for dark themes, and an ``@2x`` of each.  This script is the
source of all eight PNGs: an open box with a play symbol on a violet-to-blue
tile, and a wordmark for the logo.  The dark variants are drawn for a dark
page, not copied: the tile is lighter and carries a pale rim so its edge reads
against a near-black background, and the wordmark is light.  It draws each
image four times larger and scales it down, so edges stay smooth, then trims
it to its visible pixels as the brand rules ask.  ``tests/test_brand.py``
checks what it wrote: names, sizes, transparency, trimming, file size, and
that each dark image is lighter than its light one.

The PNGs are committed because HACS installs the folder as it is in git; run
this script again after changing the drawing.
"""

from __future__ import annotations

from dataclasses import dataclass
import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BRAND = Path(__file__).resolve().parent.parent / "custom_components" / "pandora_box" / "brand"
SUPERSAMPLE = 4
ICON_SIZE = 256
WHITE = (255, 255, 255, 255)
LIGHT = (255, 212, 90, 255)
WORDMARK = "Pandora Box"


@dataclass(frozen=True, slots=True)
class Theme:
    """The colours of one theme's images (file prefix ``prefix``)."""

    prefix: str
    top: tuple[int, int, int]  # tile gradient, top
    bottom: tuple[int, int, int]  # tile gradient, bottom
    ink: tuple[int, int, int, int]  # wordmark
    rim: tuple[int, int, int, int] | None  # outline of the tile, for dark pages


LIGHT_THEME = Theme("", (106, 63, 216), (43, 123, 228), (28, 28, 32, 255), None)
DARK_THEME = Theme(
    "dark_", (150, 112, 246), (82, 164, 246), (240, 240, 245, 255), (225, 220, 255, 255)
)
THEMES = (LIGHT_THEME, DARK_THEME)


def _gradient_tile(size: int, theme: Theme) -> Image.Image:
    """A rounded square, violet at the top fading to blue at the bottom."""
    column = Image.new("RGBA", (1, size))
    for y in range(size):
        t = y / (size - 1)
        rgb = (round(a + (b - a) * t) for a, b in zip(theme.top, theme.bottom, strict=True))
        column.putpixel((0, y), (*rgb, 255))
    tile = column.resize((size, size))
    mask = Image.new("L", (size, size), 0)
    corners = (0, 0, size - 1, size - 1)
    ImageDraw.Draw(mask).rounded_rectangle(corners, radius=size * 0.22, fill=255)
    out = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    out.paste(tile, (0, 0), mask)
    if theme.rim is not None:
        ImageDraw.Draw(out).rounded_rectangle(
            corners, radius=size * 0.22, outline=theme.rim, width=round(size * 0.025)
        )
    return out


def _icon(size: int, theme: Theme) -> Image.Image:
    """The icon at ``size`` pixels, drawn at SUPERSAMPLE times that."""
    s = size * SUPERSAMPLE
    img = _gradient_tile(s, theme)
    draw = ImageDraw.Draw(img)

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (x0 * s, y0 * s, x1 * s, y1 * s)

    # Light fanning out of the opening, then the body of the box and its lid,
    # hinged at the left and lifted on the right.
    for end_x, end_y in ((0.92, 0.50), (0.90, 0.39), (0.85, 0.28)):
        draw.line(box(0.50, 0.51, end_x, end_y), fill=LIGHT, width=round(s * 0.035))
    draw.rounded_rectangle(box(0.22, 0.52, 0.78, 0.82), radius=s * 0.04, fill=WHITE)
    draw.polygon(
        [(0.21 * s, 0.50 * s), (0.19 * s, 0.42 * s), (0.74 * s, 0.24 * s), (0.77 * s, 0.33 * s)],
        fill=WHITE,
    )
    # A play symbol cut out of the box front, in the tile's colours.
    cx, cy, r = 0.50 * s, 0.67 * s, 0.09 * s
    play = [(cx - r * 0.75, cy - r), (cx - r * 0.75, cy + r), (cx + r * 0.95, cy)]
    mask = Image.new("L", (s, s), 0)
    ImageDraw.Draw(mask).polygon(play, fill=255)
    img.paste(_gradient_tile(s, theme), (0, 0), mask)
    return img.resize((size, size), Image.Resampling.LANCZOS)


def _logo(height: int, theme: Theme) -> Image.Image:
    """The icon followed by the wordmark, ``height`` pixels tall."""
    s = height * SUPERSAMPLE
    font = ImageFont.load_default(size=round(s * 0.46))
    left, top, right, bottom = font.getbbox(WORDMARK, stroke_width=round(s * 0.008))
    gap = round(s * 0.14)
    canvas = Image.new("RGBA", (s + gap + math.ceil(right - left), s), (0, 0, 0, 0))
    canvas.paste(_icon(s, theme), (0, 0))
    ImageDraw.Draw(canvas).text(
        (s + gap - left, (s - (bottom - top)) / 2 - top),
        WORDMARK,
        font=font,
        fill=theme.ink,
        stroke_width=round(s * 0.008),
        stroke_fill=theme.ink,
    )
    width = round(canvas.width / SUPERSAMPLE)
    return canvas.resize((width, height), Image.Resampling.LANCZOS)


def _trim(img: Image.Image) -> Image.Image:
    """Crop to the visible pixels."""
    bbox = img.getchannel("A").getbbox()
    assert bbox is not None
    return img.crop(bbox)


def main() -> None:
    """Write every brand image."""
    BRAND.mkdir(exist_ok=True)
    images: dict[str, Image.Image] = {}
    for scale, suffix in ((1, ""), (2, "@2x")):
        for theme in THEMES:
            images[f"{theme.prefix}icon{suffix}.png"] = _icon(ICON_SIZE * scale, theme)
            images[f"{theme.prefix}logo{suffix}.png"] = _trim(_logo(ICON_SIZE // 2 * scale, theme))
    for name, img in images.items():
        img.save(BRAND / name, optimize=True)
        print(f"{name}: {img.width}x{img.height}, {(BRAND / name).stat().st_size} bytes")


if __name__ == "__main__":
    main()
