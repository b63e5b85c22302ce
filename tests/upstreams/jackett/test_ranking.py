"""Release-name parsing and ranking (pure; no Home Assistant)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from custom_components.pandora_box.api.jackett import TorrentResult
from custom_components.pandora_box.upstreams.jackett.ranking import (
    DATE_UNKNOWN,
    GIB,
    Preferences,
    Rejection,
    ReleaseInfo,
    parse_release,
    rank,
    rank_with_rejections,
)


def _result(title: str, **kw: Any) -> TorrentResult:
    """A search result with sensible defaults."""
    values: dict[str, Any] = {
        "title": title,
        "indexer": "1337x",
        "indexer_id": "1337x",
        "size": 2 * GIB,
        "seeders": 50,
        "leechers": 5,
        "magnet_url": "magnet:?xt=urn:btih:" + "b" * 40,
        "link": None,
        "info_hash": None,
        "categories": (2040,),
        "published": None,
        "imdb_id": None,
        "tmdb_id": None,
        "details_url": None,
        "guid": None,
    }
    values.update(kw)
    return TorrentResult(**values)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "The.Matrix.1999.1080p.BluRay.x264-SPARKS",
            ("1080p", "bluray", "x264", 1999, None, None),
        ),
        (
            "Oppenheimer.2023.REMUX.2160p.UHD.BluRay.HEVC.TrueHD.Atmos-FGT",
            ("2160p", "remux", "x265", 2023, None, None),
        ),
        (
            "Dune.Part.Two.2024.2160p.WEB-DL.DDP5.1.Atmos.DV.HDR.H.265-FLUX",
            ("2160p", "web-dl", "x265", 2024, None, None),
        ),
        ("Breaking.Bad.S05E14.720p.HDTV.x264-IMMERSE", ("720p", "hdtv", "x264", None, 5, 14)),
        (
            "The Office US S03 1080p AMZN WEB-DL DDP5.1 H 264-NTb",
            ("1080p", "web-dl", "x264", None, 3, None),
        ),
        ("Barbie.2023.HDTS.XviD-EVO", (None, "telesync", "xvid", 2023, None, None)),
        ("Oppenheimer.2023.HDCAM.x264-NoGroup", (None, "cam", "x264", 2023, None, None)),
        ("Lost.1x05.White.Rabbit.HDTV.XviD-LOL", (None, "hdtv", "xvid", None, 1, 5)),
        ("Movie.Title.2021.1080i.HDTV.MPEG2-GRP", ("1080p", "hdtv", "mpeg-2", 2021, None, None)),
        (
            "The Matrix (1999) [2160p] [BluRay] [5.1] [YTS.MX]",
            ("2160p", "bluray", None, 1999, None, None),
        ),
        ("Avatar.2022.2160p.AV1.WEB-DL-GRP", ("2160p", "web-dl", "av1", 2022, None, None)),
        ("just some words", (None, None, None, None, None, None)),
        ("", (None, None, None, None, None, None)),
    ],
)
def test_parse_release(title: str, expected: tuple[Any, ...]) -> None:
    """Resolution, source, codec, year, season and episode in our vocabulary."""
    info = parse_release(title)
    got = (info.resolution, info.source, info.codec, info.year, info.season, info.episode)
    assert got == expected


def test_parse_release_reads_the_title() -> None:
    """The cleaned title comes along (download_media compares it with TMDB's)."""
    assert parse_release("The.Matrix.1999.1080p.BluRay.x264-SPARKS").title == "The Matrix"


def test_rank_orders_by_preference_then_seeders() -> None:
    """Preferred resolution first; then source; more seeders break ties; ordering is stable."""
    results = [
        _result("Film.2020.720p.BluRay.x264-A", seeders=900),
        _result("Film.2020.1080p.WEBRip.x264-B", seeders=40),
        _result("Film.2020.1080p.BluRay.x264-C", seeders=40),
        _result("Film.2020.2160p.BluRay.x265-D", seeders=40),
        _result("Film.2020.1080p.BluRay.x264-E", seeders=80),
    ]
    titles = [r.result.title for r in rank(results, Preferences(), category="movies")]
    assert titles == [
        "Film.2020.1080p.BluRay.x264-E",
        "Film.2020.1080p.BluRay.x264-C",
        "Film.2020.1080p.WEBRip.x264-B",
        "Film.2020.2160p.BluRay.x265-D",
        "Film.2020.720p.BluRay.x264-A",
    ]
    again = [r.result.title for r in rank(list(reversed(results)), Preferences())]
    assert again == titles


def test_prefer_resolution_puts_it_first() -> None:
    """``quality`` of download_media: the asked resolution wins and is allowed."""
    prefs = Preferences(allowed_resolutions=frozenset({"1080p"})).prefer_resolution("2160p")
    assert prefs.preferred_resolutions[0] == "2160p"
    results = [_result("Film.2020.1080p.BluRay.x264-A"), _result("Film.2020.2160p.WEB-DL.x265-B")]
    assert rank(results, prefs)[0].result.title == "Film.2020.2160p.WEB-DL.x265-B"
    assert Preferences().prefer_resolution("banana") == Preferences()


def test_reasons_and_score() -> None:
    """Reasons name what counted; the year match adds to the score."""
    result = _result(
        "Film.2020.1080p.BluRay.x265-A", seeders=1, published=datetime(2024, 5, 1, tzinfo=UTC)
    )
    ranked = rank([result], Preferences(), year=2020)[0]
    assert ranked.reasons == ("1080p (preferred)", "BluRay", "x265", "1 seeder", "year matches")
    assert ranked.release == parse_release(result.title)
    plain = rank([result], Preferences())[0]
    assert ranked.score > plain.score
    assert "year matches" not in plain.reasons


def test_dedupe_keeps_the_best_seeded_copy() -> None:
    """Same info hash on two indexers: one result, the one with more seeders."""
    h = "a" * 40
    results = [
        _result("Film.2020.1080p.BluRay.x264-A", info_hash=h, seeders=10, indexer="one"),
        _result("Film.2020.1080p.BluRay.x264-A", info_hash=h, seeders=30, indexer="two"),
        _result("Film.2020.1080p.BluRay.x264-A", info_hash=h, seeders=20, indexer="three"),
        _result("Film.2020.1080p.BluRay.x264-B", info_hash=None),
        _result("Film.2020.1080p.BluRay.x264-B", info_hash=None),
    ]
    ranking = rank_with_rejections(results, Preferences())
    assert ranking.duplicates == 2
    assert [r.result.indexer for r in ranking.results if r.result.info_hash == h] == ["two"]
    assert len(ranking.results) == 3  # results without a hash are never merged


@pytest.mark.parametrize(
    ("result", "kwargs", "rejection"),
    [
        (_result("Film.2020.1080p.BluRay.x264-A", seeders=0), {}, Rejection.TOO_FEW_SEEDERS),
        (_result("Film.2020.1080p.BluRay.x264-A", seeders=None), {}, Rejection.TOO_FEW_SEEDERS),
        (
            _result("Film.2020.1080p.BluRay.x264-A", size=31 * GIB),
            {"category": "movies"},
            Rejection.TOO_LARGE,
        ),
        (
            _result("Show.S01E01.1080p.BluRay.x264-A", size=16 * GIB, categories=(5040,)),
            {},
            Rejection.TOO_LARGE,
        ),
        (_result("Film.2020.480p.DVDRip.x264-A"), {}, Rejection.RESOLUTION_NOT_ALLOWED),
        (_result("Film.2020.HDCAM.x264-A"), {}, Rejection.REJECTED_SOURCE),
        (_result("Film.2020.1080p.BluRay.x264-A"), {"year": 2023}, Rejection.WRONG_YEAR),
        (
            _result("Show.S01E01.1080p.WEB-DL.x264-A", categories=(5040,)),
            {"category": "movies"},
            Rejection.WRONG_CATEGORY,
        ),
        (
            _result("Film.2020.1080p.BluRay.x264-A", magnet_url=None, link=None),
            {},
            Rejection.NO_DOWNLOAD,
        ),
    ],
)
def test_hard_limits_filter_and_count(
    result: TorrentResult, kwargs: dict[str, Any], rejection: Rejection
) -> None:
    """Each hard limit drops the result and is counted; it is the main rejection."""
    ranking = rank_with_rejections([result], Preferences(), **kwargs)
    assert ranking.results == []
    assert ranking.rejected == {rejection: 1}
    assert ranking.main_rejection is rejection


def test_limits_let_good_results_through() -> None:
    """A year one off (late releases), an unknown resolution, no size: all kept."""
    results = [
        _result("Film.2020.1080p.BluRay.x264-A"),
        _result("Film 2020 BluRay"),
        _result("Film.2020.1080p.BluRay.x264-B", size=None),
    ]
    ranking = rank_with_rejections(results, Preferences(), category="movies", year=2021)
    assert len(ranking.results) == 3
    assert ranking.rejected == {}
    assert ranking.main_rejection is None
    strict = replace(Preferences(), allow_unknown_resolution=False)
    assert len(rank(results, strict)) == 2


def test_main_rejection_is_the_most_common_and_phrased() -> None:
    """The caller can say why nothing was found in words."""
    results = [
        _result("Film.2020.1080p.BluRay.x264-A", seeders=0),
        _result("Film.2020.1080p.BluRay.x264-B", seeders=0),
        _result("Film.2020.HDCAM.x264-C"),
    ]
    ranking = rank_with_rejections(results, Preferences(min_seeders=5))
    assert ranking.rejected == {Rejection.TOO_FEW_SEEDERS: 2, Rejection.REJECTED_SOURCE: 1}
    assert ranking.main_rejection is Rejection.TOO_FEW_SEEDERS
    assert ranking.main_rejection.phrase == "no result with enough seeders"
    assert all(r.phrase for r in Rejection)


def test_preferences_options_round_trip() -> None:
    """Options flow form ↔ preferences; unknown values dropped; 0 GB means no limit."""
    prefs = Preferences(
        preferred_resolutions=("2160p", "1080p"),
        allowed_resolutions=frozenset({"2160p", "1080p"}),
        min_seeders=7,
        max_size_movies=None,
        max_size_tv=4 * GIB,
        preferred_sources=("web-dl",),
        preferred_codecs=("av1",),
    )
    options = prefs.to_options()
    assert options["max_size_movies_gb"] == 0
    assert options["max_size_tv_gb"] == 4
    assert Preferences.from_options(options) == prefs
    assert Preferences.from_options({}) == Preferences()
    odd = Preferences.from_options({"preferred_resolutions": ["8k", "720p", "720p"]})
    assert odd.preferred_resolutions == ("720p",)
    assert Preferences().max_size_for(None) is None


def test_release_info_defaults_to_unknown() -> None:
    """An empty parse says nothing."""
    assert ReleaseInfo() == parse_release("")


def test_unknown_date_is_said_and_never_counts_as_new() -> None:
    """No date: the reasons say so; age scores nothing, so "now" would not have helped either."""
    old = _result("Film.2020.1080p.BluRay.x265-A", published=datetime(2021, 1, 1, tzinfo=UTC))
    fresh = replace(old, published=datetime.now(UTC) - timedelta(hours=1))
    undated = replace(old, published=None)
    ranked = {r.result.published: r for r in rank([old, fresh, undated], Preferences())}
    assert len(ranked) == 3
    assert ranked[None].reasons[-1] == DATE_UNKNOWN
    assert DATE_UNKNOWN not in ranked[old.published].reasons
    assert DATE_UNKNOWN not in ranked[fresh.published].reasons
    assert len({r.score for r in ranked.values()}) == 1  # a newer date earns nothing
