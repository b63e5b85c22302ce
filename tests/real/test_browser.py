"""The demo's dashboard in a real browser: headless Chromium logs in and looks at every view.

The module starts what ``scripts/demo`` starts, on free loopback ports:
``python -m simulators`` and a real ``hass`` from the venv with a fresh config
folder built like the demo's (``docs/demo/configuration.yaml``, the
integration linked into ``custom_components``, ``docs/dashboard.yaml`` linked
as the ``pandora-box`` YAML dashboard).  ``scripts/demo_setup.py`` onboards
Home Assistant and creates the seven entries through REST.

Chromium (Debian's ``chromium`` + ``chromium-driver``, driven by selenium)
then logs in through Home Assistant's login page with the onboarding user,
opens ``/pandora-box/<path>`` for every view of the dashboard, waits until
every card of the view has rendered and looks through the shadow roots for
problem cards: ``hui-warning`` / ``hui-error-card`` elements ("Entity not
available", "Entity not found", bad configuration) and entity states shown
as "Unavailable".  The first view's screenshot is taken (and checked to be a
PNG) into the test's temporary folder.

The first view is our own card (``custom:pandora-box-card``, which the
integration serves and lists in Lovelace's resources itself).  The card test
waits until its posters have loaded (``naturalWidth > 0``) from our poster
view on Home Assistant's own origin, TMDB's and Jellyfin's alike, clicks
*Download* on a trending film, asks the qBittorrent simulator (its Web API)
for the new torrent, and reads that torrent's progress bar twice until the
readings differ.  Its screenshot of the card goes to the test's temporary
folder; with ``PANDORA_BOX_SCREENSHOT=FILE`` in the environment to FILE
instead, which is how ``docs/screenshot.png`` is refreshed
(``scripts/screenshot`` does exactly that):

    PANDORA_BOX_SCREENSHOT=docs/screenshot.png \
        .venv/bin/python -m pytest tests/real/test_browser.py -k card

A missing browser fails the test; it never skips.
"""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
from dataclasses import dataclass
import http.cookiejar
import json
import os
from pathlib import Path
import secrets
import time
from typing import Any
import urllib.parse
import urllib.request

from homeassistant.util.yaml import parse_yaml
import pytest
import pytest_socket
from selenium import webdriver
from selenium.common.exceptions import JavascriptException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webelement import WebElement

from ..processes import (
    ROOT,
    demo_setup,
    free_port,
    prepare_config,
    start_hass,
    start_simulators,
    stop,
)

# One Home Assistant and one browser for the module: keep it on one xdist worker.
# A fresh venv's first `hass` start compiles Home Assistant's bytecode: minutes.
pytestmark = [pytest.mark.xdist_group("browser"), pytest.mark.timeout(900)]

DASHBOARD = ROOT / "docs" / "dashboard.yaml"
SCREENSHOT_ENV = "PANDORA_BOX_SCREENSHOT"
DASHBOARD_URL = "pandora-box"
"""The dashboard's url path in docs/demo/configuration.yaml."""
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WINDOW = (1280, 900)
RENDER_TIMEOUT_S = 60.0
USERNAME = "browser"

# Deep (shadow DOM) helpers run in the page.  `walk` yields every element of the
# document and of every open shadow root below it.
JS_HELPERS = r"""
const walk = function* (root) {
  const roots = [root];
  while (roots.length) {
    for (const el of roots.pop().querySelectorAll('*')) {
      yield el;
      if (el.shadowRoot) roots.push(el.shadowRoot);
    }
  }
};
const deepText = (el) => {
  const parts = [];
  const visit = (node) => {
    if (node.nodeType === Node.TEXT_NODE) { parts.push(node.textContent); return; }
    if (node.nodeName === 'STYLE' || node.nodeName === 'SCRIPT') return;
    if (node.shadowRoot) visit(node.shadowRoot);
    for (const child of node.childNodes) visit(child);
  };
  visit(el);
  return parts.join(' ').replace(/\s+/g, ' ').trim();
};
const isCard = (el) => /^hui-.+-card$/.test(el.localName) || el.localName === 'pandora-box-card';
const ancestors = (node) => {
  const found = [];
  for (let n = node; n; n = n.parentNode || n.host) {
    if (n.nodeType === Node.ELEMENT_NODE) found.push(n);
  }
  return found;
};
const cardOf = (node) => ancestors(node).find(isCard) || null;
const describe = (card) => {
  if (!card) return 'outside any card';
  const config = card._config || card.config || {};
  const label = config.title || config.name || config.entity || '';
  return label ? `${card.localName} "${label}"` : card.localName;
};
"""

