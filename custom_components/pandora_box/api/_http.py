"""The one request helper every hand-written client builds on.

It owns what all six of our own clients must do the same way: a bounded
timeout per request, TLS verification unless the user turned it off for this
upstream, a cap on the body size (a broken or hostile upstream must not exhaust
memory), and the mapping of every transport or HTTP failure onto the three
errors in :mod:`.errors`.  Messages name the upstream by its origin only
(scheme, host, port): never a path or a query string, because TMDB, Watchmode
and Jackett carry keys in the query.

There are no retries here: the coordinator's next poll is the retry.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Collection, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
import hashlib
import ipaddress
import json as jsonlib
import re
from typing import Any, ClassVar, Protocol, runtime_checkable

import aiohttp
from yarl import URL

from .errors import CannotConnectError, InvalidAuthError, RateLimitedError, ResponseError

DEFAULT_TIMEOUT = 15.0
"""Seconds one request may take, connection and body included."""

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
"""Largest body a client accepts before it gives up on the answer."""

_CHUNK = 64 * 1024

IMAGE_MAX_BYTES = 8 * 1024 * 1024
"""Largest poster or thumbnail a client fetches for a dashboard."""

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
"""Content types a fetched image may have (no SVG: it can carry script)."""


def parse_base_url(url: str) -> URL:
    """Return ``url`` as an absolute http(s) URL without a trailing slash.

    Raises ``ValueError`` with a readable reason for anything else, so the
    config flow can tell a malformed URL apart from an unreachable host.
    """
    text = url.strip()
    # yarl keeps a control character or a space in the host and silently drops
    # tabs and newlines (WHATWG): a URL with any of them is a typo, not an address
    if any(ch.isspace() or ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in text):
        raise ValueError("the URL must not contain spaces or control characters")
    try:
        parsed = URL(text)
        host = parsed.raw_host
    except (TypeError, ValueError) as err:  # a port out of range, a bad IDNA name
        raise ValueError(f"not a URL: {err}") from err
    if parsed.scheme not in ("http", "https"):
        raise ValueError("the URL must start with http:// or https://")
    if not host:
        raise ValueError("the URL has no host name")
    if not _valid_host(host):
        raise ValueError("the URL's host is neither an IP address nor a host name")
    if parsed.explicit_port == 0:
        raise ValueError("port 0 cannot be connected to")
    if parsed.user or parsed.password:
        raise ValueError("put credentials in their own fields, not in the URL")
    if parsed.query_string or parsed.fragment:
        raise ValueError("the URL must not have a query or fragment")
    return parsed.with_path(parsed.path.rstrip("/") or "/")


_LABEL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$")
"""One DNS label (RFC 1123; ``_`` too, which Docker's service names use)."""


def _valid_host(host: str) -> bool:
    """Whether ``host`` (IDNA-encoded, as yarl's ``raw_host``) is an IP address or a DNS name."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        name = host.removesuffix(".")
        return 0 < len(name) <= 253 and all(_LABEL.match(label) for label in name.split("."))
    return True


def origin(url: URL) -> str:
    """Return ``scheme://host:port`` of ``url``: safe to show and to log."""
    return str(url.origin())


def retry_after_seconds(value: str | None) -> int | None:
    """Parse a ``Retry-After`` header given in seconds (HTTP dates are ignored)."""
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


def http_date(value: str | None) -> datetime | None:
    """Parse an HTTP date (``Sun, 06 Nov 1994 08:49:37 GMT``) as an aware UTC time."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except TypeError, ValueError, IndexError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def credential_digest(credential: str) -> str:
    """First 16 hex digits of the SHA-256 of ``credential``: safe to store and show."""
    return hashlib.sha256(credential.encode()).hexdigest()[:16]


def bad_answer(service: str, origin: str, what: str) -> ResponseError:
    """Build the error for an answer that does not have the expected shape."""
    return ResponseError(f"{service} at {origin} sent {what}")


def too_big_error(service: str, origin: str, max_bytes: int) -> ResponseError:
    """Build the error for an answer over the size cap of ``max_bytes``."""
    return bad_answer(
        service, origin, f"an answer larger than {max_bytes // (1024 * 1024)} MiB; refusing it"
    )


async def read_capped(
    resp: aiohttp.ClientResponse, max_bytes: int, service: str, origin: str
) -> bytes:
    """Read the body of ``resp``, refusing anything over ``max_bytes``.

    ``Content-Length`` over the cap is refused before anything is read; the
    body is then read in chunks and refused as soon as it passes the cap.
    """
    too_big = too_big_error(service, origin, max_bytes)
    if resp.content_length is not None and resp.content_length > max_bytes:
        raise too_big
    buf = bytearray()
    async for chunk in resp.content.iter_chunked(_CHUNK):
        buf += chunk
        if len(buf) > max_bytes:
            # the error's traceback keeps this frame alive (a coordinator keeps its
            # last exception until the next failure): let it not keep the body too
            buf.clear()
            raise too_big
    return bytes(buf)


def transport_error(service: str, origin: str, cause: BaseException | None) -> CannotConnectError:
    """Map a transport failure (TLS, connection, broken stream) onto ``CannotConnectError``."""
    if isinstance(cause, aiohttp.ClientSSLError):
        return CannotConnectError(
            f"TLS with {service} at {origin} failed; check the certificate or "
            "turn off certificate verification for this entry"
        )
    if isinstance(cause, aiohttp.ClientConnectorError):
        return CannotConnectError(
            f"Cannot connect to {service} at {origin}: is it running and is the URL right?"
        )
    name = type(cause).__name__ if cause is not None else "unknown error"
    return CannotConnectError(f"The connection to {service} at {origin} broke off ({name})")


def rate_limited_error[E: RateLimitedError](
    error: type[E], service: str, origin: str, detail: str, retry_after: int | None
) -> E:
    """Build ``error`` for a 429 answer; ``detail`` is the upstream's own text, if any."""
    wait = f"; retry after {retry_after} s" if retry_after is not None else ""
    return error(
        f"{service} at {origin} is rate limiting requests{detail}{wait}",
        retry_after=retry_after,
    )


def basic_authorization(username: str, password: str) -> str | None:
    """The ``Authorization`` value of HTTP Basic auth (UTF-8), None for a user name with ``:``.

    Basic auth cannot carry a ``:`` in the user name.  Built here rather than
    with ``aiohttp.BasicAuth``, whose use (and the ``auth`` request parameter)
    aiohttp deprecates.
    """
    if ":" in username:
        return None
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Image:
    """An image's bytes and content type."""

    content: bytes
    content_type: str


@runtime_checkable
class PosterSource(Protocol):
    """A client that fetches the posters it named (TMDB posters, Jellyfin primary images)."""

    async def async_poster(self, url: str) -> Image:
        """Fetch ``url``, one of the client's own image URLs; ``ValueError`` for any other."""


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A finished response: status, content type and the whole (capped) body.

    ``retry_after`` is the ``Retry-After`` header in seconds, when sent;
    ``date`` the ``Date`` header (the upstream's clock at its answer), when sent.
    """

    status: int
    content_type: str
    body: bytes
    service: str
    retry_after: int | None = None
    date: datetime | None = None

    def text(self) -> str:
        """Return the body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """Return the body parsed as JSON, or raise ``ResponseError``."""
        try:
            return jsonlib.loads(self.body)
        except ValueError as err:
            raise ResponseError(f"{self.service} sent an answer that is not valid JSON") from err

    def json_object(self) -> dict[str, Any] | None:
        """Return the body parsed as a JSON object, or ``None`` for anything else."""
        try:
            body = self.json()
        except ResponseError:
            return None
        return body if isinstance(body, dict) else None


class HttpClient:
    """Base class of our own clients: a base URL and one ``_request`` helper."""

    service: ClassVar[str] = "The upstream"
    """The upstream's product name, used in every message."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        *,
        verify_ssl: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        """Keep the injected session; ``url`` is validated by ``parse_base_url``."""
        self._session = session
        self._base = parse_base_url(url)
        self._ssl = verify_ssl  # aiohttp: True verifies with the default context
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._timeout_s = timeout
        self._max_bytes = max_bytes
        self._secrets: tuple[str, ...] = ()
        """Credentials a subclass sends; ``_redact`` masks them in upstream text."""

    @property
    def base_url(self) -> URL:
        """The upstream's base URL (no trailing slash)."""
        return self._base

    @property
    def origin(self) -> str:
        """``scheme://host:port`` of the upstream, safe to log and show."""
        return origin(self._base)

    def _url(self, path: str, *, encoded: bool = False) -> URL:
        """Join ``path`` to the base URL, keeping any path prefix of a proxy."""
        base_path = self._base.path.rstrip("/")
        return self._base.with_path(f"{base_path}/{path.lstrip('/')}", encoded=encoded)

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        data: Any = None,
        encoded_path: bool = False,
        auth_statuses: Collection[int] = (401, 403),
        allow_statuses: Collection[int] = (),
    ) -> HttpResponse:
        """Send one request and return its capped body, or raise one of our errors.

        ``auth_statuses`` become ``InvalidAuthError``; ``allow_statuses`` are
        returned to the caller as they are (a 404 a client wants to interpret,
        say); any other status of 400 or more becomes ``ResponseError`` and 5xx
        becomes ``CannotConnectError``.
        """
        url = self._url(path, encoded=encoded_path)
        try:
            async with self._session.request(
                method,
                url,
                params=params,
                headers=headers,
                json=json,
                data=data,
                ssl=self._ssl,
                timeout=self._timeout,
                allow_redirects=False,
            ) as resp:
                status = resp.status
                self._check_status(status, auth_statuses, allow_statuses)
                body = await read_capped(resp, self._max_bytes, self.service, self.origin)
                content_type = resp.content_type
                retry_after = retry_after_seconds(resp.headers.get("Retry-After"))
                date = http_date(resp.headers.get("Date"))
        except InvalidAuthError, CannotConnectError, ResponseError:
            raise
        except TimeoutError as err:
            raise self._timed_out() from err
        except (aiohttp.ClientError, asyncio.IncompleteReadError) as err:
            # TLS and connection failures first, anything else broke off
            raise transport_error(self.service, self.origin, err) from err
        return HttpResponse(status, content_type, body, self.service, retry_after, date)

    def _check_status(
        self, status: int, auth_statuses: Collection[int], allow_statuses: Collection[int]
    ) -> None:
        """Raise our error for a refused status (see ``_request``); ``allow_statuses`` pass."""
        if status in allow_statuses:
            return
        if status in auth_statuses:
            raise InvalidAuthError(
                f"{self.service} at {self.origin} rejected the credentials "
                f"(HTTP {status}); check them"
            )
        if status >= 500:
            raise CannotConnectError(
                f"{self.service} at {self.origin} answered HTTP {status}; "
                "it may be starting up or failing"
            )
        if status >= 400:
            raise ResponseError(
                f"{self.service} at {self.origin} refused the request (HTTP {status})",
                status=status,
            )
        if 300 <= status < 400:
            raise ResponseError(
                f"{self.service} at {self.origin} redirected the request (HTTP "
                f"{status}); check the URL (http or https, path)",
                status=status,
            )

    def _timed_out(self) -> CannotConnectError:
        """The error for an upstream that did not answer within the timeout."""
        return CannotConnectError(
            f"{self.service} at {self.origin} did not answer within {self._timeout_s:g} s"
        )

    @asynccontextmanager
    async def _stream(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        encoded_path: bool = False,
        allow_statuses: Collection[int] = (),
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """Send one request and yield the response with its body unread (large downloads).

        Statuses are checked as in ``_request`` (``allow_statuses`` come back
        as they are).  No total timeout: connecting and each read may take
        the client's timeout, the whole transfer as long as it lasts.  The
        body is the caller's to read, in chunks, within the block; leaving
        the block early closes the connection.
        """
        url = self._url(path, encoded=encoded_path)
        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=self._timeout_s, sock_read=self._timeout_s
        )
        try:
            resp = await self._session.request(
                method, url, headers=headers, ssl=self._ssl, timeout=timeout, allow_redirects=False
            )
        except TimeoutError as err:
            raise self._timed_out() from err
        except aiohttp.ClientError as err:
            raise transport_error(self.service, self.origin, err) from err
        # the caller's errors (its own client gone, say) pass through unchanged
        try:
            self._check_status(resp.status, (401, 403), allow_statuses)
            yield resp
        finally:
            resp.release()  # an unread rest of the body closes the connection

    async def _get_image(self, url: URL, *, headers: Mapping[str, str] | None = None) -> Image:
        """GET the image at ``url`` (built by the client, never taken from a caller).

        Anything but a 200 with a raster image type of at most
        ``IMAGE_MAX_BYTES`` is refused: 404 as ``ResponseError(status=404)``,
        401/403 as ``InvalidAuthError``, the rest as for any other request.
        """
        where = origin(url)
        try:
            async with self._session.get(
                url, headers=headers, ssl=self._ssl, timeout=self._timeout, allow_redirects=False
            ) as resp:
                if resp.status in (401, 403):
                    raise InvalidAuthError(
                        f"{self.service} at {where} refused the image (HTTP {resp.status})"
                    )
                if resp.status >= 500:
                    raise CannotConnectError(
                        f"{self.service} at {where} answered HTTP {resp.status}"
                    )
                if resp.status != 200:
                    raise ResponseError(
                        f"{self.service} at {where} has no such image (HTTP {resp.status})",
                        status=resp.status,
                    )
                if resp.content_type not in IMAGE_TYPES:
                    raise bad_answer(self.service, where, f"an image of type {resp.content_type}")
                body = await read_capped(resp, IMAGE_MAX_BYTES, self.service, where)
                return Image(content=body, content_type=resp.content_type)
        except TimeoutError as err:
            raise CannotConnectError(
                f"{self.service} at {where} did not answer within {self._timeout_s:g} s"
            ) from err
        except (aiohttp.ClientError, asyncio.IncompleteReadError) as err:
            raise transport_error(self.service, where, err) from err

    def _redact(self, text: str, limit: int = 200) -> str:
        """Return upstream text fit for a message: credentials masked, at most ``limit`` chars."""
        for secret in self._secrets:
            if secret:
                text = text.replace(secret, "***")
        return text[:limit]

    def bad_answer(self, what: str) -> ResponseError:
        """Build the error for an answer that does not have the expected shape."""
        return bad_answer(self.service, self.origin, what)


def as_dict(value: Any, client: HttpClient, what: str) -> dict[str, Any]:
    """Return ``value`` if it is a JSON object, else raise ``ResponseError``."""
    if not isinstance(value, dict):
        raise client.bad_answer(f"{what} that is not a JSON object")
    return value


def as_list(value: Any, client: HttpClient, what: str) -> list[Any]:
    """Return ``value`` if it is a JSON array, else raise ``ResponseError``."""
    if not isinstance(value, list):
        raise client.bad_answer(f"{what} that is not a JSON list")
    return value


def opt_str(value: Any) -> str | None:
    """Return ``value`` as a string, or ``None`` when it is missing or empty."""
    if value is None or value == "":
        return None
    return str(value)


def opt_int(value: Any) -> int | None:
    """Return ``value`` as an int, or ``None`` when missing or not a number."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except TypeError, ValueError:
        return None


def opt_float(value: Any) -> float | None:
    """Return ``value`` as a float, or ``None`` when missing or not a number."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except TypeError, ValueError:
        return None
