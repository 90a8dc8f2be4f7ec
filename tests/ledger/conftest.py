"""The ledger's tests run on both engines: a SQLite file, and a PostgreSQL database of a cluster
the tests start on loopback (``tests/postgres_cluster.py``).

* ``address``: where a fresh, empty ledger lives: a SQLite file's path, or a new database's URL
  (one per test); each test that takes it runs on both engines.
* ``ledger``: the ledger opened there.
* :func:`open_at`: open (another connection to) the ledger at an address, as another process or
  replica would.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from pathlib import Path

import pytest

from rodin_mcp.ledger import Ledger, open_postgres_ledger, open_sqlite_ledger
from tests.postgres_cluster import PostgresCluster, running_cluster

ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres() -> Generator[PostgresCluster]:
    """One PostgreSQL cluster for the whole run (each test makes a database of its own)."""
    with running_cluster() as cluster:
        yield cluster


@pytest.fixture(params=ENGINES)
def address(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a new ledger lives, on each engine in turn."""
    if request.param == "sqlite":
        return str(tmp_path / "ledger.sqlite3")
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.new_database()


async def open_at(address: str) -> Ledger:
    """The ledger at ``address`` (a SQLite file's path, or a PostgreSQL URL)."""
    if address.startswith("postgresql://"):
        return await open_postgres_ledger(address)
    return await open_sqlite_ledger(Path(address))


@pytest.fixture
async def ledger(address: str) -> AsyncGenerator[Ledger]:
    async with await open_at(address) as opened:
        yield opened


def engine_of(address: str) -> str:
    return "postgresql" if address.startswith("postgresql://") else "sqlite"
