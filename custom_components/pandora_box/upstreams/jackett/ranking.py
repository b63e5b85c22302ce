"""Release-name parsing and ranking of torrent search results (pure; no Home Assistant).

Used by the ``search_torrents`` action (``actions.py``) and by ``download_media``.

Parsing
    ``parse_release(title) -> ReleaseInfo`` (``release_name.py``, re-exported
    here with the vocabulary ``RESOLUTIONS``, ``SOURCES``, ``CODECS``) reads
    resolution, source, codec, year, season, episode and the title from a
    release name: our own typed parser, standard library only, results cached.
    It replaced ``parse-torrent-title`` (PTN), which ships no ``py.typed`` and
    so kept us off Home Assistant's ``strict-typing`` rule.
    ``benchmarks/release_names.py`` measures it against PTN and guessit in
    one run.  On the 54 names that first chose PTN, ours reads 324/324 of the
    six ranking fields (PTN 319: a bare scene ``WEB`` read as WEBRip, HDRip as
    WEB-DL; guessit 323) and 378/378 with the title (PTN 373, guessit 373).
    On all 100 names (46 hard ones added with our parser: title words that
    are tags, ``Charlottes.Web``, ``Cam.2018``; numbers in titles, ``Blade
    Runner 2049`` with no year, ``Wonder Woman 1984``; packs, ranges, daily
    shows, ``WEB-DLRip``, ``BDRemux``, cams and telesyncs) ours reads 700/700,
    PTN 679 and guessit 681 — ours was written against those, the libraries
    were not.  In a fresh interpreter with the standard modules Home
    Assistant has loaded, ours imports in 7-9 ms (it compiles its expressions
    then, in the executor) and parses its first name in 0.1 ms; PTN imports in
    ~1 ms but spends ~66 ms on its first parse (on the event loop, at the
    first search) and guessit 70 + 120 ms.  Then a parse takes ~30 µs with
    ours, 1.1-1.3 ms with PTN (37-42x) and 6.4-7.3 ms with guessit (215-245x);
    figures of five runs on a shared 2-core machine.

Ranking — how a caller (``download_media``) uses it::

    from .ranking import Preferences, rank_with_rejections

    prefs = Preferences.from_options(jackett_entry.options)   # or Preferences()
    prefs = prefs.prefer_resolution("2160p")                  # the action's `quality`
    outcome = rank_with_rejections(search.results, prefs, category="movies", year=1999)
    if outcome.results:
        best = outcome.results[0]          # RankedResult: .result, .release, .score, .reasons
        url = best.result.magnet_url or best.result.link
    else:
        why = outcome.main_rejection       # e.g. Rejection.TOO_FEW_SEEDERS, or None
        # Rejection.phrase gives "no result with enough seeders" (English, spoken-friendly)

* ``rank(...)`` is the same and returns only the list (best first).
* De-duplication by info hash keeps the copy with the most seeders; results
  without an info hash are never merged.
* Hard limits (``Rejection``) filter results out and are counted in
  ``Ranking.rejected``: too few seeders, too large for the category, a
  resolution outside ``allowed_resolutions``, a rejected source (cam,
  telesync…), a year more than one off the wanted one, a Newznab category
  outside the wanted family, nothing to download (no magnet, no link).
* The score is a sum of documented parts (resolution preference, source,
  codec, seeders on a log scale, year match); ties break on seeders, then
  smaller size, then title, then info hash: the order is deterministic.
* ``RankedResult.reasons`` is a short list of English phrases ("1080p
  (preferred)", "BluRay", "x265", "120 seeders", "year matches", and
  ``DATE_UNKNOWN`` when the publish date is not known).
* Age never scores: a release is not preferred for being new.  Jackett sends
  an unknown publish date as "now" (``ResultPage.cs`` L82); the client turns
  that into ``published=None`` and the ranking says ``DATE_UNKNOWN``, so no
  caller can take such a release for a new one.
* Options keys for the Jackett entry's options flow are the ``OPT_*``
  constants; ``Preferences.from_options``/``to_options`` convert both ways.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
import math
from typing import Any, Literal

from ...api.jackett import TorrentResult
from .release_name import CODECS, RESOLUTIONS, SOURCES, ReleaseInfo, parse_release

# The parser's vocabulary and result are part of this module's interface (callers
# import them from here), so they are named for re-export.
__all__ = [
    "CATEGORY_IDS",
    "CODECS",
    "GIB",
    "OPT_ALLOWED_RESOLUTIONS",
    "OPT_MAX_SIZE_MOVIES_GB",
    "OPT_MAX_SIZE_TV_GB",
    "OPT_MIN_SEEDERS",
    "OPT_PREFERRED_CODECS",
    "OPT_PREFERRED_RESOLUTIONS",
    "OPT_PREFERRED_SOURCES",
    "RESOLUTIONS",
    "SOURCES",
    "Category",
    "Preferences",
    "RankedResult",
    "Ranking",
    "Rejection",
    "ReleaseInfo",
    "dedupe",
    "parse_release",
    "rank",
    "rank_with_rejections",
]

type Category = Literal["movies", "tv"]

GIB = 1024**3

CATEGORY_IDS: Mapping[Category, int] = {"movies": 2000, "tv": 5000}
"""Newznab top-level id of each category; subcategories are id..id+999."""

_SOURCE_LABEL: Mapping[str, str] = {
    "remux": "Remux",
    "bluray": "BluRay",
    "web-dl": "WEB-DL",
    "webrip": "WEBRip",
    "hdtv": "HDTV",
    "dvd": "DVD",
    "tv": "TV rip",
    "screener": "screener",
    "telecine": "telecine",
    "telesync": "telesync",
    "cam": "cam",
}


# -- preferences -----------------------------------------------------------------------

OPT_PREFERRED_RESOLUTIONS = "preferred_resolutions"
OPT_ALLOWED_RESOLUTIONS = "allowed_resolutions"
OPT_MIN_SEEDERS = "min_seeders"
OPT_MAX_SIZE_MOVIES_GB = "max_size_movies_gb"
OPT_MAX_SIZE_TV_GB = "max_size_tv_gb"
OPT_PREFERRED_SOURCES = "preferred_sources"
OPT_PREFERRED_CODECS = "preferred_codecs"
"""Options keys of a Jackett entry (sizes in GiB; 0 means no limit)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Preferences:
    """What the user wants from a release; hard limits filter, the rest scores.

    Resolutions/sources/codecs in the ``preferred_*`` tuples score higher the
    earlier they appear.  ``allowed_resolutions`` is a hard limit (a release
    whose resolution cannot be read passes when ``allow_unknown_resolution``).
    ``rejected_sources`` is a hard limit.  ``max_size_movies``/``max_size_tv``
    are bytes (``None``: no limit), applied by the category asked for (or by
    the result's own Newznab category when the caller asks for all).
    """

    preferred_resolutions: tuple[str, ...] = ("1080p", "2160p", "720p")
    allowed_resolutions: frozenset[str] = frozenset({"2160p", "1080p", "720p"})
    allow_unknown_resolution: bool = True
    min_seeders: int = 1
    max_size_movies: int | None = 30 * GIB
    max_size_tv: int | None = 15 * GIB
    preferred_sources: tuple[str, ...] = ("bluray", "web-dl", "webrip", "remux", "hdtv")
    rejected_sources: frozenset[str] = frozenset({"cam", "telesync", "telecine", "screener"})
    preferred_codecs: tuple[str, ...] = ("x265", "x264", "av1")

    def max_size_for(self, category: Category | None) -> int | None:
        """Return the size limit of ``category`` in bytes (``None``: no limit)."""
        if category == "movies":
            return self.max_size_movies
        if category == "tv":
            return self.max_size_tv
        return None

    def prefer_resolution(self, resolution: str | None) -> Preferences:
        """Return a copy that puts ``resolution`` first and allows it (``quality`` option)."""
        if not resolution or resolution not in RESOLUTIONS:
            return self
        rest = tuple(r for r in self.preferred_resolutions if r != resolution)
        return replace(
            self,
            preferred_resolutions=(resolution, *rest),
            allowed_resolutions=self.allowed_resolutions | {resolution},
        )

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Preferences:
        """Build preferences from a Jackett entry's options (missing keys: defaults)."""
        base = cls()

        def size(key: str, default: int | None) -> int | None:
            if key not in options:
                return default
            gb = float(options[key] or 0)
            return int(gb * GIB) if gb > 0 else None

        def strings(
            key: str, vocabulary: Sequence[str], default: tuple[str, ...]
        ) -> tuple[str, ...]:
            if key not in options:
                return default
            return tuple(v for v in dict.fromkeys(options[key] or ()) if v in vocabulary)

        return cls(
            preferred_resolutions=strings(
                OPT_PREFERRED_RESOLUTIONS, RESOLUTIONS, base.preferred_resolutions
            ),
            allowed_resolutions=frozenset(
                strings(OPT_ALLOWED_RESOLUTIONS, RESOLUTIONS, tuple(base.allowed_resolutions))
            ),
            min_seeders=max(int(options.get(OPT_MIN_SEEDERS, base.min_seeders)), 0),
            max_size_movies=size(OPT_MAX_SIZE_MOVIES_GB, base.max_size_movies),
            max_size_tv=size(OPT_MAX_SIZE_TV_GB, base.max_size_tv),
            preferred_sources=strings(OPT_PREFERRED_SOURCES, SOURCES, base.preferred_sources),
            preferred_codecs=strings(OPT_PREFERRED_CODECS, CODECS, base.preferred_codecs),
        )

    def to_options(self) -> dict[str, Any]:
        """Return the options-flow form of these preferences (JSON-safe)."""
        return {
            OPT_PREFERRED_RESOLUTIONS: list(self.preferred_resolutions),
            OPT_ALLOWED_RESOLUTIONS: [r for r in RESOLUTIONS if r in self.allowed_resolutions],
            OPT_MIN_SEEDERS: self.min_seeders,
            OPT_MAX_SIZE_MOVIES_GB: (self.max_size_movies or 0) / GIB,
            OPT_MAX_SIZE_TV_GB: (self.max_size_tv or 0) / GIB,
            OPT_PREFERRED_SOURCES: list(self.preferred_sources),
            OPT_PREFERRED_CODECS: list(self.preferred_codecs),
        }


