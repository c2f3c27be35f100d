"""The one reader for every YAML file the app reads: atlas data, approaches, quiz items,
sacroplasty techniques and imported case files.

Hostile or broken input must become a one-line refusal naming the line, never a crash, a
hang or gigabytes of memory. So the text is checked before anything builds from it, and the
document is built here, from libyaml's event stream, by one loop with an explicit stack:

- the file's size is checked before it is read (``stat``), and only that much is read;
- it must be UTF-8 text without control characters (they hide in names and forge output);
- libyaml's *parser* is a state machine (no recursion), so nesting depth is counted on its
  events and refused past a limit before any recursive code sees the document — its
  *composer*, which ``yaml.compose``/``yaml.load`` use, recurses in C and segfaults on
  50,000 nested brackets;
- aliases are refused (case files) or bounded by the number of values they expand to (atlas
  data, whose approach files reuse a ring of structures by alias); merge keys (``<<``) and
  recursive aliases are refused;
- scalars are bounded in length (a number in digits too: Python refuses over 4,300);
- a key given twice is refused, naming both lines (the second would silently win);
- only the plain tags (``!!str``, ``!!int``, ``!!float``, ``!!bool``, ``!!null``, ``!!seq``,
  ``!!map``) are accepted.

Scalars resolve exactly as ``yaml.safe_load`` resolves them. The line of every value is
kept, keyed by its path, so faults can name it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

from atlas_app.model.yaml_io import (
    DATA_LIMITS,
    FORBIDDEN_CHARACTERS,
    DocPath,
    LoadedYaml,
    YamlError,
    YamlLimits,
    read_text_capped,
)

# libyaml's parser when PyYAML was built with it (same rules, many times faster).
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_SAFE_TAGS: Final = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")
)

_NUMBER_TAGS: Final = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})

_MERGE_TAG: Final = "tag:yaml.org,2002:merge"


def load_yaml(path: Path, limits: YamlLimits = DATA_LIMITS) -> LoadedYaml:
    """Read and parse one YAML file within ``limits``; raises :class:`YamlError`."""
    text = read_text_capped(path, limits.max_bytes)
    data, lines = parse_yaml(text, path, limits)
    return LoadedYaml(path=path, data=data, lines=lines)


def parse_yaml(
    text: str, path: Path, limits: YamlLimits = DATA_LIMITS
) -> tuple[Any, dict[DocPath, int]]:
    """The document in ``text`` and the line of each value; raises :class:`YamlError`."""
    builder = _Builder(path, limits)
    try:
        for event in yaml.parse(text, Loader=SafeLoader):
            builder.feed(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlError(path, line, f"YAML syntax: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise YamlError(path, 1, f"YAML: {exc}") from exc
    return builder.result, builder.lines


def _line(event: yaml.Event) -> int:
    return event.start_mark.line + 1 if event.start_mark else 1


def _field(path: DocPath) -> str:
    """``steps.2.camera``; a very deep path keeps its start (it is printed on one line)."""
    parts = [str(p) for p in path]
    if len(parts) > 8:
        parts = [*parts[:6], "…"]
    return ".".join(parts) or "-"


@dataclass
class _Open:
    """A collection being built: its value, path, size so far, and a pending mapping key."""

    value: dict[Any, Any] | list[Any]
    path: DocPath
    anchor: str | None
    size: int = 1
    key: Any = None
    key_line: int = 0
    has_key: bool = False
    key_lines: dict[Any, int] | None = None


class _Builder:
    """Turns parser events into Python values (as ``yaml.safe_load`` would), within limits."""

    def __init__(self, path: Path, limits: YamlLimits) -> None:
        self.path = path
        self.limits = limits
        self.stack: list[_Open] = []
        self.anchors: dict[str, tuple[Any, int]] = {}  # anchor → (value, expanded size)
        self.open_anchors: set[str] = set()
        self.lines: dict[DocPath, int] = {}
        self.values = 0
        self.documents = 0
        self.result: Any = None
        self.resolver = yaml.resolver.Resolver()
        self.constructor = yaml.constructor.SafeConstructor()

    def refuse(self, event: yaml.Event, problem: str, check: str) -> YamlError:
        return YamlError(self.path, _line(event), problem, check, _field(self._here()))

    def _here(self) -> DocPath:
        if not self.stack:
            return ()
        top = self.stack[-1]
        if isinstance(top.value, list):
            return (*top.path, len(top.value))
        return (*top.path, top.key) if top.has_key else top.path

    def feed(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self.refuse(event, "one document per file", "yaml_syntax")
        elif isinstance(event, yaml.ScalarEvent):
            self._scalar(event)
        elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            self._start(event)
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            self._end()
        elif isinstance(event, yaml.AliasEvent):
            self._alias(event)

    # -- values -------------------------------------------------------------------------

    def _count(self, event: yaml.Event, n: int) -> None:
        self.values += n
        if self.values > self.limits.max_values:
            raise self.refuse(
                event,
                f"the document expands to more than {self.limits.max_values:,} values"
                + (" (aliases repeat what they name)" if self.anchors else ""),
                "yaml_limits",
            )

    def _check_tag(self, event: yaml.NodeEvent, tag: str | None) -> None:
        if tag is None or tag == "!":
            return
        shown = tag.replace("tag:yaml.org,2002:", "!!")
        if tag not in _SAFE_TAGS:
            raise self.refuse(event, f"the YAML tag {shown} is not allowed", "yaml_tag")
        kind = {"seq": yaml.SequenceStartEvent, "map": yaml.MappingStartEvent}.get(
            tag.rsplit(":", 1)[-1], yaml.ScalarEvent
        )
        if not isinstance(event, kind):  # "!!str []", "!!seq a"
            raise self.refuse(event, f"the YAML tag {shown} does not fit its value", "yaml_tag")

    def _anchor(self, event: yaml.NodeEvent) -> None:
        if event.anchor is None:
            return
        if not self.limits.aliases:
            raise self.refuse(event, "YAML anchors and aliases are not allowed", "yaml_alias")
        # As PyYAML's loaders: an anchor names one value (a second one would make an alias
        # mean different things in different places).
        if event.anchor in self.anchors or event.anchor in self.open_anchors:
            raise self.refuse(event, f"the anchor &{event.anchor} is defined twice", "yaml_alias")

    def _scalar(self, event: yaml.ScalarEvent) -> None:
        self._anchor(event)
        self._check_tag(event, event.tag)
        value_text = event.value
        if len(value_text) > self.limits.max_scalar_chars:
            raise self.refuse(
                event,
                f"a value of {len(value_text):,} characters (at most "
                f"{self.limits.max_scalar_chars:,})",
                "yaml_limits",
            )
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolver.resolve(yaml.ScalarNode, value_text, event.implicit)
        if tag == _MERGE_TAG:
            raise self.refuse(event, "merge keys (<<) are not allowed", "yaml_alias")
        if tag in _NUMBER_TAGS and len(value_text) > self.limits.max_number_chars:
            raise self.refuse(
                event, f"a number of {len(value_text):,} characters is not allowed", "yaml_limits"
            )
        node = yaml.ScalarNode(tag, value_text, style=event.style)
        try:
            # The tag's own constructor: construct_object would also remember every node.
            value = self.constructor.yaml_constructors[tag](self.constructor, node)
        except (yaml.YAMLError, ValueError, OverflowError, KeyError) as exc:
            raise self.refuse(event, f"cannot read the value: {exc}", "yaml_syntax") from exc
        # The text was clean, but a double-quoted escape ("\x1b", "\0") makes any character.
        if isinstance(value, str) and (bad := FORBIDDEN_CHARACTERS.search(value)):
            raise self.refuse(
                event,
                f"control character U+{ord(bad.group()):04X} is not allowed",
                "yaml_characters",
            )
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1)
        self._count(event, 1)
        self._place(event, value, 1)

    def _start(self, event: yaml.SequenceStartEvent | yaml.MappingStartEvent) -> None:
        self._anchor(event)
        self._check_tag(event, event.tag)
        if len(self.stack) >= self.limits.max_depth:
            raise self.refuse(
                event,
                f"nested more than {self.limits.max_depth} levels deep",
                "yaml_limits",
            )
        self._count(event, 1)
        path = self._here()
        self.lines.setdefault(path, _line(event))
        if isinstance(event, yaml.MappingStartEvent):
            frame = _Open({}, path, event.anchor, key_lines={})
        else:
            frame = _Open([], path, event.anchor)
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
        self.stack.append(frame)

    def _end(self) -> None:
        frame = self.stack.pop()
        if frame.anchor is not None:
            self.open_anchors.discard(frame.anchor)
            self.anchors[frame.anchor] = (frame.value, frame.size)
        self._attach(frame.value, frame.size)

    def _alias(self, event: yaml.AliasEvent) -> None:
        if not self.limits.aliases:
            raise self.refuse(event, "YAML anchors and aliases are not allowed", "yaml_alias")
        if event.anchor in self.open_anchors:
            raise self.refuse(
                event, f"the alias *{event.anchor} refers to a value that holds it", "yaml_alias"
            )
        found = self.anchors.get(event.anchor or "")
        if found is None:
            raise self.refuse(event, f"the alias *{event.anchor} names no anchor", "yaml_alias")
        value, size = found
        self._count(event, size)
        self._place(event, value, size)

    # -- putting a value in its place -----------------------------------------------------

    def _awaiting_key(self) -> bool:
        return (
            bool(self.stack)
            and isinstance(self.stack[-1].value, dict)
            and not self.stack[-1].has_key
        )

    def _place(self, event: yaml.NodeEvent, value: Any, size: int) -> None:
        """A finished scalar or alias: a mapping key, or a value at the current path."""
        line = _line(event)
        if self._awaiting_key():
            top = self.stack[-1]
            try:
                hash(value)
            except TypeError:
                raise self.refuse(event, "a key must be a plain value", "yaml_syntax") from None
            assert top.key_lines is not None
            first = top.key_lines.get(value)
            if first is not None:
                raise YamlError(
                    self.path,
                    line,
                    f"the key '{value}' is given twice (first on line {first})",
                    "yaml_duplicate_key",
                    _field((*top.path, value)),
                )
            top.key, top.key_line, top.has_key = value, line, True
            return
        if isinstance(event, yaml.ScalarEvent):
            self.lines.setdefault(self._here(), line)
        self._attach(value, size)

    def _attach(self, value: Any, size: int) -> None:
        if not self.stack:
            self.result = value
            return
        top = self.stack[-1]
        top.size += size
        if isinstance(top.value, list):
            top.value.append(value)
            return
        if not top.has_key:  # a collection used as a key
            raise YamlError(self.path, 1, "a key must be a plain value", "yaml_syntax")
        assert top.key_lines is not None
        top.value[top.key] = value
        top.key_lines[top.key] = top.key_line
        # The key's own line is where a reader looks for a field's problem.
        self.lines[(*top.path, top.key)] = top.key_line
        top.has_key = False
