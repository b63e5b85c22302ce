"""One small catalogue of titles that TMDB, Watchmode and Jackett simulators agree on.

The ids are the real TMDB and IMDb ids of these titles, so what the simulators
answer looks like what the real services answer for the same question.  The
TMDB simulator serves their details, Watchmode where they stream, and Jackett
releases named after them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, kw_only=True)
class Title:
    """One film or show known to every simulator."""

    tmdb_id: int
    media_type: str  # "movie" or "tv"
    title: str
    year: int
    imdb_id: str
    watchmode_id: int
    genre_ids: tuple[int, ...] = ()
    overview: str = ""
    rating: float = 0.0
    runtime: int | None = None  # minutes (episode run time for shows)
    status: str = "Released"
    release_date: str = ""  # YYYY-MM-DD (first air date for shows)
    popularity: float = 0.0
    upcoming: bool = False
    # Watchmode rows: (source_id, name, type, region, format, price)
    sources: tuple[tuple[int, str, str, str, str, float | None], ...] = field(default=())


TITLES: tuple[Title, ...] = (
    Title(
        tmdb_id=603,
        media_type="movie",
        title="The Matrix",
        year=1999,
        imdb_id="tt0133093",
        watchmode_id=1116050,
        genre_ids=(28, 878),
        overview="A hacker learns the world he lives in is a simulation.",
        rating=8.2,
        runtime=136,
        release_date="1999-03-31",
        popularity=80.0,
        sources=(
            (203, "Netflix", "sub", "US", "HD", None),
            (203, "Netflix", "sub", "US", "4K", None),
            (349, "iTunes", "buy", "US", "HD", 9.99),
            (349, "iTunes", "rent", "US", "HD", 3.99),
        ),
    ),
    Title(
        tmdb_id=1396,
        media_type="tv",
        title="Breaking Bad",
        year=2008,
        imdb_id="tt0903747",
        watchmode_id=3173903,
        genre_ids=(18, 80),
        overview="A chemistry teacher turns to making methamphetamine.",
        rating=8.9,
        runtime=47,
        status="Ended",
        release_date="2008-01-20",
        popularity=120.0,
        sources=(
            (203, "Netflix", "sub", "US", "HD", None),
            (203, "Netflix", "sub", "DE", "HD", None),
        ),
    ),
    Title(
        tmdb_id=27205,
        media_type="movie",
        title="Inception",
        year=2010,
        imdb_id="tt1375666",
        watchmode_id=1182444,
        genre_ids=(28, 878, 12),
        overview="A thief who steals secrets through dreams is given one last job.",
        rating=8.4,
        runtime=148,
        release_date="2010-07-15",
        popularity=90.0,
        sources=((157, "Max", "sub", "US", "HD", None),),
    ),
    Title(
        tmdb_id=693134,
        media_type="movie",
        title="Dune: Part Two",
        year=2024,
        imdb_id="tt15239678",
        watchmode_id=1650203,
        genre_ids=(878, 12),
        overview="Paul Atreides unites with the Fremen on a path of revenge.",
        rating=8.2,
        runtime=167,
        release_date="2024-02-27",
        popularity=150.0,
    ),
    Title(
        tmdb_id=2316,
        media_type="tv",
        title="The Office",
        year=2005,
        imdb_id="tt0386676",
        watchmode_id=3156296,
        genre_ids=(35,),
        overview="The everyday lives of office employees in Scranton.",
        rating=8.6,
        runtime=22,
        status="Ended",
        release_date="2005-03-24",
        popularity=100.0,
        sources=((26, "Peacock", "sub", "US", "HD", None),),
    ),
    Title(
        tmdb_id=157336,
        media_type="movie",
        title="Interstellar",
        year=2014,
        imdb_id="tt0816692",
        watchmode_id=1196000,
        genre_ids=(12, 18, 878),
        overview="Explorers travel through a wormhole to save humanity.",
        rating=8.5,
        runtime=169,
        release_date="2014-11-05",
        popularity=110.0,
    ),
    Title(
        tmdb_id=95396,
        media_type="tv",
        title="Severance",
        year=2022,
        imdb_id="tt11280740",
        watchmode_id=3197431,
        genre_ids=(18, 9648, 10765),
        overview="Office workers have their memories surgically divided.",
        rating=8.4,
        runtime=50,
        status="Returning Series",
        release_date="2022-02-17",
        popularity=140.0,
        sources=((371, "AppleTV+", "sub", "US", "4K", None),),
    ),
    Title(
        tmdb_id=872585,
        media_type="movie",
        title="Oppenheimer",
        year=2023,
        imdb_id="tt15398776",
        watchmode_id=1713424,
        genre_ids=(18, 36),
        overview="The story of the father of the atomic bomb.",
        rating=8.1,
        runtime=181,
        release_date="2023-07-19",
        popularity=130.0,
    ),
    Title(
        tmdb_id=1084736,
        media_type="movie",
        title="The Count of Monte Cristo",
        year=2026,
        imdb_id="tt26446278",
        watchmode_id=1790001,
        genre_ids=(12, 36),
        overview="A wrongly imprisoned sailor returns for revenge.",
        rating=0.0,
        runtime=178,
        status="Post Production",
        release_date="2026-12-18",
        popularity=60.0,
        upcoming=True,
    ),
)

MOVIE_GENRES: dict[int, str] = {
    12: "Adventure",
    18: "Drama",
    28: "Action",
    35: "Comedy",
    36: "History",
    80: "Crime",
    878: "Science Fiction",
    9648: "Mystery",
}
TV_GENRES: dict[int, str] = {
    18: "Drama",
    35: "Comedy",
    80: "Crime",
    9648: "Mystery",
    10765: "Sci-Fi & Fantasy",
}


def by_tmdb(media_type: str, tmdb_id: int) -> Title | None:
    """Return the title with this TMDB type and id, if the catalogue has it."""
    return next((t for t in TITLES if t.media_type == media_type and t.tmdb_id == tmdb_id), None)


def by_imdb(imdb_id: str) -> Title | None:
    """Return the title with this IMDb id, if the catalogue has it."""
    return next((t for t in TITLES if t.imdb_id == imdb_id), None)
