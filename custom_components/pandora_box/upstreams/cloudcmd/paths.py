"""Confine the paths and names of CloudCmd file actions to an entry's root folder.

Pure functions, no Home Assistant import: every path a user (or an
automation) hands to a file action passes through here before the client
sees it, and anything doubtful is refused with :class:`PathRejectedError`
(whose ``key`` is the translation key of the message the action raises).

Why we check ourselves: CloudCmd 18.8.11's ``copy`` route writes outside its
``--root`` when given ``"/../"`` (measured, see ``shared/upstreams.md``), so
this module is the only guard between a service call and the disk.

The rules, deliberately strict (a refused odd name costs a rename; a
traversal costs the disk):

* A path is either absolute in CloudCmd's namespace (``/media/Movies``) and
  must then be the root or below it, or relative (``Movies``, ``.``) and is
  taken from the root.  Either way the result is an absolute, normalised
  path (no ``.``, empty or trailing segments) that is the root or inside it
  segment-wise (``/media2`` is not inside ``/media``).
* Refused anywhere in a path or name, before normalising: ``..`` segments
  (and segments of only dots and spaces, which Windows servers trim to
  ``..``), backslashes, percent-encoded octets such as ``%2e%2e`` / ``%2f``
  (CloudCmd unescapes what it receives), control characters (NUL, line
  breaks, DEL, C1), lone surrogates, line/paragraph separators and bidi
  overrides, empty values, over-long values.
* A name (``names`` entries, ``new_name``) is one segment: no ``/`` either,
  and not ``.``.
* Acting on the root itself (renaming it, making it) is refused; deleting
  or moving it cannot be expressed, because names are single segments inside
  a folder that is itself confined to the root.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
import re
import unicodedata

MAX_PATH_LENGTH = 4096
"""Longest path accepted (characters), as Linux's PATH_MAX."""
MAX_NAME_BYTES = 255
"""Longest segment accepted (UTF-8 bytes), as most Linux file systems."""

_ENCODED = re.compile(r"%[0-9A-Fa-f]{2}")
_BIDI = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BAD_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
_SHOWN_MAX = 80


class PathRejectedError(ValueError):
    """A path or name a file action refuses; ``key`` names the translated message.

    ``field`` is the action field it came from and ``value`` a printable,
    shortened form of what was given (control characters escaped).
    """

    def __init__(self, key: str, *, field: str, value: object) -> None:
        """Keep the translation key, the field and a printable value."""
        self.key = key
        self.field = field
        self.value = printable(value)
        super().__init__(f"{field} {self.value!r} refused: {key}")

    @property
    def placeholders(self) -> dict[str, str]:
        """Translation placeholders of the message."""
        return {"field": self.field, "value": self.value}


def printable(value: object) -> str:
    """Return ``value`` as a short string with control characters escaped."""
    text = value if isinstance(value, str) else repr(value)
    shown = "".join(
        ch if not _forbidden_char(ch) else ch.encode("unicode_escape", "backslashreplace").decode()
        for ch in text
    )
    return shown if len(shown) <= _SHOWN_MAX else shown[: _SHOWN_MAX - 1] + "…"


def _forbidden_char(ch: str) -> bool:
    """Whether ``ch`` is a control, surrogate, separator or bidi character."""
    return ch in _BIDI or unicodedata.category(ch) in _BAD_CATEGORIES


def _dot_segment(segment: str) -> bool:
    """Whether ``segment`` climbs (``..``, or dots and spaces Windows trims to it)."""
    return segment.count(".") >= 2 and set(segment) <= {".", " "}


def _check_text(value: object, field: str) -> str:
    """Refuse what no path or name may contain; return the string."""
    if not isinstance(value, str):
        raise PathRejectedError("path_invalid", field=field, value=value)
    if not value:
        raise PathRejectedError("path_empty", field=field, value=value)
    if len(value) > MAX_PATH_LENGTH:
        raise PathRejectedError("path_too_long", field=field, value=value)
    if any(_forbidden_char(ch) for ch in value):
        raise PathRejectedError("path_control_character", field=field, value=value)
    if "\\" in value:
        raise PathRejectedError("path_backslash", field=field, value=value)
    if _ENCODED.search(value):
        raise PathRejectedError("path_encoded", field=field, value=value)
    return value


def _segments(value: str, field: str) -> list[str]:
    """Split ``value`` into segments, dropping empty and ``.`` ones; refuse climbing ones."""
    segments: list[str] = []
    for segment in value.split("/"):
        if segment in ("", "."):
            continue
        if _dot_segment(segment):
            raise PathRejectedError("path_traversal", field=field, value=value)
        if len(segment.encode("utf-8")) > MAX_NAME_BYTES:
            raise PathRejectedError("path_too_long", field=field, value=value)
        segments.append(segment)
    return segments


