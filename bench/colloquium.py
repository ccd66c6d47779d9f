"""The colloquium hour: voting, live screens, readers, comments and a facilitator's exports at once.

    python -m bench.colloquium [--backend postgresql] [--quick]     (or `make bench-colloquium`)

The database is a temporary one (a SQLite file, or with `--backend postgresql` a private PostgreSQL
server started as tests/pg.py does, with a private redis-server for live events) migrated with Alembic.
It holds last year's cycle filled as bench/exports.py fills it (300 recommendations with Dutch
translations, 20,000 comments, 5,000 ballots) and published as version 1, which is what the facilitator
exports; and this year's cycle in its voting phase, with members from the three sides of the border
(one a facilitator) signed in (sessions written straight to the database, as bench/ballots.py does),
recommendations on three axes (the first axis holds 20) and 100+ comments on each recommendation.
The app runs as real uvicorn processes: one on SQLite, two behind no proxy on PostgreSQL (each client
talks to one of them, so live events cross processes through Redis).

The load, from this process (raw HTTP/1.1 keep-alive clients on asyncio, as in bench/ballots.py):
- voters cast and change ballots, 1-3 s apart (closed loop), half through the page's htmx form and
  half through the JSON API; most ballots go to the ten recommendations on the agenda;
- live streams: colloquium screens and recommendation pages (SSE), each timing an event from the send
  of the ballot or comment that caused it to its arrival (every acknowledged cause on the stream's
  channel is matched with the first event that arrives after its acknowledgement);
- readers browsing the cycle, an axis list, recommendation pages, the ballot paper and search, 1-3 s apart;
- members posting comments on the agenda's recommendations (under the pace limit of 6 a minute);
- in the loaded phase only, a facilitator starts three exports of last year's dossier (the French-Dutch
  PDF, the Markdown with the discussion annex, which reads all 20,000 comments, and the French DOCX),
  follows their progress pages, and runs a burst of searches.
After a warm-up, a quiet phase (everything but the facilitator) then a loaded phase (which lasts at least
until the exports end) measure the run's own baseline. Requests belong to the phase they started in.
Before the load, each page kind is requested alone a few times, to print the server CPU it costs.

Per phase and kind: count, p50/p95/p99, errors; per phase the app's CPU per request (/proc of the
server processes, their waited-for children such as Typst included). At the end every acknowledged
ballot and comment must be in the database, and the server logs must hold no "database is locked".
The last line (pages are the readers' GETs, search aside; the ratio is the largest over kinds):

    ballot_p99_ms=… page_p99_ms=… event_p95_ms=… errors=… loaded_over_quiet_p99=… load=…
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
import weakref
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

from bench import exports as export_bench
from bench import running
from bench.ballots import (
    HOST,
    REASONS,
    Connection,
    HTTPError,
    Population,
    Server,
    build_request,
    free_port,
    log_problems,
    migrate,
    seeded,
    sign_in_members,
)

AGENDA = 10
"""Recommendations on the colloquium's agenda: most ballots, the comments and the page streams go there."""
FIRST_AXIS_SIZE = 20
PAGE_KINDS = ("cycle", "axis", "recommendation", "ballot paper")
BALLOT_KINDS = ("ballot (form)", "ballot (api)")
SEARCH_TERMS = ("guichet", "logement", "transfrontalier", "jongeren", "CPAS", "formation", "portes", "woning")
EXPORTS = (("pdf", "fr-nl", False), ("md", "fr-nl", True), ("docx", "fr", False))
"""(format, language, with the discussion annex) of the facilitator's exports."""
REQUEST_TIMEOUT = 30.0
EXPORT_TIMEOUT = 600.0
SOLO_REQUESTS = 20
DRAIN = 20.0
"""Seconds the streams are given, once the load has ended, to deliver the events still owed."""
KEEP_ALIVE = 4.0
"""Seconds a client keeps an idle connection (uvicorn closes them after 5)."""


# ----------------------------------------------------------------------------------------------------
# What the run records


