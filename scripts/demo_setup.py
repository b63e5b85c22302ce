"""Onboard a fresh Home Assistant and add one Pandora Box entry per simulator.

Everything goes through Home Assistant's public HTTP APIs, as a user's browser
would: the onboarding API creates the owner, ``/auth/token`` gives a token,
and the config-flow REST API (``/api/config/config_entries/flow``) walks the
menu and the form of each kind with the simulator manifest's fields.

    python scripts/demo_setup.py --url http://127.0.0.1:8123 \
        --manifest .demo/manifest.json --username demo --password secret
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
import sys
import time
from typing import Any

import aiohttp

DOMAIN = "pandora_box"
KINDS = ("qbittorrent", "jackett", "tmdb", "watchmode", "cloudcmd", "portainer", "jellyfin")


async def wait_until(what: str, check: Any, limit_s: float) -> Any:
    """Call the coroutine function ``check`` until it returns a truthy value."""
    deadline = time.monotonic() + limit_s
    while True:
        try:
            if result := await check():
                return result
        except aiohttp.ClientError, OSError, ValueError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"demo: gave up waiting for {what} after {limit_s:.0f} s")
        await asyncio.sleep(0.5)


async def onboard(session: aiohttp.ClientSession, url: str, username: str, password: str) -> str:
    """Create the owner account, finish onboarding and return an access token."""
    client_id = f"{url}/"

    async def ready() -> bool:
        async with session.get(f"{url}/api/onboarding") as resp:
            return resp.status == 200

    await wait_until("Home Assistant to start", ready, 540)
    async with session.post(
        f"{url}/api/onboarding/users",
        json={
            "client_id": client_id,
            "name": username.title(),
            "username": username,
            "password": password,
            "language": "en",
        },
    ) as resp:
        resp.raise_for_status()
        auth_code = (await resp.json())["auth_code"]
    async with session.post(
        f"{url}/auth/token",
        data={"grant_type": "authorization_code", "code": auth_code, "client_id": client_id},
    ) as resp:
        resp.raise_for_status()
        token: str = (await resp.json())["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    for step, body in (
        ("core_config", {}),
        ("analytics", {}),
        ("integration", {"client_id": client_id, "redirect_uri": f"{url}/?auth_callback=1"}),
    ):
        async with session.post(f"{url}/api/onboarding/{step}", json=body, headers=headers) as resp:
            resp.raise_for_status()
    return token


async def add_entry(
    session: aiohttp.ClientSession, url: str, token: str, kind: str, fields: dict[str, Any]
) -> dict[str, Any]:
    """Walk the config flow for ``kind`` and return the final flow result."""
    headers = {"Authorization": f"Bearer {token}"}
    flow_url = f"{url}/api/config/config_entries/flow"
    async with session.post(flow_url, json={"handler": DOMAIN}, headers=headers) as resp:
        resp.raise_for_status()
        flow_id = (await resp.json())["flow_id"]
    async with session.post(
        f"{flow_url}/{flow_id}", json={"next_step_id": kind}, headers=headers
    ) as resp:
        resp.raise_for_status()
        form = await resp.json()
    # Send only what the form asks for; the manifest may carry more (alternatives).
    names = {field["name"] for field in form["data_schema"]}
    answer = {name: value for name, value in fields.items() if name in names}
    async with session.post(f"{flow_url}/{flow_id}", json=answer, headers=headers) as resp:
        resp.raise_for_status()
        result: dict[str, Any] = await resp.json()
    return result


async def main() -> int:
    """Onboard and add every kind from the manifest; print one line per entry."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--token-file", type=Path, help="write the access token here (tests)")
    args = parser.parse_args()
    url = args.url.rstrip("/")

    async with aiohttp.ClientSession() as session:

        async def manifest_ready() -> dict[str, Any] | None:
            if args.manifest.exists():
                data: dict[str, Any] = json.loads(args.manifest.read_text(encoding="utf-8"))
                return data
            return None

        manifest = await wait_until("the simulators", manifest_ready, 60)
        token = await onboard(session, url, args.username, args.password)
        if args.token_file:
            args.token_file.write_text(token, encoding="utf-8")
        failed = 0
        for kind in KINDS:
            result = await add_entry(session, url, token, kind, manifest[kind])
            if result.get("type") == "create_entry":
                print(f"demo: added {kind}: {result.get('title')}")
            else:
                failed += 1
                print(
                    f"demo: could not add {kind}: {result.get('errors') or result}", file=sys.stderr
                )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