PAST_CARDS = ("hui-history-graph-card", "hui-logbook-card")
"""Cards that show what happened (a speed graph, the torrent activity), outages included."""

JS_FIND_LOGIN = (
    JS_HELPERS
    + r"""
const inputs = [...walk(document)].filter((el) => el.localName === 'input');
const user = inputs.find((el) => el.name === 'username' || el.autocomplete === 'username');
const password = inputs.find((el) => el.type === 'password');
return user && password ? [user, password] : null;
"""
)

JS_VIEW_STATE = (
    JS_HELPERS
    + r"""
const cards = {};
const problems = [];
const problemTags = new Set(['hui-warning', 'hui-warning-element', 'hui-error-card']);
// States shown as "Unavailable", missing entities, cards whose integration is off
// (history-graph: "History integration disabled").
const problemText = new RegExp(
  '^(unavailable|entity not (available|found).*|.*integration (disabled|is not loaded).*)$', 'i'
);
const textsOf = (parent) => [...parent.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE);
for (const el of walk(document)) {
  if (isCard(el) && el.shadowRoot && el.shadowRoot.childElementCount) {
    cards[el.localName] = (cards[el.localName] || 0) + 1;
  }
  if (problemTags.has(el.localName)) {
    problems.push(`${describe(cardOf(el))}: <${el.localName}> ${deepText(el)}`);
  }
  const texts = textsOf(el).concat(el.shadowRoot ? textsOf(el.shadowRoot) : []);
  if (ancestors(el).some((n) => problemTags.has(n.localName))) continue;  // reported above
  for (const node of texts) {
    const text = node.textContent.trim();
    if (problemText.test(text)) problems.push(`${describe(cardOf(el))}: shows "${text}"`);
  }
}
const ha = document.querySelector('home-assistant');
const states = (ha && ha.hass && ha.hass.states) || null;
const entities = {};
if (states) for (const id of arguments[0]) entities[id] = states[id] ? states[id].state : null;
return {path: location.pathname, cards, problems, entities, connected: !!states};
"""
)

JS_CARD = (
    JS_HELPERS
    + r"""
const card = [...walk(document)].find((el) => el.localName === 'pandora-box-card');
if (!card || !card.shadowRoot) return null;
const root = card.shadowRoot;
const images = [...root.querySelectorAll('.poster img')].map((img) => ({
  src: img.src, loaded: img.complete && img.naturalWidth > 0, width: img.naturalWidth,
  section: img.closest('section').dataset.index,
}));
const bars = {};
for (const row of root.querySelectorAll('.torrent')) {
  const bar = row.querySelector('[role=progressbar]');
  bars[row.dataset.hash] = Number(bar.getAttribute('aria-valuenow'));
}
const buttons = [...root.querySelectorAll('button[data-action]')].map((b) => b.dataset.action);
return {origin: location.origin, images, bars, buttons, text: deepText(root)};
"""
)

JS_DOWNLOAD_BUTTON = (
    JS_HELPERS
    + r"""
const card = [...walk(document)].find((el) => el.localName === 'pandora-box-card');
return card.shadowRoot.querySelector(
  `section[data-index="${arguments[0]}"] button[data-action="download"]`);
"""
)