@dataclass
class Kind:
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def percentile(self, share: float) -> float:
        """Nearest-rank percentile, in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, int(share * len(ordered) + 0.999999) - 1))
        return ordered[rank] * 1000


@dataclass
class Cause:
    """An acknowledged ballot or comment, as the live streams wait for it."""

    sent: float
    acknowledged: float


@dataclass
class Phase:
    name: str
    started: float = 0.0
    ended: float = 0.0
    cpu_before: float = 0.0
    cpu_after: float = 0.0
    client_cpu: float = 0.0
    kinds: dict[str, Kind] = field(default_factory=lambda: defaultdict(Kind))
    missed_events: int = 0

    @property
    def requests(self) -> int:
        return sum(
            len(kind.latencies) + sum(kind.errors.values()) for name, kind in self.kinds.items() if name != "event"
        )

    @property
    def errors(self) -> int:
        return sum(sum(kind.errors.values()) for kind in self.kinds.values())

    def merged(self, names: tuple[str, ...]) -> Kind:
        merged = Kind()
        for name in names:
            if name in self.kinds:
                merged.latencies += self.kinds[name].latencies
                merged.errors.update(self.kinds[name].errors)
        return merged


class Run:
    """The clock of the phases and everything measured; the load's tasks stop when `over` is set."""

    def __init__(self, server_pids: list[int]) -> None:
        self.server_pids = server_pids
        self.phases = {name: Phase(name) for name in ("warm-up", "quiet", "loaded")}
        self.current = self.phases["warm-up"]
        self.over = asyncio.Event()
        self.causes: dict[str, list[Cause]] = defaultdict(list)
        self.cause_arrived: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        self.ballots: dict[tuple[UUID, UUID], str] = {}
        """(member, recommendation) -> the choice last acknowledged."""
        self.comments: set[str] = set()
        """Markers of the comments acknowledged."""
        self.exports: list[str] = []
        self.log_sizes: list[int] = []
        """How much each server had logged when the load ended, before the streams were closed."""

    def start(self) -> None:
        self.current.started, self.current.cpu_before = time.perf_counter(), server_cpu(self.server_pids)
        self._client_before = time.process_time()

    def enter(self, name: str) -> None:
        now = time.perf_counter()
        cpu, client = server_cpu(self.server_pids), time.process_time()
        self.current.ended, self.current.cpu_after = now, cpu
        self.current.client_cpu = client - self._client_before
        self.current = self.phases[name]
        self.current.started, self.current.cpu_before = now, cpu
        self._client_before = client

    def finish(self) -> None:
        now = time.perf_counter()
        self.current.ended, self.current.cpu_after = now, server_cpu(self.server_pids)
        self.current.client_cpu = time.process_time() - self._client_before
        self.over.set()

    def phase_at(self, moment: float) -> Phase:
        for phase in reversed(self.phases.values()):
            if phase.started and moment >= phase.started:
                return phase
        return self.phases["warm-up"]

    def record(self, kind: str, started: float, error: str | None = None, detail: str = "") -> None:
        entry = self.phase_at(started).kinds[kind]
        if error is None:
            entry.latencies.append(time.perf_counter() - started)
        else:
            entry.errors[error] += 1
            if len(entry.failures) < 5:
                entry.failures.append(detail[:300])

    def caused(self, channel: str, sent: float) -> None:
        self.causes[channel].append(Cause(sent, time.perf_counter()))


