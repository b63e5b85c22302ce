"""Image update checks: the installed digest against the registry's, bounded and cached.

How Portainer itself decides (``api/docker/images/status.go``
``ContainerImageStatus``/``checkStatus``): it inspects the image the
container *runs* (its image id, not the tag, which may have moved since),
takes every entry of that image's ``RepoDigests``, asks the registry for the
reference's current digest and calls the container up to date when *any*
local digest equals it.  pyportainer 1.0.50 (``container_image_status``)
compares only the first ``RepoDigests`` entry, which is Home Assistant
core's false "update available" for images known under several repositories
or re-pushed under several digests (core#182911).  This module does what
Portainer does, through Docker's image inspect and distribution inspect
(``GET /images/{id}/json``, ``GET /distribution/{name}/json``).

Registries rate-limit anonymous pulls (Docker Hub: 100 manifest requests in
6 h per IP), and a distribution inspect is one of them.  So:

* one registry check per *reference* per environment, shared by every
  container of that image, at most once per ``CHECK_INTERVAL`` (a failed
  check is retried after ``RETRY_INTERVAL``);
* at most ``CHECKS_PER_POLL`` checks start in one poll, ``CHECK_CONCURRENCY``
  at a time, each under ``CHECK_TIMEOUT``; the others wait for later polls
  (oldest first), so a poll's cost has a fixed bound however many
  containers there are;
* local image inspects are cached by image id (an image's digests do not
  change while it exists) and counted in the same bound.

References that cannot be checked are not: an image id, or a reference
pinned to a digest (``image@sha256:…``, which by design never updates).
A registry that refuses (a private image without credentials in
Portainer, a local-only build) leaves the container without a latest
version: no update is ever claimed from a failed check.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from homeassistant.util import dt as dt_util

from ...api.errors import PandoraError
from ...api.portainer import ImageDetails, PortainerClient

CHECK_INTERVAL: Final = timedelta(hours=6)
"""How long a registry answer is trusted."""
RETRY_INTERVAL: Final = timedelta(minutes=30)
"""When a failed registry check is tried again."""
CHECKS_PER_POLL: Final = 4
"""Checks (image inspect and/or registry digest of one reference) started per poll."""
CHECK_CONCURRENCY: Final = 2
CHECK_TIMEOUT: Final = 15.0
"""Seconds one check may take (Docker asks the registry meanwhile)."""


def checkable(reference: str | None) -> bool:
    """Whether a registry can be asked about ``reference`` (a tag, not an id or a digest)."""
    return (
        bool(reference)
        and "@" not in (reference or "")
        and not (reference or "").startswith("sha256:")
    )


def short_digest(digest: str | None) -> str | None:
    """``sha256:0123456789ab`` (12 hex digits, as Docker shows ids)."""
    if not digest:
        return None
    algorithm, sep, hex_digest = digest.partition(":")
    return f"{algorithm}{sep}{hex_digest[:12]}" if sep else digest[:12]


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageStatus:
    """The update status of one container's image."""

    reference: str
    digests: frozenset[str]
    """Every registry digest of the image the container runs (``RepoDigests``)."""
    installed: str | None
    """The local digest that matches the registry, else the one of the reference's repository."""
    latest: str | None
    """The registry's digest now; ``None`` when it was not (yet) checked or refused."""
    checked_at: datetime | None

    @property
    def update_available(self) -> bool:
        """Whether the registry has an image none of the local digests is."""
        return self.latest is not None and bool(self.digests) and self.latest not in self.digests


@dataclass(slots=True)
class _RegistryAnswer:
    """What the registry said of a reference, and when."""

    digest: str | None
    at: datetime
    ok: bool


def _repository(reference: str) -> str:
    """The repository part of a reference, as Docker writes it in ``RepoDigests``."""
    head, sep, tail = reference.partition("@")[0].rpartition("/")
    return f"{head}{sep}{tail.partition(':')[0]}"


