"""CPU per API request, in-process: the Django test client against a benchmark database with
the server's production settings (``bench_api.server_env``, DEBUG off), a token of the persona,
and for each path the CPU milliseconds per request (``time.process_time``, robust to other load
on the machine), the queries per request and, with ``--profile``, cProfile's top functions.

    .venv/bin/python bench/profile_api.py [--national 0.1] [--rounds 30] [--profile]
        [--only declarations] [--sort tottime]
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_api


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=bench_api.DEFAULT_DATABASE)
    parser.add_argument("--national", type=float, default=None)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--only", default="")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative", help="cProfile's order (tottime, ...)")
    args = parser.parse_args()

    url = bench_api.setup(args.database_url, args.national, debug=False)
    tokens, found = bench_api.scenarios(args.national)
    found = [s for s in found if args.only in s[0]]
    from django.db import connection
    from django.test import Client

    for name, persona, path in found:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {tokens[persona]}", HTTP_ACCEPT_LANGUAGE="en")
        for _ in range(3):
            if client.get(path).status_code != 200:
                raise SystemExit(f"{path} did not answer 200")
        executed: list[str] = []

        def count(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(path)
        profiler = cProfile.Profile() if args.profile else None
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for _ in range(args.rounds):
            client.get(path)
        if profiler:
            profiler.disable()
        cpu = (time.process_time() - cpu) * 1000 / args.rounds
        wall = (time.perf_counter() - wall) * 1000 / args.rounds
        print(f"{name:28s} cpu {cpu:6.1f} ms  wall {wall:6.1f} ms  queries {len(executed)}")
        if os.environ.get("SHOW_SQL"):
            for sql in executed:
                print("   ", sql[:200])
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(
                os.environ.get("SORT", "cumulative")
            ).print_stats(args.top)
            print(out.getvalue())
    print(f"database {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