def server_cpu(pids: list[int]) -> float:
    """User and system CPU seconds of the server processes and their children that ended."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return total


# ----------------------------------------------------------------------------------------------------
# The database


@dataclass
class Colloquium:
    slug: str
    cycle_id: UUID
    published_slug: str
    axes: list[str]
    recommendations: list[UUID]
    members: list[UUID]
    facilitator: UUID
    session_keys: dict[UUID, str]
    comments_before: int


async def fill(url: str, sizes: argparse.Namespace) -> Colloquium:
    """Last year's published cycle (bench/exports.py's data set), then this year's voting cycle."""
    from sqlalchemy import func, select, update

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
    from workspace.cycles.models import Axis, Cycle, Membership, WorkingGroup
    from workspace.cycles.models import Phase as CyclePhase
    from workspace.cycles.services import SEEDED_AXES
    from workspace.discussion.models import Comment
    from workspace.dossier.models import DossierVersion
    from workspace.recommendations.models import TEXT_FIELDS, Recommendation, Revision, Status

    last_year = argparse.Namespace(
        recommendations=sizes.recommendations_published,
        comments=sizes.comments,
        ballots=sizes.ballots,
        voters=60,
        seed=sizes.seed,
    )
    published_slug = await export_bench.fill(url, last_year)
    content = await export_bench.build(url, published_slug)
    territories = [
        (Territory.NORD, Language.FRENCH),
        (Territory.HAINAUT, Language.FRENCH),
        (Territory.WEST_VLAANDEREN, Language.DUTCH),
    ]
    kinds = list(ActorKind)
    db = Database(url)
    try:
        async with db.transaction() as session:
            old = await session.scalar(select(Cycle).where(Cycle.slug == published_slug))
            assert old is not None
            await session.execute(update(Cycle).where(Cycle.id == old.id).values(phase=CyclePhase.PUBLISHED))
            session.add(DossierVersion(cycle_id=old.id, number=1, content=content))
            cycle = Cycle(
                year=2014,
                slug="colloque-2014",
                title_fr="Le colloque transfrontalier",
                title_nl="Het grensoverschrijdende colloquium",
                phase=CyclePhase.VOTING,
            )
            for position, (code, fr, nl, en, *_descriptions) in enumerate(SEEDED_AXES):
                cycle.axes.append(Axis(code=code, position=position, name_fr=fr, name_nl=nl, name_en=en))
            group = WorkingGroup(name="Groupe de travail du colloque")
            cycle.groups.append(group)
            session.add(cycle)
            users = []
            for number in range(sizes.population):
                territory, language = territories[number % len(territories)]
                users.append(
                    User(
                        email=f"member{number}@colloque.example",
                        display_name=f"Membre {number}",
                        organisation=f"CPAS {number % 30}",
                        territory=territory,
                        side=TERRITORY_SIDES[territory],
                        actor_kind=kinds[number % len(kinds)],
                        language=language,
                        password_hash=None,
                    )
                )
            session.add_all(users)
            await session.flush()
            facilitator = users[-1]
            session.add_all(
                Membership(
                    user_id=user.id,
                    cycle_id=cycle.id,
                    group_id=group.id,
                    role=MembershipRole.FACILITATOR if user is facilitator else MembershipRole.MEMBER,
                )
                for user in users
            )
            session.add(Membership(user_id=facilitator.id, cycle_id=old.id, role=MembershipRole.FACILITATOR))
            axes = list(cycle.axes)
            rows = []
            for number in range(sizes.recommendations):
                axis = axes[0] if number < FIRST_AXIS_SIZE else axes[1 + number % (len(axes) - 1)]
                rows.append(
                    Recommendation(
                        cycle_id=cycle.id,
                        axis_id=axis.id,
                        author_id=users[number].id,
                        group_id=group.id,
                        status=Status.SUBMITTED,
                        title=f"Un guichet unique transfrontalier {number + 1}",
                        finding=export_bench.PARAGRAPH,
                        proposal=f"- Un guichet commun\n- {export_bench.PARAGRAPH}",
                    )
                )
            session.add_all(rows)
            await session.flush()
            for recommendation in rows:
                text = {name: getattr(recommendation, name) for name in TEXT_FIELDS}
                session.add(
                    Revision(
                        recommendation_id=recommendation.id, number=1, author_id=recommendation.author_id, content=text
                    )
                )
        earlier = datetime.now(UTC) - timedelta(days=2)
        async with db.transaction() as session:
            for recommendation in rows:
                for index in range(sizes.comments_per_recommendation):
                    author = users[(index * 7) % len(users)]
                    body = (
                        export_bench.PARAGRAPH
                        if index % 2
                        else f"**D'accord** sur le point {index}, mais :\n\n- " + export_bench.PARAGRAPH_NL
                    )
                    # Posted before the colloquium: out of the pace limit's minute.
                    moment = earlier + timedelta(seconds=index)
                    session.add(
                        Comment(recommendation_id=recommendation.id, author_id=author.id, body=body, created_at=moment)
                    )
        expires_at = datetime.now(UTC) + timedelta(seconds=SESSION_MAX_AGE)
        keys = {user.id: secrets.token_hex(32) for user in users}
        async with db.transaction() as session:
            session.add_all(
                StoredSession(
                    key=keys[user.id],
                    value=json.dumps({SESSION_USER_KEY: str(user.id)}).encode(),
                    expires_at=expires_at,
                )
                for user in users
            )
        async with db.session(write=False) as session:
            comments_before = await session.scalar(
                select(func.count(Comment.id)).where(Comment.recommendation_id.in_([r.id for r in rows]))
            )
        return Colloquium(
            slug=cycle.slug,
            cycle_id=cycle.id,
            published_slug=published_slug,
            axes=[axis.code for axis in axes],
            recommendations=[r.id for r in rows],
            members=[user.id for user in users[:-1]],
            facilitator=facilitator.id,
            session_keys=keys,
            comments_before=comments_before or 0,
        )
    finally:
        await db.dispose()


async def stored(url: str, colloquium: Colloquium) -> tuple[dict[tuple[UUID, UUID], str], list[str]]:
    """The voting cycle's ballots ((member, recommendation) -> choice) and its comments' bodies."""
    from sqlalchemy import select

    from workspace.core.db import Database
    from workspace.discussion.models import Comment
    from workspace.voting.models import Ballot

    db = Database(url)
    try:
        async with db.session(write=False) as session:
            ballots = (
                await session.execute(
                    select(Ballot.user_id, Ballot.recommendation_id, Ballot.choice).where(
                        Ballot.recommendation_id.in_(colloquium.recommendations)
                    )
                )
            ).all()
            bodies = list(
                await session.scalars(
                    select(Comment.body).where(Comment.recommendation_id.in_(colloquium.recommendations))
                )
            )
    finally:
        await db.dispose()
    return {(user, recommendation): str(choice) for user, recommendation, choice in ballots}, bodies


# ----------------------------------------------------------------------------------------------------
# The backends: their servers


class Backend:
    """The database (and Redis) the app processes share, started and stopped by the run."""

    def __init__(self, name: str, workdir: Path) -> None:
        self.name = name
        self.workdir = workdir
        self.postgres: object | None = None
        self.redis: subprocess.Popen[bytes] | None = None
        self.url = f"sqlite+aiosqlite:///{workdir / 'colloquium.sqlite3'}"
        self.redis_url = ""

    @property
    def processes(self) -> int:
        return 2 if self.name == "postgresql" else 1

    def start(self) -> None:
        if self.name != "postgresql":
            return
        from tests.pg import PostgresServer

        server = PostgresServer()
        server.start()
        self.postgres = server
        self.url = server.create_database("colloquium")
        port = free_port()
        self.redis = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                HOST,
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    break
            if time.monotonic() > deadline:
                raise SystemExit("redis-server did not start")
            time.sleep(0.05)
        self.redis_url = f"redis://{HOST}:{port}/0"

    def stop(self) -> None:
        if self.redis is not None:
            self.redis.terminate()
            self.redis.wait(timeout=10)
        if self.postgres is not None:
            self.postgres.stop()  # type: ignore[attr-defined]


