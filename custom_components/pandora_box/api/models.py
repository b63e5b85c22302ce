"""Models shared by every client."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class UpstreamInfo:
    """What an upstream says about itself when its credentials are checked.

    ``unique_id`` is stable for one upstream instance (a server id where the
    upstream has one, otherwise a normalised URL or a digest of the account's
    key), ``name`` is a title fit for the config entry, ``version`` the
    upstream's software version when it reports one.
    """

    unique_id: str
    name: str
    version: str | None = None