JS_MEDIA_CONTROL = (
    JS_HELPERS
    + r"""
// The media-control card of a Jellyfin player: its title and the artwork it shows.
const card = [...walk(document)].find((el) => el.localName === 'hui-media-control-card');
if (!card || !card.shadowRoot) return null;
const art = [...walk(card.shadowRoot)]
  .map((el) => getComputedStyle(el).backgroundImage || '')
  .concat([...walk(card.shadowRoot)].filter((el) => el.localName === 'img').map((el) => el.src))
  .map((value) => (value.match(/url\("?([^")]+)"?\)/) || [null, value])[1])
  .find((url) => url && url.includes('/api/media_player_proxy/'));
if (!art) return {text: deepText(card.shadowRoot), art: null, loaded: false};
window.__pandoraArt = window.__pandoraArt || {};
let img = window.__pandoraArt[art];
if (!img) { img = new Image(); img.src = art; window.__pandoraArt[art] = img; }
return {text: deepText(card.shadowRoot), art, loaded: img.complete && img.naturalWidth > 0};
"""
)

JS_CONFIRM_HTTP_DIALOG = (
    JS_HELPERS
    + r"""
// Home Assistant 2026.11 moves a YAML `http:` block into its store as a pending
// configuration and asks an administrator to confirm it (or it reverts).
const dialog = [...walk(document)].find((el) => el.localName === 'dialog-http-pending-config');
if (!dialog || !dialog._open) return 'none';
const confirm = [...walk(dialog.shadowRoot)].find(
  (el) => el.localName === 'ha-button' && deepText(el) === 'Confirm');
if (confirm) confirm.click();
return 'open';
"""
)

JS_NAVIGATE = r"""
history.pushState(null, '', arguments[0]);
window.dispatchEvent(new CustomEvent('location-changed', {detail: {replace: false}}));
"""


@dataclass
class Demo:
    """The running demo: where it is and the owner's login."""

    url: str
    username: str
    password: str
    token: str
    manifest: dict[str, Any]
    """The simulators' manifest (their URLs)."""
    hass_log: Path

    def post(self, url: str, body: dict[str, Any], *, method: str = "POST") -> None:
        """POST (or ``method``) JSON to ``url`` with the owner's token; raise on HTTP errors."""
        request = urllib.request.Request(
            url,
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
            method=method,
        )
        urllib.request.urlopen(request, timeout=30).close()

    def torrents(self) -> dict[str, str]:
        """Hash → name of every torrent the qBittorrent simulator has, asked over its Web API."""
        sim = self.manifest["qbittorrent"]
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        login = urllib.parse.urlencode({"username": sim["username"], "password": sim["password"]})
        opener.open(f"{sim['url']}/api/v2/auth/login", data=login.encode(), timeout=30).close()
        with opener.open(f"{sim['url']}/api/v2/torrents/info", timeout=30) as resp:
            return {t["hash"]: t["name"] for t in json.loads(resp.read())}

    def update_entity(self, entity_id: str) -> None:
        """Refresh ``entity_id`` (its coordinator) now through the REST API."""
        self.post(f"{self.url}/api/services/homeassistant/update_entity", {"entity_id": entity_id})


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo as scripts/demo builds it: simulators, hass, dashboard, seven entries."""
    # Module fixtures run before the per-test socket_enabled fixture; this one
    # only talks to the processes it starts on 127.0.0.1.
    pytest_socket.enable_socket()
    work = tmp_path_factory.mktemp("browser")
    config = work / "config"
    prepare_config(config, (ROOT / "docs" / "demo" / "configuration.yaml").read_text("utf-8"))
    (config / "pandora_box_dashboard.yaml").symlink_to(DASHBOARD)
    port = free_port()
    manifest = work / "manifest.json"
    password = f"pw-{secrets.token_hex(8)}"
    hass_log = work / "hass.log"
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(stop, start_simulators(manifest, work / "simulators.log"))
        hass = start_hass(config, hass_log, extra_env={"PANDORA_DEMO_PORT": str(port)})
        cleanup.callback(stop, hass)
        url = f"http://127.0.0.1:{port}"
        setup = demo_setup(
            url, manifest, username=USERNAME, password=password, token_file=work / "token"
        )
        assert setup.returncode == 0, setup.stdout + setup.stderr + hass_log.read_text()
        assert setup.stdout.count("demo: added") == 7, setup.stdout
        yield Demo(
            url=url,
            username=USERNAME,
            password=password,
            token=(work / "token").read_text(encoding="utf-8"),
            manifest=json.loads(manifest.read_text(encoding="utf-8")),
            hass_log=hass_log,
        )


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    """Headless Debian Chromium through its chromedriver; quit after the module."""
    pytest_socket.enable_socket()
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} not found: the browser test needs Debian's chromium and "
            "chromium-driver (scripts/bootstrap installs them: "
            "apt-get install chromium chromium-driver)",
            pytrace=False,
        )
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",  # root in a container has no user namespaces for the sandbox
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--lang=en-US",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        # The viewport itself (--window-size includes the window's frame in headless mode).
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": WINDOW[0], "height": WINDOW[1], "deviceScaleFactor": 1, "mobile": False},
        )
        yield driver
    finally:
        driver.quit()


def _run(driver: webdriver.Chrome, script: str, *args: Any) -> Any:
    """``driver.execute_script``, its answer as ``Any``."""
    return driver.execute_script(script, *args)


def _wait_for(what: str, check: Any, timeout: float = RENDER_TIMEOUT_S) -> Any:
    """Poll ``check()`` until it returns something truthy; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        with contextlib.suppress(JavascriptException):
            last = check()
            if last:
                return last
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what} (last seen: {last!r})", pytrace=False)
        time.sleep(0.2)


