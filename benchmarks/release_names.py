"""Release-name parsers compared: parse-torrent-title (PTN) against guessit.

Run from the project root::

    .venv/bin/python -m benchmarks.release_names [--verbose]

For each library this prints the accuracy on the fields ``ranking.py`` uses
(resolution, source, codec, year, season, episode) over ``CASES`` — release
names written the way indexers list them, with the values a person reads in
them — and its import time, measured in a fresh interpreter (median of 3).
Both libraries' outputs are mapped onto our vocabulary (``ranking.RESOLUTIONS``,
``SOURCES``, ``CODECS``) before comparing: PTN's through ``ranking.parse_release``
itself, guessit's through the small table below.  guessit is not a project
dependency: install it (``.venv/bin/pip install guessit``) to see its column;
without it the row says so.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
import statistics
import subprocess
import sys
import time
from typing import Any

from custom_components.pandora_box.upstreams.jackett.ranking import ReleaseInfo, parse_release

FIELDS = ("resolution", "source", "codec", "year", "season", "episode")

type Expected = tuple[str | None, str | None, str | None, int | None, int | None, int | None]

CASES: list[tuple[str, Expected]] = [
    # title, (resolution, source, codec, year, season, episode)
    ("The.Matrix.1999.1080p.BluRay.x264-SPARKS", ("1080p", "bluray", "x264", 1999, None, None)),
    (
        "The Matrix 1999 2160p UHD BluRay x265 10bit HDR DTS-HD MA 5.1-SWTYBLZ",
        ("2160p", "bluray", "x265", 1999, None, None),
    ),
    ("The.Matrix.1999.720p.BRRip.x264.AAC-ETRG", ("720p", "bluray", "x264", 1999, None, None)),
    ("The Matrix (1999) 1080p BrRip x264 - YIFY", ("1080p", "bluray", "x264", 1999, None, None)),
    (
        "Dune.Part.Two.2024.2160p.WEB-DL.DDP5.1.Atmos.DV.HDR.H.265-FLUX",
        ("2160p", "web-dl", "x265", 2024, None, None),
    ),
    (
        "Dune.Part.Two.2024.1080p.WEBRip.x264.AAC5.1-[YTS.MX]",
        ("1080p", "webrip", "x264", 2024, None, None),
    ),
    (
        "Oppenheimer.2023.REMUX.2160p.UHD.BluRay.HEVC.TrueHD.Atmos-FGT",
        ("2160p", "remux", "x265", 2023, None, None),
    ),
    (
        "Oppenheimer 2023 1080p BluRay REMUX AVC DTS-HD MA 5.1-FGT",
        ("1080p", "remux", "x264", 2023, None, None),
    ),
    ("Oppenheimer.2023.HDCAM.x264-NoGroup", (None, "cam", "x264", 2023, None, None)),
    ("Barbie.2023.HDTS.XviD-EVO", (None, "telesync", "xvid", 2023, None, None)),
    ("Inception.2010.DVDRip.XviD-MAXSPEED", (None, "dvd", "xvid", 2010, None, None)),
    ("Inception 2010 720p BluRay x264 DTS-WiKi", ("720p", "bluray", "x264", 2010, None, None)),
    (
        "Interstellar.2014.IMAX.1080p.BluRay.x265.10bit-Tigole",
        ("1080p", "bluray", "x265", 2014, None, None),
    ),
    (
        "Blade.Runner.2049.2017.2160p.WEB-DL.DD5.1.HEVC-NTG",
        ("2160p", "web-dl", "x265", 2017, None, None),
    ),
    (
        "Everything.Everywhere.All.at.Once.2022.1080p.AMZN.WEB-DL.DDP5.1.H.264-NTb",
        ("1080p", "web-dl", "x264", 2022, None, None),
    ),
    (
        "Parasite.2019.KOREAN.1080p.BluRay.H264.AAC-VXT",
        ("1080p", "bluray", "x264", 2019, None, None),
    ),
    (
        "Spirited.Away.2001.JAPANESE.720p.BluRay.x264-WiKi",
        ("720p", "bluray", "x264", 2001, None, None),
    ),
    ("1917.2019.1080p.WEBRip.x264-RARBG", ("1080p", "webrip", "x264", 2019, None, None)),
    (
        "2001.A.Space.Odyssey.1968.2160p.UHD.BluRay.x265-TERMiNAL",
        ("2160p", "bluray", "x265", 1968, None, None),
    ),
    (
        "Alien.1979.Directors.Cut.1080p.BluRay.x264-AMIABLE",
        ("1080p", "bluray", "x264", 1979, None, None),
    ),
    (
        "The.Godfather.1972.REMASTERED.480p.DVDRip.x264-GRP",
        ("480p", "dvd", "x264", 1972, None, None),
    ),
    # a bare scene "WEB" tag is an untouched stream: WEB-DL
    ("Top.Gun.Maverick.2022.1080p.WEB.H264-NAISU", ("1080p", "web-dl", "x264", 2022, None, None)),
    (
        "Avatar.The.Way.of.Water.2022.2160p.AV1.WEB-DL-GRP",
        ("2160p", "web-dl", "av1", 2022, None, None),
    ),
    ("Tenet.2020.576p.DVDRip.x264-GRP", ("576p", "dvd", "x264", 2020, None, None)),
    ("Breaking.Bad.S05E14.720p.HDTV.x264-IMMERSE", ("720p", "hdtv", "x264", None, 5, 14)),
    ("Breaking Bad S01E01 Pilot 1080p BluRay x265-RARBG", ("1080p", "bluray", "x265", None, 1, 1)),
    (
        "The.Office.US.S03E10.A.Benihana.Christmas.720p.WEB-DL.DD5.1.H.264-GRP",
        ("720p", "web-dl", "x264", None, 3, 10),
    ),
    (
        "The Office US S03 1080p AMZN WEB-DL DDP5.1 H 264-NTb",
        ("1080p", "web-dl", "x264", None, 3, None),
    ),
    (
        "Game.of.Thrones.S08E06.The.Iron.Throne.2160p.AMZN.WEB-DL.DDP5.1.HEVC-NTb",
        ("2160p", "web-dl", "x265", None, 8, 6),
    ),
    (
        "Game of Thrones S01 Season 1 Complete 1080p BluRay x264",
        ("1080p", "bluray", "x264", None, 1, None),
    ),
    (
        "The.Mandalorian.S02E08.Chapter.16.1080p.DSNP.WEB-DL.DDP5.1.Atmos.H.264-CMRG",
        ("1080p", "web-dl", "x264", None, 2, 8),
    ),
    (
        "Severance.S02E03.2160p.ATVP.WEB-DL.DDP5.1.DV.H.265-NTb",
        ("2160p", "web-dl", "x265", None, 2, 3),
    ),
    ("Stranger.Things.S04E01.720p.NF.WEBRip.x264-GalaxyTV", ("720p", "webrip", "x264", None, 4, 1)),
    ("The.Bear.S03E01.1080p.HULU.WEB.h264-ETHEL", ("1080p", "web-dl", "x264", None, 3, 1)),
    ("Doctor.Who.2005.S13E01.1080p.HDTV.x265-MiNX", ("1080p", "hdtv", "x265", 2005, 13, 1)),
    ("Shogun.2024.S01E05.2160p.WEB.H265-SuccessfulCrab", ("2160p", "web-dl", "x265", 2024, 1, 5)),
    (
        "Friends.S10E17E18.The.Last.One.720p.BluRay.x264-PSYCHD",
        ("720p", "bluray", "x264", None, 10, 17),
    ),
    ("The.Simpsons.S35E01.480p.x264-mSD", ("480p", None, "x264", None, 35, 1)),
    ("Seinfeld.S09E23.DVDRip.XviD-SAiNTS", (None, "dvd", "xvid", None, 9, 23)),
    ("Fargo.S05E10.1080p.HEVC.x265-MeGusta", ("1080p", None, "x265", None, 5, 10)),
    (
        "Succession.S04E10.With.Open.Eyes.1080p.AMZN.WEB-DL.DDP5.1.H.264-NTb",
        ("1080p", "web-dl", "x264", None, 4, 10),
    ),
    ("Planet.Earth.II.S01E01.2160p.UHD.BluRay.x265-GRP", ("2160p", "bluray", "x265", None, 1, 1)),
    ("Chernobyl.S01E05.1080p.BluRay.x264-ROVERS", ("1080p", "bluray", "x264", None, 1, 5)),
    ("The Last of Us S01E01 720p HDTV x264-SYNCOPY", ("720p", "hdtv", "x264", None, 1, 1)),
    # HDRip: re-encoded from an HD source
    ("Arrival.2016.1080p.HDRip.XviD.AC3-EVO", ("1080p", "webrip", "xvid", 2016, None, None)),
    ("Joker.2019.720p.HDCAM-1XBET", ("720p", "cam", None, 2019, None, None)),
    ("2012.2009.1080p.BluRay.x264-METiS", ("1080p", "bluray", "x264", 2009, None, None)),
    ("Blade Runner 2049 (2017) 1080p BluRay x264", ("1080p", "bluray", "x264", 2017, None, None)),
    ("Se7en.1995.REMASTERED.1080p.BluRay.x264-GRP", ("1080p", "bluray", "x264", 1995, None, None)),
    (
        "Amelie.2001.FRENCH.MULTi.1080p.BluRay.x264-GRP",
        ("1080p", "bluray", "x264", 2001, None, None),
    ),
    ("House.of.the.Dragon.S02E01E02.1080p.WEB.H264-GRP", ("1080p", "web-dl", "x264", None, 2, 1)),
    ("Lost.1x05.White.Rabbit.HDTV.XviD-LOL", (None, "hdtv", "xvid", None, 1, 5)),
    ("The.Wire.S01.720p.BluRay.x264-SiNNERS", ("720p", "bluray", "x264", None, 1, None)),
    ("Movie.Title.2021.1080i.HDTV.MPEG2-GRP", ("1080p", "hdtv", "mpeg-2", 2021, None, None)),
]

# guessit's vocabulary -> ours
_G_SOURCE: Mapping[str, str] = {
    "Blu-ray": "bluray",
    "Ultra HD Blu-ray": "bluray",
    "HD-DVD": "bluray",
    "Web": "webrip",
    "HDTV": "hdtv",
    "Ultra HDTV": "hdtv",
    "DVD": "dvd",
    "TV": "tv",
    "Digital TV": "tv",
    "Satellite": "tv",
    "Camera": "cam",
    "HD Camera": "cam",
    "Telesync": "telesync",
    "HD Telesync": "telesync",
    "Telecine": "telecine",
    "HD Telecine": "telecine",
    "Workprint": "cam",
}
_G_CODEC: Mapping[str, str] = {
    "H.264": "x264",
    "H.265": "x265",
    "AV1": "av1",
    "Xvid": "xvid",
    "VC-1": "vc-1",
    "MPEG-2": "mpeg-2",
}


def _listed(value: Any) -> list[Any]:
    """Return ``value`` as a list."""
    return value if isinstance(value, list) else [value]


def guessit_parse(title: str) -> ReleaseInfo:
    """Parse with guessit and map onto our vocabulary (as ``parse_release`` does for PTN)."""
    from guessit import guessit  # noqa: PLC0415 - optional, measured separately

    raw = dict(guessit(title))
    others = [str(o) for o in _listed(raw.get("other", []))]
    source = _G_SOURCE.get(str(raw.get("source")))
    if source == "webrip" and "Rip" not in others:
        source = "web-dl"  # guessit says Web for both; "Rip" in `other` marks a WEBRip
    if source in (None, "bluray") and "Remux" in others:
        source = "remux"
    if source is None and "Rip" in others and "HD" in others:
        source = "webrip"  # HDRip: re-encoded from an HD source
    resolution = raw.get("screen_size")
    res = str(resolution).replace("i", "p") if resolution else None

    def first(key: str) -> Any:
        return _listed(raw[key])[0] if key in raw else None

    year, season, episode = first("year"), first("season"), first("episode")
    return ReleaseInfo(
        resolution=res,
        source=source,
        codec=_G_CODEC.get(str(raw.get("video_codec"))),
        year=int(year) if year is not None else None,
        season=int(season) if season is not None else None,
        episode=int(episode) if episode is not None else None,
    )


def accuracy(
    parse: Callable[[str], ReleaseInfo], *, verbose: bool = False, name: str = ""
) -> tuple[int, int, dict[str, int]]:
    """Return (fields right, fields total, right per field) of ``parse`` over ``CASES``."""
    per_field = dict.fromkeys(FIELDS, 0)
    for title, expected in CASES:
        info = parse(title)
        got = tuple(getattr(info, f) for f in FIELDS)
        for f, g, e in zip(FIELDS, got, expected, strict=True):
            if g == e:
                per_field[f] += 1
            elif verbose:
                print(f"  {name}: {title!r}: {f} = {g!r}, expected {e!r}")
    right = sum(per_field.values())
    return right, len(CASES) * len(FIELDS), per_field


def import_ms(module: str, runs: int = 3) -> float | None:
    """Return the median wall time of ``import module`` in a fresh interpreter (ms)."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    samples = []
    for _ in range(runs):
        proc = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            return None
        samples.append(float(proc.stdout.strip()) * 1000)
    return statistics.median(samples)


