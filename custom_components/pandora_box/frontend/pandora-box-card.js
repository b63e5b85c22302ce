// Pandora Box card: posters (TMDB trending/upcoming, Jellyfin latest additions),
// the watchlist and the downloads of qBittorrent, for Home Assistant dashboards.
// Plain JavaScript, no build step; the integration serves this file and lists it
// as a Lovelace resource (custom_components/pandora_box/frontend/__init__.py).
//
//   type: custom:pandora-box-card
//   sections:
//     - {type: posters, entity: sensor.tmdb_trending_films, limit: 12}
//     - {type: posters, entity: sensor.pandora_jellyfin_latest_additions}
//     - {type: watchlist}                # first to-do list of pandora_box, if any
//     - {type: downloads, entity: sensor.qbittorrent_downloading_torrents}
//
// Posters load through Home Assistant (/api/pandora_box/image/<entity>?url=…,
// a signed path): the browser never talks to TMDB or Jellyfin.

const DOMAIN = "pandora_box";
const SIGN_SECONDS = 24 * 3600;
const SECTION_TYPES = ["posters", "watchlist", "downloads"];

const STRINGS = {
  en: {
    download: "Download",
    watchlist_add: "Add to watchlist",
    working: "…",
    added: "Added",
    not_added: "Not added",
    failed: "Failed",
    downloads: "Downloads",
    no_downloads: "Nothing is downloading.",
    watchlist: "Watchlist",
    empty_watchlist: "The watchlist is empty.",
    nothing: "Nothing to show.",
    eta: "left",
    unavailable: "Unavailable",
    bad_section: "Unknown section type",
  },
  de: {
    download: "Herunterladen",
    watchlist_add: "Auf die Merkliste",
    working: "…",
    added: "Hinzugefügt",
    not_added: "Nicht hinzugefügt",
    failed: "Fehlgeschlagen",
    downloads: "Downloads",
    no_downloads: "Es wird nichts heruntergeladen.",
    watchlist: "Merkliste",
    empty_watchlist: "Die Merkliste ist leer.",
    nothing: "Nichts anzuzeigen.",
    eta: "übrig",
    unavailable: "Nicht verfügbar",
    bad_section: "Unbekannter Abschnittstyp",
  },
};

const STUB_KEYS = [
  ["posters", "trending_movies"],
  ["posters", "upcoming_movies"],
  ["posters", "latest_items"],
  ["downloads", "downloading_torrents"],
];

