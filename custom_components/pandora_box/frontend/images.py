"""The poster view: images of TMDB and Jellyfin through Home Assistant, never from the browser.

``GET /api/pandora_box/image/{entity_id}?url=<image URL>`` answers the image
at ``url`` (a ``poster`` of the entity's ``data`` attribute), fetched by the
client of the entity's config entry: Jellyfin's with the entry's key, TMDB's
from the image host TMDB's ``/configuration`` names.  The browser talks to
Home Assistant only, and no key reaches it.

It is no open proxy: the entity must be one of ours whose entry is loaded
and whose client fetches images, and the client accepts only URLs of the
shape it builds itself (TMDB: ``image.tmdb.org/t/p/<size>/<file>``; Jellyfin:
``<server>/Items/<id>/Images/Primary``) and then builds the request anew.
Anything else is a 403 and nothing is sent upstream.

Authentication is Home Assistant's (``requires_auth``): the card asks for a
signed path (``auth/sign_path``, ``async_sign_path``), so an ``<img src>``
works without a header, like core's camera and media-player image URLs.
"""

from __future__ import annotations

from typing import Final

from aiohttp import web
from homeassistant.components.http import KEY_HASS, HomeAssistantView
from homeassistant.config_entries import ConfigEntryState
from homeassistant.helpers import entity_registry as er

from ..api._http import PosterSource
from ..api.errors import PandoraError, ResponseError
from ..const import DOMAIN
from ..coordinator import PandoraConfigEntry

IMAGE_URL: Final = f"/api/{DOMAIN}/image/{{entity_id}}"
CACHE_SECONDS: Final = 24 * 3600
"""Browsers keep a poster a day (signed URLs of the card stay the same meanwhile)."""


class PandoraImageView(HomeAssistantView):
    """Serve an image of the upstream behind one of our entities."""

    url = IMAGE_URL
    name = f"api:{DOMAIN}:image"
    requires_auth = True

    async def get(self, request: web.Request, entity_id: str) -> web.StreamResponse:
        """Fetch the ``url`` query parameter's image with the entity's entry, if it is one."""
        hass = request.app[KEY_HASS]
        registered = er.async_get(hass).async_get(entity_id)
        if registered is None or registered.platform != DOMAIN:
            raise web.HTTPNotFound
        entry: PandoraConfigEntry | None = (
            hass.config_entries.async_get_entry(registered.config_entry_id)
            if registered.config_entry_id
            else None
        )
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            raise web.HTTPNotFound
        client = entry.runtime_data.client
        if not isinstance(client, PosterSource):
            raise web.HTTPForbidden(text="this entity's upstream has no images")
        try:
            image = await client.async_poster(request.query.get("url", ""))
        except ValueError as err:
            raise web.HTTPForbidden(text=str(err)) from err
        except ResponseError as err:
            if err.status == 404:
                raise web.HTTPNotFound from err
            raise web.HTTPBadGateway(text=err.message) from err
        except PandoraError as err:
            raise web.HTTPBadGateway(text=err.message) from err
        return web.Response(
            body=image.content,
            content_type=image.content_type,
            headers={
                "Cache-Control": f"private, max-age={CACHE_SECONDS}",
                "X-Content-Type-Options": "nosniff",
            },
        )
