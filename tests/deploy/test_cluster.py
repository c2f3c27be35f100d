"""Two app servers behind nginx on one PostgreSQL (deploy/cluster.py): the proxy keeps a
browser on one server (a Streamlit session lives in one server's memory) and moves it to the
other when that server dies (issue 15)."""

from __future__ import annotations

import http.cookiejar
import time
import urllib.request

import pytest

from deploy.cluster import Cluster

pytestmark = pytest.mark.e2e


class Requests:
    """The requests nginx passes on from now: which server each went to."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.seen = len(cluster.routes())

    def servers(self, n: int) -> set[str]:
        """The servers of the next ``n`` requests (nginx logs a request just after
        answering it, so wait for its line)."""
        for _ in range(200):
            routes = self.cluster.routes()
            if len(routes) >= self.seen + n:
                taken = routes[self.seen : self.seen + n]
                self.seen += n
                return {address for _, address in taken}
            time.sleep(0.05)
        raise AssertionError("nginx did not log the requests")


def browser() -> urllib.request.OpenerDirector:
    """A client with its own cookie jar, as one browser."""
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def get(client: urllib.request.OpenerDirector, url: str) -> int:
    with client.open(url, timeout=30) as response:
        return int(response.status)


def test_both_servers_share_one_migrated_database(cluster: Cluster) -> None:
    from atlas_app.storage.db import configured_engine, current_revision, head_revision

    engine = configured_engine(cluster.database_url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
    assert len(cluster.app_servers) == 2


def test_a_browser_stays_on_one_server_and_browsers_spread(cluster: Cluster) -> None:
    servers_seen = set()
    for _ in range(12):
        log, client = Requests(cluster), browser()
        for _ in range(4):
            assert get(client, f"{cluster.url}/_stcore/health") == 200
        (one,) = log.servers(4)  # every request of this browser went to one server
        servers_seen.add(one)
    assert servers_seen == {s.address for s in cluster.app_servers}


def test_a_browser_moves_to_the_other_server_when_its_server_dies(cluster: Cluster) -> None:
    log, client = Requests(cluster), browser()
    assert get(client, f"{cluster.url}/") == 200
    (first,) = log.servers(1)
    cluster.kill(cluster.server_at(first))
    for _ in range(3):
        assert get(client, f"{cluster.url}/_stcore/health") == 200
    assert first not in log.servers(3)