class UpdateChecker:
    """The bounded, cached registry checks of one entry (see the module docstring)."""

    def __init__(self) -> None:
        """Start with nothing known."""
        self.checks_per_poll = CHECKS_PER_POLL
        self.concurrency = CHECK_CONCURRENCY
        self.timeout = CHECK_TIMEOUT
        self._images: dict[tuple[int, str], ImageDetails] = {}
        self._registry: dict[tuple[int, str], _RegistryAnswer] = {}
        self.checks_done = 0
        """Registry checks sent so far (benchmarks and tests read it)."""

    def status(
        self, endpoint_id: int, image_id: str | None, reference: str | None
    ) -> ImageStatus | None:
        """The status from what is known; ``None`` when nothing can be said."""
        if not image_id or not reference:
            return None
        image = self._images.get((endpoint_id, image_id))
        if image is None:
            return None
        digests = frozenset(d.partition("@")[2] for d in image.repo_digests if "@" in d)
        answer = self._registry.get((endpoint_id, reference)) if checkable(reference) else None
        latest = answer.digest if answer is not None and answer.ok else None
        if latest is not None and latest in digests:
            installed: str | None = latest
        else:
            repo = _repository(reference)
            own = [d.partition("@")[2] for d in image.repo_digests if _repository(d) == repo]
            installed = own[0] if own else next(iter(sorted(digests)), None)
        return ImageStatus(
            reference=reference,
            digests=digests,
            installed=installed,
            latest=latest if checkable(reference) else installed,
            checked_at=answer.at if answer is not None else None,
        )

    def invalidate(self, endpoint_id: int, reference: str) -> None:
        """Forget the registry's answer for ``reference`` (after an update): check it again."""
        self._registry.pop((endpoint_id, reference), None)

    def _due(self, key: tuple[int, str], now: datetime) -> bool:
        answer = self._registry.get(key)
        if answer is None:
            return True
        return now - answer.at >= (CHECK_INTERVAL if answer.ok else RETRY_INTERVAL)

    async def async_check(
        self, client: PortainerClient, wanted: Iterable[tuple[int, str, str]]
    ) -> None:
        """Run the due checks of ``wanted`` ``(endpoint, image id, reference)``, bounded.

        Also drops cached answers nothing wants any more.
        """
        now = dt_util.utcnow()
        wanted = list(dict.fromkeys(wanted))
        self._images = {
            k: v for k, v in self._images.items() if k in {(e, i) for e, i, _r in wanted}
        }
        self._registry = {
            k: v for k, v in self._registry.items() if k in {(e, r) for e, _i, r in wanted}
        }
        due: dict[tuple[int, str], set[str]] = {}
        for endpoint_id, image_id, reference in wanted:
            needs_image = (endpoint_id, image_id) not in self._images
            needs_registry = checkable(reference) and self._due((endpoint_id, reference), now)
            if needs_image or needs_registry:
                due.setdefault((endpoint_id, reference), set()).add(image_id)

        def age(key: tuple[int, str]) -> datetime:
            answer = self._registry.get(key)
            return answer.at if answer is not None else datetime.min.replace(tzinfo=now.tzinfo)

        chosen = sorted(due, key=age)[: self.checks_per_poll]
        gate = asyncio.Semaphore(self.concurrency)

        async def check(key: tuple[int, str]) -> None:
            endpoint_id, reference = key
            async with gate:
                try:
                    async with asyncio.timeout(self.timeout):
                        for image_id in due[key]:
                            if (endpoint_id, image_id) not in self._images:
                                self._images[(endpoint_id, image_id)] = await client.async_image(
                                    endpoint_id, image_id
                                )
                        if checkable(reference) and self._due(key, now):
                            self.checks_done += 1
                            digest = await client.async_registry_digest(endpoint_id, reference)
                            self._registry[key] = _RegistryAnswer(digest, now, ok=True)
                except PandoraError, TimeoutError, ValueError:
                    # Refused (private, local-only) or slow: no update is claimed;
                    # asked again after RETRY_INTERVAL.
                    if checkable(reference) and self._due(key, now):
                        self._registry[key] = _RegistryAnswer(None, now, ok=False)

        await asyncio.gather(*(check(key) for key in chosen))
