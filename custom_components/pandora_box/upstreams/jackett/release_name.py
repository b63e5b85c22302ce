"""Release-name parser: what a torrent's name says about its picture (pure; standard library only).

``parse_release("The.Matrix.1999.1080p.BluRay.x264-SPARKS")`` gives
``ReleaseInfo(resolution="1080p", source="bluray", codec="x264", year=1999,
title="The Matrix")``: the fields ``ranking.py`` scores and filters on, in our
vocabulary (``RESOLUTIONS``, ``SOURCES``, ``CODECS``), and the title that
``download_media`` compares with TMDB's.

Why our own
    This replaced ``parse-torrent-title`` (PTN), which ships no ``py.typed``
    and so kept the integration off Home Assistant's ``strict-typing`` rule.
    ``benchmarks/release_names.py`` measures it against PTN and ``guessit``
    on the same names; the figures are in ``ranking.py``'s docstring.

How a name is read
    Markers are found with precompiled expressions, each bounded by
    non-alphanumerics (``x264`` in ``.x264-GRP``, never inside a word):
    season/episode forms (``S01E02``, ``S01E02E03``, ``S01E02-E03``,
    ``1x02``, ``Season 1``, ``Season 1 Episode 2``, ``S01``/``S01-S05``
    packs, ``Episode 4``, ``E04``, anime ``Title - 01 [..]``), an air date
    (``2024.03.14``: daily shows), resolutions (``1080p``, ``1080i``,
    ``1920x1080``, ``4K``, ``UHD``), sources and codecs.  The title is
    everything before the first of them or the year, cleaned (dots and
    underscores to spaces, ``S.H.I.E.L.D``-style initials rejoined, dangling
    brackets and dashes dropped); language and edition words left at its end
    (``KOREAN``, ``REMASTERED``, ``Directors Cut``) are peeled off.

Rules that settle the hard cases
    * The year is the last plausible year (1900 to next year; a
      ``1994-2004`` range gives its first) standing before the other markers,
      never the name's first word: ``2001.A.Space.Odyssey.1968`` is 1968,
      ``1917.2019`` is 2019 and ``Blade Runner 2049 (2017)`` is 2017, while
      ``Blade.Runner.2049.1080p`` has no year.  With none there, the first one
      after them counts (but does not cut the title).
    * Tags that are also plain words — a bare ``WEB``, ``CAM``, ``TS``,
      ``TC``, ``SCR``, ``DVD``, ``WP``, ``DDC`` — count only after the title:
      ``Charlottes.Web.2006.720p.BluRay`` is a Blu-ray, ``Cam.2018.WEBRip`` a
      WEBRip.  Where such a tag ends the words before a resolution or codec
      and no year or episode came first (``Film.TS.XviD``), it is peeled off
      the title and counts.
    * A bare scene ``WEB`` is an untouched stream (WEB-DL); ``WEB-DLRip``,
      ``HDRip``, ``WEBCap`` are re-encodes (WEBRip).  ``REMUX`` makes a
      Blu-ray (or a name without another source) a remux.  ``HD-DVD`` counts
      as Blu-ray, ``PDTV``/``SDTV``/``DSR``/``SATRip``/``PPV`` as a TV rip.
    * A resolution between two of ours is the lower one (``900p`` is 720p,
      ``4320p``/``8K`` is 2160p); anything below 480 lines is ``480p`` (SD);
      an explicit line count wins over ``4K``/``UHD``; ``1080i`` is 1080p.
    * ``x264``/``H.264``/``H 264``/``AVC`` are x264, ``x265``/``H.265``/
      ``HEVC`` x265; DivX counts as XviD (both MPEG-4 Part 2).
    * The first source and the first codec in the name win.

It never raises: any string gives a ``ReleaseInfo`` (all ``None`` when the
name says nothing).  Names are read up to ``MAX_NAME`` characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
import re
import time

RESOLUTIONS: tuple[str, ...] = ("2160p", "1440p", "1080p", "720p", "576p", "480p")
"""Our resolution vocabulary, best first."""

SOURCES: tuple[str, ...] = (
    "remux",
    "bluray",
    "web-dl",
    "webrip",
    "hdtv",
    "dvd",
    "tv",
    "screener",
    "telecine",
    "telesync",
    "cam",
)
"""Our source vocabulary, best first (``remux`` is an untouched Blu-ray)."""

CODECS: tuple[str, ...] = ("av1", "x265", "x264", "vc-1", "mpeg-2", "xvid")
"""Our video-codec vocabulary."""

MAX_NAME = 400
"""Longer names are read up to this many characters (indexers list far shorter ones)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseInfo:
    """What a release name says (every field ``None`` when the name does not say)."""

    resolution: str | None = None
    """One of ``RESOLUTIONS``."""
    source: str | None = None
    """One of ``SOURCES``."""
    codec: str | None = None
    """One of ``CODECS``."""
    year: int | None = None
    season: int | None = None
    """First season of the release (packs of several seasons give the first)."""
    episode: int | None = None
    """First episode; ``None`` for a season pack or a movie."""
    title: str | None = None
    """The cleaned title (``The Matrix``)."""


