"""The register of named checks, and which of them the manifest switches off."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from atlas_app.model.atlas import Atlas, Fault

Check = Callable[[Atlas], Iterator[Fault]]
CHECKS: dict[str, Check] = {}
LOAD_CHECKS = (
    # the shared YAML reader's refusals (atlas_app.model.yaml_io)
    "file_readable",
    "yaml_alias",
    "yaml_characters",
    "yaml_duplicate_key",
    "yaml_limits",
    "yaml_syntax",
    "yaml_tag",
    # the loader's
    "schema",
    "schema_version",
)


def check(fn: Check) -> Check:
    """Register a check under its name without the ``check_`` prefix."""
    CHECKS[fn.__name__.removeprefix("check_")] = fn
    return fn


def switched_off(atlas: Atlas) -> list[str]:
    """The checks this atlas's manifest switches off (``checks:`` in ``atlas.yaml``)."""
    if atlas.info is None:
        return []
    return [name for name, on in atlas.info.checks if not on]