def normalise_root(root: str) -> str:
    """Return an entry's configured root folder normalised (``/`` or ``/a/b``).

    The config flow validated it already; this refuses the same things again
    so a hand-edited entry cannot widen what the actions reach.
    """
    text = _check_text(root, "root")
    if not text.startswith("/"):
        raise PathRejectedError("path_outside_root", field="root", value=root)
    return join(_segments(text, "root"))


def join(segments: Iterable[str]) -> str:
    """Return the absolute path of ``segments`` (``/`` for none)."""
    return "/" + "/".join(segments)


def split(path: str) -> list[str]:
    """Segments of an absolute path (empty ones, from ``//`` or a trailing ``/``, dropped)."""
    return [segment for segment in path.split("/") if segment]


def same_folder(first: str, second: str) -> bool:
    """Whether two paths name the same folder, segment-wise."""
    return split(first) == split(second)


def replace_prefix(path: str, old: str, new: str) -> str | None:
    """``path`` with the folder ``old`` at its start replaced by ``new``, segment-wise.

    ``None`` when ``path`` is not ``old`` or below it.
    """
    parts, prefix = split(path), split(old)
    if parts[: len(prefix)] != prefix:
        return None
    return join([*split(new), *parts[len(prefix) :]])


def is_inside(root: str, path: str) -> bool:
    """Whether normalised ``path`` is ``root`` or below it, segment-wise."""
    root_parts = split(root)
    return split(path)[: len(root_parts)] == root_parts


def is_root(root: str, path: str) -> bool:
    """Whether normalised ``path`` is the root folder itself."""
    return same_folder(root, path)


def confine(root: str, path: object, *, field: str = "path") -> str:
    """Return ``path`` as an absolute, normalised CloudCmd path inside ``root``.

    Absolute paths must lie under ``root``; relative ones are taken from it.
    Raises :class:`PathRejectedError` for anything else.
    """
    base = normalise_root(root)
    text = _check_text(path, field)
    segments = _segments(text, field)
    result = join(segments) if text.startswith("/") else join([*split(base), *segments])
    if not is_inside(base, result):
        raise PathRejectedError("path_outside_root", field=field, value=path)
    return result


def check_name(name: object, *, field: str = "names") -> str:
    """Return ``name`` if it is one safe file or folder name, else raise."""
    text = _check_text(name, field)
    if "/" in text:
        raise PathRejectedError("name_has_slash", field=field, value=name)
    if text == "." or _dot_segment(text):
        raise PathRejectedError("path_traversal", field=field, value=name)
    if len(text.encode("utf-8")) > MAX_NAME_BYTES:
        raise PathRejectedError("path_too_long", field=field, value=name)
    return text


def check_names(names: Sequence[object], *, field: str = "names") -> tuple[str, ...]:
    """Return the checked names, duplicates dropped (first kept); refuse an empty list."""
    if isinstance(names, str) or not names:
        raise PathRejectedError("names_empty", field=field, value=names)
    checked = [check_name(name, field=field) for name in names]
    return tuple(dict.fromkeys(checked))


def parent(path: str) -> str:
    """The folder holding normalised ``path`` (``/`` for the top folder)."""
    return join(split(path)[:-1])


def basename(path: str) -> str:
    """The last segment of normalised ``path`` (empty for ``/``)."""
    parts = split(path)
    return parts[-1] if parts else ""


def child(folder: str, name: str) -> str:
    """The path of ``name`` inside normalised ``folder``."""
    return join([*split(folder), name])


def relative(root: str, path: str) -> str:
    """Normalised ``path`` relative to ``root`` (``""`` for the root itself)."""
    return "/".join(split(path)[len(split(root)) :])


def check_not_root(root: str, path: str, *, field: str = "path") -> str:
    """Refuse acting on the root folder itself; return ``path``."""
    if is_root(root, path):
        raise PathRejectedError("path_is_root", field=field, value=path)
    return path


def check_transfer(source: str, destination: str, names: Sequence[str]) -> None:
    """Refuse a move or copy CloudCmd would botch (normalised paths, checked names).

    Into the same folder (CloudCmd truncates copied files, a move does
    nothing) or a folder into itself or below itself (CloudCmd deletes it).
    """
    if split(source) == split(destination):
        raise PathRejectedError("transfer_same_folder", field="destination", value=destination)
    for name in names:
        if is_inside(child(source, name), destination):
            raise PathRejectedError("transfer_into_itself", field="destination", value=destination)


__all__ = [
    "MAX_NAME_BYTES",
    "MAX_PATH_LENGTH",
    "PathRejectedError",
    "basename",
    "check_name",
    "check_names",
    "check_not_root",
    "check_transfer",
    "child",
    "confine",
    "is_inside",
    "is_root",
    "join",
    "normalise_root",
    "parent",
    "printable",
    "relative",
]
