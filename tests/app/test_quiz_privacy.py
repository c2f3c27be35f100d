"""Nothing about a user goes into a cache that every user shares.

``st.cache_data`` and ``st.cache_resource`` are shared by all sessions of a server: a cached
function that took a user, read the session or the store of answers would hand one trainee's
data to another. Every cached function in the app is read (its source, parsed) and checked.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "atlas_app"
CACHES = {"cache_data", "cache_resource"}
PERSONAL_NAMES = {
    "user", "user_id", "username", "viewer", "password", "email", "cohort", "answer",
    "answers", "response", "card", "cards", "card_json", "session_id", "engine",
}  # fmt: skip
PERSONAL_SOURCES = {"session_state", "current_user", "quiz_store", "accounts", "st.user"}


def _is_cache(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr in CACHES


def cached_functions() -> list[tuple[str, ast.FunctionDef]]:
    found = []
    for path in sorted(APP.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and any(map(_is_cache, node.decorator_list)):
                found.append((f"{path.relative_to(APP.parent)}:{node.lineno} {node.name}", node))
    return found


FUNCTIONS = cached_functions()


def test_the_app_has_cached_functions_to_check():
    names = {node.name for _, node in FUNCTIONS}
    assert {"quiz_item", "still", "loaded_atlas"} <= names  # the checker sees the app


@pytest.mark.parametrize(("where", "node"), FUNCTIONS, ids=[w for w, _ in FUNCTIONS])
def test_a_cached_function_takes_and_reads_nothing_personal(where, node):
    params = [a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)]
    assert not set(params) & PERSONAL_NAMES, f"{where} is cached and takes {params}"
    source = ast.unparse(node)
    read = {name for name in PERSONAL_SOURCES if name in source}
    assert not read, f"{where} is cached and reads {read}"


def test_the_checker_catches_a_cached_function_of_a_user():
    tree = ast.parse(
        "@st.cache_data\n"
        "def history(user_id):\n"
        "    return quiz_store.user_answers(engine, user_id)\n"
    )
    [node] = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    assert _is_cache(node.decorator_list[0])
    with pytest.raises(AssertionError):
        test_a_cached_function_takes_and_reads_nothing_personal("example", node)