def app_servers(backend: Backend, workdir: Path) -> list[Server]:
    env = {
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "DATABASE_URL": backend.url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "PASSERELLE_ENV": "development",
        "SECURE_COOKIES": "false",
        "DEBUG": "false",
        "SQL_ECHO": "false",
        "REDIS_URL": backend.redis_url,
        "SMTP_URL": "",
    }
    return [Server(f"app{number}", "workspace.app:create_app", env, workdir) for number in range(backend.processes)]


# ----------------------------------------------------------------------------------------------------
# The people


class Member:
    """A signed-in person's cookies and CSRF token, on one of the app processes."""

    def __init__(self, member: UUID, cookie: str, token: str, port: int) -> None:
        self.id = member
        self.token = token
        self.port = port
        self.headers = {"cookie": f"{cookie}; csrftoken={token}"}

    def get(self, path: str, htmx: bool = False) -> bytes:
        headers = {**self.headers, "hx-request": "true"} if htmx else self.headers
        return build_request("GET", path, headers)

    def post(self, path: str, values: dict[str, str], htmx: bool = False) -> bytes:
        body = urllib.parse.urlencode({**values, "_csrf_token": self.token}).encode()
        headers = {**self.headers, "content-type": "application/x-www-form-urlencoded"}
        if htmx:
            headers["hx-request"] = "true"
        return build_request("POST", path, headers, body)

    def put_json(self, path: str, value: object) -> bytes:
        headers = {**self.headers, "content-type": "application/json", "x-csrftoken": self.token}
        return build_request("PUT", path, headers, json.dumps(value).encode())


idle_since: weakref.WeakKeyDictionary[Connection, float] = weakref.WeakKeyDictionary()


async def timed(
    run: Run, connection: Connection, kind: str, request: bytes, expect: tuple[int, ...] = (200,)
) -> tuple[float, bytes] | None:
    """Send, record the latency or the error under `kind`; the time it was sent and the body, if expected."""
    started = time.perf_counter()
    if started - idle_since.get(connection, started) > KEEP_ALIVE:
        await connection.close()  # as a browser does, rather than reuse a connection the server may have closed
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT):
            answer = await connection.request(request)
        idle_since[connection] = time.perf_counter()
    except (HTTPError, OSError, TimeoutError) as error:
        connection.abort()
        run.record(kind, started, type(error).__name__, str(error))
        return None
    if answer.status not in expect:
        run.record(kind, started, str(answer.status), answer.body[:300].decode(errors="replace"))
        return None
    run.record(kind, started)
    return started, answer.body


