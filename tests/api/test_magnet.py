"""Magnet-link parsing: examples and properties (hypothesis)."""

from __future__ import annotations

import base64
from urllib.parse import quote

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.pandora_box.api.magnet import info_hash_from_magnet, is_magnet

DIGESTS = st.binary(min_size=20, max_size=20)
BASE32 = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"
BASE32_HEX = "6162636465666768696a6b6c6d6e6f7071727374"


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        (f"magnet:?xt=urn:btih:{'AB' * 20}&dn=x", "ab" * 20),
        (f"magnet:?dn=First&xt=urn:btih:{BASE32}", BASE32_HEX),
        (f"magnet:?xt=urn:btih:{BASE32.lower()}", BASE32_HEX),
        (f"MAGNET:?XT=URN:BTIH:{'cd' * 20}", "cd" * 20),
        (f"  magnet:?xt=urn:btih:{'ef' * 20}  ", "ef" * 20),
        # a hybrid v1+v2 link: the v1 hash wins, whatever the order
        (f"magnet:?xt=urn:btmh:1220{'aa' * 32}&xt=urn:btih:{'12' * 20}", "12" * 20),
        (f"magnet:?xt.1=urn:btih:{'zz' * 20}&xt.2=urn:btih:{'34' * 20}", "34" * 20),
        (f"magnet:?xt=urn%3Abtih%3A{'56' * 20}", "56" * 20),
        (f"magnet:?xt=urn:btmh:1220{'aa' * 32}", None),  # v2 only: no v1 hash
        ("magnet:?xt=urn:btih:", None),
        (f"magnet:?xt=urn:btih:{'ab' * 19}", None),
        (f"magnet:?xt=urn:btih:{'ab' * 21}", None),
        ("magnet:?xt=urn:btih:" + "1" * 32, None),  # '1' is not a base32 digit
        (f"magnet:?xt=urn:sha1:{'ab' * 20}", None),
        ("magnet:?dn=nothing", None),
        (f"https://example.org/?xt=urn:btih:{'ab' * 20}", None),
        ("", None),
    ],
)
def test_examples(uri: str, expected: str | None) -> None:
    assert info_hash_from_magnet(uri) == expected


def test_is_magnet() -> None:
    assert is_magnet("magnet:?xt=urn:btih:x")
    assert is_magnet(" Magnet:?dn=a")
    assert not is_magnet("magnet:xt")
    assert not is_magnet("http://example.org/a.torrent")
    assert not is_magnet("")


@given(digest=DIGESTS, upper=st.booleans(), extra=st.text(max_size=30))
def test_hex_round_trip(digest: bytes, upper: bool, extra: str) -> None:
    text = digest.hex().upper() if upper else digest.hex()
    uri = f"magnet:?xt=urn:btih:{text}&dn={quote(extra)}"
    assert info_hash_from_magnet(uri) == digest.hex()


@given(digest=DIGESTS, lower=st.booleans())
def test_base32_round_trip(digest: bytes, lower: bool) -> None:
    text = base64.b32encode(digest).decode()
    assert len(text) == 32
    uri = f"magnet:?xt=urn:btih:{text.lower() if lower else text}"
    assert info_hash_from_magnet(uri) == digest.hex()


@settings(max_examples=300)
@given(st.text())
def test_never_raises_and_answers_hex_or_none(uri: str) -> None:
    result = info_hash_from_magnet(uri)
    assert result is None or (len(result) == 40 and set(result) <= set("0123456789abcdef"))


@given(st.text())
def test_arbitrary_btih_value(value: str) -> None:
    result = info_hash_from_magnet(f"magnet:?xt=urn:btih:{quote(value)}")
    assert result is None or result == value.strip().lower() or len(value.strip()) == 32