def _log_in(driver: webdriver.Chrome, demo: Demo, first_view: str) -> None:
    """Open the first view; Home Assistant sends us to its login page; log in there."""
    driver.get(f"{demo.url}/{DASHBOARD_URL}/{first_view}")
    fields: list[WebElement] = _wait_for("the login form", lambda: _run(driver, JS_FIND_LOGIN))
    user, password = fields
    user.clear()
    user.send_keys(demo.username)
    password.send_keys(demo.password)
    password.send_keys("\n")


@pytest.fixture(scope="module")
def dashboard(browser: webdriver.Chrome, demo: Demo) -> list[dict[str, Any]]:
    """Log the browser in (it lands on the first view); return the dashboard's views."""
    config = parse_yaml(DASHBOARD.read_text(encoding="utf-8"))
    assert isinstance(config, dict), DASHBOARD
    views: list[dict[str, Any]] = config["views"]
    _log_in(browser, demo, views[0]["path"])
    return views


def _card_types(cards: list[dict[str, Any]]) -> dict[str, int]:
    """Count the card element names a view's card configs render (stacks/grids nest)."""
    counts: dict[str, int] = {}
    for card in cards:
        kind = card["type"]
        tag = kind.removeprefix("custom:") if kind.startswith("custom:") else f"hui-{kind}-card"
        counts[tag] = counts.get(tag, 0) + 1
        for name, count in _card_types(card.get("cards", [])).items():
            counts[name] = counts.get(name, 0) + count
    return counts


