"""Casting ballots over HTTP on SQLite, with the server CPU each request costs.

    python -m bench.ballots        (or `make bench-ballots`)

The app (`workspace.app:create_app`) runs as a subprocess (uvicorn, one worker, no access log) on a
temporary SQLite file migrated with Alembic and filled with a cycle in its voting phase, members on the
three sides of the border, submitted recommendations and one signed-in session per member (written
straight to the file, as tests/helpers.py `open_session` does). With `--baseline`, a bare Litestar
endpoint that upserts one row through one aiosqlite writer connection (bench/baseline_app.py) is
measured first on its own file, as a yardstick of the machine's speed in the same run.

Each server gets the same loads, from a cheap HTTP/1.1 keep-alive client on raw asyncio streams in
this process: a warm-up, then a fixed number of ballots at 100 concurrent clients (throughput), at 10
(latency), and at 100 again with 10% of the ballots sent twice (a double click, both copies at once)
or retried (the first attempt's connection dropped before its answer, then sent again). Afterwards the
SQLite file must hold exactly one ballot, with the choice sent, per (member, recommendation) pair
answered 200.

To see where a server spends its time, set BENCH_CPROFILE_APP (or _BASELINE) to a file path: that
server then runs under cProfile and writes its profile there when stopped (BENCH_PYSPY_APP does the
same with py-spy, when installed, in its "raw" format).

The last line holds the app's figures and the machine's load average (1 minute) when the run ended:

    ballots_per_s=… p50_ms=… p99_ms=… p99_ms_at_10=… errors=… cpu_ms_per_ballot=… load=…
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

from bench import running

PROJECT_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
CHOICES = (("for", 0.6), ("against", 0.2), ("abstain", 0.1), ("block", 0.1))
REASONS = (
    "Le guichet existe déjà côté wallon.",
    "Dit overlapt met de bestaande grensinfopunten.",
    "Pas de budget prévu pour la traduction.",
    "Het voorstel vergeet de Vlaamse kinderbijslag.",
)
TARGET_P99_MS = 100.0
"""The colloquium's aim for a ballot (p99, here at 10 concurrent clients)."""
REQUEST_TIMEOUT = 30.0


# ----------------------------------------------------------------------------------------------------
# A minimal HTTP/1.1 keep-alive client: a few tens of microseconds per request, so that the load
# generator leaves the second core to the server's SQLite thread rather than to itself.


class HTTPError(Exception):
    pass


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key == name]


