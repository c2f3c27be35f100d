"""A corpus of broken and hostile inputs, generated (never committed as files).

Each :class:`AtlasCase` damages a fresh copy of the shipped atlas in one way; ``validate``
must refuse it with at least one fault (the ``expect`` check among them when given), never a
traceback, a crash, a hang or a memory blow-up. Each :class:`CaseFileCase` is an imported
case file that must be refused with :class:`~atlas_app.cases.yaml_io.CaseImportError`.

Grow it with every new kind of input the app reads: a new data folder gets its file in
:data:`DATA_FILES`; a new way of breaking a file gets a payload in :data:`PAYLOADS`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# One file of every kind the atlas reads (relative to the atlas folder).
DATA_FILES = (
    "atlas.yaml",
    "references.yaml",
    "groups.yaml",
    "variants.yaml",
    "variants_authored.yaml",
    "landmarks_measured.yaml",
    "structures/authored.yaml",
    "structures/bones_muscles.yaml",
    "approaches/interaortic.yaml",
    "approaches/instruments.yaml",
    "quiz/vessels.yaml",
    "sacroplasty/techniques.yaml",
)


def _laughs(levels: int = 9, width: int = 9) -> str:
    """'Billion laughs': each level repeats the one before ``width`` times (9**9 values)."""
    parts = [f"&l0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels):
        parts.append(f"&l{i} [{', '.join([f'*l{i - 1}'] * width)}]")
    return "[" + ", ".join(parts) + "]"


@dataclass(frozen=True)
class Payload:
    """A way to break one value: what replaces it (flow text, or block lines), which
    named check must refuse it, and whether it goes in as an extra key instead."""

    name: str
    value: str | list[str]
    expect: str
    duplicate_key: bool = False


PAYLOADS = (
    Payload("billion_laughs", _laughs(), "yaml_limits"),
    Payload("deep_flow_50000", "[" * 50_000 + "]" * 50_000, "yaml_limits"),
    Payload("deep_block_5000", [("  " * i) + "-" for i in range(5000)], "yaml_limits"),
    Payload("deep_mapping_1200", [("  " * i) + f"k{i}:" for i in range(1200)], "yaml_limits"),
    Payload("recursive_alias", "&loop [1, *loop]", "yaml_alias"),
    Payload("merge_key", "{<<: {id: injected}, name: merged}", "yaml_alias"),
    Payload("alias_to_nothing", "*nowhere", "yaml_alias"),
    Payload("huge_integer", "9" * 6000, "yaml_limits"),
    Payload("huge_scalar", "x" * 300_000, "yaml_limits"),
    Payload("binary_tag", "!!binary aGVsbG8gd29ybGQ=", "yaml_tag"),
    Payload("python_tag", "!!python/object/apply:os.system ['true']", "yaml_tag"),
    Payload("set_tag", "!!set {a, b}", "yaml_tag"),
    Payload("local_tag", "!include /etc/passwd", "yaml_tag"),
    Payload("escape_in_value", '"red\\x1b[31m alert"', "yaml_characters"),
    Payload("newline_in_id", '"forged\\nfile.yaml:1: x: y [ok]"', "schema"),
    Payload("nul_escape", '"a\\0b"', "yaml_characters"),
    Payload("raw_nul", "a\x00b", "yaml_characters"),
    Payload("raw_escape", "a\x1b[2Jb", "yaml_characters"),
    Payload("line_separator", "a\u2028b", "yaml_characters"),
    Payload("non_character", "a\uffffb", "yaml_characters"),
    Payload("duplicate_key", "", "yaml_duplicate_key", duplicate_key=True),
)

_FIELD = re.compile(r"^(?P<indent>\s*)(?P<dash>- )?(?P<key>[a-z_]+): (?P<value>[^\s&*!|>\[{].*)$")


def _inject(text: str, payload: Payload) -> str:
    """Put the payload in place of the first plain scalar field of the first record."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = _FIELD.match(line)
        if not m or m["key"] == "schema_version":
            continue
        pad = len(m["indent"]) + (2 if m["dash"] else 0)
        if payload.duplicate_key:  # the same key again, a different value, in the same record
            lines.insert(i + 1, " " * pad + f"{m['key']}: {m['value']}")
        elif isinstance(payload.value, str):
            lines[i] = f"{m['indent']}{m['dash'] or ''}{m['key']}: {payload.value}"
        else:
            lines[i] = f"{m['indent']}{m['dash'] or ''}{m['key']}:"
            lines[i + 1 : i + 1] = [" " * (pad + 2) + v for v in payload.value]
        return "\n".join(lines) + "\n"
    raise ValueError("no plain field to break")


@dataclass(frozen=True)
class AtlasCase:
    name: str
    damage: Callable[[Path], None]
    expect: str | None = None


