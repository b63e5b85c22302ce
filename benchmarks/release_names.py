"""Release-name parsers compared: ours (``release_name.py``), parse-torrent-title and guessit.

Run from the project root::

    scripts/in-sid .venv-newest/bin/python -m benchmarks.release_names [--verbose]

One run prints, for each parser, the fields it reads right on ``CASES`` (the
54 names of the first comparison, which chose PTN) and on all names
(``CASES`` and ``HARD_CASES``): resolution, source, codec, year, season and
episode, which ``ranking.py`` scores and filters on, and the title, which
``download_media`` compares with TMDB's (as words, the way ``pipeline.words``
compares them: case, dots and apostrophes aside).  Then what each costs: the
import in a fresh interpreter (median of 3; ours is loaded from its file, so
Home Assistant is not counted) and the parse time per name (uncached), with
the ratio to ours.

Every name is written the way indexers list them, with the values a person
reads in it.  ``HARD_CASES`` were added with our parser, while it was being
written, to pin what the first 54 did not test (title words that are tags,
numbers in titles, packs, daily shows, re-encodes, cams): read its 100 % on
them as "does what it was built to do", and the libraries' figures there as a
comparison on cases they were not tuned for either.  The libraries' outputs
are mapped onto our vocabulary (``RESOLUTIONS``, ``SOURCES``, ``CODECS``;
heights by ``resolution_of_lines``, as ours) by the tables below.  PTN and
guessit are benchmark-only (``requirements/common.txt``); a row says when one
is not installed.  ``--verbose`` prints every miss.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
import importlib
from pathlib import Path
import re
import statistics
import subprocess
import sys
import time
import unicodedata

from custom_components.pandora_box.upstreams.jackett import release_name
from custom_components.pandora_box.upstreams.jackett.release_name import (
    ReleaseInfo,
    resolution_of_lines,
)

FIELDS = ("resolution", "source", "codec", "year", "season", "episode", "title")
RANKING_FIELDS = FIELDS[:6]
"""The fields ``ranking.py`` uses (the first comparison counted these)."""

type Expected = tuple[
    str | None, str | None, str | None, int | None, int | None, int | None, str | None
]
type Parser = Callable[[str], ReleaseInfo]

CASES: list[tuple[str, Expected]] = [
    # name, (resolution, source, codec, year, season, episode, title)
    (
        "The.Matrix.1999.1080p.BluRay.x264-SPARKS",
        ("1080p", "bluray", "x264", 1999, None, None, "The Matrix"),
    ),
    (
        "The Matrix 1999 2160p UHD BluRay x265 10bit HDR DTS-HD MA 5.1-SWTYBLZ",
        ("2160p", "bluray", "x265", 1999, None, None, "The Matrix"),
    ),
    (
        "The.Matrix.1999.720p.BRRip.x264.AAC-ETRG",
        ("720p", "bluray", "x264", 1999, None, None, "The Matrix"),
    ),
    (
        "The Matrix (1999) 1080p BrRip x264 - YIFY",
        ("1080p", "bluray", "x264", 1999, None, None, "The Matrix"),
    ),
    (
        "Dune.Part.Two.2024.2160p.WEB-DL.DDP5.1.Atmos.DV.HDR.H.265-FLUX",
        ("2160p", "web-dl", "x265", 2024, None, None, "Dune Part Two"),
    ),
    (
        "Dune.Part.Two.2024.1080p.WEBRip.x264.AAC5.1-[YTS.MX]",
        ("1080p", "webrip", "x264", 2024, None, None, "Dune Part Two"),
    ),
    (
        "Oppenheimer.2023.REMUX.2160p.UHD.BluRay.HEVC.TrueHD.Atmos-FGT",
        ("2160p", "remux", "x265", 2023, None, None, "Oppenheimer"),
    ),
    (
        "Oppenheimer 2023 1080p BluRay REMUX AVC DTS-HD MA 5.1-FGT",
        ("1080p", "remux", "x264", 2023, None, None, "Oppenheimer"),
    ),
    ("Oppenheimer.2023.HDCAM.x264-NoGroup", (None, "cam", "x264", 2023, None, None, "Oppenheimer")),
    ("Barbie.2023.HDTS.XviD-EVO", (None, "telesync", "xvid", 2023, None, None, "Barbie")),
    ("Inception.2010.DVDRip.XviD-MAXSPEED", (None, "dvd", "xvid", 2010, None, None, "Inception")),
    (
        "Inception 2010 720p BluRay x264 DTS-WiKi",
        ("720p", "bluray", "x264", 2010, None, None, "Inception"),
    ),
    (
        "Interstellar.2014.IMAX.1080p.BluRay.x265.10bit-Tigole",
        ("1080p", "bluray", "x265", 2014, None, None, "Interstellar"),
    ),
    (
        "Blade.Runner.2049.2017.2160p.WEB-DL.DD5.1.HEVC-NTG",
        ("2160p", "web-dl", "x265", 2017, None, None, "Blade Runner 2049"),
    ),
    (
        "Everything.Everywhere.All.at.Once.2022.1080p.AMZN.WEB-DL.DDP5.1.H.264-NTb",
        ("1080p", "web-dl", "x264", 2022, None, None, "Everything Everywhere All at Once"),
    ),
    (
        "Parasite.2019.KOREAN.1080p.BluRay.H264.AAC-VXT",
        ("1080p", "bluray", "x264", 2019, None, None, "Parasite"),
    ),
    (
        "Spirited.Away.2001.JAPANESE.720p.BluRay.x264-WiKi",
        ("720p", "bluray", "x264", 2001, None, None, "Spirited Away"),
    ),
    ("1917.2019.1080p.WEBRip.x264-RARBG", ("1080p", "webrip", "x264", 2019, None, None, "1917")),
    (
        "2001.A.Space.Odyssey.1968.2160p.UHD.BluRay.x265-TERMiNAL",
        ("2160p", "bluray", "x265", 1968, None, None, "2001 A Space Odyssey"),
    ),
    (
        "Alien.1979.Directors.Cut.1080p.BluRay.x264-AMIABLE",
        ("1080p", "bluray", "x264", 1979, None, None, "Alien"),
    ),
    (
        "The.Godfather.1972.REMASTERED.480p.DVDRip.x264-GRP",
        ("480p", "dvd", "x264", 1972, None, None, "The Godfather"),
    ),
    # a bare scene "WEB" tag is an untouched stream: WEB-DL
    (
        "Top.Gun.Maverick.2022.1080p.WEB.H264-NAISU",
        ("1080p", "web-dl", "x264", 2022, None, None, "Top Gun Maverick"),
    ),
    (
        "Avatar.The.Way.of.Water.2022.2160p.AV1.WEB-DL-GRP",
        ("2160p", "web-dl", "av1", 2022, None, None, "Avatar The Way of Water"),
    ),
    ("Tenet.2020.576p.DVDRip.x264-GRP", ("576p", "dvd", "x264", 2020, None, None, "Tenet")),
    (
        "Breaking.Bad.S05E14.720p.HDTV.x264-IMMERSE",
        ("720p", "hdtv", "x264", None, 5, 14, "Breaking Bad"),
    ),
    (
        "Breaking Bad S01E01 Pilot 1080p BluRay x265-RARBG",
        ("1080p", "bluray", "x265", None, 1, 1, "Breaking Bad"),
    ),
    (
        "The.Office.US.S03E10.A.Benihana.Christmas.720p.WEB-DL.DD5.1.H.264-GRP",
        ("720p", "web-dl", "x264", None, 3, 10, "The Office US"),
    ),
    (
        "The Office US S03 1080p AMZN WEB-DL DDP5.1 H 264-NTb",
        ("1080p", "web-dl", "x264", None, 3, None, "The Office US"),
    ),
    (
        "Game.of.Thrones.S08E06.The.Iron.Throne.2160p.AMZN.WEB-DL.DDP5.1.HEVC-NTb",
        ("2160p", "web-dl", "x265", None, 8, 6, "Game of Thrones"),
    ),
    (
        "Game of Thrones S01 Season 1 Complete 1080p BluRay x264",
        ("1080p", "bluray", "x264", None, 1, None, "Game of Thrones"),
    ),
    (
        "The.Mandalorian.S02E08.Chapter.16.1080p.DSNP.WEB-DL.DDP5.1.Atmos.H.264-CMRG",
        ("1080p", "web-dl", "x264", None, 2, 8, "The Mandalorian"),
    ),
    (
        "Severance.S02E03.2160p.ATVP.WEB-DL.DDP5.1.DV.H.265-NTb",
        ("2160p", "web-dl", "x265", None, 2, 3, "Severance"),
    ),
    (
        "Stranger.Things.S04E01.720p.NF.WEBRip.x264-GalaxyTV",
        ("720p", "webrip", "x264", None, 4, 1, "Stranger Things"),
    ),
    (
        "The.Bear.S03E01.1080p.HULU.WEB.h264-ETHEL",
        ("1080p", "web-dl", "x264", None, 3, 1, "The Bear"),
    ),
    (
        "Doctor.Who.2005.S13E01.1080p.HDTV.x265-MiNX",
        ("1080p", "hdtv", "x265", 2005, 13, 1, "Doctor Who"),
    ),
    (
        "Shogun.2024.S01E05.2160p.WEB.H265-SuccessfulCrab",
        ("2160p", "web-dl", "x265", 2024, 1, 5, "Shogun"),
    ),
    (
        "Friends.S10E17E18.The.Last.One.720p.BluRay.x264-PSYCHD",
        ("720p", "bluray", "x264", None, 10, 17, "Friends"),
    ),
    ("The.Simpsons.S35E01.480p.x264-mSD", ("480p", None, "x264", None, 35, 1, "The Simpsons")),
    ("Seinfeld.S09E23.DVDRip.XviD-SAiNTS", (None, "dvd", "xvid", None, 9, 23, "Seinfeld")),
    ("Fargo.S05E10.1080p.HEVC.x265-MeGusta", ("1080p", None, "x265", None, 5, 10, "Fargo")),
    (
        "Succession.S04E10.With.Open.Eyes.1080p.AMZN.WEB-DL.DDP5.1.H.264-NTb",
        ("1080p", "web-dl", "x264", None, 4, 10, "Succession"),
    ),
    (
        "Planet.Earth.II.S01E01.2160p.UHD.BluRay.x265-GRP",
        ("2160p", "bluray", "x265", None, 1, 1, "Planet Earth II"),
    ),
    (
        "Chernobyl.S01E05.1080p.BluRay.x264-ROVERS",
        ("1080p", "bluray", "x264", None, 1, 5, "Chernobyl"),
    ),
    (
        "The Last of Us S01E01 720p HDTV x264-SYNCOPY",
        ("720p", "hdtv", "x264", None, 1, 1, "The Last of Us"),
    ),
    # HDRip: re-encoded from an HD source
    (
        "Arrival.2016.1080p.HDRip.XviD.AC3-EVO",
        ("1080p", "webrip", "xvid", 2016, None, None, "Arrival"),
    ),
    ("Joker.2019.720p.HDCAM-1XBET", ("720p", "cam", None, 2019, None, None, "Joker")),
    ("2012.2009.1080p.BluRay.x264-METiS", ("1080p", "bluray", "x264", 2009, None, None, "2012")),
    (
        "Blade Runner 2049 (2017) 1080p BluRay x264",
        ("1080p", "bluray", "x264", 2017, None, None, "Blade Runner 2049"),
    ),
    (
        "Se7en.1995.REMASTERED.1080p.BluRay.x264-GRP",
        ("1080p", "bluray", "x264", 1995, None, None, "Se7en"),
    ),
    (
        "Amelie.2001.FRENCH.MULTi.1080p.BluRay.x264-GRP",
        ("1080p", "bluray", "x264", 2001, None, None, "Amelie"),
    ),
    (
        "House.of.the.Dragon.S02E01E02.1080p.WEB.H264-GRP",
        ("1080p", "web-dl", "x264", None, 2, 1, "House of the Dragon"),
    ),
    ("Lost.1x05.White.Rabbit.HDTV.XviD-LOL", (None, "hdtv", "xvid", None, 1, 5, "Lost")),
    (
        "The.Wire.S01.720p.BluRay.x264-SiNNERS",
        ("720p", "bluray", "x264", None, 1, None, "The Wire"),
    ),
    (
        "Movie.Title.2021.1080i.HDTV.MPEG2-GRP",
        ("1080p", "hdtv", "mpeg-2", 2021, None, None, "Movie Title"),
    ),
]

HARD_CASES: list[tuple[str, Expected]] = [
    # a plain word of the title that is also a source tag
    (
        "Charlottes.Web.2006.720p.BluRay.x264-GRP",
        ("720p", "bluray", "x264", 2006, None, None, "Charlottes Web"),
    ),
    (
        "The.Web.2019.1080p.WEB-DL.H.264-GRP",
        ("1080p", "web-dl", "x264", 2019, None, None, "The Web"),
    ),
    (
        "Cam.2018.1080p.NF.WEBRip.DDP5.1.x264-NTG",
        ("1080p", "webrip", "x264", 2018, None, None, "Cam"),
    ),
    # numbers in titles: no year, two years, a title that is a number
    (
        "Blade.Runner.2049.1080p.BluRay.x264-SPARKS",
        ("1080p", "bluray", "x264", None, None, None, "Blade Runner 2049"),
    ),
    (
        "2001.A.Space.Odyssey.1080p.BluRay.x264-GRP",
        ("1080p", "bluray", "x264", None, None, None, "2001 A Space Odyssey"),
    ),
    (
        "Wonder.Woman.1984.2020.2160p.WEB-DL.DDP5.1.Atmos.HDR.HEVC-EVO",
        ("2160p", "web-dl", "x265", 2020, None, None, "Wonder Woman 1984"),
    ),
    (
        "Inside.Out.2.2024.1080p.WEB-DL.DDP5.1.H.264-FLUX",
        ("1080p", "web-dl", "x264", 2024, None, None, "Inside Out 2"),
    ),
    (
        "Shrek 2 (2004) 720p BrRip x264 - YIFY",
        ("720p", "bluray", "x264", 2004, None, None, "Shrek 2"),
    ),
    ("9-1-1.S07E01.1080p.HDTV.x264-SYNCOPY", ("1080p", "hdtv", "x264", None, 7, 1, "9-1-1")),
    (
        "1923.S01E01.1080p.AMZN.WEB-DL.DDP5.1.H.264-NTb",
        ("1080p", "web-dl", "x264", None, 1, 1, "1923"),
    ),
    (
        "Nosferatu.1922.480p.BluRay.x264-GRP",
        ("480p", "bluray", "x264", 1922, None, None, "Nosferatu"),
    ),
    # a daily show (the air date gives the year), a range of years
    (
        "The.Daily.Show.2024.03.14.1080p.WEB.h264-EDITH",
        ("1080p", "web-dl", "x264", 2024, None, None, "The Daily Show"),
    ),
    (
        "Friends.1994-2004.Complete.Series.1080p.BluRay.x265-GRP",
        ("1080p", "bluray", "x265", 1994, None, None, "Friends"),
    ),
    # season and episode forms
    (
        "Marvels.Agents.of.S.H.I.E.L.D.S07E13.720p.HDTV.x264-AVS",
        ("720p", "hdtv", "x264", None, 7, 13, "Marvels Agents of S.H.I.E.L.D."),
    ),
    (
        "[SubsPlease] Sousou no Frieren - 01 (1080p) [F02B9CEE].mkv",
        ("1080p", None, None, None, None, 1, "Sousou no Frieren"),
    ),
    (
        "Breaking.Bad.S01-S05.COMPLETE.720p.BluRay.x264-GRP",
        ("720p", "bluray", "x264", None, 1, None, "Breaking Bad"),
    ),
    (
        "The.Expanse.S03E01-E02.1080p.AMZN.WEB-DL.DDP5.1.H.264-NTb",
        ("1080p", "web-dl", "x264", None, 3, 1, "The Expanse"),
    ),
    (
        "Sherlock.3x02.The.Sign.of.Three.720p.HDTV.x264-FoV",
        ("720p", "hdtv", "x264", None, 3, 2, "Sherlock"),
    ),
    (
        "Dark.S03.1080p.NF.WEBRip.DDP5.1.x264-NTG",
        ("1080p", "webrip", "x264", None, 3, None, "Dark"),
    ),
    (
        "The.Crown.S06.COMPLETE.2160p.NF.WEB-DL.DDP5.1.DV.HDR.HEVC-GRP",
        ("2160p", "web-dl", "x265", None, 6, None, "The Crown"),
    ),
    (
        "Fallout.2024.S01E01.1080p.WEB.H264-SuccessfulCrab",
        ("1080p", "web-dl", "x264", 2024, 1, 1, "Fallout"),
    ),
    (
        "Severance Season 2 Episode 3 1080p WEB H264",
        ("1080p", "web-dl", "x264", None, 2, 3, "Severance"),
    ),
    ("Doctor.Who.S01E01.Rose.DVDRip.XviD-OSiTV", (None, "dvd", "xvid", None, 1, 1, "Doctor Who")),
    ("Top.Gear.S22E01.HDTV.x264-FTP", (None, "hdtv", "x264", None, 22, 1, "Top Gear")),
    (
        "Mr.Robot.S04E13.720p.AMZN.WEB-DL.DDP5.1.H.264-NTb",
        ("720p", "web-dl", "x264", None, 4, 13, "Mr Robot"),
    ),
    (
        "Ted.Lasso.S03E12.So.Long.Farewell.2160p.ATVP.WEB-DL.DDP5.1.Atmos.DV.H.265-FLUX",
        ("2160p", "web-dl", "x265", None, 3, 12, "Ted Lasso"),
    ),
    # re-encodes, remuxes, screeners, cams and telesyncs (the hard limits)
    (
        "Venom.The.Last.Dance.2024.1080p.WEB-DLRip.x264-GRP",
        ("1080p", "webrip", "x264", 2024, None, None, "Venom The Last Dance"),
    ),
    (
        "The.Fall.Guy.2024.1080p.PROPER.HDRip.x264-GRP",
        ("1080p", "webrip", "x264", 2024, None, None, "The Fall Guy"),
    ),
    (
        "Interstellar 2014 BluRay 1080p DTS-HD MA 5.1 AVC REMUX-FraMeSToR",
        ("1080p", "remux", "x264", 2014, None, None, "Interstellar"),
    ),
    (
        "The.Matrix.1999.1080p.BDRemux.AVC.DTS-HD.MA.5.1-GRP",
        ("1080p", "remux", "x264", 1999, None, None, "The Matrix"),
    ),
    (
        "Oppenheimer.2023.1080p.HDTC.x264-GRP",
        ("1080p", "telecine", "x264", 2023, None, None, "Oppenheimer"),
    ),
    (
        "Deadpool.and.Wolverine.2024.HDCAM.c1nem4.x264-SUNSCREEN",
        (None, "cam", "x264", 2024, None, None, "Deadpool and Wolverine"),
    ),
    (
        "Mufasa.The.Lion.King.2024.TS.XviD-GRP",
        (None, "telesync", "xvid", 2024, None, None, "Mufasa The Lion King"),
    ),
    ("Some.Film.TS.XviD-GRP", (None, "telesync", "xvid", None, None, None, "Some Film")),
    ("Wicked.2024.DVDSCR.XviD-GRP", (None, "screener", "xvid", 2024, None, None, "Wicked")),
    (
        "Gladiator II 2024 1080p HDTS-C1NEM4",
        ("1080p", "telesync", None, 2024, None, None, "Gladiator II"),
    ),
    (
        "Alien.Romulus.2024.1080p.TELESYNC.x264-GRP",
        ("1080p", "telesync", "x264", 2024, None, None, "Alien Romulus"),
    ),
    # resolutions: 4K, width x height, below SD
    (
        "Taxi.Driver.1976.REMASTERED.4K.UHD.BluRay.HEVC-GRP",
        ("2160p", "bluray", "x265", 1976, None, None, "Taxi Driver"),
    ),
    (
        "Lawrence.of.Arabia.1962.1920x1080.BluRay.x264-GRP",
        ("1080p", "bluray", "x264", 1962, None, None, "Lawrence of Arabia"),
    ),
    (
        "Oppenheimer.2023.360p.WEBRip.x264-GRP",
        ("480p", "webrip", "x264", 2023, None, None, "Oppenheimer"),
    ),
    # titles: a hyphen, brackets, a site prefix, a language with no year
    (
        "Spider-Man.No.Way.Home.2021.1080p.WEBRip.x264.AAC5.1-[YTS.MX]",
        ("1080p", "webrip", "x264", 2021, None, None, "Spider-Man No Way Home"),
    ),
    (
        "Avengers Endgame (2019) [1080p] [BluRay] [5.1] [YTS.MX]",
        ("1080p", "bluray", None, 2019, None, None, "Avengers Endgame"),
    ),
    (
        "www.Torrenting.com - The.Holdovers.2023.1080p.WEBRip.x265-GRP",
        ("1080p", "webrip", "x265", 2023, None, None, "The Holdovers"),
    ),
    (
        "Parasite.KOREAN.1080p.BluRay.x264-GRP",
        ("1080p", "bluray", "x264", None, None, None, "Parasite"),
    ),
    (
        "Oceans.Eleven.2001.720p.BluRay.x264-GRP",
        ("720p", "bluray", "x264", 2001, None, None, "Oceans Eleven"),
    ),
    ("Film.2020.TS.x264-GRP", (None, "telesync", "x264", 2020, None, None, "Film")),
]

ALL_CASES = CASES + HARD_CASES

# -- the libraries, mapped onto our vocabulary -------------------------------------------

# PTN's `quality` values (see PTN/patterns.py)
_PTN_SOURCE: Mapping[str, str] = {
    "Blu-ray": "bluray",
    "BDRip": "bluray",
    "BRRip": "bluray",
    "HD DVD": "bluray",
    "WEB-DL": "web-dl",
    "WEBRip": "webrip",
    "WEBCap": "webrip",
    "VODRip": "webrip",
    "HDTV": "hdtv",
    "AHDTV": "hdtv",
    "PDTV": "tv",
    "DSRip": "tv",
    "TVRip": "tv",
    "Pay-Per-View Rip": "tv",
    "DVD-Rip": "dvd",
    "DVD-R": "dvd",
    "HD-Rip": "webrip",
    "Screener": "screener",
    "Digital Distribution Copy": "screener",
    "Workprint": "cam",
    "Telecine": "telecine",
    "Telesync": "telesync",
    "Cam": "cam",
}
_PTN_CODEC: Mapping[str, str] = {
    "H.264": "x264",
    "H.265": "x265",
    "H.265 Main 10": "x265",
    "AV1": "av1",
    "Xvid": "xvid",
    "VC-1": "vc-1",
    "MPEG-2": "mpeg-2",
}
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
_NAMED_RESOLUTION: Mapping[str, str] = {"4k": "2160p", "8k": "2160p", "5k": "2160p", "2k": "1080p"}
_LINES = re.compile(r"(\d{3,4})[pi]")


def _resolution(value: object) -> str | None:
    """Map a library's resolution (``1080p``, ``1080i``, ``4K``, ``360p``) onto ours."""
    if not isinstance(value, str):
        return None
    text = value.lower()
    if text in _NAMED_RESOLUTION:
        return _NAMED_RESOLUTION[text]
    match = _LINES.fullmatch(text)
    return resolution_of_lines(int(match.group(1))) if match else None


