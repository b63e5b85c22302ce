"""Path confinement of the CloudCmd file actions (pure functions, no Home Assistant)."""

from __future__ import annotations

import re

from hypothesis import given, strategies as st
import pytest

from custom_components.pandora_box.upstreams.cloudcmd.paths import (
    MAX_NAME_BYTES,
    MAX_PATH_LENGTH,
    PathRejectedError,
    basename,
    check_name,
    check_names,
    check_not_root,
    check_transfer,
    child,
    confine,
    is_inside,
    normalise_root,
    parent,
    printable,
)

ROOT = "/media"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("Movies", "/media/Movies"),
        ("./Movies/", "/media/Movies"),
        ("Movies//Film (2025)/", "/media/Movies/Film (2025)"),
        (".", "/media"),
        ("/media", "/media"),
        ("/media/", "/media"),
        ("/media/./TV", "/media/TV"),
        ("//media///TV", "/media/TV"),
        ("Movies/...Film", "/media/Movies/...Film"),
        ("Film...", "/media/Film..."),
        ("100% real", "/media/100% real"),
        ("Amélie (2001)", "/media/Amélie (2001)"),
        ("a\xa0b &nbsp;", "/media/a\xa0b &nbsp;"),
        ("~", "/media/~"),
    ],
)
def test_confine_accepts_and_normalises(path: str, expected: str) -> None:
    assert confine(ROOT, path) == expected


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("", "path_empty"),
        ("..", "path_traversal"),
        ("../etc", "path_traversal"),
        ("Movies/../../etc", "path_traversal"),
        ("Movies/..", "path_traversal"),
        ("/media/../etc", "path_traversal"),
        ("/../", "path_traversal"),
        ("Movies/. .", "path_traversal"),
        ("Movies/.. ", "path_traversal"),
        ("Movies/...", "path_traversal"),
        ("/etc/passwd", "path_outside_root"),
        ("/", "path_outside_root"),
        ("/media2", "path_outside_root"),
        ("/mediaX/a", "path_outside_root"),
        ("Movies\\..\\..", "path_backslash"),
        ("a\\b", "path_backslash"),
        ("%2e%2e/etc", "path_encoded"),
        ("%2E%2E", "path_encoded"),
        ("Movies%2f..%2fetc", "path_encoded"),
        ("a%00b", "path_encoded"),
        ("a\0b", "path_control_character"),
        ("a\nb", "path_control_character"),
        ("a\tb", "path_control_character"),
        ("a\x7fb", "path_control_character"),
        ("a\x85b", "path_control_character"),
        ("a\u2028b", "path_control_character"),
        ("evil\u202egpj.mkv", "path_control_character"),
        ("a\ud800b", "path_control_character"),
        ("x" * (MAX_PATH_LENGTH + 1), "path_too_long"),
        ("a/" + "x" * (MAX_NAME_BYTES + 1), "path_too_long"),
        (42, "path_invalid"),
    ],
)
def test_confine_refuses(path: object, key: str) -> None:
    with pytest.raises(PathRejectedError) as caught:
        confine(ROOT, path, field="source")
    assert caught.value.key == key
    assert caught.value.field == "source"
    assert caught.value.placeholders["field"] == "source"


def test_root_slash_allows_everything_below() -> None:
    assert confine("/", "/etc") == "/etc"
    assert confine("/", ".") == "/"
    with pytest.raises(PathRejectedError, match="path_traversal"):
        confine("/", "/../x")


def test_normalise_root() -> None:
    assert normalise_root("/media/./lib/") == "/media/lib"
    assert normalise_root("/") == "/"
    for bad in ("media", "/media/../x", "/a\\b", "/a%2fb", "/a\0"):
        with pytest.raises(PathRejectedError):
            normalise_root(bad)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("", "path_empty"),
        (".", "path_traversal"),
        ("..", "path_traversal"),
        ("....", "path_traversal"),
        ("a/b", "name_has_slash"),
        ("/", "name_has_slash"),
        ("../x", "name_has_slash"),
        ("a\\..", "path_backslash"),
        ("%2e%2e", "path_encoded"),
        ("%2f", "path_encoded"),
        ("a\0", "path_control_character"),
        ("x" * (MAX_NAME_BYTES + 1), "path_too_long"),
        ("é" * 128, "path_too_long"),  # 256 bytes in UTF-8
        (None, "path_invalid"),
    ],
)
def test_check_name_refuses(name: object, key: str) -> None:
    with pytest.raises(PathRejectedError) as caught:
        check_name(name, field="new_name")
    assert caught.value.key == key


def test_check_names() -> None:
    assert check_names(["b", "a", "b"]) == ("b", "a")
    assert check_name("...Film") == "...Film"
    empties: list[list[str] | str] = [[], "abc"]
    for empty in empties:
        with pytest.raises(PathRejectedError, match="names_empty"):
            check_names(empty)


def test_root_itself_and_transfers() -> None:
    assert check_not_root(ROOT, "/media/a") == "/media/a"
    with pytest.raises(PathRejectedError, match="path_is_root"):
        check_not_root(ROOT, "/media")
    check_transfer("/media/a", "/media/b", ["x"])
    check_transfer("/media/a", "/media/a/xy", ["x"])
    with pytest.raises(PathRejectedError, match="transfer_same_folder"):
        check_transfer("/media/a", "/media/a", ["x"])
    for inside in ("/media/a/x", "/media/a/x/y"):
        with pytest.raises(PathRejectedError, match="transfer_into_itself"):
            check_transfer("/media/a", inside, ["x"])


def test_small_helpers() -> None:
    assert parent("/media/a") == "/media"
    assert parent("/a") == "/"
    assert basename("/media/a") == "a"
    assert basename("/") == ""
    assert child("/", "a") == "/a"
    assert is_inside("/media", "/media/a")
    assert not is_inside("/media", "/media2")
    assert printable("a\0b\u202e") == "a\\x00b\\u202e"
    assert printable(["x"]) == "['x']"
    assert printable("x" * 200).endswith("…")
    assert len(printable("x" * 200)) == 80


SEGMENT = st.lists(
    st.sampled_from([*"ab./\\%2eEf\0\n ", "..", "%2e", "/media", "\u202e"]), max_size=14
).map("".join)


@given(SEGMENT)
def test_confine_never_escapes(path: str) -> None:
    """Whatever comes in, what comes out is inside the root and free of tricks."""
    try:
        result = confine(ROOT, path)
    except PathRejectedError:
        return
    assert result == "/media" or result.startswith("/media/")
    parts = result.split("/")[1:]
    assert all(part not in ("", ".", "..") for part in parts)
    assert not any(ch in result for ch in "\\\0\n\u202e")
    assert re.search("%[0-9a-fA-F]{2}", result) is None
