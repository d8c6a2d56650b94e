"""Page throughput: our public pages against a bare Flask app, same gunicorn, measured by wrk.

Usage (run by hand; needs PostgreSQL and ``wrk``):
    .venv/bin/python bench/pages.py --projects 100000 --subscriptions 1000000
    .venv/bin/python bench/pages.py --no-fill          # measure again on the data already there
It creates the database (``scaleout_bench`` by default) if missing, rebuilds its schema and
fills it with ``flask demo generate`` (unless ``--no-fill``), starts gunicorn on the product,
measures each page with wrk, then starts ``bench/bare.py`` (pages of the same byte sizes
rendered from constants) under the same gunicorn settings and measures it the same way, and
prints a Markdown table with the ours / bare throughput ratio per page.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/scaleout_bench"
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class Measure:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def ensure_database(url: str) -> None:
    """CREATE DATABASE if missing, from the server's ``postgres`` database."""
    target = make_url(url)
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                  {"name": target.database}).first():
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    engine.dispose()


def flask(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=env, check=True)


def fill(url: str, env: dict[str, str], projects: int, subscriptions: int) -> float:
    """A fresh schema filled by ``flask demo generate``; returns the seconds it took."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    started = time.perf_counter()
    flask(env, "db", "upgrade")
    flask(env, "catalog", "load")
    flask(env, "demo", "generate", "--projects", str(projects),
          "--subscriptions", str(subscriptions))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))  # as autovacuum would, before the pages
    engine.dispose()
    return time.perf_counter() - started


def pages(url: str) -> dict[str, str]:
    """Representative URLs: a filtered listing page, a project page, an API page."""
    engine = create_engine(url)
    with engine.connect() as connection:
        county = connection.execute(text(
            "SELECT s.county FROM projects p JOIN stations s ON s.id = p.station_id "
            "GROUP BY s.county ORDER BY count(*) DESC LIMIT 1")).scalar_one()
        project = connection.execute(text(  # a busy one: the most subscriptions
            "SELECT project_id FROM subscriptions GROUP BY project_id "
            "ORDER BY count(*) DESC LIMIT 1")).scalar_one()
    engine.dispose()
    return {
        "listing": f"/?stage=completed&county={quote(county)}&page=5",
        "project": f"/projects/{project}",
        "api": "/api/v1/projects?state=completed&page=5",
    }


def serve(app: str, env: dict[str, str], workers: int, port: int,
          probe: str) -> subprocess.Popen[bytes]:
    """gunicorn on ``app``; returns once ``probe`` answers 200."""
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", app],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=30) as r:
                if r.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    server.kill()
    raise RuntimeError(f"{app} did not answer {probe} on port {port}")


def size(port: int, path: str) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as response:
        return len(response.read())


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def wrk(port: int, path: str, seconds: int, connections: int) -> Measure:
    run = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
                          "--timeout", "30s", f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True, check=True)
    out = run.stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Measure(rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
                   p50_ms=_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),  # type: ignore[union-attr]
                   p99_ms=_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),  # type: ignore[union-attr]
                   errors=int(errors.group(1)) if errors else 0)


def measure(app: str, env: dict[str, str], paths: dict[str, str], args: argparse.Namespace,
            port: int) -> tuple[dict[str, Measure], dict[str, int]]:
    server = serve(app, env, args.workers, port, next(iter(paths.values())))
    try:
        sizes = {name: size(port, path) for name, path in paths.items()}
        for path in paths.values():  # warm every worker's caches and connections
            wrk(port, path, 2, args.connections)
        return {name: wrk(port, path, args.seconds, args.connections)
                for name, path in paths.items()}, sizes
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--subscriptions", type=int, default=1_000_000)
    parser.add_argument("--no-fill", action="store_true", help="Measure the data already there.")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--public-cache", type=float, default=0.0, metavar="SECONDS",
                        help="Also measure ours with MARKETPLACE_PUBLIC_CACHE_SECONDS set.")
    args = parser.parse_args()

    env = {**os.environ, "FLASK_APP": "marketplace", "MARKETPLACE_DATABASE_URL": args.url,
           "MARKETPLACE_SECRET_KEY": "bench", "MARKETPLACE_ENV": "development"}
    ensure_database(args.url)
    if not args.no_fill:
        took = fill(args.url, env, args.projects, args.subscriptions)
        print(f"filled in {took:.0f}s", file=sys.stderr)
    paths = pages(args.url)
    ours, sizes = measure("wsgi:app", {**env, "MARKETPLACE_PUBLIC_CACHE_SECONDS": "0"}, paths,
                          args, 8101)
    cached = measure("wsgi:app", {**env, "MARKETPLACE_PUBLIC_CACHE_SECONDS":
                                  str(args.public_cache)}, paths, args, 8103)[0] \
        if args.public_cache > 0 else {}
    bare_env = {**env, "BARE_SIZES": ",".join(f"{n}={s}" for n, s in sizes.items())}
    bare, _ = measure("bench.bare:app", bare_env, {name: f"/{name}" for name in paths}, args,
                      8102)

    print(f"{args.workers} gunicorn workers, wrk -t2 -c{args.connections} -d{args.seconds}s\n")
    print("| page | bytes | ours req/s | p50 | p99 | bare req/s | p50 | p99 | ours / bare |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, path in paths.items():
        o, b = ours[name], bare[name]
        flag = "" if o.errors == 0 else f" ({o.errors} errors)"
        print(f"| {name} `{path}` | {sizes[name]} | {o.rps:.0f} | {o.p50_ms:.1f} ms | "
              f"{o.p99_ms:.1f} ms | {b.rps:.0f} | {b.p50_ms:.1f} ms | {b.p99_ms:.1f} ms | "
              f"{o.rps / b.rps:.2f}{flag} |")
    for name, c in cached.items():
        b = bare[name]
        print(f"| {name}, public cache {args.public_cache:g} s | {sizes[name]} | {c.rps:.0f} | "
              f"{c.p50_ms:.1f} ms | {c.p99_ms:.1f} ms | {b.rps:.0f} | {b.p50_ms:.1f} ms | "
              f"{b.p99_ms:.1f} ms | {c.rps / b.rps:.2f} |")


if __name__ == "__main__":
    main()
