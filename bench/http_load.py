"""The main pages and the API under load: gunicorn on loopback, driven by wrk.

    python bench/http_load.py [--scale demo|region] [--reuse] [--duration 15]

1. Its own PostgreSQL database (``essor_bench_http``) holds the generated data set
   (``essor generate --scale demo --seed 1``) or, where that command is not there yet, the
   demo data (``essor demo``: a few records only). ``--reuse`` keeps a database whose
   ``bench_http`` table says it was loaded at this scale.
2. gunicorn serves it as ``make run`` does (``config.wsgi``, base settings, DEBUG off, static
   files by WhiteNoise) with ``--workers 2``, on a free port of 127.0.0.1.
3. Each page is asked by signed-in users without the login form (django-axes throttles
   repeated sign-ins): a session is written for a demo user, and its cookie passed to wrk.
   One plain request first checks that the page answers 200, not a redirect to the login.
4. ``wrk -t2 -c8 -d15s --latency`` per page: requests per second, latency p50/p90/p99 (wrk
   gives 50/75/90/99 %: the target reads p99, stricter than p95), responses other than 2xx or
   3xx and socket errors, both counted as errors. The floor, in the same run: a static file
   served by WhiteNoise (the cheapest request essor answers); each page's p50 is given as a
   multiple of it.
5. The memory of gunicorn (master and workers, VmRSS from /proc) is sampled during the run;
   the peak of their sum is reported. gunicorn is always stopped at the end.

Target: p99 < 500 ms on every page at 8 concurrent connections, no error. Throughput has no
target: it is reported.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from _django import ROOT, report, setup

MARKER = "bench_http"
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


@dataclass
class Page:
    name: str
    path: str
    user: str  # a demo user's name, or "" for an anonymous request


def ensure_data(
    database: str, scale: str, *, reuse: bool, loader: str = "auto", marker: str = MARKER
) -> dict[str, Any]:
    """Set Django up on ``database`` and fill it unless ``reuse`` finds it loaded at ``scale``.

    ``loader`` "auto" loads with ``essor generate`` when the command exists, else with
    ``essor demo``; "generate" or "demo" asks for one. The analytics table is refreshed if the
    loader left it empty. Returns how it was loaded."""
    from django.db import connection

    setup("postgres", database, reuse=reuse)
    if reuse and marker in connection.introspection.table_names():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT scale, loader, seconds FROM {marker}")
            row = cursor.fetchone()
        if row is not None and row[0] == scale and loader in ("auto", row[1]):
            return {"reused": True, "loader": row[1], "load_s": row[2]}
    from essor.accounts.models import Partner

    if Partner.objects.exists():
        connection.close()
        setup("postgres", database)  # loaded at another scale, or not to the end: afresh
    from django.core.management import call_command, get_commands

    from essor.monitoring import facts

    started = time.perf_counter()
    if loader == "auto":
        loader = "generate" if "generate" in get_commands() else "demo"
    if loader == "generate":
        call_command("generate", scale=scale, seed=1)
    else:
        print(f"the demo data (`essor demo`), whatever the scale ({scale})", flush=True)
        call_command("demo", stdout=io.StringIO())
    if facts.last_refresh() is None:
        facts.refresh()
    seconds = round(time.perf_counter() - started, 1)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {marker} (scale text, loader text, seconds real)")
        cursor.execute(f"INSERT INTO {marker} VALUES (%s, %s, %s)", [scale, loader, seconds])
    return {"reused": False, "loader": loader, "load_s": seconds}


def largest_convention() -> Any:
    """The convention with the most applications in its programmes (then the largest envelope):
    the one whose pages and report have the most to show."""
    from django.db.models import Count

    from essor.conventions.models import Convention

    convention = (
        Convention.objects.annotate(
            applications=Count("budget_lines__programmes__applications", distinct=True)
        )
        .order_by("-applications", "-envelope", "pk")
        .first()
    )
    if convention is None:
        sys.exit("The data set holds no convention: nothing to measure.")
    return convention


def demo_user(username: str) -> Any:
    from essor.accounts.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        sys.exit(f"No active user {username!r}: the data set must hold the demo users.")
    return user


def session_cookie(user: Any) -> str:
    """A ``Cookie`` header value for a session signed in as ``user`` (no login form)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def pages() -> list[Page]:
    """The main pages, on the records that have the most to show, and the floor first."""
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.db.models import Count
    from django.http import Http404
    from django.urls import reverse

    from essor.accounts.models import User
    from essor.conventions.permissions import access_budget_line
    from essor.programmes.models import Application
    from essor.registry.selectors import person_list

    manager = demo_user("manager.region")
    convention = largest_convention()
    # The person with the most applications, and the programme with the most, that the manager
    # sees: the fullest pages.
    person = (
        person_list(actor=manager).annotate(n=Count("applications")).order_by("-n", "pk").first()
    )
    if person is None:
        sys.exit("manager.region sees no person: nothing to measure on the registry pages.")
    word = person.last_name or person.first_name or person.last_name_ar
    busiest = (
        Application.objects.visible_to(manager)
        .values("programme")
        .annotate(n=Count("pk"))
        .order_by("-n", "programme")
        .first()
    )
    if busiest is None:
        sys.exit("manager.region sees no application: nothing to measure on the programme pages.")
    programme = busiest["programme"]
    line = None
    for candidate in convention.budget_lines.annotate(n=Count("commitments")).order_by("-n", "pk"):
        try:
            line = access_budget_line(manager, candidate.pk)
            break
        except Http404:
            continue
    if line is None:
        sys.exit(f"manager.region sees no budget line of {convention.reference}.")
    # The workspace of the counsellor who runs the most sessions (counsellor.maison in the
    # generated data; counsellor.ccis in the older demo).
    counsellor = (
        User.objects.filter(is_active=True)
        .annotate(n=Count("accompaniment_sessions"))
        .order_by("-n", "pk")
        .values_list("username", flat=True)
        .first()
    ) or "manager.region"
    pk = convention.pk
    return [
        Page("floor, a static file (WhiteNoise)", staticfiles_storage.url("css/essor.css"), ""),
        Page("login page (anonymous)", reverse("accounts:login"), ""),
        Page("home", reverse("core:home"), "manager.region"),
        Page("registry, persons list", reverse("registry:persons"), "manager.region"),
        Page(
            "registry, search",
            f"{reverse('registry:persons')}?{urlencode({'q': word})}",
            "manager.region",
        ),
        Page("registry, a person", reverse("registry:person", args=[person.pk]), "manager.region"),
        Page("conventions list", reverse("conventions:conventions"), "manager.region"),
        Page("a convention", reverse("conventions:convention", args=[pk]), "manager.region"),
        Page("convention dashboard", reverse("monitoring:convention", args=[pk]), "manager.region"),
        Page("programmes list", reverse("programmes:programmes"), "manager.region"),
        Page(
            "a programme's applications",
            reverse("programmes:applications", args=[programme]),
            "manager.region",
        ),
        Page(
            "sessions, a counsellor's workspace",
            reverse("accompaniment:workspace"),
            counsellor,
        ),
        Page(
            "funding, a budget line's commitments",
            reverse("conventions:line", args=[line.pk]),
            "manager.region",
        ),
        Page("linkage, review queue", reverse("linkage:queue"), "admin.region"),
        Page("API, persons list (JSON)", "/api/v1/persons", "manager.region"),
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(
    database_url: str, port: int, workers: int, log: Path
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "0",
    }
    env.pop("ESSOR_TASK_BACKEND", None)  # the server queues tasks as `make run` does
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
    ]
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_ready(server: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped (code {server.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    sys.exit(f"gunicorn did not answer {url} within 60 s:\n{log.read_text()[-3000:]}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def check(url: str, cookie: str, *, times: int = 4) -> int:
    """Ask ``url`` ``times`` (warming both workers); fail loudly unless each answer is a 200."""
    opener = urllib.request.build_opener(_NoRedirect)
    size = 0
    for _ in range(times):
        request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
        try:
            with opener.open(request, timeout=60) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            where = error.headers.get("Location", "")
            sys.exit(
                f"{url} answered {error.code} {where} instead of 200 (signed in: {bool(cookie)})"
            )
        if status != 200:
            sys.exit(f"{url} answered {status} instead of 200")
        size = len(body)
    return size


def proc_tree_rss(root: int) -> tuple[int, int]:
    """The summed VmRSS (kB) of ``root`` and its descendants, and how many processes."""
    rss = proc_tree(root)
    return sum(rss.values()), len(rss)


def proc_tree(root: int) -> dict[int, int]:
    """The VmRSS (kB) of ``root`` and of each of its descendants, by process id."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces: the fields after its closing parenthesis.
        parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    rss: dict[int, int] = {}
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss[pid] = int(line.split()[1])
        except OSError:
            continue
    return rss


class MemorySampler(threading.Thread):
    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root, self.peak_kb, self.processes = root, 0, 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            kb, count = proc_tree_rss(self.root)
            if kb > self.peak_kb:
                self.peak_kb, self.processes = kb, count
            self.stopped.wait(0.25)


def ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match[1]) * UNITS[match[2]]


def parse_wrk(output: str) -> dict[str, Any]:
    """Requests/s, latency percentiles, requests and errors from ``wrk --latency``'s output."""
    latency = {
        int(pct): ms(value)
        for pct, value in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", output, re.MULTILINE)
    }
    done = re.search(r"^\s+(\d+) requests in", output, re.MULTILINE)
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    if not (done and rate and len(latency) == 4):
        raise ValueError(f"unreadable wrk output:\n{output}")
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    socket_errors = sum(int(n) for n in sockets.groups()) if sockets else 0
    bad = int(non2xx[1]) if non2xx else 0
    requests = int(done[1])
    # No answer within the run: wrk prints zeros, which are no latency (None).
    pct = {p: round(v, 2) if requests else None for p, v in latency.items()}
    return {
        "requests": requests,
        "rps": round(float(rate[1]), 1),
        "p50_ms": pct[50],
        "p75_ms": pct[75],
        "p90_ms": pct[90],
        "p99_ms": pct[99],
        "non2xx": bad,
        "socket_errors": socket_errors,
        "errors": bad + socket_errors,
    }


def load(url: str, cookie: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--timeout",
        "10s",
        "--latency",
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=args.duration + 60
    ).stdout
    return parse_wrk(output)


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    """The data set and the server, as every bench served by gunicorn takes them."""
    parser.add_argument("--scale", choices=["demo", "region"], default="demo")
    parser.add_argument("--db", default="essor_bench_http")
    parser.add_argument(
        "--loader",
        choices=["auto", "generate", "demo"],
        default="auto",
        help="auto: `essor generate` if the command exists, else `essor demo`",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep a database already loaded at this scale"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")


@dataclass
class Served:
    """gunicorn serving the bench's data set on loopback, and what a load needs to ask it."""

    base: str
    server: subprocess.Popen[bytes]
    targets: list[Page]  # the floor first, then the main pages and the API
    cookies: dict[str, str]  # by demo user's name
    sizes: dict[str, int]  # bytes of each target's answer, by name
    loaded: dict[str, Any]
    persons: int
    convention: str


@contextmanager
def serve(args: argparse.Namespace, *, log_name: str) -> Iterator[Served]:
    """Load (or reuse) the data set, start gunicorn on a free port of 127.0.0.1 and check
    that every target answers 200 to its user. gunicorn is stopped on leaving, whatever
    happened."""
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: `make bench` installs it (Debian package wrk).")
    loaded = ensure_data(args.db, args.scale, reuse=args.reuse, loader=args.loader)

    from django.conf import settings
    from django.db import connection

    from essor.registry.models import Person

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
    persons = Person.objects.count()
    convention = largest_convention()
    targets = pages()
    cookies = {
        name: session_cookie(demo_user(name)) for name in {p.user for p in targets if p.user}
    }
    database_url = os.environ["DATABASE_URL"]
    connection.close()  # the server's workers get the database to themselves

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(tempfile.gettempdir()) / log_name
    server = start_gunicorn(database_url, port, args.workers, log)
    try:
        wait_ready(server, base + targets[0].path, log)
        sizes = {p.name: check(base + p.path, cookies.get(p.user, "")) for p in targets}
        yield Served(
            base=base,
            server=server,
            targets=targets,
            cookies=cookies,
            sizes=sizes,
            loaded=loaded,
            persons=persons,
            convention=convention.reference,
        )
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    add_server_arguments(parser)
    parser.add_argument("--duration", type=int, default=15, help="seconds of wrk per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    with serve(args, log_name="essor_bench_http_gunicorn.log") as served:
        base, targets, cookies = served.base, served.targets, served.cookies
        sampler = MemorySampler(served.server.pid)
        load_before = os.getloadavg()[0]
        sampler.start()
        try:
            for page in targets:
                # What a slow page left queued is served before the next page is timed.
                check(base + targets[0].path, "", times=1)
                figures = load(base + page.path, cookies.get(page.user, ""), args)
                figures.update(name=page.name, path=page.path, user=page.user or "anonymous")
                figures["kb"] = round(served.sizes[page.name] / 1024, 1)
                results.append(figures)
                print(
                    f"{page.name:40s} {figures['rps']:8.1f} req/s  "
                    f"p50 {figures['p50_ms'] or 0:8.2f}  p90 {figures['p90_ms'] or 0:8.2f}  "
                    f"p99 {figures['p99_ms'] or 0:8.2f} ms  errors {figures['errors']}  "
                    f"({figures['kb']} KB)",
                    flush=True,
                )
        finally:
            load_after = os.getloadavg()[0]
            sampler.stopped.set()
    floor, measured = results[0], results[1:]
    for figures in measured:
        answered = figures["requests"] and floor["p50_ms"]
        figures["ratio"] = round(figures["p50_ms"] / floor["p50_ms"], 1) if answered else None
    # A page that answered nothing within its run is the worst of all.
    worst = max(measured, key=lambda r: float("inf") if r["p99_ms"] is None else r["p99_ms"])
    errors = sum(r["errors"] for r in results)
    unanswered = [r["name"] for r in results if not r["requests"]]
    report(
        bench="http_load",
        scale=args.scale,
        loader=served.loaded["loader"],
        reused=served.loaded["reused"],
        load_s=served.loaded["load_s"],
        persons=served.persons,
        convention=served.convention,
        workers=args.workers,
        connections=args.connections,
        threads=args.threads,
        duration_s=args.duration,
        floor=floor,
        pages=measured,
        worst_p99_ms=worst["p99_ms"],
        worst_page=worst["name"],
        errors=errors,
        unanswered=unanswered,
        met=not unanswered and worst["p99_ms"] < 500 and errors == 0,
        peak_rss_mb=round(sampler.peak_kb / 1024),
        processes=sampler.processes,
        # The machine's 1-minute load average: above ~2 on 2 cores, something else was running.
        load_before=round(load_before, 1),
        load_after=round(load_after, 1),
    )


if __name__ == "__main__":
    main()
