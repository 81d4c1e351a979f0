"""Writing a year of meetings (``seed_meetings``) with the minutes signed three ways.

Usage (from the repository root, with the virtual environment; one way per process, so that the
peak memory is that way's):

    nice -n 10 .venv/bin/python benchmarks/run_seed_meetings.py --reuse \
        --database-url postgres://…/CITY_DB --org CODE --signing bulk --rollback

``--signing bulk`` is what ``seed_meetings`` does (``life.signatures.sign_bulk``: numpy, ``COPY``
on PostgreSQL), ``one`` what it did before (``sign`` per batch: one signature at a time, rows
inserted with ``executemany``), ``none`` is ``--no-signatures``. ``--org`` limits the records to
one subtree; ``--rollback`` undoes the write at the end, so that the same year can be measured
again. Prints the records written, the signature, band and sentence rows, the time, the records
per second and the peak resident memory of the process.
"""

from __future__ import annotations

import resource
import time

import common


class _Undo(Exception):
    pass


def main() -> int:
    parser = common.new_parser(__doc__)
    common.add_seed_options(parser, year=True)
    common.add_database_options(parser)
    parser.add_argument("--org", default="", help="only the branches under this organization")
    parser.add_argument("--signing", choices=["bulk", "one", "none"], default="bulk")
    parser.add_argument("--rollback", action="store_true", help="undo the write at the end")
    args = parser.parse_args()

    where = common.use_database(parser, args, name="seed-meetings")
    common.seed_tier(parser, args, where)
    from django.db import transaction

    from dangjian.demo import life
    from dangjian.life import signatures
    from dangjian.life.models import MinutesBand, MinutesSentence, MinutesSignature
    from dangjian.orgs.models import Organization

    prefix = ""
    if args.org:
        prefix = Organization.objects.get(code=args.org).path
    if args.signing == "one":  # the writer before sign_bulk
        life.sign_bulk = lambda meetings: signatures.sign(meetings, new=True)  # type: ignore[assignment]
    started = time.perf_counter()
    try:
        with transaction.atomic():
            done = life.seed_meetings(
                year=args.year,
                seed=args.seed,
                attendance=False,
                prefix=prefix,
                signatures=args.signing != "none",
            )
            seconds = time.perf_counter() - started
            rows = [m.objects.count() for m in (MinutesSignature, MinutesBand, MinutesSentence)]
            if args.rollback:
                raise _Undo
    except _Undo:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    label = f"seed_meetings --year {args.year} {args.org or 'all'}, signing {args.signing}"
    common.line(
        label,
        f"{done.meetings:,} records in {seconds:.1f} s ({done.meetings / seconds:,.0f} records/s), "
        f"peak {peak:,.0f} MB; rows: {rows[0]:,} signatures, {rows[1]:,} bands, "
        f"{rows[2]:,} sentences{' (rolled back)' if args.rollback else ''}",
        width=60,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