_FLAGS = re.IGNORECASE | re.ASCII
_L = r"(?<![a-z0-9])"
"""Left boundary: the marker does not continue a word or number."""
_R = r"(?![a-z0-9])"
_S = r"[ ._-]?"
"""An optional separator inside a tag (``WEB-DL``, ``WEB.DL``, ``WEBDL``)."""


def _union(alternatives: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    """One bounded expression of named alternatives, tried in order (longest forms first)."""
    body = "|".join(f"(?P<{name}>{pattern})" for name, pattern in alternatives)
    return re.compile(f"{_L}(?:{body}){_R}", _FLAGS)


# -- sources ---------------------------------------------------------------------------

# (group name, pattern, source, weak): a weak tag is also a plain word and only
# counts after the title.  Earlier alternatives win at the same position.
_SOURCE_TABLE: tuple[tuple[str, str, str, bool], ...] = (
    ("web_dl_rip", f"web{_S}dl{_S}rip", "webrip", False),
    ("web_dl", f"web{_S}dl", "web-dl", False),
    ("web_rip", f"web{_S}rip", "webrip", False),
    ("web_cap", f"web{_S}cap", "webrip", False),
    ("web_scr", f"web{_S}scr", "screener", False),
    ("web", "web", "web-dl", True),
    ("vod_rip", f"vod{_S}rip", "webrip", False),
    ("hd_rip", f"hd{_S}rip", "webrip", False),
    ("bd_remux", f"(?:bd{_S})?remux", "remux", False),
    ("bluray", f"blu{_S}ray(?:{_S}rip)?", "bluray", False),
    ("bd_rip", f"b[dr]{_S}rip", "bluray", False),
    ("bd_disc", "bd(?:25|50|66|100|mv|iso)", "bluray", False),
    ("bd_scr", f"bd{_S}scr", "screener", False),
    ("hd_dvd", f"hd{_S}dvd(?:{_S}rip)?", "bluray", False),
    ("hdtv", f"[au]?hdtv(?:{_S}rip)?", "hdtv", False),
    (
        "tv_rip",
        f"[ps]dtv|ds{_S}rip|dsr|tv{_S}rip|sat{_S}rip|dvb{_S}rip|ppv(?:{_S}rip)?",
        "tv",
        False,
    ),
    ("dvd_scr", f"dvd{_S}scr(?:eener)?", "screener", False),
    ("dvd_rip", f"dvd{_S}rip|dvd{_S}remux|dvd(?:{_S}r|5|9)", "dvd", False),
    ("dvd", "dvd", "dvd", True),
    ("screener", "screener", "screener", False),
    ("scr", "scr|ddc", "screener", True),
    ("telecine", f"telecine|hd{_S}tc", "telecine", False),
    ("tc", "tc", "telecine", True),
    (
        "telesync",
        f"telesync|hd{_S}ts(?:{_S}rip)?|ts{_S}rip|pre{_S}dvd(?:{_S}rip)?|pdvd",
        "telesync",
        False,
    ),
    ("ts", "ts", "telesync", True),
    ("cam_rip", f"h[dq]{_S}cam(?:{_S}rip)?|cam{_S}rip|workprint", "cam", False),
    ("cam", "cam|wp", "cam", True),
)
_SOURCE_RE = _union(tuple((name, pattern) for name, pattern, _, _ in _SOURCE_TABLE))
_SOURCE_OF: dict[str, tuple[str, bool]] = {
    name: (source, weak) for name, _, source, weak in _SOURCE_TABLE
}

# -- codecs and resolutions ------------------------------------------------------------

_CODEC_TABLE: tuple[tuple[str, str, str], ...] = (
    ("x265", f"[xh]{_S}265|hevc", "x265"),
    ("x264", f"[xh]{_S}264|avc", "x264"),
    ("av1", "av1", "av1"),
    ("xvid", "xvid|divx", "xvid"),
    ("vc1", f"vc{_S}1", "vc-1"),
    ("mpeg2", f"mpeg{_S}2", "mpeg-2"),
)
_CODEC_RE = _union(tuple((name, pattern) for name, pattern, _ in _CODEC_TABLE))
_CODEC_OF: dict[str, str] = {name: codec for name, _, codec in _CODEC_TABLE}

_RESOLUTION_RE = _union(
    (
        ("lines", r"(?P<lines_n>\d{3,4})[pi]"),
        ("size", r"\d{3,4}x(?P<size_n>\d{3,4})"),
        ("uhd", "4k|uhd|8k"),
        ("fhd", "fhd|2k"),
        ("qhd", "qhd"),
    )
)
_NAMED_LINES: dict[str, int] = {"uhd": 2160, "fhd": 1080, "qhd": 1440}
_KNOWN_LINES = frozenset({240, 288, 360, 480, 540, 576, 720, 900, 1080, 1440, 2160, 4320})

# -- seasons, episodes, dates, years ---------------------------------------------------

# In order of trust: the first that matches gives season and episode.
_EPISODE_RES: tuple[re.Pattern[str], ...] = (
    # S01E02, S01.E02, S01E02E03, S01E02-E03, S2024E01
    re.compile(rf"{_L}s(?P<season>\d{{1,4}}){_S}e(?P<episode>\d{{1,4}})(?!\d)", _FLAGS),
    # 1x02 (not x264/x265)
    re.compile(rf"{_L}(?P<season>\d{{1,2}})x(?!26[45](?!\d))(?P<episode>\d{{2,3}}){_R}", _FLAGS),
    # Season 1 Episode 2, Season 1, Seasons 1-3
    re.compile(
        rf"{_L}seasons?{_S}(?P<season>\d{{1,2}})"
        rf"(?:{_S}(?:episode|ep){_S}(?P<episode>\d{{1,3}}))?(?!\d)",
        _FLAGS,
    ),
    # S01, S01-S05, S01-05 (packs)
    re.compile(rf"{_L}s(?P<season>\d{{1,2}})(?:{_S}-{_S}s?\d{{1,2}})?{_R}", _FLAGS),
    # Episode 4, Ep 4, E04
    re.compile(
        rf"{_L}(?:episode|ep){_S}(?P<episode>\d{{1,3}}){_R}|{_L}e(?P<episode2>\d{{2,3}}){_R}",
        _FLAGS,
    ),
    # anime: "Title - 01 [1080p]", "Title - 12v2 (720p)"
    re.compile(r"\s-\s(?P<episode>\d{1,3})(?:v\d)?(?=\s*(?:[\[(]|$))", _FLAGS),
)
_DATE_RE = re.compile(
    rf"{_L}(?P<year>(?:19|20)\d\d)[ ._-](?:0[1-9]|1[0-2])[ ._-](?:0[1-9]|[12]\d|3[01]){_R}", _FLAGS
)
_YEAR_RE = re.compile(rf"{_L}(?P<year>(?:19|20)\d\d)(?:[-\u2013](?:19|20)\d\d)?{_R}", _FLAGS)
_FIRST_YEAR = 1900
_LAST_YEAR = time.gmtime().tm_year + 1
"""Films are announced a year ahead; ``2049`` is a title word until then."""

# -- the title -------------------------------------------------------------------------

_EXTENSION_RE = re.compile(
    r"\.(?:mkv|mp4|avi|m4v|wmv|mov|webm|mpe?g|m2ts|iso|torrent)\s*$", re.IGNORECASE
)
_PREFIX_RE = re.compile(
    r"^\s*(?:\[\s*)?www\.[^\s\]]+(?:\s*\])?\s*[-:]?\s*"  # [ www.site.org ] - Title
    r"|^\s*\[[^\]]{1,40}\]\s*(?=\S)",  # [SubsPlease] Title - 01
    re.IGNORECASE,
)
_TOKEN_RE = re.compile(r"[^\s._\-\[\](){}]+")
_INITIALS_RE = re.compile(r"(?<![^\s(])(?:[A-Za-z] )+[A-Za-z](?![^\s)])")
_UNWRAP_RE = re.compile(r"^[\s\-\u2013:.,)\]}]+|[\s\-\u2013:.,(\[{]+$")
_SPACES_RE = re.compile(r"\s+")

# Words that name a language or an edition, not the work: peeled off a title's end.
_TAG_WORD_RE = re.compile(
    "english|(?:true)?french|german|italian|spanish|castellano|latino|portuguese|russian"
    "|japanese|korean|chinese|mandarin|cantonese|hindi|tamil|telugu|swedish|norwegian"
    "|danish|finnish|dutch|polish|czech|hungarian|turkish|arabic|hebrew|thai|nordic"
    "|multi(?:subs)?|dual|dubbed|subbed|vostfr|eng|ita|ger|fre|spa|rus"
    "|remaster(?:ed)?|extended|unrated|uncut|theatrical|imax|criterion|proper|repack|rerip"
    "|internal|limited|readnfo|complete|hybrid|hdr(?:10)?|dv|dovi|10bit|8bit|festival",
    re.IGNORECASE,
)
_CUT_WORDS = frozenset(("directors", "director's", "dc", "final", "extended", "theatrical"))
_WEAK_WORDS = frozenset(("web", "cam", "ts", "tc", "scr", "dvd", "wp", "ddc"))
"""The weak source tags of ``_SOURCE_TABLE`` as words."""


type _Episode = tuple[int, int | None, int | None]
"""Where the season/episode markers start, and the season and episode they say."""


def _episode(name: str) -> _Episode | None:
    """Read season and episode: the first form of ``_EPISODE_RES`` that matches says them.

    The earliest match of any form is where the title ends.
    """
    matches = [m for m in (pattern.search(name) for pattern in _EPISODE_RES) if m is not None]
    if not matches:
        return None
    groups = matches[0].groupdict()
    season = groups.get("season")
    episode = groups.get("episode") or groups.get("episode2")
    return (
        min(m.start() for m in matches),
        int(season) if season else None,
        int(episode) if episode else None,
    )


def resolution_of_lines(lines: int) -> str | None:
    """Map a picture height onto ``RESOLUTIONS`` (the highest not above it; SD is 480p).

    ``None`` for a number that is no usual height (``1234``).
    """
    if lines not in _KNOWN_LINES:
        return None
    for resolution in RESOLUTIONS:
        if lines >= int(resolution[:-1]):
            return resolution
    return "480p"


def _resolution(name: str) -> tuple[int, str | None]:
    """Return where the first resolution marker starts and the resolution it gives."""
    start = len(name)
    explicit: str | None = None
    named: str | None = None
    for match in _RESOLUTION_RE.finditer(name):
        group = match.lastgroup
        if group in ("lines", "size"):
            number = match.group("lines_n") or match.group("size_n")
            value = resolution_of_lines(int(number))
            if value is None:
                continue
            start = min(start, match.start())
            if explicit is None:
                explicit = value
        elif group is not None:
            start = min(start, match.start())
            if named is None:
                named = resolution_of_lines(_NAMED_LINES[group])
    return start, explicit or named


def _codec(name: str) -> tuple[int, str | None]:
    """Return where the first codec marker starts and the codec it names."""
    match = _CODEC_RE.search(name)
    if match is None or match.lastgroup is None:
        return len(name), None
    return match.start(), _CODEC_OF[match.lastgroup]


def _year(name: str, before: int) -> tuple[int, int | None]:
    """Return where the year stands (``before`` when it does not cut the title) and the year."""
    chosen: tuple[int, int] | None = None
    later: int | None = None
    for match in _YEAR_RE.finditer(name):
        year = int(match.group("year"))
        if not _FIRST_YEAR <= year <= _LAST_YEAR:
            continue
        if match.start() >= before:
            if later is None:
                later = year
            continue
        if _TOKEN_RE.search(name, 0, match.start()) is not None:  # not the first word
            chosen = (match.start(), year)
    if chosen is not None:
        return chosen
    return before, later


def _peel(name: str, end: int, *, weak_sources: bool) -> int:
    """Move ``end`` back over language/edition words (and weak source tags) ending the title.

    The first word always stays: ``Cam.2018`` is a film called Cam.
    """
    tokens = [(m.start(), m.group().lower()) for m in _TOKEN_RE.finditer(name, 0, end)]
    while len(tokens) > 1:
        word = tokens[-1][1]
        if _TAG_WORD_RE.fullmatch(word) or (weak_sources and word in _WEAK_WORDS):
            end = tokens.pop()[0]
        elif word == "cut" and len(tokens) > 2 and tokens[-2][1] in _CUT_WORDS:
            tokens.pop()
            end = tokens.pop()[0]
        else:
            break
    return end


def _clean_title(raw: str) -> str | None:
    """Dots/underscores to spaces, initials rejoined, dangling punctuation dropped.

    ``None`` when no letter or digit is left.
    """
    text = raw.replace("_", " ")
    if " " not in text.strip():
        text = text.replace(".", " ")
    text = _SPACES_RE.sub(" ", text)
    text = _UNWRAP_RE.sub("", text)
    text = _INITIALS_RE.sub(lambda m: m.group().replace(" ", ".") + ".", text)
    return text if any(char.isalnum() for char in text) else None


type _SourceTag = tuple[int, str, bool]
"""A source tag found in a name: where it starts, the source, whether it is weak."""


def _source_tags(name: str) -> list[_SourceTag]:
    """Return the source tags of ``name`` in order."""
    return [
        (match.start(), *_SOURCE_OF[match.lastgroup])
        for match in _SOURCE_RE.finditer(name)
        if match.lastgroup is not None
    ]


def _source(tags: list[_SourceTag], title_end: int) -> str | None:
    """Return the first source (weak tags only after the title), remux applied."""
    counted = [source for start, source, weak in tags if not weak or start >= title_end]
    source = next((s for s in counted if s != "remux"), None)
    if "remux" in counted and source in (None, "bluray"):
        return "remux"
    return source


@lru_cache(maxsize=4096)
def parse_release(title: str) -> ReleaseInfo:
    """Parse a release name (``The.Matrix.1999.1080p.BluRay.x264-SPARKS``)."""
    name = _EXTENSION_RE.sub("", title[:MAX_NAME])
    name = _PREFIX_RE.sub("", name, count=1)
    if not name.strip():
        return ReleaseInfo()
    end = len(name)
    episode = _episode(name)
    date = _DATE_RE.search(name)
    res_start, resolution = _resolution(name)
    codec_start, codec = _codec(name)
    tags = _source_tags(name)
    tag_start = min(res_start, codec_start, next((at for at, _, weak in tags if not weak), end))
    told_start = min(episode[0] if episode else end, date.start() if date else end)
    year_start, year = _year(name, min(tag_start, told_start))
    if year is None and date is not None:
        year = int(date.group("year"))
    title_end = min(tag_start, told_start, year_start)
    # Weak source tags ending the words before a resolution, codec or source are tags
    # (``Film.TS.XviD``); before a year, date or episode they are the title's own
    # (``The.Web.2019``).
    title_end = _peel(name, title_end, weak_sources=tag_start <= min(told_start, year_start))
    return ReleaseInfo(
        resolution=resolution,
        source=_source(tags, title_end),
        codec=codec,
        year=year,
        season=episode[1] if episode else None,
        episode=episode[2] if episode else None,
        title=_clean_title(name[:title_end]),
    )
