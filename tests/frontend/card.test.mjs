// Unit tests of the card's logic in Node (node:test), without a browser:
// config checks, the stub config, poster and download markup.  The browser
// test (tests/real/test_browser.py) runs the card for real.
import assert from "node:assert/strict";
import test from "node:test";

import {
  PandoraBoxCard,
  formatEta,
  formatSpeed,
} from "../../custom_components/pandora_box/frontend/pandora-box-card.js";

const hass = (extra = {}) => ({
  language: "de",
  services: { pandora_box: { download_media: { response: { optional: true } } } },
  entities: {
    "sensor.tmdb_trending_films": {
      entity_id: "sensor.tmdb_trending_films", platform: "pandora_box", translation_key: "trending_movies",
    },
    "sensor.q_downloading_torrents": {
      entity_id: "sensor.q_downloading_torrents", platform: "pandora_box", translation_key: "downloading_torrents",
    },
    "sensor.other": { entity_id: "sensor.other", platform: "demo", translation_key: "trending_movies" },
  },
  states: {},
  ...extra,
});

const poster = "https://image.tmdb.org/t/p/w500/abc.jpg";
const films = {
  state: "2",
  attributes: {
    friendly_name: "TMDB Trending <films>",
    data: [
      { title_default: "$title" },
      { tmdb_id: 603, media_type: "movie", title: "The <b>Matrix</b>", year: 1999, poster },
      { id: "abc", title: "Jellyfin item", poster: "http://jf/Items/abc/Images/Primary" },
    ],
  },
};

test("speeds and ETAs read like the rest of Home Assistant", () => {
  assert.equal(formatSpeed(0), "0 B/s");
  assert.equal(formatSpeed(1536), "1.5 KiB/s");
  assert.equal(formatSpeed(5 * 1024 * 1024), "5.0 MiB/s");
  assert.equal(formatEta(null), "∞");
  assert.equal(formatEta(59), "59 s");
  assert.equal(formatEta(3725), "1 h 2 min");
});

test("a config without sections, with an unknown section or no entity is refused", () => {
  const card = new PandoraBoxCard();
  assert.throws(() => card.setConfig({}), /list of sections/);
  assert.throws(() => card.setConfig({ sections: [{ type: "calendar" }] }), /Unknown section type/);
  assert.throws(() => card.setConfig({ sections: [{ type: "posters" }] }), /needs an entity/);
  card.setConfig({ sections: [{ type: "watchlist" }, { type: "downloads", entity: "sensor.x" }] });
  assert.equal(card.getCardSize(), 5);
});

test("the stub config takes only our entities, a watchlist when one exists", () => {
  const stub = PandoraBoxCard.getStubConfig(hass());
  assert.deepEqual(stub.sections, [
    { type: "posters", entity: "sensor.tmdb_trending_films" },
    { type: "downloads", entity: "sensor.q_downloading_torrents" },
  ]);
  const lists = hass();
  lists.entities["todo.watchlist"] = { entity_id: "todo.watchlist", platform: "pandora_box" };
  assert.deepEqual(PandoraBoxCard.getStubConfig(lists).sections[1], { type: "watchlist" });
});

test("posters load through our view, escaped, with buttons only where they work", () => {
  const card = new PandoraBoxCard();
  card.setConfig({ sections: [{ type: "posters", entity: "sensor.tmdb_trending_films" }] });
  card._hass = hass();
  const html = card._posters(0, card._config.sections[0], films);
  const src = `/api/pandora_box/image/sensor.tmdb_trending_films?url=${encodeURIComponent(poster)}`;
  assert.ok(html.includes(`data-src="${src}"`), html);
  assert.ok(!html.includes("src=\"https://"), "no poster is hot-linked");
  assert.ok(!html.includes("<b>Matrix"), "titles are escaped");
  assert.ok(html.includes("TMDB Trending &#60;films&#62;"));
  assert.equal(html.match(/data-action="download"/g).length, 1, "Jellyfin items get no button");
  assert.ok(html.includes(">Herunterladen<"), "German for a German user");
  assert.ok(!html.includes("watchlist_add"), "no watchlist button without the action");
  card._hass = hass();
  card._hass.services.pandora_box.add_to_watchlist = {};
  assert.ok(card._posters(0, card._config.sections[0], films).includes('data-action="watchlist_add"'));
});

test("downloads show a bar per torrent, and say so when there are none", () => {
  const card = new PandoraBoxCard();
  card.setConfig({ sections: [{ type: "downloads", entity: "sensor.q_downloading_torrents" }] });
  card._hass = hass({ language: "en" });
  const state = {
    state: "1",
    attributes: { torrents: [{ hash: "h1", name: "A <x>", progress: 45.5, download_speed: 2048, eta: 90 }] },
  };
  const html = card._downloads(card._config.sections[0], state);
  assert.ok(html.includes('aria-valuenow="45.5"') && html.includes("width: 45.5%"), html);
  assert.ok(html.includes("2.0 KiB/s") && html.includes("1 min 30 s left"), html);
  assert.ok(html.includes("A &#60;x&#62;"));
  assert.ok(card._downloads(card._config.sections[0], { state: "0", attributes: { torrents: [] } })
    .includes("Nothing is downloading."));
  assert.ok(card._downloads(card._config.sections[0], { state: "unavailable", attributes: {} })
    .includes("Unavailable"));
});
