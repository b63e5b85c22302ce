"""Our release-name parser (pure; no Home Assistant).

``benchmarks/release_names.py`` holds the 100 names it is compared on with
PTN and guessit (``tests/test_benchmarks.py`` runs it); these are further
names, one rule each, and the edges.
"""

from __future__ import annotations

import time

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.pandora_box.upstreams.jackett import release_name
from custom_components.pandora_box.upstreams.jackett.release_name import (
    CODECS,
    MAX_NAME,
    RESOLUTIONS,
    SOURCES,
    ReleaseInfo,
    parse_release,
    resolution_of_lines,
)

type Fields = tuple[str | None, str | None, str | None, int | None, int | None, int | None]


def _fields(title: str) -> Fields:
    """Resolution, source, codec, year, season, episode."""
    info = parse_release(title)
    return (info.resolution, info.source, info.codec, info.year, info.season, info.episode)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # resolutions
        ("Film.2020.720p.BluRay.x264-GRP", ("720p", "bluray", "x264", 2020, None, None)),
        ("Film.2020.1080P.BluRay.x264-GRP", ("1080p", "bluray", "x264", 2020, None, None)),
        ("Film.2020.1080i.HDTV.x264-GRP", ("1080p", "hdtv", "x264", 2020, None, None)),
        ("Film.2020.1440p.WEB-DL.x264-GRP", ("1440p", "web-dl", "x264", 2020, None, None)),
        ("Film.2020.4K.WEB-DL.x265-GRP", ("2160p", "web-dl", "x265", 2020, None, None)),
        ("Film.2020.UHD.BluRay.x265-GRP", ("2160p", "bluray", "x265", 2020, None, None)),
        ("Film.2020.4320p.WEB-DL.x265-GRP", ("2160p", "web-dl", "x265", 2020, None, None)),
        ("Film.2020.1080p.UHD.BluRay.x265-GRP", ("1080p", "bluray", "x265", 2020, None, None)),
        ("Film.2020.3840x2160.WEB-DL.x265-GRP", ("2160p", "web-dl", "x265", 2020, None, None)),
        ("Film.2020.1280x720.WEBRip.x264-GRP", ("720p", "webrip", "x264", 2020, None, None)),
        ("Film.2020.576p.DVDRip.x264-GRP", ("576p", "dvd", "x264", 2020, None, None)),
        ("Film.2020.540p.WEBRip.x264-GRP", ("480p", "webrip", "x264", 2020, None, None)),
        ("Film.2020.1234p.WEBRip.x264-GRP", (None, "webrip", "x264", 2020, None, None)),
        # sources
        ("Film.2020.1080p.Blu-ray.x264-GRP", ("1080p", "bluray", "x264", 2020, None, None)),
        ("Film.2020.1080p.BDRip.x264-GRP", ("1080p", "bluray", "x264", 2020, None, None)),
        ("Film.2020.1080p.BD-Rip.x264-GRP", ("1080p", "bluray", "x264", 2020, None, None)),
        ("Film.2020.BD50.AVC.DTS-HD-GRP", (None, "bluray", "x264", 2020, None, None)),
        ("Film.2020.1080p.HD-DVD.VC-1-GRP", ("1080p", "bluray", "vc-1", 2020, None, None)),
        ("Film.2020.1080p.WEBDL.x264-GRP", ("1080p", "web-dl", "x264", 2020, None, None)),
        ("Film.2020.1080p.WEB.DL.x264-GRP", ("1080p", "web-dl", "x264", 2020, None, None)),
        ("Film 2020 1080p WEB DL x264", ("1080p", "web-dl", "x264", 2020, None, None)),
        ("Film.2020.1080p.WEB-Rip.x264-GRP", ("1080p", "webrip", "x264", 2020, None, None)),
        ("Film.2020.720p.WEBCap.x264-GRP", ("720p", "webrip", "x264", 2020, None, None)),
        ("Film.2020.1080p.REMUX.AVC-GRP", ("1080p", "remux", "x264", 2020, None, None)),
        ("Film.2020.1080p.WEB-DL.REMUX.x264-GRP", ("1080p", "web-dl", "x264", 2020, None, None)),
        ("Film.2020.DVDRemux.MPEG-2-GRP", (None, "dvd", "mpeg-2", 2020, None, None)),
        ("Film.2020.DVD9.MPEG2-GRP", (None, "dvd", "mpeg-2", 2020, None, None)),
        ("Film.2020.DVD-R.MPEG2-GRP", (None, "dvd", "mpeg-2", 2020, None, None)),
        ("Film.2020.DVD.XviD-GRP", (None, "dvd", "xvid", 2020, None, None)),
        ("Show.S01E01.720p.AHDTV.x264-GRP", ("720p", "hdtv", "x264", None, 1, 1)),
        ("Show.S01E01.PDTV.XviD-GRP", (None, "tv", "xvid", None, 1, 1)),
        ("Show.S01E01.DSR.XviD-GRP", (None, "tv", "xvid", None, 1, 1)),
        ("Show.S01E01.SATRip.XviD-GRP", (None, "tv", "xvid", None, 1, 1)),
        ("Fight.2020.PPV.720p.WEB.h264-GRP", ("720p", "tv", "x264", 2020, None, None)),
        ("Film.2020.SCREENER.XviD-GRP", (None, "screener", "xvid", 2020, None, None)),
        ("Film.2020.BDSCR.x264-GRP", (None, "screener", "x264", 2020, None, None)),
        ("Film.2020.SCR.x264-GRP", (None, "screener", "x264", 2020, None, None)),
        ("Film.2020.TELECINE.x264-GRP", (None, "telecine", "x264", 2020, None, None)),
        ("Film.2020.TC.x264-GRP", (None, "telecine", "x264", 2020, None, None)),
        ("Film.2020.HD-TS.x264-GRP", (None, "telesync", "x264", 2020, None, None)),
        ("Film.2020.PDVD.x264-GRP", (None, "telesync", "x264", 2020, None, None)),
        ("Film.2020.CAMRip.x264-GRP", (None, "cam", "x264", 2020, None, None)),
        ("Film.2020.HQCAM.x264-GRP", (None, "cam", "x264", 2020, None, None)),
        ("Film (2020) CAM", (None, "cam", None, 2020, None, None)),
        ("Film.2020.WORKPRINT.XviD-GRP", (None, "cam", "xvid", 2020, None, None)),
        # codecs
        ("Film.2020.1080p.BluRay.H.264-GRP", ("1080p", "bluray", "x264", 2020, None, None)),
        ("Film.2020.1080p.BluRay.h265-GRP", ("1080p", "bluray", "x265", 2020, None, None)),
        ("Film.2020.1080p.BluRay.HEVC.10bit-GRP", ("1080p", "bluray", "x265", 2020, None, None)),
        ("Film.2020.1080p.WEB-DL.AV1-GRP", ("1080p", "web-dl", "av1", 2020, None, None)),
        ("Film.2003.DVDRip.DivX-GRP", (None, "dvd", "xvid", 2003, None, None)),
        ("Film.2008.1080p.BluRay.VC1-GRP", ("1080p", "bluray", "vc-1", 2008, None, None)),
        ("Film.2020.1080p.WEB-DL.DDP5.1.H.264-GRP", ("1080p", "web-dl", "x264", 2020, None, None)),
        # seasons and episodes
        ("Show.S01E02.720p.HDTV.x264-GRP", ("720p", "hdtv", "x264", None, 1, 2)),
        ("Show.s01e02.720p.hdtv.x264-grp", ("720p", "hdtv", "x264", None, 1, 2)),
        ("Show.S01.E02.720p.HDTV.x264-GRP", ("720p", "hdtv", "x264", None, 1, 2)),
        ("Show.S01E02E03.720p.HDTV.x264-GRP", ("720p", "hdtv", "x264", None, 1, 2)),
        ("Show.S01E02-E03.720p.HDTV.x264-GRP", ("720p", "hdtv", "x264", None, 1, 2)),
        ("Show.S01E02-03.720p.HDTV.x264-GRP", ("720p", "hdtv", "x264", None, 1, 2)),
        ("Show.S12E105.720p.HDTV.x264-GRP", ("720p", "hdtv", "x264", None, 12, 105)),
        ("Show.S2024E01.1080p.WEB.h264-GRP", ("1080p", "web-dl", "x264", None, 2024, 1)),
        ("Show.1x02.HDTV.XviD-GRP", (None, "hdtv", "xvid", None, 1, 2)),
        ("Show.10x102.HDTV.XviD-GRP", (None, "hdtv", "xvid", None, 10, 102)),
        ("Show Season 1 1080p BluRay x264", ("1080p", "bluray", "x264", None, 1, None)),
        ("Show.Season.01.Episode.05.720p.WEB", ("720p", "web-dl", None, None, 1, 5)),
        ("Show Seasons 1-3 1080p BluRay x264", ("1080p", "bluray", "x264", None, 1, None)),
        ("Show.S02.Complete.1080p.BluRay.x264", ("1080p", "bluray", "x264", None, 2, None)),
        ("Show.S01-03.1080p.BluRay.x264", ("1080p", "bluray", "x264", None, 1, None)),
        ("Show.E05.1080p.WEB.x264-GRP", ("1080p", "web-dl", "x264", None, None, 5)),
        ("Show Episode 12 720p HDTV", ("720p", "hdtv", None, None, None, 12)),
        ("[Group] Show Name - 12v2 (720p) [ABCDEF12]", ("720p", None, None, None, None, 12)),
        ("Show.2010.S03E04.720p.HDTV.x264-GRP", ("720p", "hdtv", "x264", 2010, 3, 4)),
        # a daily show: the air date gives the year, no season or episode
        (
            "Late.Show.2024.11.05.Guest.720p.WEB.h264-GRP",
            ("720p", "web-dl", "x264", 2024, None, None),
        ),
        # years
        ("Film.1899.720p.BluRay.x264", ("720p", "bluray", "x264", None, None, None)),
        ("Film.1900.720p.BluRay.x264", ("720p", "bluray", "x264", 1900, None, None)),
        ("Film [2019] 1080p WEBRip", ("1080p", "webrip", None, 2019, None, None)),
        ("Film.1080p.BluRay.2019.x264", ("1080p", "bluray", "x264", 2019, None, None)),
        ("Blade Runner 2049 1080p BluRay x264", ("1080p", "bluray", "x264", None, None, None)),
        ("1917.1080p.BluRay.x264-GRP", ("1080p", "bluray", "x264", None, None, None)),
        # weak tags: words of the title before the year, tags after it
        ("Cam.2018.CAM.x264-GRP", (None, "cam", "x264", 2018, None, None)),
        ("The.Web.1080p.WEB.x264-GRP", ("1080p", "web-dl", "x264", None, None, None)),
        ("Film.CAM.x264-GRP", (None, "cam", "x264", None, None, None)),
    ],
)
def test_fields(name: str, expected: Fields) -> None:
    """One rule per name; the values are in our vocabulary."""
    assert _fields(name) == expected


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("The.Matrix.1999.1080p.BluRay.x264-SPARKS", "The Matrix"),
        ("The_Matrix_1999_1080p_BluRay_x264", "The Matrix"),
        ("The Matrix (1999) 1080p BrRip x264 - YIFY", "The Matrix"),
        ("The Matrix [1999] [1080p]", "The Matrix"),
        ("The.Matrix.1999.1080p.BluRay.x264-SPARKS.mkv", "The Matrix"),
        ("[ www.Speed.cd ] -The.Thing.1982.1080p.BluRay.x264", "The Thing"),
        ("www.1TamilMV.example - Film 2024 1080p WEB-DL", "Film"),
        ("[SubsPlease] Frieren - 01 (1080p) [ABCD1234].mkv", "Frieren"),
        ("2001.A.Space.Odyssey.1968.2160p.UHD.BluRay.x265", "2001 A Space Odyssey"),
        ("2001.A.Space.Odyssey.1080p.BluRay.x264", "2001 A Space Odyssey"),
        ("Blade.Runner.2049.2017.2160p.WEB-DL.HEVC-NTG", "Blade Runner 2049"),
        ("Blade Runner 2049 (2017) 1080p BluRay x264", "Blade Runner 2049"),
        ("1917.2019.1080p.WEBRip.x264-RARBG", "1917"),
        ("2012.2009.1080p.BluRay.x264-METiS", "2012"),
        ("Wonder.Woman.1984.2020.2160p.WEB-DL.HEVC", "Wonder Woman 1984"),
        ("Friends.1994-2004.Complete.1080p.BluRay", "Friends"),
        ("Cam.2018.1080p.NF.WEBRip.x264-NTG", "Cam"),
        ("Charlottes.Web.2006.720p.BluRay.x264", "Charlottes Web"),
        ("The.Web.1080p.BluRay.x264-GRP", "The"),  # no year: a weak tag there is a tag
        ("Film.TS.XviD-GRP", "Film"),
        ("Spider-Man.No.Way.Home.2021.1080p.WEBRip", "Spider-Man No Way Home"),
        ("S.W.A.T.2017.S08E01.1080p.WEB.h264-ETHEL", "S.W.A.T."),
        ("Marvels.Agents.of.S.H.I.E.L.D.S07E13.720p.HDTV", "Marvels Agents of S.H.I.E.L.D."),
        ("A.I.Artificial.Intelligence.2001.1080p.BluRay", "A.I. Artificial Intelligence"),
        ("Mr. Robot S01E01 720p WEB-DL", "Mr. Robot"),
        ("Kill Bill Vol. 1 (2003) 1080p BrRip x264 - YIFY", "Kill Bill Vol. 1"),
        ("Tom & Jerry (2021) [720p] [WEBRip] [YTS.MX]", "Tom & Jerry"),
        ("Ocean's.Eleven.2001.720p.BluRay", "Ocean's Eleven"),
        ("Amélie.2001.1080p.BluRay.x264", "Amélie"),
        ("The.Office.US.S03E10.720p.WEB-DL", "The Office US"),
        ("Parasite.KOREAN.1080p.BluRay.x264-GRP", "Parasite"),
        ("Alien.Directors.Cut.1080p.BluRay.x264", "Alien"),
        ("Film.EXTENDED.REMASTERED.1080p.BluRay.x264", "Film"),
        ("Extended.1080p.BluRay.x264", "Extended"),  # the first word always stays
        ("The.French.Connection.1971.1080p.BluRay", "The French Connection"),
        ("Godzilla.x.Kong.The.New.Empire.2024.1080p.WEBRip", "Godzilla x Kong The New Empire"),
        ("The.100.S07E16.1080p.WEB.h264", "The 100"),
        ("1923.S01E01.1080p.WEB-DL", "1923"),
        ("Star.Wars.Episode.IV.A.New.Hope.1977.1080p", "Star Wars Episode IV A New Hope"),
        ("just some words", "just some words"),
    ],
)
def test_title(name: str, title: str) -> None:
    """The title as download_media compares it with TMDB's."""
    assert parse_release(name).title == title


