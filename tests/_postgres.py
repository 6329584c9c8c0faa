# SPDX-License-Identifier: MIT
"""A throwaway PostgreSQL server for the tests, from Debian's package
(/usr/lib/postgresql/<version>/bin): ``initdb`` into a fresh directory under /tmp,
``pg_ctl start`` listening on 127.0.0.1 on a free port and on a unix socket in that
directory, stopped and removed at the end of the session (``tests/conftest.py``:
the ``postgres_server`` and ``postgres_url`` fixtures).

PostgreSQL refuses to run as root: under root the server runs as the ``postgres``
system user (``runuser -u postgres --``; the user is made with ``useradd`` when missing
and possible). The server's one role, ``zkcx``, logs in with a password
(scram-sha-256), so that the tests also see that a URL's password is never printed.
Durability of the server itself is not under test: fsync is off."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass

ROLE = "zkcx"


class Unavailable(Exception):
    """The server cannot start here; the message says why (a test skip reason)."""


@dataclass
class PostgresServer:
    """A running server: ``url(db)`` is a postgresql:// URL of database ``db``."""

    port: int
    password: str
    directory: str
    bindir: str
    runas: list[str]
    counter: int = 0

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{ROLE}:{self.password}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A new empty database; its URL."""
        import psycopg

        self.counter += 1
        name = f"zkcx_test_{os.getpid()}_{self.counter}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run([*self.runas, f"{self.bindir}/pg_ctl", "-D", self._data, "-m",
                            "immediate", "-w", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.directory, ignore_errors=True)

    @property
    def _data(self) -> str:
        return os.path.join(self.directory, "data")


def _bindir() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    if initdb:
        return os.path.dirname(initdb)
    raise Unavailable("PostgreSQL's server is not installed (Debian: apt-get install "
                      "postgresql; .ci/run does it)")


def _runas() -> list[str]:
    """The command prefix that runs the server's programs as a user it accepts."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        if not shutil.which("useradd"):
            raise Unavailable("running as root without a 'postgres' user, and no useradd "
                              "to make one: PostgreSQL refuses to run as root") from None
        made = subprocess.run(["useradd", "--system", "--no-create-home", "postgres"],
                              capture_output=True, text=True)
        if made.returncode:
            raise Unavailable(f"cannot make a 'postgres' user: {made.stderr.strip()}") \
                from None
    if not shutil.which("runuser"):
        raise Unavailable("running as root without runuser: PostgreSQL refuses to run as "
                          "root")
    return ["runuser", "-u", "postgres", "--"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start() -> PostgresServer:
    """Start a server (``Unavailable`` when it cannot be)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise Unavailable("psycopg is not installed (pip install 'zkcx[postgres]')") \
            from None
    bindir, runas = _bindir(), _runas()
    directory = tempfile.mkdtemp(prefix="zkcx-pg-")  # not under pytest's 0700 root tmp
    password = secrets.token_hex(12)
    server = PostgresServer(_free_port(), password, directory, bindir, runas)
    try:
        pwfile = os.path.join(directory, "pw")
        with open(pwfile, "w") as fh:
            fh.write(password + "\n")
        if runas:
            user = pwd.getpwnam("postgres")
            os.chown(directory, user.pw_uid, user.pw_gid)
            os.chown(pwfile, user.pw_uid, user.pw_gid)
        os.chmod(directory, 0o700)
        _run(runas, f"{bindir}/initdb", "-D", server._data, "-U", ROLE, "--pwfile", pwfile,
             "--auth=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C")
        options = (f"-p {server.port} -k {directory} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off -c synchronous_commit=off "
                   "-c max_connections=200")
        _run(runas, f"{bindir}/pg_ctl", "-D", server._data, "-l",
             os.path.join(directory, "log"), "-o", options, "-w", "-t", "60", "start")
    except Unavailable:
        log = os.path.join(directory, "log")
        tail = ""
        if os.path.exists(log):
            with open(log, errors="replace") as fh:
                tail = fh.read()[-600:]
        server.stop()
        raise Unavailable(f"PostgreSQL did not start{': ' + tail if tail else ''}") from None
    return server


def _run(runas: list[str], *command: str) -> None:
    try:
        done = subprocess.run([*runas, *command], capture_output=True, text=True,
                              timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        raise Unavailable(f"{os.path.basename(command[0])}: {exc}") from None
    if done.returncode:
        raise Unavailable(f"{os.path.basename(command[0])} failed: "
                          f"{(done.stderr or done.stdout).strip()[-600:]}")