def _first(value: object) -> object:
    """The first item of a list (the libraries give lists for ranges), else the value."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _int(value: object) -> int | None:
    """An int, or the first int of a list."""
    value = _first(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _str(value: object) -> str | None:
    """A non-empty stripped string, or ``None``."""
    return value.strip() or None if isinstance(value, str) else None


def ptn_parse(title: str) -> ReleaseInfo:
    """Parse with parse-torrent-title, as ``ranking.parse_release`` did until it was replaced."""
    # imported by name: optional, and it ships no type information
    ptn = importlib.import_module("PTN")
    raw: dict[str, object] = ptn.parse(title, standardise=True, coherent_types=False)
    source = _PTN_SOURCE.get(str(raw.get("quality")))
    if raw.get("remux") and source in (None, "bluray"):
        source = "remux"
    return ReleaseInfo(
        resolution=_resolution(raw.get("resolution")),
        source=source,
        codec=_PTN_CODEC.get(str(raw.get("codec"))),
        year=_int(raw.get("year")),
        season=_int(raw.get("season")),
        episode=_int(raw.get("episode")),
        title=_str(raw.get("title")),
    )


def guessit_parse(title: str) -> ReleaseInfo:
    """Parse with guessit and map onto our vocabulary."""
    guessit = importlib.import_module("guessit")  # optional, untyped for our purpose
    raw: dict[str, object] = dict(guessit.guessit(title))
    other = raw.get("other", [])
    others = [str(o) for o in (other if isinstance(other, list) else [other])]
    source = _G_SOURCE.get(str(raw.get("source")))
    if source == "webrip" and "Rip" not in others:
        source = "web-dl"  # guessit says Web for both; "Rip" in `other` marks a WEBRip
    if source in (None, "bluray") and "Remux" in others:
        source = "remux"
    if source is None and "Rip" in others and "HD" in others:
        source = "webrip"  # HDRip: re-encoded from an HD source
    year = _int(raw.get("year"))
    date = raw.get("date")
    if year is None and date is not None:
        year = _int(getattr(date, "year", None))  # a daily show's air date
    return ReleaseInfo(
        resolution=_resolution(raw.get("screen_size")),
        source=source,
        codec=_G_CODEC.get(str(raw.get("video_codec"))),
        year=year,
        season=_int(raw.get("season")),
        episode=_int(raw.get("episode")),
        title=_str(raw.get("title")),
    )


@dataclass(frozen=True, slots=True)
class Contender:
    """A parser in the comparison."""

    label: str
    parse: Parser
    """Our vocabulary from the name (uncached)."""
    module: str | None
    """What to import (``None``: ours, loaded from its file without Home Assistant)."""
    call: str
    """Python that parses ``name`` once with the imported ``module``."""


CONTENDERS: list[Contender] = [
    Contender("ours", release_name.parse_release.__wrapped__, None, "module.parse_release(name)"),
    Contender("parse-torrent-title", ptn_parse, "PTN", "module.parse(name)"),
    Contender("guessit", guessit_parse, "guessit", "module.guessit(name)"),
]

# -- measuring ---------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")


def words(text: object) -> list[str] | None:
    """A title as ``pipeline.words`` compares it (lower-case ASCII words, no apostrophes)."""
    if not isinstance(text, str):
        return None
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return _WORD.findall(plain.replace("'", "").replace("&", " and "))


def accuracy(
    parse: Parser, cases: Sequence[tuple[str, Expected]], *, verbose: bool = False, name: str = ""
) -> dict[str, int]:
    """Return how many names ``parse`` reads right, per field."""
    per_field = dict.fromkeys(FIELDS, 0)
    for title, expected in cases:
        info = parse(title)
        for field, want in zip(FIELDS, expected, strict=True):
            got = getattr(info, field)
            right = words(got) == words(want) if field == "title" else got == want
            if right:
                per_field[field] += 1
            elif verbose:
                print(f"  {name}: {title!r}: {field} = {got!r}, expected {want!r}")
    return per_field


STDLIB = "collections, dataclasses, datetime, enum, functools, inspect, re, typing"
"""Standard modules Home Assistant has always loaded before it imports an integration."""


def fresh_ms(
    contender: Contender, *, preload: str = "", runs: int = 3
) -> tuple[float, float] | None:
    """Import, then first parse, in a fresh interpreter: median ms of each (None: absent).

    ``preload`` names modules imported before the clock starts.  Ours is
    executed from its file so that the integration package (and Home
    Assistant) is not imported with it.  The first parse counts because a
    library may compile its expressions then (in Home Assistant: on the event
    loop, in the first search).
    """
    if contender.module is None:
        path = Path(release_name.__file__).resolve()
        load = (
            "import importlib.util, sys\n"
            "t = time.perf_counter()\n"
            f"spec = importlib.util.spec_from_file_location('release_name', {str(path)!r})\n"
            "module = sys.modules['release_name'] = importlib.util.module_from_spec(spec)\n"
            "spec.loader.exec_module(module)\n"
        )
    else:
        load = f"t = time.perf_counter()\nimport {contender.module} as module\n"
    code = (
        f"import time\n{f'import {preload}' if preload else ''}\n{load}"
        f"u = time.perf_counter()\nname = {CASES[0][0]!r}\n{contender.call}\n"
        "print(u - t, time.perf_counter() - u)"
    )
    imports, parses = [], []
    for _ in range(runs):
        proc = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            return None
        first, second = proc.stdout.split()
        imports.append(float(first) * 1000)
        parses.append(float(second) * 1000)
    return statistics.median(imports), statistics.median(parses)


def parse_us(parse: Parser, names: Sequence[str], budget_s: float = 0.3) -> float:
    """Mean time of one parse in µs: passes over ``names`` until ``budget_s`` is spent."""
    passes = 0
    start = time.perf_counter()
    while True:
        for name in names:
            parse(name)
        passes += 1
        elapsed = time.perf_counter() - start
        if elapsed >= budget_s:
            return elapsed / (passes * len(names)) * 1e6


def _accuracy_table(
    heading: str,
    cases: Sequence[tuple[str, Expected]],
    parsers: Sequence[tuple[str, Parser]],
    *,
    verbose: bool,
) -> None:
    """Print one accuracy table: right per field, the six ranking fields, all seven."""
    print(heading)
    print(
        f"{'parser':<22}"
        + "".join(f"{f:>11}" for f in FIELDS)
        + f"{'6 fields':>12}{'7 fields':>12}"
    )
    for label, parse in parsers:
        per_field = accuracy(parse, cases, verbose=verbose, name=label)
        six = sum(per_field[f] for f in RANKING_FIELDS)
        seven = sum(per_field.values())
        print(
            f"{label:<22}"
            + "".join(f"{per_field[f]:>11}" for f in FIELDS)
            + f"{f'{six}/{len(cases) * 6}':>12}{f'{seven}/{len(cases) * 7}':>12}"
        )


def main() -> None:
    """Print the accuracy tables and the cost table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="print every miss")
    args = parser.parse_args()
    print(
        f"{len(ALL_CASES)} release names ({len(CASES)} of the first comparison, "
        f"{len(HARD_CASES)} hard ones); fields: {', '.join(FIELDS)}"
    )
    present: list[tuple[Contender, float, float, float]] = []
    for contender in CONTENDERS:
        bare = fresh_ms(contender)
        loaded = fresh_ms(contender, preload=STDLIB)
        if bare is None or loaded is None:
            print(f"{contender.label:<22} not installed")
        else:
            present.append((contender, bare[0], *loaded))
    rows = [(c.label, c.parse) for c, _, _, _ in present]
    _accuracy_table(f"accuracy: the first {len(CASES)} names", CASES, rows, verbose=args.verbose)
    _accuracy_table(f"accuracy: all {len(ALL_CASES)} names", ALL_CASES, rows, verbose=False)
    names = [title for title, _ in ALL_CASES]
    print(
        "cost, in a fresh interpreter (median of 3): import bare and with the standard"
        " modules Home Assistant has loaded, then the first parse; then parse per name"
        " (uncached, steady)"
    )
    print(
        f"{'parser':<22}{'bare ms':>9}{'stdlib ms':>11}{'1st parse ms':>14}{'parse µs':>10}"
        f"{'ready/ours':>12}{'parse/ours':>12}"
    )
    base_ready = base_us = 0.0
    for contender, bare_ms, import_ms, first_ms in present:
        us = parse_us(contender.parse, names)
        ready = import_ms + first_ms
        base_ready, base_us = base_ready or ready, base_us or us
        print(
            f"{contender.label:<22}{bare_ms:>9.1f}{import_ms:>11.1f}{first_ms:>14.1f}{us:>10.1f}"
            f"{ready / base_ready:>12.1f}{us / base_us:>12.1f}"
        )


if __name__ == "__main__":
    main()
