"""The YAML reader's vocabulary (limits, errors, a document with the line of each value)
and reading a file's text safely; :mod:`atlas_app.model.yaml_reader` builds documents."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

DocPath = tuple[str | int, ...]
"""A path inside a YAML document or record: keys and list indexes (``steps.2.camera``)."""


@dataclass(frozen=True)
class YamlLimits:
    """What one file may hold. The defaults fit the atlas's data files with a wide margin
    (the largest is 31 kB, 9 levels deep, 3,000 values)."""

    max_bytes: int = 2 * 1024 * 1024
    max_depth: int = 40
    max_values: int = 200_000
    """Values in the document with every alias expanded (what a consumer walks)."""
    max_scalar_chars: int = 20_000
    max_number_chars: int = 100
    aliases: bool = True


DATA_LIMITS: Final = YamlLimits()

CASE_LIMITS: Final = YamlLimits(max_bytes=256 * 1024, aliases=False)

FORBIDDEN_CHARACTERS: Final = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]"
)
"""Characters no text in the app may hold: C0 controls but tab, newline and carriage
return; DEL and C1 (terminal escapes); the line separators YAML treats as breaks; lone
surrogates and the two non-characters that XML, so PowerPoint, cannot carry."""


@dataclass(frozen=True)
class LoadedYaml:
    """A parsed YAML document and the 1-based line of each value, keyed by its path."""

    path: Path
    data: Any
    lines: dict[DocPath, int]

    def line_of(self, path: DocPath) -> int:
        """Line of the deepest part of ``path`` that exists in the file."""
        return line_in(self.lines, path)


def relative_path(path: Path) -> str:
    """The path as a reader would type it: relative to the working directory if inside it.
    Links are not followed (a link is named as itself; a loop of links cannot raise)."""
    absolute = Path(os.path.abspath(path))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def line_in(lines: dict[DocPath, int], path: DocPath) -> int:
    """Line of the deepest part of ``path`` found in ``lines`` (1 if none is)."""
    for end in range(len(path), -1, -1):
        line = lines.get(tuple(path[:end]))
        if line is not None:
            return line
    return 1


class YamlError(Exception):
    """The file cannot be read as data: where, which field, what, and the named check."""

    def __init__(
        self, path: Path, line: int, problem: str, check: str = "yaml_syntax", field: str = "-"
    ) -> None:
        super().__init__(f"{path}:{line}: {field}: {problem} [{check}]")
        self.path = path
        self.line = line
        self.problem = problem
        self.check = check
        self.field = field


def read_text_capped(path: Path, max_bytes: int) -> str:
    """A regular file's text, refused before reading if larger than ``max_bytes``.

    Raises :class:`YamlError` (check ``file_readable`` or ``yaml_limits``)."""
    try:
        # A link may point inside its folder, never out of it (to /etc/passwd, say).
        if not path.resolve().is_relative_to(path.parent.resolve()):
            raise YamlError(path, 1, "a link that leaves the data folder", "file_readable")
        info = path.stat()  # follows links; a loop or a dangling link fails here
        if not stat.S_ISREG(info.st_mode):
            raise YamlError(path, 1, "not a regular file", "file_readable")
        if info.st_size > max_bytes:
            raise YamlError(path, 1, _too_big(info.st_size, max_bytes), "yaml_limits")
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise YamlError(
            path, 1, f"cannot read file: {exc.strerror or exc}", "file_readable"
        ) from exc
    except RuntimeError as exc:  # Path.resolve on a link loop (Python 3.11)
        raise YamlError(path, 1, "cannot read file: a loop of links", "file_readable") from exc
    if len(raw) > max_bytes:  # it grew after stat
        raise YamlError(path, 1, _too_big(len(raw), max_bytes), "yaml_limits")
    return decode_text(path, raw)


def _too_big(size: int, limit: int) -> str:
    return f"the file is {size:,} bytes; at most {limit:,} are read"


def decode_text(path: Path, raw: bytes) -> str:
    """UTF-8 text without control characters, or :class:`YamlError` naming the line."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise YamlError(
            path, line, f"not UTF-8 text (byte {exc.start})", "yaml_characters"
        ) from exc
    text = text.removeprefix("\ufeff")
    bad = FORBIDDEN_CHARACTERS.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise YamlError(
            path,
            line,
            f"control character U+{ord(bad.group()):04X} is not allowed",
            "yaml_characters",
        )
    return text