def build_request(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"host: {HOST}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body or method in {"PUT", "POST"}:
        lines.append(f"content-length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def abort(self) -> None:
        """Drop the connection at once (RST), as a phone losing its network does."""
        if self.writer is not None:
            self.writer.transport.abort()
        self.reader = self.writer = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def send_only(self, request: bytes) -> None:
        if self.writer is None:
            await self.open()
        assert self.writer is not None
        self.writer.write(request)
        await self.writer.drain()

    async def request(self, request: bytes) -> Answer:
        if self.writer is None:
            await self.open()
        assert self.reader is not None
        assert self.writer is not None
        try:
            self.writer.write(request)
            head = await self.reader.readuntil(b"\r\n\r\n")
            lines = head[:-4].decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            headers = []
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers.append((name.strip().lower(), value.strip()))
            header = dict(headers)
            if "content-length" in header:
                body = await self.reader.readexactly(int(header["content-length"]))
            elif header.get("transfer-encoding", "").lower() == "chunked":
                body = await self._read_chunks()
            else:
                body = await self.reader.read()
                header["connection"] = "close"
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as error:
            self.abort()
            raise HTTPError(f"{type(error).__name__}: {error}") from error
        if header.get("connection", "").lower() == "close":
            await self.close()
        return Answer(status, headers, body)

    async def _read_chunks(self) -> bytes:
        assert self.reader is not None
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)


# ----------------------------------------------------------------------------------------------------
# Loads


Pair = tuple[UUID, UUID]
"""(member, recommendation)"""


@dataclass(frozen=True)
class Job:
    pair: Pair
    choice: str
    request: bytes
    retry: bool = False
    """Send once and drop the connection before the answer, then send again (only that one is timed)."""
    ballot: bool = True
    """False for the signed-in reads that measure what any request of the app costs (nothing is cast)."""


@dataclass
class PhaseResult:
    name: str
    clients: int
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    answered: dict[Pair, str] = field(default_factory=dict)
    """Pairs answered 200, with the choice sent."""

    @property
    def ok(self) -> int:
        return self.statuses["200"]

    @property
    def errors(self) -> int:
        return sum(self.statuses.values()) - self.ok

    @property
    def rate(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    @property
    def cpu_ms_per_request(self) -> float:
        """Server CPU time per request sent: what a request costs, whatever the machine's load."""
        requests = sum(self.statuses.values())
        return 1000 * self.server_cpu * self.elapsed / requests if requests else float("nan")

    def percentile(self, share: float) -> float:
        """Nearest-rank percentile of the timed requests, in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, int(share * len(ordered) + 0.999999) - 1))
        return ordered[rank] * 1000

    def summary(self) -> str:
        text = (
            f"{self.name:<22} clients={self.clients:<3} requests={sum(self.statuses.values()):<5} "
            f"ok={self.ok:<5} errors={self.errors:<3} ballots_per_s={self.rate:7.1f} "
            f"p50_ms={self.percentile(0.50):6.1f} p99_ms={self.percentile(0.99):6.1f} "
            f"max_ms={max(self.latencies, default=0) * 1000:6.1f} "
            f"server_cpu={self.server_cpu:4.0%} loadgen_cpu={self.client_cpu:4.0%} "
            f"cpu_ms_per_request={self.cpu_ms_per_request:.2f}"
        )
        if self.errors:
            text += f"\n    statuses: {dict(self.statuses)}; first failures: {self.failures[:3]}"
        return text


async def run_phase(
    name: str, port: int, jobs: list[Job], clients: int, server_pid: int, rng: random.Random
) -> PhaseResult:
    result = PhaseResult(name=name, clients=clients)
    connections = [Connection(port) for _ in range(clients)]
    await asyncio.gather(*(connection.open() for connection in connections))
    queue: Iterator[Job] = iter(jobs)
    # Decided up front so that the measured loop draws no random numbers.
    pauses = iter([rng.uniform(0.0, 0.02) for _ in jobs])

    async def client(connection: Connection) -> None:
        for job in queue:
            pause = next(pauses)
            try:
                if job.retry:
                    await connection.send_only(job.request)
                    await asyncio.sleep(pause)
                    connection.abort()
                started = time.perf_counter()
                async with asyncio.timeout(REQUEST_TIMEOUT):
                    answer = await connection.request(job.request)
                result.latencies.append(time.perf_counter() - started)
            except (HTTPError, OSError, TimeoutError) as error:
                connection.abort()
                result.statuses[type(error).__name__] += 1
                result.failures.append(f"{type(error).__name__}: {error}")
                continue
            result.statuses[str(answer.status)] += 1
            if answer.status == 200:
                if job.ballot:
                    result.answered[job.pair] = job.choice
            else:
                result.failures.append(f"{answer.status} {answer.body[:300]!r}")

    cpu_before, client_before = server_cpu_seconds(server_pid), time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(client(connection) for connection in connections))
    result.elapsed = time.perf_counter() - started
    result.server_cpu = (server_cpu_seconds(server_pid) - cpu_before) / result.elapsed
    result.client_cpu = (time.process_time() - client_before) / result.elapsed
    await asyncio.gather(*(connection.close() for connection in connections))
    return result


def pick_choice(rng: random.Random) -> tuple[str, str]:
    choice = rng.choices([name for name, _ in CHOICES], weights=[weight for _, weight in CHOICES])[0]
    reason = "" if choice == "for" else rng.choice(REASONS) if choice == "block" or rng.random() < 0.5 else ""
    return choice, reason


@dataclass
class Plan:
    """Which pairs each phase casts: disjoint, so every phase inserts new ballots."""

    warmup: list[Pair]
    throughput: list[Pair]
    latency: list[Pair]
    duplicates: list[Pair]


def make_plan(pairs: list[Pair], rng: random.Random, sizes: argparse.Namespace) -> Plan:
    shuffled = pairs[:]
    rng.shuffle(shuffled)
    wanted = sizes.warmup + sizes.throughput_requests + sizes.latency_requests + sizes.duplicate_requests
    if wanted > len(shuffled):
        raise SystemExit(f"{wanted} ballots asked for, but only {len(shuffled)} (member, recommendation) pairs")
    cuts = list(
        itertools.accumulate(
            [sizes.warmup, sizes.throughput_requests, sizes.latency_requests, sizes.duplicate_requests]
        )
    )
    return Plan(
        warmup=shuffled[: cuts[0]],
        throughput=shuffled[cuts[0] : cuts[1]],
        latency=shuffled[cuts[1] : cuts[2]],
        duplicates=shuffled[cuts[2] : cuts[3]],
    )


def make_jobs(
    pairs: list[Pair], headers_for: Callable[[UUID], dict[str, str]], rng: random.Random, duplicate_share: float = 0.0
) -> list[Job]:
    """One ballot per pair; with `duplicate_share`, that share of the pairs is sent twice at once or retried."""
    jobs: list[Job] = []
    for pair in pairs:
        member, recommendation = pair
        choice, reason = pick_choice(rng)
        body = json.dumps({"choice": choice, "reason": reason}).encode()
        headers = {**headers_for(member), "content-type": "application/json"}
        request = build_request("PUT", f"/api/recommendations/{recommendation}/ballot", headers, body)
        if rng.random() < duplicate_share:
            if rng.random() < 0.5:
                # A double click: both copies are next to each other in the queue, so two clients send them at once.
                jobs += [Job(pair, choice, request), Job(pair, choice, request)]
            else:
                jobs.append(Job(pair, choice, request, retry=True))
        else:
            jobs.append(Job(pair, choice, request))
    return jobs


# ----------------------------------------------------------------------------------------------------
# Servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_cpu_seconds(pid: int) -> float:
    """User and system CPU time of the server process, all threads (its SQLite threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_kib(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in {"VmRSS", "VmHWM"}:
            values[key] = int(value.split()[0])
    return values


class Server:
    def __init__(self, name: str, factory: str, env: dict[str, str], workdir: Path) -> None:
        self.name = name
        self.factory = factory
        self.env = env
        self.port = free_port()
        self.log_path = workdir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def launch(self) -> None:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            self.factory,
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--workers",
            "1",
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        if profile := os.environ.get("BENCH_PYSPY_" + self.name.upper()):
            command = ["py-spy", "record", "--format", "raw", "--rate", "250", "--output", profile, "--", *command]
        if profile := os.environ.get("BENCH_CPROFILE_" + self.name.upper()):
            command = [sys.executable, "-m", "cProfile", "-o", profile, *command[1:]]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT
            )

    async def start(self) -> None:
        self.launch()
        assert self.process is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} server exited with {self.process.returncode}:\n{self.log()}")
            connection = Connection(self.port)
            try:
                await connection.open()
                await connection.request(build_request("GET", "/", {"connection": "close"}))
                return
            except (OSError, HTTPError):
                await asyncio.sleep(0.1)
            finally:
                await connection.close()
        raise SystemExit(f"{self.name} server did not answer within 60 s:\n{self.log()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


# ----------------------------------------------------------------------------------------------------
# The app's database: migrated with Alembic, then filled through the app's own models.


@dataclass
class Population:
    members: list[UUID]
    recommendations: list[UUID]
    session_keys: dict[UUID, str]


def migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


async def populate(url: str, members: int, recommendations: int) -> Population:
    """A cycle in its voting phase, as tests/factories.py builds one, with members and their sessions."""
    from workspace.accounts.middleware import SESSION_USER_KEY
    from workspace.accounts.models import (
        TERRITORY_SIDES,
        ActorKind,
        Language,
        MembershipRole,
        StoredSession,
        Territory,
        User,
    )
    from workspace.app import SESSION_MAX_AGE
    from workspace.core.db import Database
    from workspace.cycles.models import Axis, Cycle, Membership, Phase, WorkingGroup
    from workspace.cycles.services import SEEDED_AXES
    from workspace.recommendations.models import TEXT_FIELDS, Recommendation, Revision, Status

    territories = [
        (Territory.NORD, Language.FRENCH),
        (Territory.HAINAUT, Language.FRENCH),
        (Territory.WEST_VLAANDEREN, Language.DUTCH),
    ]
    kinds = list(ActorKind)
    db = Database(url)
    try:
        async with db.transaction() as session:
            cycle = Cycle(
                year=2013,
                slug="bench-ballots",
                title_fr="Accès au logement",
                title_nl="Toegang tot huisvesting",
                phase=Phase.VOTING,
            )
            for position, (code, fr, nl, en, *_descriptions) in enumerate(SEEDED_AXES):
                cycle.axes.append(Axis(code=code, position=position, name_fr=fr, name_nl=nl, name_en=en))
            group = WorkingGroup(name="Groupe de travail")
            cycle.groups.append(group)
            session.add(cycle)
            users = []
            for number in range(members):
                territory, language = territories[number % len(territories)]
                users.append(
                    User(
                        email=f"voter{number}@example.org",
                        display_name=f"Voter {number}",
                        organisation="CCAS de Lille",
                        territory=territory,
                        side=TERRITORY_SIDES[territory],
                        actor_kind=kinds[number % len(kinds)],
                        language=language,
                        password_hash=None,
                    )
                )
            session.add_all(users)
            await session.flush()
            session.add_all(
                Membership(user_id=user.id, cycle_id=cycle.id, group_id=group.id, role=MembershipRole.MEMBER)
                for user in users
            )
            recommendation_rows = [
                Recommendation(
                    cycle_id=cycle.id,
                    axis_id=cycle.axes[number % len(cycle.axes)].id,
                    author_id=users[number].id,
                    group_id=group.id,
                    status=Status.SUBMITTED,
                    title=f"Un guichet unique transfrontalier {number + 1}",
                    finding="Les jeunes frappent à quatre portes.",
                    proposal="Ouvrir un guichet commun.",
                )
                for number in range(recommendations)
            ]
            session.add_all(recommendation_rows)
            await session.flush()
            for recommendation in recommendation_rows:
                content = {name: getattr(recommendation, name) for name in TEXT_FIELDS}
                session.add(
                    Revision(
                        recommendation_id=recommendation.id,
                        number=1,
                        author_id=recommendation.author_id,
                        content=content,
                    )
                )
            # Signed in as /login leaves a session: valid for SESSION_MAX_AGE.
            expires_at = datetime.now(UTC) + timedelta(seconds=SESSION_MAX_AGE)
            keys = {user.id: secrets.token_hex(32) for user in users}
            session.add_all(
                StoredSession(
                    key=keys[user.id],
                    value=json.dumps({SESSION_USER_KEY: str(user.id)}).encode(),
                    expires_at=expires_at,
                )
                for user in users
            )
        return Population(
            members=[user.id for user in users],
            recommendations=[recommendation.id for recommendation in recommendation_rows],
            session_keys=keys,
        )
    finally:
        await db.dispose()


def as_uuid(value: object) -> UUID:
    if isinstance(value, bytes) and len(value) == 16:
        return UUID(bytes=value)
    return UUID(str(value))


def stored_ballots(path: Path) -> list[tuple[UUID, UUID, str]]:
    """(member, recommendation, choice) of every ballot in the file."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT user_id, recommendation_id, choice FROM ballot").fetchall()
    finally:
        connection.close()
    return [(as_uuid(user), as_uuid(recommendation), choice) for user, recommendation, choice in rows]


def check_stored(path: Path, answered: dict[Pair, str]) -> tuple[int, str]:
    """Exactly one ballot per pair answered 200, holding the choice sent. Returns (mismatches, report)."""
    rows = stored_ballots(path)
    stored = {(user, recommendation): choice for user, recommendation, choice in rows}
    duplicates = len(rows) - len(stored)
    missing = len(answered.keys() - stored.keys())
    unexpected = len(stored.keys() - answered.keys())
    wrong = sum(1 for pair, choice in answered.items() if pair in stored and stored[pair] != choice)
    mismatches = duplicates + missing + unexpected + wrong
    verdict = "OK" if not mismatches else "MISMATCH"
    report = (
        f"ballots_stored={len(rows)} distinct_pairs_answered={len(answered)} duplicates={duplicates} "
        f"missing={missing} unexpected={unexpected} wrong_choice={wrong} -> {verdict}"
    )
    return mismatches, report


# ----------------------------------------------------------------------------------------------------
# The run


@dataclass
class ServerRun:
    name: str
    phases: dict[str, PhaseResult]
    memory: dict[str, int]
    mismatches: int
    check: str
    log_problems: Counter[str]

    @property
    def errors(self) -> int:
        return sum(phase.errors for phase in self.phases.values()) + self.mismatches


def log_problems(text: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for line in text.splitlines():
        lowered = line.lower()
        if "database is locked" in lowered:
            found["database is locked"] += 1
        if line.startswith("Traceback"):
            found["tracebacks"] += 1
        if " error" in lowered or lowered.startswith("error"):
            found["error lines"] += 1
    return found


async def drive(
    server: Server,
    plan: Plan,
    headers_for: Callable[[UUID], dict[str, str]],
    sizes: argparse.Namespace,
    rng: random.Random,
    database: Path,
) -> ServerRun:
    print(f"\n== {server.name}: {server.factory} on port {server.port}", flush=True)
    phases: dict[str, PhaseResult] = {}
    try:
        warmup = await run_phase(
            "warm-up", server.port, make_jobs(plan.warmup, headers_for, rng), sizes.throughput_clients, server.pid, rng
        )
        print(warmup.summary(), flush=True)
        phases["warm-up"] = warmup
        loads = [
            ("throughput", plan.throughput, sizes.throughput_clients, 0.0),
            ("latency", plan.latency, sizes.latency_clients, 0.0),
            ("duplicates+retries", plan.duplicates, sizes.throughput_clients, sizes.duplicate_share),
        ]
        for name, pairs, clients, share in loads:
            jobs = make_jobs(pairs, headers_for, rng, duplicate_share=share)
            phase = await run_phase(name, server.port, jobs, clients, server.pid, rng)
            phases[name] = phase
            print(phase.summary(), flush=True)
            if share:
                print(
                    f"    {len(jobs)} timed requests for {len(pairs)} ballots: "
                    f"{sum(job.retry for job in jobs)} retried after a dropped connection, "
                    f"{len(jobs) - len(pairs)} sent twice at once",
                    flush=True,
                )
        memory = memory_kib(server.pid)
    finally:
        server.stop()
    answered: dict[Pair, str] = {}
    for phase in phases.values():
        answered.update(phase.answered)
    mismatches, check = check_stored(database, answered)
    problems = log_problems(server.log())
    print(f"    stored ballots check: {check}", flush=True)
    print(
        f"    server memory: peak RSS {memory.get('VmHWM', 0) / 1024:.0f} MiB, "
        f"RSS at end {memory.get('VmRSS', 0) / 1024:.0f} MiB",
        flush=True,
    )
    print(
        f"    server log: {problems['database is locked']} 'database is locked', {problems['tracebacks']} tracebacks,"
        f" {problems['error lines']} error lines ({server.log_path})",
        flush=True,
    )
    return ServerRun(server.name, phases, memory, mismatches, check, problems)


async def sign_in_members(port: int, population: Population, cookie_name: str) -> dict[UUID, str]:
    """GET /api/session once per member: checks the session is recognised and collects the CSRF token."""
    tokens: dict[UUID, str] = {}
    members = iter(population.members)

    async def client() -> None:
        connection = Connection(port)
        try:
            for member in members:
                cookie = f"{cookie_name}={population.session_keys[member]}"
                answer = await connection.request(build_request("GET", "/api/session", {"cookie": cookie}))
                if answer.status != 200:
                    raise SystemExit(f"GET /api/session for {member}: {answer.status} {answer.body[:500]!r}")
                info = json.loads(answer.body)
                cookies = [value.split(";", 1)[0] for value in answer.header("set-cookie")]
                csrf_cookie = next((c.split("=", 1)[1] for c in cookies if c.startswith("csrftoken=")), None)
                if info["user_id"] != str(member) or csrf_cookie != info["csrf_token"]:
                    raise SystemExit(f"GET /api/session for {member}: unexpected {info} / cookies {cookies}")
                tokens[member] = info["csrf_token"]
        finally:
            await connection.close()

    await asyncio.gather(*(client() for _ in range(10)))
    return tokens


async def signed_in_reads(
    server: Server, population: Population, headers_for: Callable[[UUID], dict[str, str]], sizes: argparse.Namespace
) -> PhaseResult:
    """`GET /api/session` at the throughput load: the session, account, CSRF and middleware every request of
    the app pays before its own work (the floor under a ballot's cost, which the baseline does not pay)."""
    members = population.members
    jobs = [
        Job((member, member), "", build_request("GET", "/api/session", headers_for(member)), ballot=False)
        for member in itertools.islice(itertools.cycle(members), sizes.signed_in_requests)
    ]
    warm = jobs[: len(jobs) // 5]
    await run_phase("warm-up", server.port, warm, sizes.throughput_clients, server.pid, seeded(sizes.seed))
    phase = await run_phase(
        "signed-in reads", server.port, jobs, sizes.throughput_clients, server.pid, seeded(sizes.seed)
    )
    print(phase.summary().replace("ballots_per_s", "requests_s"), flush=True)
    return phase


def seeded(seed: int) -> random.Random:
    """The same seed gives both servers the same ballots, choices and pauses."""
    return random.Random(seed)  # noqa: S311 - a reproducible load, not a secret


async def bench(sizes: argparse.Namespace, workdir: Path) -> int:
    rng = seeded(sizes.seed)
    app_db = workdir / "app.sqlite3"
    app_url = f"sqlite+aiosqlite:///{app_db}"
    baseline_db = workdir / "baseline.sqlite3"

    started = time.perf_counter()
    await asyncio.to_thread(migrate, app_url)
    population = await populate(app_url, sizes.members, sizes.recommendations)
    from bench.baseline_app import USER_COOKIE, create_schema

    print(
        f"setup: {sizes.members} members on 3 sides, {sizes.recommendations} submitted recommendations, "
        f"migrated and filled in {time.perf_counter() - started:.1f} s ({workdir})",
        flush=True,
    )
    pairs = [(member, recommendation) for member in population.members for recommendation in population.recommendations]
    plan = make_plan(pairs, rng, sizes)

    quiet = {"PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    baseline_run: ServerRun | None = None
    if sizes.baseline:
        create_schema(str(baseline_db))
        baseline = Server(
            "baseline", "bench.baseline_app:create_app", {**quiet, "BASELINE_DB": str(baseline_db)}, workdir
        )
        await baseline.start()

        def baseline_headers(member: UUID) -> dict[str, str]:
            return {"cookie": f"{USER_COOKIE}={member}"}

        baseline_run = await drive(baseline, plan, baseline_headers, sizes, seeded(sizes.seed), baseline_db)

    app_env = {
        **quiet,
        "DATABASE_URL": app_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "PASSERELLE_ENV": "development",
        "SECURE_COOKIES": "false",
        "DEBUG": "false",
        "SQL_ECHO": "false",
        "REDIS_URL": "",
        "SMTP_URL": "",
    }
    app = Server("app", os.environ.get("BENCH_APP_FACTORY", "workspace.app:create_app"), app_env, workdir)
    await app.start()
    try:
        from workspace.settings import Settings

        cookie_name = Settings(secure_cookies=False).session_cookie_name
        tokens = await sign_in_members(app.port, population, cookie_name)
    except BaseException:
        app.stop()
        print(app.log(), file=sys.stderr)
        raise

    def app_headers(member: UUID) -> dict[str, str]:
        token = tokens[member]
        return {"cookie": f"{cookie_name}={population.session_keys[member]}; csrftoken={token}", "x-csrftoken": token}

    try:
        signed_in = await signed_in_reads(app, population, app_headers, sizes)
    except BaseException:
        app.stop()
        raise
    app_run = await drive(app, plan, app_headers, sizes, seeded(sizes.seed), app_db)

    ours = app_run.phases
    print(
        f"\nserver CPU per request: signed-in read (GET /api/session, no ballot) "
        f"{signed_in.cpu_ms_per_request:.2f} ms, ballot {ours['throughput'].cpu_ms_per_request:.2f} ms"
    )
    if baseline_run is not None:
        base = baseline_run.phases
        line = base["throughput"]
        print(
            f"baseline: ballots_per_s={line.rate:.1f} p50_ms={line.percentile(0.5):.1f} "
            f"p99_ms={line.percentile(0.99):.1f} p99_ms_at_10={base['latency'].percentile(0.99):.1f} "
            f"errors={baseline_run.errors} cpu_ms_per_ballot={line.cpu_ms_per_request:.2f}"
        )
    targets = [
        (f"p99 at 10 clients < {TARGET_P99_MS:g} ms", ours["latency"].percentile(0.99) < TARGET_P99_MS),
        ("no errors", app_run.errors + signed_in.errors == 0),
        ("no 'database is locked'", app_run.log_problems["database is locked"] == 0),
    ]
    print("targets: " + ", ".join(f"{name}: {'yes' if met else 'NO'}" for name, met in targets))
    print(f"total time {time.perf_counter() - started:.0f} s")
    print(
        f"ballots_per_s={ours['throughput'].rate:.1f} p50_ms={ours['throughput'].percentile(0.5):.1f} "
        f"p99_ms={ours['throughput'].percentile(0.99):.1f} p99_ms_at_10={ours['latency'].percentile(0.99):.1f} "
        f"errors={app_run.errors + signed_in.errors} cpu_ms_per_ballot={ours['throughput'].cpu_ms_per_request:.2f} "
        f"load={os.getloadavg()[0]:.2f}",
        flush=True,
    )
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.ballots", description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--recommendations", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=400, help="ballots cast before measuring")
    parser.add_argument("--throughput-clients", type=int, default=100)
    parser.add_argument("--throughput-requests", type=int, default=3000)
    parser.add_argument("--latency-clients", type=int, default=10)
    parser.add_argument("--latency-requests", type=int, default=1000)
    parser.add_argument("--duplicate-requests", type=int, default=1500, help="ballots in the duplicates phase")
    parser.add_argument("--signed-in-requests", type=int, default=2000, help="GET /api/session, to compare")
    parser.add_argument("--duplicate-share", type=float, default=0.10)
    parser.add_argument("--seed", type=int, default=2013)
    parser.add_argument(
        "--baseline", action="store_true", help="measure the bare one-row upsert endpoint first, as a yardstick"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (databases, server logs)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    return running.run(bench, parse_args(argv), "passerelle-bench-")


if __name__ == "__main__":
    sys.exit(main())
