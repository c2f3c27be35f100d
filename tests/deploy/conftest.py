"""A cluster per test module: two app servers behind Debian's nginx on a throwaway
PostgreSQL (deploy/cluster.py). Modules kill servers, so they do not share one."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.cluster import Cluster, running_cluster


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        pytest.fail("Debian's nginx is not installed (scripts/test.sh installs nginx-light)")
    with running_cluster(tmp_path_factory.mktemp("cluster")) as c:
        yield c
