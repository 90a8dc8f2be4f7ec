"""A throwaway PostgreSQL cluster on loopback, started by the tests themselves.

``initdb`` and ``postgres`` refuse to run as root, so as root the cluster runs as the ``postgres``
user (which Debian's package creates); otherwise as the current user. The cluster lives in a
temporary folder, listens on 127.0.0.1 only, trusts local connections and skips fsync (its data
is thrown away); each test gets a database of its own.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Generator
from pathlib import Path

__all__ = ["PostgresCluster", "postgres_bin", "running_cluster"]


def postgres_bin() -> Path | None:
    """The folder of PostgreSQL's server programs (the newest installed), or None."""
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").is_file():
            return candidate
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresCluster:
    """A running cluster: make databases on it and connect with their URLs."""

    def __init__(self, folder: Path, port: int, run_as: list[str], bin_dir: Path) -> None:
        self.folder = folder
        self.port = port
        self._run_as = run_as
        self._bin = bin_dir

    def url(self, database: str = "postgres") -> str:
        """A connection URL for ``database`` (the superuser ``postgres``, no password)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A new empty database; returns its URL."""
        name = "t_" + uuid.uuid4().hex[:12]
        self.psql(f"CREATE DATABASE {name}")
        return self.url(name)

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run ``sql`` with psql; returns its output (unaligned, tuples only)."""
        done = subprocess.run(
            ["psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", self.url(database), "-c", sql],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    def pg_ctl(self, *args: str) -> None:
        """Run ``pg_ctl`` on the cluster (``stop``, ``start``...)."""
        data = str(self.folder / "data")
        command = [str(self._bin / "pg_ctl"), "-D", data, "-w", *args]
        subprocess.run([*self._run_as, *command], check=True, capture_output=True)

    def start(self) -> None:
        """Start (or start again) the server."""
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c max_connections=200"
        )
        self.pg_ctl("-l", str(self.folder / "server.log"), "-o", options, "start")

    def stop(self) -> None:
        """Stop the server at once (as a crash would; its clients see their connections cut)."""
        self.pg_ctl("-m", "immediate", "stop")


@contextlib.contextmanager
def running_cluster() -> Generator[PostgresCluster]:
    """Start a cluster for the duration of the block.

    Raises:
        RuntimeError: PostgreSQL's server programs are not installed.
    """
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (scripts/test.sh installs it)")
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    folder = Path(tempfile.mkdtemp(prefix="rodin-pg-"))
    try:
        if run_as:
            shutil.chown(folder, "postgres", "postgres")
        folder.chmod(0o700)
        subprocess.run(
            [
                *run_as,
                str(bin_dir / "initdb"),
                "-D",
                str(folder / "data"),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            capture_output=True,
        )
        cluster = PostgresCluster(folder, _free_port(), run_as, bin_dir)
        cluster.start()
        try:
            yield cluster
        finally:
            with contextlib.suppress(subprocess.CalledProcessError):
                cluster.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