def _payload_case(rel: str, payload: Payload) -> AtlasCase:
    def damage(root: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        path.write_bytes(_inject(text, payload).encode("utf-8", "surrogatepass"))

    return AtlasCase(f"{rel}:{payload.name}", damage, payload.expect)


def _write(rel: str, data: bytes | str) -> Callable[[Path], None]:
    def damage(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)

    return damage


def _sparse(rel: str, size: int) -> Callable[[Path], None]:
    def damage(root: Path) -> None:
        with (root / rel).open("wb") as handle:
            handle.truncate(size)

    return damage


def _big_valid_text(root: Path) -> None:
    """A 60 MB file of valid-looking YAML (comments are cheap to write, costly to scan)."""
    path = root / "references_more.yaml"
    with path.open("w") as handle:
        handle.write("schema_version: 1\nreferences:\n")
        line = "# " + "padding " * 12 + "\n"
        handle.write(line * (60 * 1024 * 1024 // len(line)))


def _fifo(root: Path) -> None:
    os.mkfifo(root / "pipe.yaml")  # reading it would block forever


def _folder_named_yaml(root: Path) -> None:
    (root / "folder.yaml").mkdir()


def _link(rel: str, target: str) -> Callable[[Path], None]:
    def damage(root: Path) -> None:
        link = root / rel
        link.unlink(missing_ok=True)
        link.symlink_to(target)

    return damage


def _link_loop(root: Path) -> None:
    (root / "loop_a.yaml").symlink_to("loop_b.yaml")
    (root / "loop_b.yaml").symlink_to("loop_a.yaml")


def _folder_loop(root: Path) -> None:
    (root / "structures" / "again").symlink_to("..", target_is_directory=True)


def _replace_in(rel: str, old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    def damage(root: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        if old not in text:
            raise ValueError(f"{rel}: {old!r} not found")
        path.write_text(text.replace(old, new, count), encoding="utf-8")

    return damage


MESH = "meshes/l5_vertebra.vtp"
MESH_RECORD = "file: meshes/l5_vertebra.vtp"


def _truncate_mesh(root: Path) -> None:
    path = root / MESH
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _junk_mesh(root: Path) -> None:
    path = root / MESH
    head = path.read_bytes()[:600]
    path.write_bytes(head + np.random.default_rng(7).bytes(20_000))


def _mesh_edit(edit: Callable[[object], object]) -> Callable[[Path], None]:
    def damage(root: Path) -> None:
        import pyvista as pv

        mesh = pv.read(root / MESH)
        edit(mesh)
        mesh.save(root / MESH)

    return damage


def _nan_points(mesh: object) -> None:
    mesh.points[0] = np.nan  # type: ignore[attr-defined]


def _far_away(mesh: object) -> None:
    mesh.points += (0.0, 0.0, 5000.0)  # type: ignore[attr-defined]


def _open_surface(root: Path) -> None:
    import pyvista as pv

    mesh = pv.read(root / MESH)
    mesh.remove_cells(range(40), inplace=True)
    mesh.save(root / MESH)


def _other_cases() -> list[AtlasCase]:
    inst = "approaches/instruments.yaml"
    return [
        # files that are not what they seem
        AtlasCase("sparse_2gb_file", _sparse("huge.yaml", 2 * 1024**3), "yaml_limits"),
        AtlasCase("file_60mb", _big_valid_text, "yaml_limits"),
        AtlasCase("fifo_named_yaml", _fifo, "file_readable"),
        AtlasCase("folder_named_yaml", _folder_named_yaml, "file_readable"),
        AtlasCase("symlink_loop", _link_loop, "file_readable"),
        AtlasCase("symlink_to_etc_passwd", _link("groups.yaml", "/etc/passwd"), "file_readable"),
        AtlasCase("dangling_symlink", _link("groups.yaml", "nowhere.yaml"), "file_readable"),
        AtlasCase("folder_symlink_loop", _folder_loop, "file_readable"),
        AtlasCase("not_utf8", _write("extra.yaml", b"schema_version: 1\nname: caf\xe9\n")),
        AtlasCase("utf16", _write("extra.yaml", "schema_version: 1\n".encode("utf-16"))),
        AtlasCase("empty_file", _write("groups.yaml", b""), "schema"),
        AtlasCase("only_comments", _write("groups.yaml", b"# nothing here\n"), "schema"),
        AtlasCase("two_documents", _write("extra.yaml", "schema_version: 1\n---\nx: 1\n")),
        AtlasCase("top_level_list", _write("extra.yaml", "- schema_version: 1\n"), "schema"),
        AtlasCase("unclosed_bracket", _write("extra.yaml", "a: [1, 2\n"), "yaml_syntax"),
        AtlasCase("tab_indent", _write("extra.yaml", "a:\n\t- 1\n"), "yaml_syntax"),
        AtlasCase("version_as_text", _replace_in("groups.yaml", "schema_version: 1", "schema_version: one"), "schema_version"),
        # meshes as data
        AtlasCase("mesh_truncated", _truncate_mesh, "mesh_data"),
        AtlasCase("mesh_junk", _junk_mesh, "mesh_data"),
        AtlasCase("mesh_empty_element", _write(MESH, '<VTKFile type="PolyData">' + " " * 200 + "</VTKFile>"), "mesh_data"),
        AtlasCase("mesh_zero_bytes", _write(MESH, b""), "mesh_files_exist"),
        AtlasCase("mesh_not_vtk", _write(MESH, b"solid x\n" * 200), "mesh_files_exist"),
        AtlasCase("mesh_nan_points", _mesh_edit(_nan_points), "mesh_data"),
        AtlasCase("mesh_outside_region", _mesh_edit(_far_away), "mesh_data"),
        AtlasCase("mesh_open_surface", _open_surface, "mesh_data"),
        AtlasCase("mesh_oversized", _sparse(MESH, 64 * 1024**2), "mesh_data"),
        AtlasCase("mesh_missing", lambda root: (root / MESH).unlink(), "mesh_files_exist"),
        AtlasCase("mesh_is_folder", lambda root: ((root / MESH).unlink(), (root / MESH).mkdir()), "mesh_files_exist"),  # type: ignore[arg-type,func-returns-value]
        AtlasCase("mesh_absolute_path", _replace_in("structures/bones_muscles.yaml", MESH_RECORD, "file: /etc/passwd.vtp"), "mesh_files_exist"),
        AtlasCase("mesh_dotdot_path", _replace_in("structures/bones_muscles.yaml", MESH_RECORD, "file: meshes/../../../x.vtp"), "mesh_files_exist"),
        AtlasCase("mesh_link_out", _link(MESH, "/usr/share/doc/x.vtp"), "mesh_files_exist"),
        # values the schema must refuse
        AtlasCase("negative_instrument_size", _replace_in(inst, "size_mm: [280, 220, 15]", "size_mm: [-280, 220, 15]"), "schema"),
        AtlasCase("nan_instrument_size", _replace_in(inst, "size_mm: [280, 220, 15]", "size_mm: [.nan, 220, 15]"), "schema"),
        AtlasCase("infinite_coordinate", _replace_in("landmarks_measured.yaml", "point: [", "point: [.inf, ", 1)),
        AtlasCase("huge_coordinate", _replace_in("landmarks_measured.yaml", "point: [", "point: [1e300, ", 1)),
    ]  # fmt: skip


def atlas_cases() -> list[AtlasCase]:
    """Every atlas case: each payload in each kind of file, then the rest."""
    cases = [_payload_case(rel, p) for rel in DATA_FILES for p in PAYLOADS]
    return [*cases, *_other_cases()]


# ---------------------------------------------------------------------------------------
# Imported case files (the Cases page): each must be refused, the server staying up.

CASE_HEAD = "schema_version: 1\n"


def case_file_texts() -> dict[str, bytes]:
    """Hostile case files by name."""
    return {
        "nested_brackets_50000": ("title: " + "[" * 50_000 + "]" * 50_000).encode(),
        "nested_1200": (CASE_HEAD + "title:\n" + "".join("  " * i + "-\n" for i in range(1, 1200))).encode(),
        "billion_laughs": (CASE_HEAD + "title: " + _laughs() + "\n").encode(),
        "anchor": (CASE_HEAD + "title: &t Case\nsummary: *t\n").encode(),
        "merge_key": (CASE_HEAD + "<<: {title: x}\n").encode(),
        "duplicate_title": (CASE_HEAD + "title: A\ntitle: B\n").encode(),
        "python_tag": (CASE_HEAD + "title: !!python/object/apply:os.system ['true']\n").encode(),
        "escape_code": (CASE_HEAD + 'title: "x\\x1b[2Jy"\n').encode(),
        "non_character": (CASE_HEAD + 'title: "a\\uFFFEb"\n').encode(),
        "raw_non_character": (CASE_HEAD + "title: a\uffffb\n").encode(),
        "not_utf8": CASE_HEAD.encode() + b"title: caf\xe9\n",
        "too_big": (CASE_HEAD + "summary: '" + "x" * 300_000 + "'\n").encode(),
        "huge_integer": (CASE_HEAD + "title: x\nspecimen: " + "9" * 6000 + "\n").encode(),
        "two_documents": (CASE_HEAD + "title: a\n---\ntitle: b\n").encode(),
        "list_at_top": b"- 1\n- 2\n",
        "empty": b"",
    }  # fmt: skip