def _entity_ids(node: Any) -> set[str]:
    """Every entity id a dashboard config mentions (``entity``/``entities``/``entity_id``)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key in {"entity", "entity_id"} and isinstance(value, str):
                found.add(value)
            elif key == "entities" and isinstance(value, list):
                found |= {item for item in value if isinstance(item, str)}
            found |= _entity_ids(value)
    elif isinstance(node, list):
        for item in node:
            found |= _entity_ids(item)
    return found


def _settled_view(driver: webdriver.Chrome, path: str, view: dict[str, Any]) -> dict[str, Any]:
    """Wait until every card of ``view`` rendered and the page stopped changing; return it."""
    expected = _card_types(view["cards"])
    entities = sorted(_entity_ids(view))
    previous: dict[str, Any] | None = None

    def rendered() -> dict[str, Any] | None:
        nonlocal previous
        state: dict[str, Any] = _run(driver, JS_VIEW_STATE, entities)
        ready = (
            state["path"] == path
            and state["connected"]
            and all(state["cards"].get(tag, 0) >= n for tag, n in expected.items())
        )
        # Two identical looks in a row: rows and states have rendered too.
        stable = ready and state == previous
        previous = state
        return state if stable else None

    result: dict[str, Any] = _wait_for(f"the cards of {path} ({expected})", rendered)
    return result


def test_dashboard_has_no_unavailable_or_missing_entities(
    browser: webdriver.Chrome, demo: Demo, dashboard: list[dict[str, Any]], tmp_path: Path
) -> None:
    """Every view of docs/dashboard.yaml renders all its cards with no problem card."""
    screenshot = tmp_path / "screenshot.png"
    problems: list[str] = []
    for index, view in enumerate(dashboard):
        path = f"/{DASHBOARD_URL}/{view['path']}"
        _run(browser, JS_NAVIGATE, path)
        try:
            state = _settled_view(browser, path, view)
        except WebDriverException as err:
            pytest.fail(f"{path}: the browser failed: {err.msg}", pytrace=False)
        if index == 0:
            screenshot.write_bytes(browser.get_screenshot_as_png())
        problems += [f"{path}: {problem}" for problem in state["problems"]]
        problems += [
            f"{path}: {entity_id} is {'missing' if value is None else value}"
            for entity_id, value in state["entities"].items()
            if value in {None, "unavailable"}
        ]
    ours = [
        line
        for line in demo.hass_log.read_text(errors="replace").splitlines()
        if "pandora_box" in line
    ]
    assert not problems, (
        "problem cards on the demo dashboard:\n"
        + "\n".join(problems)
        + "\n\nhass.log (pandora_box lines):\n"
        + "\n".join(ours[-20:])
    )
    assert screenshot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n"), screenshot


def test_unavailable_entities_are_seen(
    browser: webdriver.Chrome, demo: Demo, dashboard: list[dict[str, Any]]
) -> None:
    """The check can fail: with qBittorrent down its cards show "Unavailable"; back, they don't."""
    view = next(v for v in dashboard if v["path"] == "downloads")
    path = f"/{DASHBOARD_URL}/{view['path']}"
    entities = sorted(_entity_ids(view))
    qbittorrent = [e for e in entities if e.startswith("sensor.qbittorrent_")]
    fault = f"{demo.manifest['qbittorrent']['url']}/_sim/fault"

    def unavailable_shown() -> list[str]:
        state: dict[str, Any] = _run(browser, JS_VIEW_STATE, entities)
        return [p for p in state["problems"] if "unavailable" in p.lower()]

    _run(browser, JS_NAVIGATE, path)
    _settled_view(browser, path, view)
    assert not unavailable_shown()
    demo.post(fault, {"mode": "down"})
    try:
        demo.update_entity(qbittorrent[0])
        shown = _wait_for("qBittorrent's cards to show Unavailable", unavailable_shown)
    finally:
        demo.post(fault, {}, method="DELETE")
    # Gauges warn ("Entity is currently unavailable"), glance and entities rows say so;
    # the frontends of 2026.10 on also show the outage in the cards of the past.
    kinds = {problem.split(" ")[0] for problem in shown}
    assert {"hui-gauge-card", "hui-glance-card", "hui-entities-card"} <= kinds, shown
    assert kinds <= {"hui-gauge-card", "hui-glance-card", "hui-entities-card", *PAST_CARDS}, shown
    assert len(shown) >= 2 + 6 + 2, shown
    demo.update_entity(qbittorrent[0])
    # Cards of the past go on showing the outage they recorded; every other card recovers.
    _wait_for(
        "qBittorrent's cards to recover",
        lambda: not [p for p in unavailable_shown() if not p.startswith(PAST_CARDS)],
    )