async def think(run: Run, rng_value: float) -> bool:
    """Wait `rng_value` seconds; False once the run is over."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(run.over.wait(), rng_value)
    return not run.over.is_set()


async def voter(run: Run, member: Member, colloquium: Colloquium, seed: int) -> None:
    rng = seeded(seed)
    connection = Connection(member.port)
    agenda = colloquium.recommendations[:AGENDA]
    try:
        while await think(run, rng.uniform(1.0, 3.0)):
            recommendation = rng.choice(agenda) if rng.random() < 0.7 else rng.choice(colloquium.recommendations)
            choice = rng.choices(("for", "against", "abstain", "block"), weights=(6, 2, 1, 1))[0]
            reason = rng.choice(REASONS) if choice in ("against", "block") else ""
            if rng.random() < 0.5:
                kind = "ballot (form)"
                path = f"/recommendations/{recommendation}/ballot"
                request = member.post(path, {"choice": choice, "reason": reason}, htmx=True)
            else:
                kind = "ballot (api)"
                path = f"/api/recommendations/{recommendation}/ballot"
                request = member.put_json(path, {"choice": choice, "reason": reason})
            answer = await timed(run, connection, kind, request)
            if answer is not None:
                run.ballots[(member.id, recommendation)] = choice
                run.caused("votes", answer[0])
                run.caused(f"vote:{recommendation}", answer[0])
    finally:
        await connection.close()


async def commenter(run: Run, member: Member, colloquium: Colloquium, seed: int) -> None:
    rng = seeded(seed)
    connection = Connection(member.port)
    try:
        while await think(run, rng.uniform(10.0, 16.0)):
            recommendation = rng.choice(colloquium.recommendations[:AGENDA])
            marker = f"colloque-{secrets.token_hex(6)}"
            values = {"body": f"{marker} Pendant le colloque : {rng.choice(REASONS)}", "_once": secrets.token_hex(16)}
            request = member.post(f"/recommendations/{recommendation}/comments", values, htmx=True)
            answer = await timed(run, connection, "comment", request)
            if answer is not None:
                run.comments.add(marker)
                run.caused(f"comments:{recommendation}", answer[0])
    finally:
        await connection.close()


def reader_paths(colloquium: Colloquium, rng_pick: Callable[[list[str]], str]) -> Iterator[tuple[str, str]]:
    slug = colloquium.slug
    while True:
        yield "cycle", f"/cycles/{slug}"
        yield "axis", f"/cycles/{slug}/axes/{rng_pick(colloquium.axes)}"
        yield "recommendation", f"/recommendations/{rng_pick([str(r) for r in colloquium.recommendations])}"
        yield "ballot paper", f"/cycles/{slug}/vote"
        term = urllib.parse.quote(rng_pick(list(SEARCH_TERMS)))
        yield "search", f"/search?q={term}&cycle={slug}"
        yield "recommendation", f"/recommendations/{rng_pick([str(r) for r in colloquium.recommendations])}"


async def reader(run: Run, member: Member, colloquium: Colloquium, seed: int) -> None:
    rng = seeded(seed)
    connection = Connection(member.port)
    paths = reader_paths(colloquium, rng.choice)
    for _skip in range(rng.randrange(6)):
        next(paths)
    try:
        while await think(run, rng.uniform(1.0, 3.0)):
            kind, path = next(paths)
            await timed(run, connection, kind, member.get(path))
    finally:
        await connection.close()


class Stream:
    """One open live stream (SSE), matching each event with the causes acknowledged before it."""

    def __init__(self, run: Run, member: Member, path: str, channels: dict[str, str]) -> None:
        self.run = run
        self.member = member
        self.path = path
        self.channels = channels
        """SSE event name -> the channel of causes it answers."""
        self.seen = dict.fromkeys(channels.values(), 0)
        self.opened = asyncio.Event()
        self.closed = False
        self.ended = 0.0
        self.events = 0
        self.last_event = 0.0

    async def follow(self) -> None:
        reader, writer = await asyncio.open_connection(HOST, self.member.port)
        try:
            writer.write(build_request("GET", self.path, {**self.member.headers, "accept": "text/event-stream"}))
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            if status != 200:
                self.run.record("stream", time.perf_counter(), str(status), head[:300].decode(errors="replace"))
                return
            chunked = b"transfer-encoding: chunked" in head.lower()
            buffer = b""
            first = True
            while True:
                if chunked:
                    size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                    if size == 0:
                        break
                    data = await reader.readexactly(size + 2)
                    buffer += data[:-2]
                else:
                    data = await reader.read(65536)
                    if not data:
                        break
                    buffer += data
                buffer = buffer.replace(b"\r\n", b"\n")
                while b"\n\n" in buffer:
                    block, buffer = buffer.split(b"\n\n", 1)
                    event = next((line[6:].strip() for line in block.split(b"\n") if line.startswith(b"event:")), b"")
                    if not event:
                        continue
                    if first:
                        first = False
                        for channel in self.seen:
                            self.seen[channel] = len(self.run.causes[channel])
                        self.opened.set()
                        continue
                    self.events += 1
                    self.last_event = time.perf_counter()
                    self.arrived(event.decode())
            if not self.run.over.is_set():
                self.run.record("stream", time.perf_counter(), "ended by the server", self.path)
        except Exception as error:  # whatever ends a stream early is one of the run's errors
            if not self.run.over.is_set():
                self.run.record("stream", time.perf_counter(), type(error).__name__, f"{self.path}: {error}")
        finally:
            self.closed = True
            self.ended = time.perf_counter()
            self.opened.set()
            writer.transport.abort()

    def arrived(self, event: str) -> None:
        channel = self.channels.get(event)
        if channel is None:
            return
        now = time.perf_counter()
        causes = self.run.causes[channel]
        index = self.seen[channel]
        while index < len(causes) and causes[index].acknowledged <= now:
            cause = causes[index]
            self.run.phase_at(cause.sent).kinds["event"].latencies.append(now - cause.sent)
            index += 1
        self.seen[channel] = index

    def behind(self) -> bool:
        return any(index < len(self.run.causes[channel]) for channel, index in self.seen.items())

    def missed(self) -> Counter[str]:
        """Causes that no event answered, by phase."""
        missed: Counter[str] = Counter()
        for channel, index in self.seen.items():
            for cause in self.run.causes[channel][index:]:
                missed[self.run.phase_at(cause.sent).name] += 1
        return missed


async def facilitator(
    run: Run, member: Member, colloquium: Colloquium, searchers: list[Member], sizes: argparse.Namespace
) -> None:
    """Three exports of last year's dossier, their progress pages followed, and a burst of searches."""
    connection = Connection(member.port)
    slug = colloquium.published_slug
    pending = []
    try:
        for format_name, language, discussion in EXPORTS:
            values = {"version": "1", "format": format_name, "language": language}
            if discussion:
                values["discussion"] = "on"
            request = member.post(f"/cycles/{slug}/dossier/exports", values)
            started = time.perf_counter()
            try:
                answer = await connection.request(request)
            except HTTPError as error:
                run.record("export start", started, type(error).__name__, str(error))
                continue
            location = next(iter(answer.header("location")), "")
            if answer.status != 303 or "/dossier/exports/" not in location:
                run.record("export start", started, str(answer.status), answer.body[:300].decode(errors="replace"))
                continue
            run.record("export start", started)
            pending.append((f"{format_name} {language}" + (" +discussion" if discussion else ""), location, started))

        async def burst(searcher: Member, number: int) -> None:
            searching = Connection(searcher.port)
            try:
                for index in range(sizes.search_burst // len(searchers)):
                    term = SEARCH_TERMS[(number + index) % len(SEARCH_TERMS)]
                    path = f"/search?q={urllib.parse.quote(term)}&cycle={colloquium.slug}"
                    await timed(run, searching, "search burst", searcher.get(path))
            finally:
                await searching.close()

        searches = asyncio.gather(*(burst(searcher, number) for number, searcher in enumerate(searchers)))
        deadline = time.perf_counter() + EXPORT_TIMEOUT
        while pending and time.perf_counter() < deadline:
            await asyncio.sleep(1.0)
            for job in list(pending):
                name, location, started = job
                answer = await timed(run, connection, "export progress", member.get(location, htmx=True))
                if answer is None:
                    continue
                body = answer[1].decode(errors="replace")
                if "/download" in body:
                    pending.remove(job)
                    run.exports.append(f"{name}: {time.perf_counter() - started:.1f} s")
                elif 'class="error-message"' in body:
                    pending.remove(job)
                    run.record("export", started, "failed", body[:300])
        for name, _location, _started in pending:
            run.record("export", time.perf_counter(), "unfinished", name)
        await searches
    finally:
        await connection.close()


# ----------------------------------------------------------------------------------------------------
# The run


async def solo_costs(run: Run, member: Member, server_pid: int, colloquium: Colloquium) -> dict[str, float]:
    """Server CPU per request of each page kind, requested alone by a member (this year's cycle is not
    public), after one request to warm it."""
    connection = Connection(member.port)
    slug = colloquium.slug
    first = colloquium.recommendations[0]
    paths = {
        f"recommendation page ({colloquium_comments(colloquium)} comments)": f"/recommendations/{first}",
        f"axis list ({FIRST_AXIS_SIZE} recommendations)": f"/cycles/{slug}/axes/{colloquium.axes[0]}",
        "cycle page": f"/cycles/{slug}",
        "ballot paper": f"/cycles/{slug}/vote",
        "search": f"/search?q=guichet&cycle={slug}",
    }
    costs = {}
    try:
        for name, path in paths.items():
            request = member.get(path)
            await connection.request(request)
            before = server_cpu([server_pid])
            for _ in range(SOLO_REQUESTS):
                answer = await connection.request(request)
                if answer.status != 200:
                    raise SystemExit(f"GET {path}: {answer.status} {answer.body[:300]!r}")
            costs[name] = 1000 * (server_cpu([server_pid]) - before) / SOLO_REQUESTS
    finally:
        await connection.close()
    return costs


def colloquium_comments(colloquium: Colloquium) -> int:
    return colloquium.comments_before // max(1, len(colloquium.recommendations))


async def drive(
    sizes: argparse.Namespace, colloquium: Colloquium, servers: list[Server]
) -> tuple[Run, list[Stream], dict[str, float]]:
    from workspace.settings import Settings

    cookie_name = Settings(secure_cookies=False).session_cookie_name
    everyone = [*colloquium.members, colloquium.facilitator]
    population = Population(everyone, colloquium.recommendations, colloquium.session_keys)
    tokens = await sign_in_members(servers[0].port, population, cookie_name)
    members = [
        Member(
            member,
            f"{cookie_name}={colloquium.session_keys[member]}",
            tokens[member],
            servers[number % len(servers)].port,
        )
        for number, member in enumerate(everyone)
    ]
    boss = members[-1]
    run = Run([server.pid for server in servers])
    screen = Connection(boss.port)
    answer = await screen.request(
        boss.post(f"/cycles/{colloquium.slug}/colloquium", {"recommendation_id": str(colloquium.recommendations[0])})
    )
    await screen.close()
    if answer.status != 303:
        raise SystemExit(f"putting a recommendation on screen: {answer.status} {answer.body[:300]!r}")
    costs = await solo_costs(run, members[0], servers[0].pid, colloquium)

    needed = sizes.members + sizes.readers + sizes.commenters
    if needed > len(members) - 1:
        raise SystemExit(f"{needed} voters, readers and commenters asked for, but only {len(members) - 1} members")
    voters = members[: sizes.members]
    readers = members[sizes.members : sizes.members + sizes.readers]
    commenters = members[sizes.members + sizes.readers : needed]
    streams = []
    for number in range(sizes.streams):
        member = members[(number * 7) % (len(members) - 1)]
        if number % 2 == 0:
            streams.append(Stream(run, member, f"/cycles/{colloquium.slug}/colloquium/stream", {"tally": "votes"}))
        else:
            recommendation = colloquium.recommendations[(number // 2) % AGENDA]
            channels = {"vote": f"vote:{recommendation}", "comments": f"comments:{recommendation}"}
            streams.append(Stream(run, member, f"/recommendations/{recommendation}/discussion/stream", channels))
    tasks: list[Awaitable[None]] = [stream.follow() for stream in streams]
    tasks += [voter(run, member, colloquium, sizes.seed + number) for number, member in enumerate(voters)]
    tasks += [reader(run, member, colloquium, sizes.seed + 1000 + number) for number, member in enumerate(readers)]
    tasks += [commenter(run, member, colloquium, sizes.seed + 2000 + n) for n, member in enumerate(commenters)]
    load = [asyncio.ensure_future(task) for task in tasks]
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(60):
            await asyncio.gather(*(stream.opened.wait() for stream in streams))
    run.start()
    print(f"load started: {len(streams)} streams open, warming up {sizes.warmup:g} s", flush=True)
    await asyncio.sleep(sizes.warmup)
    run.enter("quiet")
    await asyncio.sleep(sizes.duration)
    run.enter("loaded")
    await asyncio.sleep(min(5.0, sizes.duration / 4))
    searchers = readers[: max(1, min(5, len(readers)))]
    facilitating = asyncio.ensure_future(facilitator(run, boss, colloquium, searchers, sizes))
    await asyncio.sleep(sizes.duration - min(5.0, sizes.duration / 4))
    await facilitating
    run.finish()
    people = load[len(streams) :]
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(REQUEST_TIMEOUT):
            await asyncio.gather(*people, return_exceptions=True)
    # The events still on their way are waited for (and timed), not counted as missed.
    for _poll in range(int(DRAIN / 0.2)):
        if not any(stream.behind() for stream in streams if not stream.closed):
            break
        await asyncio.sleep(0.2)
    run.log_sizes = [len(server.log()) for server in servers]
    for task in load:
        task.cancel()
    await asyncio.gather(*load, return_exceptions=True)
    return run, streams, costs


def report(run: Run, streams: list[Stream], processes: int) -> tuple[float, float, float, float]:
    """Prints the phases; returns ballot p99, page p99, event p95 (loaded) and the worst loaded/quiet p99."""
    missed: Counter[str] = Counter()
    behind: Counter[str] = Counter()
    for stream in streams:
        owed = stream.missed()
        missed.update(owed)
        if owed:
            where = "colloquium screen" if "/colloquium/" in stream.path else "recommendation page"
            end = run.phases["loaded"].ended
            state = "ended early" if stream.closed and stream.ended < end else "open to the end"
            last = (
                f"last event {end - stream.last_event:.0f} s before the end"
                if stream.events
                else "no event after the first"
            )
            behind[f"{where} on the process of port {stream.member.port}, {state}, {last}"] += 1
    for phase in run.phases.values():
        phase.missed_events = missed[phase.name]
        seconds = max(phase.ended - phase.started, 1e-9)
        cpu = phase.cpu_after - phase.cpu_before
        requests = phase.requests
        print(
            f"\n== {phase.name}: {seconds:.0f} s, {requests} requests ({requests / seconds:.1f}/s), "
            f"{phase.errors} errors, {phase.missed_events} events missed; app CPU {cpu / seconds:.0%} "
            f"of a core over {processes} process(es), {1000 * cpu / max(1, requests):.1f} ms per request; "
            f"load generator {phase.client_cpu / seconds:.0%}"
        )
        for name in sorted(phase.kinds):
            kind = phase.kinds[name]
            print(
                f"  {name:<16} n={len(kind.latencies):<6} p50_ms={kind.percentile(0.5):7.1f} "
                f"p95_ms={kind.percentile(0.95):7.1f} p99_ms={kind.percentile(0.99):7.1f} "
                f"max_ms={max(kind.latencies, default=0) * 1000:7.1f} errors={sum(kind.errors.values())}"
            )
            if kind.errors:
                print(f"      {dict(kind.errors)}; first: {kind.failures[:2]}")
    if behind:
        print("\nstreams that missed events: " + "; ".join(f"{count} {name}" for name, count in sorted(behind.items())))
    quiet, loaded = run.phases["quiet"], run.phases["loaded"]
    ratios = {}
    for name, kind in loaded.kinds.items():
        before = quiet.kinds.get(name)
        if before is not None and len(before.latencies) >= 10 and len(kind.latencies) >= 10:
            ratios[name] = kind.percentile(0.99) / before.percentile(0.99)
    print("\nloaded/quiet p99: " + ", ".join(f"{name} {ratio:.2f}" for name, ratio in sorted(ratios.items())))
    print("exports: " + ("; ".join(run.exports) or "none finished"))
    return (
        loaded.merged(BALLOT_KINDS).percentile(0.99),
        loaded.merged(PAGE_KINDS).percentile(0.99),
        loaded.kinds["event"].percentile(0.95) if "event" in loaded.kinds else float("nan"),
        max(ratios.values(), default=float("nan")),
    )


async def bench(sizes: argparse.Namespace, workdir: Path) -> int:
    started = time.perf_counter()
    backend = Backend(sizes.backend, workdir)
    backend.start()
    servers: list[Server] = []
    try:
        await asyncio.to_thread(migrate, backend.url)
        colloquium = await fill(backend.url, sizes)
        print(
            f"setup on {backend.name}: last year's cycle ({sizes.recommendations_published} recommendations, "
            f"{sizes.comments} comments, {sizes.ballots} ballots, published), this year's in its vote "
            f"({sizes.population} members, {sizes.recommendations} recommendations, {colloquium.comments_before} "
            f"comments) in {time.perf_counter() - started:.0f} s; load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        servers = app_servers(backend, workdir)
        await asyncio.gather(*(server.start() for server in servers))
        run, streams, costs = await drive(sizes, colloquium, servers)
    finally:
        for server in servers:
            server.stop()
    try:
        problems: Counter[str] = Counter()
        at_close: Counter[str] = Counter()
        for server, size in zip(servers, run.log_sizes or [0] * len(servers), strict=True):
            text = server.log()
            problems.update(log_problems(text[:size]))
            at_close.update(log_problems(text[size:]))
        print(f"\nserver CPU per request, each page alone ({SOLO_REQUESTS} in a row by a member, after one to warm):")
        for name, cost in costs.items():
            print(f"  {name:<52} {cost:6.1f} ms")
        ballot_p99, page_p99, event_p95, ratio = report(run, streams, len(servers))
        ballots, bodies = await stored(backend.url, colloquium)
        missing = sum(1 for pair in run.ballots if pair not in ballots)
        wrong = sum(1 for pair, choice in run.ballots.items() if pair in ballots and ballots[pair] != choice)
        kept = sum(1 for body in bodies if body.startswith("colloque-"))
        lost_comments = len(run.comments - {body.split(" ", 1)[0] for body in bodies})
        print(
            f"stored: {len(run.ballots)} ballots acknowledged (member, recommendation), {len(ballots)} in the base, "
            f"{missing} missing, {wrong} with another choice; {len(run.comments)} comments acknowledged, {kept} "
            f"posted during the run in the database, {lost_comments} missing"
        )
        locked = (
            problems["database is locked"]
            + at_close["database is locked"]
            + sum(
                failure.count("database is locked")
                for phase in run.phases.values()
                for kind in phase.kinds.values()
                for failure in kind.failures
            )
        )
        print(
            f"server logs: {locked} 'database is locked', {problems['tracebacks']} tracebacks, "
            f"{problems['error lines']} error lines during the load; {at_close['tracebacks']} tracebacks, "
            f"{at_close['database is locked']} 'database is locked' once the streams were closed at the end"
        )
        errors = sum(phase.errors + phase.missed_events for phase in run.phases.values() if phase.name != "warm-up")
        errors += missing + wrong + lost_comments + locked + problems["tracebacks"]
        print(f"total time {time.perf_counter() - started:.0f} s")
        print(
            f"ballot_p99_ms={ballot_p99:.1f} page_p99_ms={page_p99:.1f} event_p95_ms={event_p95:.1f} "
            f"errors={errors} loaded_over_quiet_p99={ratio:.2f} load={os.getloadavg()[0]:.2f}",
            flush=True,
        )
    finally:
        backend.stop()
    return 0


QUICK = {
    "members": 30,
    "streams": 15,
    "readers": 5,
    "commenters": 3,
    "duration": 20.0,
    "warmup": 3.0,
    "population": 60,
    "recommendations": 24,
    "recommendations_published": 60,
    "comments": 2000,
    "ballots": 500,
    "comments_per_recommendation": 100,
    "search_burst": 10,
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.colloquium", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="sqlite: one process; postgresql: two processes and Redis",
    )
    parser.add_argument("--members", type=int, default=300, help="voters casting and changing ballots")
    parser.add_argument("--streams", type=int, default=150, help="open live streams")
    parser.add_argument("--readers", type=int, default=30)
    parser.add_argument("--commenters", type=int, default=10)
    parser.add_argument(
        "--duration",
        type=float,
        default=120.0,
        help="seconds per phase (the loaded one lasts at least until the exports end)",
    )
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds of load before the quiet phase")
    parser.add_argument("--population", type=int, default=400, help="members of this year's cycle")
    parser.add_argument("--recommendations", type=int, default=60, help="on this year's ballot")
    parser.add_argument("--comments-per-recommendation", type=int, default=110)
    parser.add_argument("--recommendations-published", type=int, default=300, help="in last year's dossier")
    parser.add_argument("--comments", type=int, default=20_000, help="in last year's cycle")
    parser.add_argument("--ballots", type=int, default=5_000, help="in last year's cycle")
    parser.add_argument("--search-burst", type=int, default=50, help="searches in the facilitator's burst")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a small run to check the benchmark works: "
        + ", ".join(f"{name}={value:g}" for name, value in QUICK.items()),
    )
    parser.add_argument("--seed", type=int, default=2014)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (database, server logs)")
    sizes = parser.parse_args(argv)
    if sizes.quick:
        given = {word.split("=", 1)[0] for word in (sys.argv[1:] if argv is None else argv)}
        for name, value in QUICK.items():
            if "--" + name.replace("_", "-") not in given:
                setattr(sizes, name, value)
    return sizes


def main(argv: list[str] | None = None) -> int:
    return running.run(bench, parse_args(argv), "passerelle-bench-colloquium-")


if __name__ == "__main__":
    sys.exit(main())