def main() -> None:
    """Print one row per library: accuracy per field, total, import time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="print every miss")
    args = parser.parse_args()
    print(f"{len(CASES)} release names, fields: {', '.join(FIELDS)}")
    header = f"{'library':<22}" + "".join(f"{f:>11}" for f in FIELDS)
    print(header + f"{'total':>14}{'import ms':>11}{'parse µs':>10}")
    rows: list[tuple[str, Callable[[str], ReleaseInfo], str]] = [
        ("parse-torrent-title", parse_release.__wrapped__, "PTN"),
        ("guessit", guessit_parse, "guessit"),
    ]
    for label, parse, module in rows:
        ms = import_ms(module)
        if ms is None:
            print(f"{label:<22} not installed")
            continue
        right, total, per_field = accuracy(parse, verbose=args.verbose, name=label)
        start = time.perf_counter()
        for title, _ in CASES:
            parse(title)
        per_parse_us = (time.perf_counter() - start) / len(CASES) * 1e6
        cells = "".join(f"{per_field[f]:>11}" for f in FIELDS)
        print(
            f"{label:<22}{cells}{f'{right}/{total} {right / total:.0%}':>14}"
            f"{ms:>11.1f}{per_parse_us:>10.0f}"
        )


if __name__ == "__main__":
    main()
