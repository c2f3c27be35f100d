"""The one caching helper: bounds by count and by bytes, identity per shared object."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import pyvista as pv

from atlas_app.caching import Memo, MiB, ObjectMemo, clear_all, memoize, size_of


def test_a_cache_bounded_by_count_forgets_the_least_recently_used() -> None:
    memo: Memo[str, int] = Memo(items=2)
    made: list[str] = []

    def get(key: str) -> int:
        return memo.get_or_make(key, lambda: made.append(key) or len(made))  # type: ignore[func-returns-value]

    get("a"), get("b"), get("a"), get("c")  # "b" is the least recently used when "c" comes
    assert len(memo) == 2
    get("a")
    get("b")
    assert made == ["a", "b", "c", "b"]


def test_a_cache_bounded_by_bytes_keeps_what_fits() -> None:
    memo: Memo[int, np.ndarray] = Memo(max_bytes=3 * MiB)
    for i in range(5):
        memo.get_or_make(i, lambda: np.zeros(MiB, np.uint8))
    assert len(memo) == 3
    assert memo.size == 3 * MiB


def test_a_value_larger_than_the_budget_is_served_but_not_kept() -> None:
    memo: Memo[str, np.ndarray] = Memo(max_bytes=MiB)
    big = memo.get_or_make("big", lambda: np.zeros(2 * MiB, np.uint8))
    assert big.nbytes == 2 * MiB
    assert len(memo) == 0


def test_a_cache_needs_exactly_one_bound() -> None:
    with pytest.raises(ValueError, match="items or by max_bytes"):
        Memo()
    with pytest.raises(ValueError, match="items or by max_bytes"):
        Memo(items=1, max_bytes=1)


def test_size_of_counts_arrays_meshes_and_what_holds_them() -> None:
    arr = np.zeros(1000)
    assert size_of(arr) == 8000
    assert size_of((arr, arr)) < 8000 + 200  # one array held twice counts once
    mesh = pv.Sphere(theta_resolution=60, phi_resolution=60)
    assert size_of(mesh) >= mesh.points.nbytes
    assert size_of({"m": mesh, "a": arr}) > size_of(mesh) + 8000


def test_object_memo_remembers_per_object_not_per_equal_value() -> None:
    memo: ObjectMemo[int] = ObjectMemo(items=4)
    a, b = [1], [1]  # equal, not the same object
    calls: list[int] = []
    assert memo.get_or_make((a,), lambda: calls.append(1) or 10) == 10  # type: ignore[func-returns-value]
    assert memo.get_or_make((a,), lambda: calls.append(1) or 11) == 10  # type: ignore[func-returns-value]
    assert memo.get_or_make((b,), lambda: calls.append(1) or 12) == 12  # type: ignore[func-returns-value]
    assert memo.get_or_make((a,), lambda: 13, "other key") == 13
    assert len(calls) == 2


def test_memoize_remembers_by_arguments_and_clears() -> None:
    calls: list[tuple[int, int]] = []

    @memoize(items=8)
    def add(x: int, y: int = 0) -> int:
        calls.append((x, y))
        return x + y

    assert add(1, y=2) == add(1, y=2) == 3
    assert add(1) == 1
    assert len(calls) == 2
    add.cache_clear()
    add(1, y=2)
    assert len(calls) == 3
    clear_all()
    add(1, y=2)
    assert len(calls) == 4


def test_a_serial_cache_makes_one_value_at_a_time() -> None:
    memo: Memo[int, int] = Memo(items=16, serial=True)
    running = 0
    most = 0
    lock = threading.Lock()

    def make() -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        threading.Event().wait(0.01)
        with lock:
            running -= 1
        return 1

    threads = [threading.Thread(target=memo.get_or_make, args=(i, make)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most == 1
    assert len(memo) == 6


def test_an_object_memo_counts_its_values_not_the_objects_it_is_kept_for() -> None:
    memo: ObjectMemo[np.ndarray] = ObjectMemo(max_bytes=2 * MiB)
    owner = np.zeros(8 * MiB, np.uint8)  # larger than the budget: it lives on its own
    memo.get_or_make((owner,), lambda: np.zeros(MiB, np.uint8), "a")
    memo.get_or_make((owner,), lambda: np.zeros(MiB, np.uint8), "b")
    assert len(memo) == 2