@pytest.mark.parametrize(
    "name",
    ["", " ", "\t\n", "-", "...", "[]", "()", "!?", "1080p", "S01E01", ".mkv", "[www.example.org]"],
)
def test_nothing_to_read(name: str) -> None:
    """Names that say nothing, or only a tag: no title (a title has a letter or digit)."""
    assert parse_release(name).title is None


def test_empty_and_garbage() -> None:
    """Empty and meaningless names give an empty parse; a long name is read in part."""
    assert parse_release("") == ReleaseInfo()
    assert parse_release("   ") == ReleaseInfo()
    assert parse_release("!!!???***") == ReleaseInfo()
    assert _fields("ÄÖÜ 漢字 ☃") == (None, None, None, None, None, None)
    long = "Film.2020.1080p.BluRay.x264-GRP" + "." * 10_000 + "2160p.x265"
    start = time.perf_counter()
    assert _fields(long) == ("1080p", "bluray", "x264", 2020, None, None)
    assert time.perf_counter() - start < 1.0  # bounded input: no pathological backtracking
    assert len("Film.2020.1080p.BluRay.x264-GRP") < MAX_NAME


def test_results_are_cached() -> None:
    """The same name parses once (ranking and download_media ask again)."""
    name = "Cached.Film.2021.1080p.BluRay.x264-GRP"
    assert parse_release(name) is parse_release(name)


