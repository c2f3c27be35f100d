"""User text of a slide as Markdown that shows exactly that text, except that list lines
("- ", "* ", "• ", "1. ") become a list and line breaks are kept: nothing else the user
typed becomes markup (every line's text is escaped)."""

from __future__ import annotations

import re

from atlas_app.ui.account import escape_markdown

_BULLET = re.compile(r"^\s*[-*•]\s+(?P<text>.*)$")
_NUMBERED = re.compile(r"^\s*(?P<n>\d{1,3})[.)]\s+(?P<text>.*)$")


def slide_markdown(text: str) -> str:
    out: list[str] = []
    previous = "blank"  # what the last line was: blank, list or text
    for line in text.strip().splitlines():
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        if bullet or numbered:
            if previous == "text":
                out.append("")  # a list after a paragraph starts on its own
            if bullet:
                out.append(f"- {escape_markdown(bullet['text'].strip())}")
            else:
                assert numbered is not None
                out.append(f"{int(numbered['n'])}. {escape_markdown(numbered['text'].strip())}")
            previous = "list"
        elif not line.strip():
            out.append("")
            previous = "blank"
        else:
            if previous == "list":
                out.append("")  # and so does a paragraph after a list
            out.append(escape_markdown(line.strip()) + "  ")  # the line break is kept
            previous = "text"
    return "\n".join(out)


def bullets_markdown(items: tuple[str, ...] | list[str]) -> str:
    """Annotations as a Markdown list, each escaped."""
    return "\n".join(f"- {escape_markdown(i)}" for i in items)