def test_player_shows_artwork(
    browser: webdriver.Chrome, demo: Demo, dashboard: list[dict[str, Any]]
) -> None:
    """The library view's media-control card: a Jellyfin player with its artwork.

    The demo's Firefox client plays The Matrix; the card's picture is Home
    Assistant's image proxy (no Jellyfin address, no key) and it loads.
    """
    view = next(v for v in dashboard if v["path"] == "library")
    path = f"/{DASHBOARD_URL}/{view['path']}"
    _run(browser, JS_NAVIGATE, path)
    _settled_view(browser, path, view)
    shown: dict[str, Any] = _wait_for(
        "the player's artwork to load",
        lambda: (card := _run(browser, JS_MEDIA_CONTROL)) and card["loaded"] and card,
    )
    assert "The Matrix" in shown["text"], shown
    art = urllib.parse.urlsplit(shown["art"])
    assert art.path == "/api/media_player_proxy/media_player.jellyfin_firefox", shown
    assert not {"api_key", "ApiKey", "apiKey"} & set(urllib.parse.parse_qs(art.query)), shown


def test_card_shows_posters_downloads_and_progress(
    browser: webdriver.Chrome, demo: Demo, dashboard: list[dict[str, Any]], tmp_path: Path
) -> None:
    """Our card: posters through Home Assistant, *Download* adds a torrent, its bar moves."""
    view = next(v for v in dashboard if v["path"] == "media")
    sections = view["cards"][0]["sections"]
    path = f"/{DASHBOARD_URL}/{view['path']}"
    _run(browser, JS_NAVIGATE, path)
    _settled_view(browser, path, view)

    def posters_loaded() -> dict[str, Any] | None:
        card: dict[str, Any] | None = _run(browser, JS_CARD)
        shown = card["images"] if card else []
        return card if shown and all(image["loaded"] for image in shown) else None

    card = _wait_for("the card's posters to load", posters_loaded)
    view_prefix = f"{card['origin']}/api/pandora_box/image/"
    # every poster comes from our view on Home Assistant's origin, signed, no key
    for image in card["images"]:
        assert image["src"].startswith(view_prefix), image
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(image["src"]).query)
        assert "authSig" in query, image
        assert not {"api_key", "ApiKey", "apiKey"} & set(query), image
    by_section = {int(image["section"]) for image in card["images"]}
    tmdb = [i for i, s in enumerate(sections) if s.get("entity", "").startswith("sensor.tmdb_")]
    jellyfin = [i for i, s in enumerate(sections) if "jellyfin" in s.get("entity", "")]
    assert set(tmdb) <= by_section, (by_section, sections)
    assert set(jellyfin) <= by_section, (by_section, sections)
    assert "download" in card["buttons"]

    # an administrator confirms Home Assistant's own HTTP dialog before using the page
    _wait_for(
        "no open HTTP configuration dialog", lambda: _run(browser, JS_CONFIRM_HTTP_DIALOG) == "none"
    )
    before = demo.torrents()
    trending = tmdb[0]
    button: WebElement = _run(browser, JS_DOWNLOAD_BUTTON, trending)
    button.click()
    added: dict[str, str] = _wait_for(
        "the clicked title's torrent in the qBittorrent simulator",
        lambda: {h: n for h, n in demo.torrents().items() if h not in before},
        timeout=120,
    )
    assert len(added) == 1, added
    (torrent_hash,) = added

    first: float = _wait_for(
        "the new torrent's progress bar",
        lambda: _run(browser, JS_CARD)["bars"].get(torrent_hash),
        timeout=120,
    )
    second: float = _wait_for(
        "the progress bar to move",
        lambda: (v := _run(browser, JS_CARD)["bars"].get(torrent_hash)) != first and v,
        timeout=180,
    )
    assert second != first, f"progress of {added[torrent_hash]}: {first} % then {second} %"
    screenshot = Path(os.environ.get(SCREENSHOT_ENV) or tmp_path / "card.png")
    posters_loaded() or _wait_for("the posters after the download", posters_loaded)
    screenshot.write_bytes(browser.get_screenshot_as_png())
    assert screenshot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n"), screenshot
