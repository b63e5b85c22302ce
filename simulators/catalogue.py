"""One small catalogue of titles that TMDB, Watchmode and Jackett simulators agree on.

The ids are the real TMDB and IMDb ids of these titles, so what the simulators
answer looks like what the real services answer for the same question.  The
TMDB simulator serves their details, Watchmode where they stream, and Jackett
releases named after them.

Beyond ``TITLES`` and the ``by_tmdb``/``by_imdb`` look-ups this module holds
what the TMDB and Watchmode simulators need to agree on: the people TMDB's
multi search mixes into its results (``PEOPLE``), the streaming services
Watchmode names (``SOURCE_URLS``), image paths derived from the ids, and
``generated_titles(n)`` to grow the catalogue past one 20-item page of TMDB
results (both simulators take the same ``extra_titles`` count, so they still
agree on every id).
"""

from __future__ import annotations

from dataclasses import dataclass, field
import hashlib

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def image_path(kind: str, media_type: str, tmdb_id: int) -> str:
    """Return a TMDB-looking image path (``/`` + 27 base-62 characters + ``.jpg``).

    Derived from the ids, so every simulator and every run names the same file.
    """
    digest = hashlib.sha256(f"{kind}:{media_type}:{tmdb_id}".encode()).digest()
    return "/" + "".join(_BASE62[b % 62] for b in digest[:27]) + ".jpg"


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
    seasons: int | None = None  # shows: number of seasons
    episodes: int | None = None  # shows: number of episodes
    vote_count: int = 0

    @property
    def poster_path(self) -> str:
        """TMDB poster path (append to ``https://image.tmdb.org/t/p/{size}``)."""
        return image_path("poster", self.media_type, self.tmdb_id)

    @property
    def backdrop_path(self) -> str:
        """TMDB backdrop path."""
        return image_path("backdrop", self.media_type, self.tmdb_id)

    @property
    def watchmode_type(self) -> str:
        """Watchmode's ``type`` for this title (``movie`` or ``tv_series``)."""
        return "movie" if self.media_type == "movie" else "tv_series"


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
            (349, "iTunes", "buy", "US", "SD", 7.99),
            (349, "iTunes", "buy", "US", "4K", 14.99),
            (349, "iTunes", "rent", "US", "SD", 2.99),
            (203, "Netflix", "sub", "GB", "HD", None),
            (349, "iTunes", "buy", "DE", "HD", 11.99),
        ),
        vote_count=26000,
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
            (203, "Netflix", "sub", "DE", "SD", None),
            (24, "Amazon", "buy", "US", "HD", 24.99),
            (24, "Amazon", "buy", "US", "SD", 19.99),
        ),
        seasons=5,
        episodes=62,
        vote_count=15000,
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
        seasons=9,
        episodes=201,
        vote_count=4500,
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
        sources=(
            (371, "AppleTV+", "sub", "US", "4K", None),
            (371, "AppleTV+", "sub", "US", "HD", None),
            (371, "AppleTV+", "sub", "DE", "4K", None),
        ),
        seasons=2,
        episodes=19,
        vote_count=2500,
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


# German genre names, as TMDB answers with ``language=de-DE``.
GENRES_DE: dict[int, str] = {
    12: "Abenteuer",
    18: "Drama",
    28: "Action",
    35: "Komödie",
    36: "Historie",
    80: "Krimi",
    878: "Science Fiction",
    9648: "Mystery",
    10765: "Sci-Fi & Fantasy",
}

# Watchmode source ids and the site each one links to.
SOURCE_URLS: dict[int, str] = {
    24: "https://www.amazon.com/dp/",
    26: "https://www.peacocktv.com/watch/asset/",
    157: "https://play.max.com/movie/",
    203: "https://www.netflix.com/title/",
    349: "https://tv.apple.com/movie/",
    371: "https://tv.apple.com/show/",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Person:
    """Someone TMDB's multi search and trending lists mix in with the titles."""

    tmdb_id: int
    name: str
    department: str
    popularity: float
    known_for: tuple[tuple[str, int], ...]  # (media_type, tmdb_id) of catalogue titles
    gender: int = 2

    @property
    def profile_path(self) -> str:
        """TMDB profile image path."""
        return image_path("profile", "person", self.tmdb_id)


PEOPLE: tuple[Person, ...] = (
    Person(
        tmdb_id=6384,
        name="Keanu Reeves",
        department="Acting",
        popularity=45.0,
        known_for=(("movie", 603),),
    ),
    Person(
        tmdb_id=17419,
        name="Bryan Cranston",
        department="Acting",
        popularity=30.0,
        known_for=(("tv", 1396),),
    ),
    Person(
        tmdb_id=525,
        name="Christopher Nolan",
        department="Directing",
        popularity=25.0,
        known_for=(("movie", 27205), ("movie", 157336), ("movie", 872585)),
    ),
)


def generated_titles(count: int) -> tuple[Title, ...]:
    """Return ``count`` made-up titles (alternately films and shows), the same every time.

    Their ids sit far above real ones (TMDB 9,000,000+, Watchmode 9,000,000+,
    IMDb tt9900000+), so they never collide with ``TITLES``.  They exist to
    make lists longer than one 20-item TMDB page.
    """
    titles = []
    for n in range(count):
        media_type = "movie" if n % 2 == 0 else "tv"
        titles.append(
            Title(
                tmdb_id=9_000_000 + n,
                media_type=media_type,
                title=f"Filler {'Film' if media_type == 'movie' else 'Show'} {n + 1}",
                year=2000 + n % 25,
                imdb_id=f"tt{9_900_000 + n}",
                watchmode_id=9_000_000 + n,
                genre_ids=(18,),
                overview="A title that exists to fill pages.",
                rating=round(5.0 + (n % 40) / 10, 1),
                runtime=90 if media_type == "movie" else 45,
                status="Released" if media_type == "movie" else "Ended",
                release_date=f"{2000 + n % 25}-01-{1 + n % 28:02d}",
                popularity=round(50.0 - n * 0.01, 2),
                sources=((203, "Netflix", "sub", "US", "HD", None),) if n % 3 == 0 else (),
                seasons=None if media_type == "movie" else 1 + n % 5,
                episodes=None if media_type == "movie" else 10,
            )
        )
    return tuple(titles)


def by_tmdb(media_type: str, tmdb_id: int) -> Title | None:
    """Return the title with this TMDB type and id, if the catalogue has it."""
    return next((t for t in TITLES if t.media_type == media_type and t.tmdb_id == tmdb_id), None)


def by_imdb(imdb_id: str) -> Title | None:
    """Return the title with this IMDb id, if the catalogue has it."""
    return next((t for t in TITLES if t.imdb_id == imdb_id), None)
