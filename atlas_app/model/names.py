"""Names of structures and variants as they read inside a sentence."""

from __future__ import annotations


def in_sentence(name: str) -> str:
    """A name for use inside a sentence: ``Right psoas major`` → ``right psoas major``,
    ``Below the ala`` → ``below the ala``, but ``L4 ventral ramus`` and ``S1`` stay as they
    are."""
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name