const escape = (text) =>
  String(text ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// Our entities (the frontend's entity registry knows each one's platform and key).
const ours = (hass, prefix) =>
  Object.values(hass.entities || {}).filter(
    (e) => e.platform === DOMAIN && e.entity_id.startsWith(prefix),
  );

export const formatSpeed = (bytes) => {
  const units = ["B/s", "KiB/s", "MiB/s", "GiB/s"];
  let value = Number(bytes) || 0;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit ? 1 : 0)} ${units[unit]}`;
};

export const formatEta = (seconds) => {
  if (seconds === null || seconds === undefined || seconds < 0) return "∞";
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  if (h) return `${h} h ${m} min`;
  if (m) return `${m} min ${s} s`;
  return `${s} s`;
};

const STYLE = `
  :host { display: block; }
  ha-card { padding: 12px 16px 16px; }
  h2 { font-size: 1.1em; font-weight: 500; margin: 12px 0 8px; }
  .grid { display: grid; gap: 10px;
          grid-template-columns: repeat(auto-fill, minmax(120px, 1fr)); }
  .poster { position: relative; display: flex; flex-direction: column; min-width: 0; }
  .poster .art { aspect-ratio: 2 / 3; border-radius: 8px; overflow: hidden;
                 background: var(--secondary-background-color, #eee); }
  .poster img { width: 100%; height: 100%; object-fit: cover; display: block; }
  .poster .name { font-size: 0.85em; margin-top: 4px; white-space: nowrap;
                  overflow: hidden; text-overflow: ellipsis; }
  .poster .meta { font-size: 0.75em; color: var(--secondary-text-color); }
  .actions { display: flex; gap: 4px; margin-top: 4px; flex-wrap: wrap; }
  button { font: inherit; font-size: 0.75em; cursor: pointer; border: none;
           border-radius: 6px; padding: 4px 8px; color: var(--text-primary-color, #fff);
           background: var(--primary-color, #03a9f4); }
  button.secondary { background: var(--secondary-background-color, #ddd);
                     color: var(--primary-text-color); }
  button[disabled] { opacity: 0.6; cursor: default; }
  .torrent { margin: 8px 0; }
  .torrent .row { display: flex; justify-content: space-between; gap: 8px; font-size: 0.85em; }
  .torrent .row .title { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .torrent .row .numbers { color: var(--secondary-text-color); white-space: nowrap; }
  .bar { height: 6px; border-radius: 3px; margin-top: 4px;
         background: var(--divider-color, #ddd); overflow: hidden; }
  .bar > div { height: 100%; background: var(--primary-color, #03a9f4); }
  .note { color: var(--secondary-text-color); font-size: 0.85em; }
  .item { display: flex; justify-content: space-between; gap: 8px; padding: 4px 0;
          border-bottom: 1px solid var(--divider-color, #eee); font-size: 0.9em; }
  .item .state { color: var(--secondary-text-color); }
  .item.completed .summary { text-decoration: line-through; }
`;

// HTMLElement is missing outside a browser (the unit test of the helpers runs in Node).
const Base = typeof HTMLElement === "undefined" ? class {} : HTMLElement;

export class PandoraBoxCard extends Base {
  static getStubConfig(hass) {
    const sections = [];
    for (const [type, key] of STUB_KEYS) {
      const found = ours(hass, "sensor.").find((e) => e.translation_key === key);
      if (found) sections.push({ type, entity: found.entity_id });
    }
    if (ours(hass, "todo.").length) sections.splice(sections.length - 1, 0, { type: "watchlist" });
    return { sections: sections.length ? sections : [{ type: "downloads" }] };
  }

  setConfig(config) {
    if (!config || !Array.isArray(config.sections) || !config.sections.length) {
      throw new Error("pandora-box-card needs a list of sections");
    }
    for (const section of config.sections) {
      if (!SECTION_TYPES.includes(section.type)) {
        throw new Error(`Unknown section type: ${section.type} (${SECTION_TYPES.join(", ")})`);
      }
      if (section.type !== "watchlist" && !section.entity) {
        throw new Error(`The ${section.type} section needs an entity`);
      }
    }
    this._config = config;
    this._seen = [];
    this._signed = this._signed || new Map();
    this._busy = this._busy || new Map();
    if (this.shadowRoot) this._build();
  }

  getCardSize() {
    return this._config.sections.reduce(
      (size, s) => size + (s.type === "posters" ? 5 : s.type === "downloads" ? 3 : 2),
      0,
    );
  }

  set hass(hass) {
    const first = !this._hass;
    this._hass = hass;
    if (first) this._build();
    this._config.sections.forEach((section, index) => {
      const entity = this._entityOf(section);
      const state = entity ? hass.states[entity] : undefined;
      if (section.type === "watchlist") this._watch(index, entity);
      else if (state !== this._seen[index]) {
        this._seen[index] = state;
        this._render(index);
      }
    });
  }

  connectedCallback() {
    if (this._hass && this._unsubscribe === undefined) {
      this._config.sections.forEach((s, i) => s.type === "watchlist" && this._watch(i, this._entityOf(s)));
    }
  }

  disconnectedCallback() {
    if (this._unsubscribe) this._unsubscribe.then((unsub) => unsub()).catch(() => {});
    this._unsubscribe = undefined;
    this._watching = undefined;
  }

  _t(key) {
    const language = (this._hass && this._hass.language) || "en";
    return (STRINGS[language.split("-")[0]] || STRINGS.en)[key] || STRINGS.en[key];
  }

  _entityOf(section) {
    if (section.entity || section.type !== "watchlist") return section.entity;
    const lists = this._hass ? ours(this._hass, "todo.") : [];
    return lists.length ? lists[0].entity_id : undefined;
  }

  _build() {
    if (!this._hass) return;
    if (!this.shadowRoot) this.attachShadow({ mode: "open" });
    const title = this._config.title ? `<h1 class="card-header">${escape(this._config.title)}</h1>` : "";
    this.shadowRoot.innerHTML = `<style>${STYLE}</style><ha-card>${title}${this._config.sections
      .map((s, i) => `<section data-index="${i}" data-type="${s.type}"></section>`)
      .join("")}</ha-card>`;
    this._seen = [];
    this.shadowRoot.addEventListener("click", (event) => this._click(event));
  }

  _section(index) {
    return this.shadowRoot.querySelector(`section[data-index="${index}"]`);
  }

  _heading(section, state, fallback) {
    const name = section.title || (state && state.attributes.friendly_name) || fallback;
    return name ? `<h2>${escape(name)}</h2>` : "";
  }

  _render(index) {
    const section = this._config.sections[index];
    const element = this._section(index);
    if (!element) return;
    const state = this._hass.states[section.entity];
    if (section.type === "posters") element.innerHTML = this._posters(index, section, state);
    if (section.type === "downloads") element.innerHTML = this._downloads(section, state);
    element.querySelectorAll("img[data-src]").forEach((img) => this._load(img));
  }

  _posters(index, section, state) {
    const heading = this._heading(section, state);
    if (!state || state.state === "unavailable") {
      return `${heading}<p class="note">${this._t("unavailable")}</p>`;
    }
    const items = (state.attributes.data || []).slice(1, 1 + (section.limit || 12));
    if (!items.length) return `${heading}<p class="note">${this._t("nothing")}</p>`;
    const canAdd = !!(this._hass.services[DOMAIN] || {}).add_to_watchlist;
    const tiles = items.map((item, i) => {
      const image = item.poster
        ? `<img alt="" loading="lazy" data-src="${escape(
            `/api/${DOMAIN}/image/${section.entity}?url=${encodeURIComponent(item.poster)}`,
          )}">`
        : "";
      const meta = [item.number || item.year, item.rating ? `★ ${item.rating}` : ""]
        .filter(Boolean)
        .join(" · ");
      let actions = "";
      if (item.tmdb_id && item.media_type) {
        const ref = `data-section="${index}" data-item="${i}"`;
        actions = `<div class="actions">
          ${this._button("download", ref, item)}
          ${canAdd ? this._button("watchlist_add", ref, item, "secondary") : ""}</div>`;
      }
      const title = item.episode ? `${item.title}: ${item.episode}` : item.title;
      return `<div class="poster" title="${escape(title)}"><div class="art">${image}</div>
        <div class="name">${escape(title)}</div><div class="meta">${escape(meta)}</div>${actions}</div>`;
    });
    return `${heading}<div class="grid">${tiles.join("")}</div>`;
  }

  _button(action, ref, item, cls = "") {
    const busy = this._busy.get(`${action}:${item.media_type}:${item.tmdb_id}`);
    const label = busy ? this._t(busy) : this._t(action);
    return `<button class="${cls}" data-action="${action}" ${ref}${
      busy === "working" ? " disabled" : ""
    }>${escape(label)}</button>`;
  }

  _downloads(section, state) {
    const heading = this._heading(section, undefined, this._t("downloads"));
    if (!state || state.state === "unavailable") {
      return `${heading}<p class="note">${this._t("unavailable")}</p>`;
    }
    const torrents = state.attributes.torrents || [];
    if (!torrents.length) return `${heading}<p class="note">${this._t("no_downloads")}</p>`;
    const rows = torrents.map((t) => {
      const progress = Math.max(0, Math.min(100, Number(t.progress) || 0));
      return `<div class="torrent" data-hash="${escape(t.hash)}">
        <div class="row"><span class="title">${escape(t.name)}</span>
          <span class="numbers">${progress.toFixed(1)} % · ${formatSpeed(t.download_speed)} · ${formatEta(
            t.eta,
          )} ${this._t("eta")}</span></div>
        <div class="bar" role="progressbar" aria-valuenow="${progress}" aria-valuemin="0" aria-valuemax="100">
          <div style="width: ${progress}%"></div></div></div>`;
    });
    return `${heading}${rows.join("")}`;
  }

  _watch(index, entity) {
    if (!this._hass || this._watching === entity) return;
    if (this._unsubscribe) this._unsubscribe.then((unsub) => unsub()).catch(() => {});
    this._watching = entity;
    const element = this._section(index);
    if (!entity) {
      this._unsubscribe = null;
      if (element) element.innerHTML = "";
      return;
    }
    this._unsubscribe = this._hass.connection.subscribeMessage(
      (message) => this._renderWatchlist(index, entity, message.items || []),
      { type: "todo/item/subscribe", entity_id: entity },
    );
    this._unsubscribe.catch(() => {
      if (element) element.innerHTML = "";
    });
  }

  _renderWatchlist(index, entity, items) {
    const element = this._section(index);
    if (!element) return;
    const section = this._config.sections[index];
    const heading = this._heading(section, this._hass.states[entity], this._t("watchlist"));
    if (!items.length) {
      element.innerHTML = `${heading}<p class="note">${this._t("empty_watchlist")}</p>`;
      return;
    }
    element.innerHTML = `${heading}${items
      .map(
        (item) => `<div class="item ${item.status === "completed" ? "completed" : ""}">
          <span class="summary">${escape(item.summary)}</span>
          <span class="state">${escape(item.description || "")}</span></div>`,
      )
      .join("")}`;
  }

  // Posters: a signed path per image (kept until shortly before it expires).
  async _load(img) {
    const path = img.dataset.src;
    let signed = this._signed.get(path);
    if (!signed || signed.until < Date.now()) {
      const answer = this._hass.callWS({ type: "auth/sign_path", path, expires: SIGN_SECONDS });
      signed = { path: answer.then((a) => a.path), until: Date.now() + (SIGN_SECONDS - 600) * 1000 };
      this._signed.set(path, signed);
    }
    try {
      img.src = await signed.path;
    } catch (err) {
      this._signed.delete(path);
    }
  }

  async _click(event) {
    const button = event.composedPath().find((el) => el.dataset && el.dataset.action);
    if (!button || button.disabled) return;
    const section = this._config.sections[Number(button.dataset.section)];
    const item = (this._hass.states[section.entity].attributes.data || []).slice(1)[
      Number(button.dataset.item)
    ];
    const action = button.dataset.action;
    const key = `${action}:${item.media_type}:${item.tmdb_id}`;
    const service = action === "download" ? "download_media" : "add_to_watchlist";
    const data = { tmdb_id: item.tmdb_id, media_type: item.media_type };
    if (action === "download" && section.skip_if_streaming !== undefined) {
      data.skip_if_streaming = section.skip_if_streaming;
    }
    this._busy.set(key, "working");
    this._rerender(section);
    let message;
    try {
      const described = (this._hass.services[DOMAIN] || {})[service] || {};
      const answer = await this._hass.callWS({
        type: "call_service",
        domain: DOMAIN,
        service,
        service_data: data,
        return_response: !!described.response,
      });
      const response = (answer && answer.response) || {};
      // the answer says whether it was added, and in words why not
      const outcome = response.added === false ? "not_added" : "added";
      this._busy.set(key, outcome);
      message = response.message || `${item.title}: ${this._t(outcome)}`;
    } catch (err) {
      this._busy.set(key, "failed");
      message = (err && err.message) || this._t("failed");
    }
    this._rerender(section);
    this.dispatchEvent(
      new CustomEvent("hass-notification", { detail: { message }, bubbles: true, composed: true }),
    );
  }

  _rerender(section) {
    this._render(this._config.sections.indexOf(section));
  }
}

if (typeof customElements !== "undefined" && !customElements.get("pandora-box-card")) {
  customElements.define("pandora-box-card", PandoraBoxCard);
  window.customCards = window.customCards || [];
  window.customCards.push({
    type: "pandora-box-card",
    name: "Pandora Box",
    description: "Posters to download or watch later, the watchlist and the downloads of Pandora Box.",
    preview: true,
    documentationURL: "https://github.com/pandora-box/ha-pandora-box",
  });
}