# -- ranking ---------------------------------------------------------------------------


class Rejection(StrEnum):
    """Why a result was filtered out (in order of precedence when several apply)."""

    NO_DOWNLOAD = "no_download"
    WRONG_CATEGORY = "wrong_category"
    WRONG_YEAR = "wrong_year"
    REJECTED_SOURCE = "rejected_source"
    RESOLUTION_NOT_ALLOWED = "resolution_not_allowed"
    TOO_LARGE = "too_large"
    TOO_FEW_SEEDERS = "too_few_seeders"

    @property
    def phrase(self) -> str:
        """An English phrase that reads well when spoken ("no result with …")."""
        return _PHRASES[self]


_PHRASES: Mapping[Rejection, str] = {
    Rejection.NO_DOWNLOAD: "no result with a magnet or download link",
    Rejection.WRONG_CATEGORY: "no result in the right category",
    Rejection.WRONG_YEAR: "no result from the right year",
    Rejection.REJECTED_SOURCE: "only cam or screener copies",
    Rejection.RESOLUTION_NOT_ALLOWED: "no result in an allowed resolution",
    Rejection.TOO_LARGE: "no result small enough",
    Rejection.TOO_FEW_SEEDERS: "no result with enough seeders",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class RankedResult:
    """One result that passed the hard limits, with its parse, score and reasons."""

    result: TorrentResult
    release: ReleaseInfo
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Ranking:
    """The outcome of ranking: the results best first and what was filtered out."""

    results: list[RankedResult]
    rejected: Mapping[Rejection, int] = field(default_factory=dict)
    """How many (de-duplicated) results each hard limit removed."""
    duplicates: int = 0
    """Results dropped as copies of another with the same info hash."""

    @property
    def main_rejection(self) -> Rejection | None:
        """The most common reason results were removed (ties: the earlier ``Rejection``)."""
        if not self.rejected:
            return None
        order = list(Rejection)
        return max(self.rejected, key=lambda r: (self.rejected[r], -order.index(r)))


# Score weights: resolution dominates, then source, then codec; seeders add a
# log-scaled amount so 1000 seeders do not beat a better resolution.
_W_RESOLUTION = 100.0
_W_SOURCE = 30.0
_W_CODEC = 10.0
_W_SEEDERS = 8.0
_W_YEAR = 5.0

DATE_UNKNOWN = "date unknown"
"""The reason of a result whose publish date Jackett did not know (``published`` None)."""


def _category_of(result: TorrentResult) -> Category | None:
    """Return the category family of a result's Newznab categories, if any."""
    for cat in result.categories:
        for name, base in CATEGORY_IDS.items():
            if base <= cat < base + 1000:
                return name
    return None


def _preference_points(value: str | None, preferred: Sequence[str], weight: float) -> float:
    """Return points for ``value`` by its place in ``preferred`` (first = ``weight``)."""
    if value is None or value not in preferred:
        return 0.0
    return weight * (len(preferred) - preferred.index(value)) / len(preferred)


def dedupe(results: Iterable[TorrentResult]) -> tuple[list[TorrentResult], int]:
    """Keep one result per info hash (the best seeded, then the first); count the rest."""
    kept: list[TorrentResult] = []
    index: dict[str, int] = {}
    dropped = 0
    for result in results:
        key = result.info_hash
        if key is None:
            kept.append(result)
            continue
        if key in index:
            dropped += 1
            current = kept[index[key]]
            if (result.seeders or 0) > (current.seeders or 0):
                kept[index[key]] = result
            continue
        index[key] = len(kept)
        kept.append(result)
    return kept, dropped


def _rejection(
    result: TorrentResult,
    release: ReleaseInfo,
    prefs: Preferences,
    category: Category | None,
    year: int | None,
) -> Rejection | None:
    """Return the first hard limit ``result`` fails, or ``None``."""
    if not result.magnet_url and not result.link:
        return Rejection.NO_DOWNLOAD
    own = _category_of(result)
    if category is not None and own is not None and own != category:
        return Rejection.WRONG_CATEGORY
    if year is not None and release.year is not None and abs(release.year - year) > 1:
        return Rejection.WRONG_YEAR
    if release.source in prefs.rejected_sources:
        return Rejection.REJECTED_SOURCE
    if release.resolution is None:
        if not prefs.allow_unknown_resolution:
            return Rejection.RESOLUTION_NOT_ALLOWED
    elif release.resolution not in prefs.allowed_resolutions:
        return Rejection.RESOLUTION_NOT_ALLOWED
    limit = prefs.max_size_for(category or own)
    if limit is not None and result.size is not None and result.size > limit:
        return Rejection.TOO_LARGE
    if (result.seeders or 0) < prefs.min_seeders:
        return Rejection.TOO_FEW_SEEDERS
    return None


def _score(
    result: TorrentResult, release: ReleaseInfo, prefs: Preferences, year: int | None
) -> tuple[float, tuple[str, ...]]:
    """Return the score of an accepted result and the reasons for it."""
    reasons: list[str] = []
    score = 0.0
    if release.resolution is not None:
        points = _preference_points(release.resolution, prefs.preferred_resolutions, _W_RESOLUTION)
        score += points
        first = prefs.preferred_resolutions[:1] == (release.resolution,)
        reasons.append(f"{release.resolution} (preferred)" if first else release.resolution)
    if release.source is not None:
        score += _preference_points(release.source, prefs.preferred_sources, _W_SOURCE)
        reasons.append(_SOURCE_LABEL[release.source])
    if release.codec is not None:
        score += _preference_points(release.codec, prefs.preferred_codecs, _W_CODEC)
        reasons.append(release.codec)
    seeders = result.seeders or 0
    score += _W_SEEDERS * math.log10(1 + seeders)
    reasons.append("1 seeder" if seeders == 1 else f"{seeders} seeders")
    if year is not None and release.year == year:
        score += _W_YEAR
        reasons.append("year matches")
    if result.published is None:
        reasons.append(DATE_UNKNOWN)  # no points either way: age is never scored
    return round(score, 3), tuple(reasons)


def rank_with_rejections(
    results: Sequence[TorrentResult],
    prefs: Preferences,
    *,
    category: Category | None = None,
    year: int | None = None,
) -> Ranking:
    """De-duplicate, filter by the hard limits, score and sort ``results`` (best first).

    ``category`` (``movies``/``tv``/``None`` for all) drops results whose own
    Newznab category is of the other family and picks the size limit;
    ``year`` drops releases more than a year off and rewards an exact match.
    """
    unique, duplicates = dedupe(results)
    rejected: Counter[Rejection] = Counter()
    ranked: list[RankedResult] = []
    for result in unique:
        release = parse_release(result.title)
        why = _rejection(result, release, prefs, category, year)
        if why is not None:
            rejected[why] += 1
            continue
        score, reasons = _score(result, release, prefs, year)
        ranked.append(RankedResult(result=result, release=release, score=score, reasons=reasons))
    ranked.sort(
        key=lambda r: (
            -r.score,
            -(r.result.seeders or 0),
            r.result.size if r.result.size is not None else math.inf,
            r.result.title,
            r.result.info_hash or "",
        )
    )
    return Ranking(results=ranked, rejected=dict(rejected), duplicates=duplicates)


def rank(
    results: Sequence[TorrentResult],
    prefs: Preferences,
    *,
    category: Category | None = None,
    year: int | None = None,
) -> list[RankedResult]:
    """Return the ranked results only (see ``rank_with_rejections``)."""
    return rank_with_rejections(results, prefs, category=category, year=year).results
