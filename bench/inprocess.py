"""Where a request's time goes, in-process: CPU and SQL per page, by the Flask test client.

Usage (PostgreSQL filled by ``bench/pages.py``):
    .venv/bin/python bench/inprocess.py [--requests 200] [--cprofile listing]
For each page of ``bench/pages.py`` it runs N requests after a warm-up and prints the wall
and CPU (``time.process_time``, this process only: Python, Jinja and the psycopg client, not
PostgreSQL's backend) milliseconds per request, the SQL statements per request and the wall
time spent from sending each to having its rows (the pool's pre-ping and the transaction's
ROLLBACK at the end of the request are not statements and are not counted), then the same
for the bare app of ``bench/bare.py``. ``--statements`` lists them, slowest first.
With ``--cprofile PAGE`` it prints the top functions of that page by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.pages import DEFAULT_URL, pages  # noqa: E402


class SqlClock:
    """Counts statements and the wall time between cursor execute and its return."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.by_statement: dict[str, list[float]] = defaultdict(list)

    def before(self, conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        conn.info["bench_started"] = time.perf_counter()

    def after(self, conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        spent = time.perf_counter() - conn.info.pop("bench_started")
        self.count += 1
        self.seconds += spent
        self.by_statement[" ".join(statement.split())[:110]].append(spent)


def measure(client: Any, path: str, n: int, clock: SqlClock) -> dict[str, float]:
    for _ in range(5):
        assert client.get(path).status_code == 200, path
    clock.__init__()  # type: ignore[misc]
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        client.get(path)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"wall": wall / n * 1000, "cpu": cpu / n * 1000, "queries": clock.count / n,
            "sql": clock.seconds / n * 1000}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--cprofile", default="")
    parser.add_argument("--statements", action="store_true")
    parser.add_argument("--cache", type=float, default=0.0,
                        help="MARKETPLACE_PUBLIC_CACHE_SECONDS for the product")
    parser.add_argument("--no-pre-ping", action="store_true",
                        help="pool_pre_ping off, to see what the ping costs")
    args = parser.parse_args()

    os.environ["MARKETPLACE_DATABASE_URL"] = args.url
    os.environ.setdefault("MARKETPLACE_ENV", "production")
    os.environ.setdefault("MARKETPLACE_SECRET_KEY", "bench")
    import logging

    from marketplace import create_app

    urls = pages(args.url)
    app = create_app({"PUBLIC_CACHE_SECONDS": args.cache,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": not args.no_pre_ping}})
    logging.getLogger("marketplace.access").setLevel(logging.WARNING)  # as gunicorn's stderr
    clock = SqlClock()
    event.listen(Engine, "before_cursor_execute", clock.before)
    event.listen(Engine, "after_cursor_execute", clock.after)
    client = app.test_client()
    print("| page | wall ms | CPU ms | statements | SQL wall ms |")
    print("|---|---:|---:|---:|---:|")
    for name, path in urls.items():
        row = measure(client, path, args.requests, clock)
        print(f"| {name} | {row['wall']:.1f} | {row['cpu']:.1f} | {row['queries']:.0f} | "
              f"{row['sql']:.1f} |")
        if args.statements:
            for statement, times in sorted(clock.by_statement.items(),
                                           key=lambda kv: -sum(kv[1])):
                print(f"    {sum(times) / args.requests * 1000:6.2f} ms "
                      f"{len(times) / args.requests:4.1f}× {statement}")

    os.environ["BARE_SIZES"] = ",".join(
        f"{name}={len(client.get(path).data)}" for name, path in urls.items())
    from bench.bare import app as bare_app

    bare = bare_app.test_client()
    for name in urls:
        row = measure(bare, f"/{name}", args.requests, clock)
        print(f"| bare {name} | {row['wall']:.1f} | {row['cpu']:.1f} | 0 | 0 |")

    if args.cprofile:
        path = urls[args.cprofile]
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            client.get(path)
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(60)
        stats.sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