@pytest.mark.parametrize(
    ("lines", "resolution"),
    [
        (240, "480p"),
        (360, "480p"),
        (480, "480p"),
        (540, "480p"),
        (576, "576p"),
        (720, "720p"),
        (900, "720p"),
        (1080, "1080p"),
        (1440, "1440p"),
        (2160, "2160p"),
        (4320, "2160p"),
        (1234, None),
        (0, None),
    ],
)
def test_resolution_of_lines(lines: int, resolution: str | None) -> None:
    """A height maps to the highest of ours not above it; SD is 480p; odd numbers are none."""
    assert resolution_of_lines(lines) == resolution


@settings(max_examples=300)
@given(st.text(max_size=200))
def test_never_raises_and_stays_in_vocabulary(name: str) -> None:
    """Any text parses; every value is one of ours."""
    info = parse_release(name)
    assert info.resolution is None or info.resolution in RESOLUTIONS
    assert info.source is None or info.source in SOURCES
    assert info.codec is None or info.codec in CODECS
    assert info.year is None or info.year >= 1900
    assert info.title is None or info.title.strip() == info.title != ""


_TAGS = st.sampled_from(
    ["1080p", "720p", "2160p", "BluRay", "WEB-DL", "WEBRip", "HDTV", "x264", "x265", "HEVC"]
)
_MARKERS = (
    release_name._SOURCE_RE,
    release_name._CODEC_RE,
    release_name._RESOLUTION_RE,
    release_name._TAG_WORD_RE,
    *release_name._EPISODE_RES,
)
_WORDS = st.from_regex(r"[A-Z][a-z]{2,8}", fullmatch=True).filter(
    lambda word: not any(marker.fullmatch(word) for marker in _MARKERS)
)


@given(
    words=st.lists(_WORDS, min_size=1, max_size=5),
    year=st.integers(1920, 2025),
    tags=st.lists(_TAGS, min_size=1, max_size=4),
    sep=st.sampled_from([".", " ", "_"]),
)
def test_title_year_tags(words: list[str], year: int, tags: list[str], sep: str) -> None:
    """``Words.Of.Title.YEAR.tags-GRP``: the words come back as the title, the year as the year."""
    name = sep.join([*words, str(year), *tags]) + "-GRP"
    info = parse_release(name)
    assert info.year == year
    assert info.title == " ".join(words)
    assert info.season is None
    assert info.episode is None
