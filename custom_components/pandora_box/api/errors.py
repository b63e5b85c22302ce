"""The one small error hierarchy every Pandora Box client raises.

Each client maps whatever its transport or upstream does wrong onto exactly one
of three errors (or a subclass), so the integration needs a single mapping to
Home Assistant's exceptions.  Every message is written for a person: it names the upstream and
what to check, and never contains a secret (no key, token, password, cookie or
query string).
"""

from __future__ import annotations


class PandoraError(Exception):
    """Base class of every error a Pandora Box client raises."""

    def __init__(self, message: str) -> None:
        """Keep a user-facing message."""
        super().__init__(message)
        self.message = message


class CannotConnectError(PandoraError):
    """The upstream could not be reached: DNS, refused, TLS, timeout or a 5xx answer."""


class InvalidAuthError(PandoraError):
    """The upstream rejected the credentials (401, or its own 'bad key' answer).

    Only this error starts reauthentication: a 403 that means "not allowed"
    is :class:`PermissionDeniedError` instead.
    """


class ResponseError(PandoraError):
    """The upstream answered, but not with something we can use.

    Covers malformed or oversized bodies and unexpected status codes.  ``status``
    is the HTTP status when there was one, so callers can tell, for example, a
    404 "not found" apart from a 400 "bad request".
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        """Keep the HTTP status next to the message."""
        super().__init__(message)
        self.status = status


class RateLimitedError(ResponseError):
    """The upstream answered 429; ``retry_after`` is its ``Retry-After`` in seconds, if sent."""

    def __init__(self, message: str, *, retry_after: int | None) -> None:
        """Keep the ``Retry-After`` seconds next to the message."""
        super().__init__(message, status=429)
        self.retry_after = retry_after


class PermissionDeniedError(ResponseError):
    """The upstream accepted the credentials but refuses this request: a right is missing.

    A Watchmode plan without the route, a Portainer or Jellyfin user who is not
    an administrator, an indexer that is not enabled in Jackett.  Signing in
    again cannot help, so this is not :class:`InvalidAuthError`: the entry stays
    loaded and the user is told what to grant.  ``right`` names what is missing
    in words for a person (never a secret); ``status`` is the upstream's status
    (403, or Jackett's 404 for an indexer that is not configured).
    """

    def __init__(self, message: str, *, right: str, status: int = 403) -> None:
        """Keep the missing right next to the message and status."""
        super().__init__(message, status=status)
        self.right = right


class AddressRefusedError(InvalidAuthError):
    """The upstream refused the address it was reached at, before looking at any credential.

    qBittorrent answers 401 to every request whose ``Host`` header carries
    another port than its WebUI's (a Docker port mapping such as
    ``8081:8080``, a reverse proxy) or whose ``Origin``/``Referer`` names
    another host (its CSRF check).  Another password cannot help; the
    WebUI's host header validation and CSRF settings (or the URL) can.  It is
    still an :class:`InvalidAuthError`: the entry cannot work until someone
    acts, and reauth is where the user sees why.
    """
