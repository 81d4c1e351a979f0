"""Load test: the production server (``dangjian serve``) on the demo district, locust headless.

    .venv/bin/python benchmarks/run_load.py                      # 200 users, 5 minutes
    .venv/bin/python benchmarks/run_load.py --users 20 --duration 30   # a short smoke run

Starts gunicorn through ``dangjian serve`` on 127.0.0.1 (only the loopback address) with the
demo district's database (``var/`` of the repository, or ``--var-dir``; ``--prepare`` builds it
with ``dangjian demo --no-serve`` when it is missing), runs ``benchmarks/load_locust.py`` with
``--users`` users started at ``--spawn-rate`` per second for ``--duration`` seconds, stops the
server, and prints per page and in total: requests, failures, requests per second, p50, p95 and
p99 in milliseconds (locust's CSV files stay in ``benchmarks/out/``). The figures include the
sign-ins and the ramp-up. Exit status 1 when a request failed or the server did not start.
"""

from __future__ import annotations

import argparse
import csv
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, default=4.0, help="users started per second")
    parser.add_argument("--duration", type=int, default=300, help="seconds of the whole run")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, help="gunicorn processes (default: its config)")
    parser.add_argument("--threads", type=int, help="threads per process (default: its config)")
    parser.add_argument("--var-dir", type=Path, default=ROOT / "var")
    parser.add_argument("--prepare", action="store_true", help="build the demo when missing")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    args = parser.parse_args()
    if args.users < 1 or args.duration < 1 or args.spawn_rate <= 0:
        parser.error("--users, --duration and --spawn-rate must be positive")
    return args


def server_env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DJANGO_DEBUG", None)
    env.pop("DATABASE_URL", None)  # the demo district's SQLite file under var_dir
    env["DJANGO_SETTINGS_MODULE"] = "dangjian.settings.dev"  # plain HTTP on the loopback
    env["DANGJIAN_VAR_DIR"] = str(var_dir.resolve())
    return env


def prepare(args: argparse.Namespace, env: dict[str, str]) -> None:
    database = args.var_dir / "dangjian.sqlite3"
    accounts = args.var_dir / "demo-accounts.txt"
    if database.exists() and accounts.exists():
        return
    if not args.prepare:
        sys.exit(f"no demo district in {args.var_dir}: `dangjian demo --no-serve` or --prepare")
    subprocess.run([BIN / "dangjian", "demo", "--no-serve"], env=env, check=True, cwd=ROOT)


def start_server(args: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [str(BIN / "dangjian"), "serve", "--bind", f"127.0.0.1:{args.port}"]
    if args.workers:
        command += ["--workers", str(args.workers)]
    if args.threads:
        command += ["--threads", str(args.threads)]
    log = open(args.out / "server.log", "wb")  # noqa: SIM115  (closed with the process)
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{args.port}/accounts/login/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server stopped (status {server.returncode}); see {log.name}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    stop(server)
    sys.exit("the server did not answer within 120 s")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # gunicorn's master: graceful stop of its workers
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def run_locust(args: argparse.Namespace, prefix: Path) -> int:
    env = dict(os.environ)
    env["DANGJIAN_LOAD_ACCOUNTS"] = str((args.var_dir / "demo-accounts.txt").resolve())
    command = [
        sys.executable, "-m", "locust",
        "-f", str(ROOT / "benchmarks" / "load_locust.py"),
        "--headless", "--only-summary",
        "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
        "--run-time", f"{args.duration}s", "--stop-timeout", "10",
        "--host", f"http://127.0.0.1:{args.port}",
        "--csv", str(prefix), "--loglevel", "WARNING",
    ]  # fmt: skip
    with open(args.out / "locust.log", "wb") as log:
        done = subprocess.run(
            command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            timeout=args.duration + 180, check=False,
        )  # fmt: skip
    return done.returncode


def report(prefix: Path) -> int:
    """Print the statistics of locust's CSV file; the number of failed requests."""
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    heads = ("requests", "failed", "req/s", "p50", "p95", "p99")
    print(f"{'page':<40} {heads[0]:>8} " + " ".join(f"{h:>6}" for h in heads[1:]))
    failed = 0
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
        if name == "ALL":
            print("-" * 84)
            failed = int(row["Failure Count"])
        print(
            f"{name[:40]:<40} {row['Request Count']:>8} {row['Failure Count']:>6} "
            f"{float(row['Requests/s']):>6.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
        )
    failures = Path(f"{prefix}_failures.csv")
    if failed and failures.exists():
        print("\nfailures:")
        with open(failures, encoding="utf-8") as listed:
            found = list(csv.DictReader(listed))
        for row in found:
            print(f"  {row['Occurrences']:>5} × {row['Method']} {row['Name']}: {row['Error']}")
    return failed


def main() -> int:
    args = parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    env = server_env(args.var_dir)
    prepare(args, env)
    prefix = args.out / f"load-{args.users}u-{args.duration}s"
    load_before = os.getloadavg()
    server = start_server(args, env)
    try:
        status = run_locust(args, prefix)
    finally:
        stop(server)
    load_after = os.getloadavg()
    print(
        f"\n{args.users} users (+{args.spawn_rate}/s), {args.duration} s, "
        f"server 127.0.0.1:{args.port} workers={args.workers or 'config'} "
        f"threads={args.threads or 'config'}; load average before {load_before[0]:.1f}, "
        f"after {load_after[0]:.1f} (1 min), {os.cpu_count()} CPUs\n"
    )
    failed = report(prefix)
    return 1 if failed or status not in (0, 1) else 0


if __name__ == "__main__":
    raise SystemExit(main())
