"""Member import benchmark: seed a tier, generate a 100,000-row members file, import it.

Usage (from the repository root, with the virtual environment):

    .venv/bin/python benchmarks/run_import.py --database-url postgres://…/EMPTY_DB
    .venv/bin/python benchmarks/run_import.py --sqlite /tmp/import.sqlite3
    .venv/bin/python benchmarks/run_import.py --tier city --database-url postgres://…/EMPTY_DB

The database must be empty (or hold a tier already, with ``--reuse``; the generated members are
new to it only once). The file (CSV, UTF-8) is written to a temporary directory and deleted
afterwards: ``--rows`` members (default 100,000) with a fixed seed — Chinese names, valid ID
numbers of people born 1950–1989 (山西 region codes, not used by the seed), sex and birth date
agreeing with them, joined at 18–40, a type and confirmation date that fit, a mobile number,
民族/学历/人员类别, a residence community for some, all in existing branches (a few secretaries
in branches that have none).

The import runs in a fresh child process (``dangjian.exchange.importers.import_members`` as the
operator, what ``dangjian import members PATH`` does), which prints its wall time, its CPU time
and its peak resident set (``resource.getrusage``; the figure before the import is printed as
well, for the interpreter and Django). ``--tracemalloc`` adds the peak of Python allocations
(slower); ``BENCH_PROFILE=FILE`` in the environment writes cProfile statistics of the import.
Run it under ``nice -n 10`` on a shared machine.
Afterwards the parent checks the audit chain (``audit_verify``) and the member counts against a
rebuild (``counts_differences``) and prints both.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common


def _child(path: str, trace: bool) -> int:
    """The import itself, in a process of its own: prints one JSON line of figures."""
    import resource

    import django

    django.setup()
    from dangjian.accounts.scope import SYSTEM
    from dangjian.core import context
    from dangjian.exchange.importers import import_members

    if trace:
        import tracemalloc

        tracemalloc.start()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu = time.process_time()
    start = time.perf_counter()
    profile = os.environ.get("BENCH_PROFILE")  # a file for cProfile's statistics
    with context.bind(request_id=context.new_request_id(), client_addr=""):
        if profile:
            import cProfile

            with cProfile.Profile() as profiler:
                report = import_members(path, actor=SYSTEM)
            profiler.dump_stats(profile)
        else:
            report = import_members(path, actor=SYSTEM)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures = {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rss_before_kb": before,
        "rss_peak_kb": peak,
        "ok": report.ok,
        "summary": report.summary(),
        "errors": report.error_lines()[:5],
    }
    if trace:
        figures["traced_peak_bytes"] = tracemalloc.get_traced_memory()[1]
    print(json.dumps(figures, ensure_ascii=False), flush=True)
    return 0


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return _child(sys.argv[2], trace="--tracemalloc" in sys.argv)
    parser = common.new_parser(__doc__)
    parser.set_defaults(tier="district")
    common.add_seed_options(parser)
    common.add_database_options(parser)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations")
    args = parser.parse_args()

    if "DANGJIAN_VAR_DIR" not in os.environ:
        # the keys of a reused database stay the same (a folder named ``dangjian-import-*`` in
        # the temporary directory would be removed as a stale upload when Django starts)
        target = args.sqlite or args.database_url or "default"
        folder = "".join(c if c.isalnum() else "_" for c in target)[-80:]
        os.environ["DANGJIAN_VAR_DIR"] = str(
            Path(tempfile.gettempdir()) / "dangjian-bench-keys" / folder
        )
    where = common.use_database(parser, args, name="import")
    common.seed_tier(parser, args, where)
    common.analyze()

    from django.db import connection

    from dangjian.core.audit import audit_verify
    from dangjian.members.choices import Post
    from dangjian.members.models import Member
    from dangjian.members.rollups import counts_differences
    from dangjian.orgs.choices import ROLL_TYPES
    from dangjian.orgs.models import Organization

    branches = sorted(
        Organization.objects.filter(org_type__in=ROLL_TYPES).values_list("code", flat=True)
    )
    communities = sorted(Organization.objects.filter(sector="社区").values_list("code", flat=True))
    held = set(Member.objects.filter(post=Post.SECRETARY).values_list("org__code", flat=True))
    free = [code for code in branches if code not in held]
    with tempfile.TemporaryDirectory(prefix="dangjian-bench-members-") as tmp:
        path = Path(tmp) / "members.csv"
        t = time.perf_counter()
        common.write_members_file(path, branches, communities, free, args.rows, args.seed)
        common.line(
            f"generate {args.rows:,} members (csv)",
            f"{time.perf_counter() - t:.1f} s, {path.stat().st_size / 2**20:.1f} MB",
        )
        connection.close()
        command = [sys.executable, __file__, "--child", str(path)]
        if args.tracemalloc:
            command.append("--tracemalloc")
        done = subprocess.run(command, capture_output=True, text=True, env=os.environ, check=False)
    if done.returncode != 0:
        print(done.stdout, done.stderr, sep="\n", file=sys.stderr)
        return 1
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    common.line("import", figures["summary"])
    for error in figures["errors"]:
        common.line("", error)
    common.line(
        f"import members ({args.rows:,} rows), wall",
        f"{figures['seconds']:.1f} s (CPU of the importing process {figures['cpu_seconds']:.1f} s)",
    )
    common.line(
        "  peak RSS (before the import)",
        f"{figures['rss_peak_kb'] / 1024:.0f} MB ({figures['rss_before_kb'] / 1024:.0f} MB)",
    )
    if "traced_peak_bytes" in figures:
        common.line("  tracemalloc peak", f"{figures['traced_peak_bytes'] / 2**20:.0f} MB")

    t = time.perf_counter()
    result = audit_verify()
    verdict = "ok" if result.ok else f"BROKEN at {result.first_broken_seq}: {result.reason}"
    common.line("audit verify", f"{verdict}, {result.checked:,} entries, "
                f"{time.perf_counter() - t:.1f} s")  # fmt: skip
    differences = counts_differences()
    common.line("member counts vs rebuild", f"{len(differences)} differences")
    connection.close()
    return 0 if figures["ok"] and result.ok and not differences else 1


if __name__ == "__main__":
    sys.exit(main())
