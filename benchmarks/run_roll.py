"""Roll-history benchmark: the roll of a branch on a date (``roll_on``) and its committee on a date
(``committee_on``) at the city tier, on PostgreSQL.

Usage (from the repository root, with the virtual environment):

    .venv/bin/python benchmarks/run_roll.py --database-url postgres://postgres@127.0.0.1:5432/h_roll_bench
    .venv/bin/python benchmarks/run_roll.py --members 200000 --branches 10000 --database-url …

What it builds (deterministic, ``--seed``; into an empty database, ``--reuse`` keeps one built
before): a city's organizations — the city committee, 16 district committees, town committees
of 19 branches each and ``--branches`` branches (default 60,000) — written with ``bulk_create``;
then ``--members`` members (default 1,200,000, the city tier's count: ``dangjian seed --tier
city`` takes far longer and writes much that this figure does not read) and their history,
generated inside PostgreSQL from ``generate_series`` with ``setseed`` (the ID numbers are not
real ciphertexts: no figure here decrypts them). Each member joined between 1980 and 2025 and was
put on the roll of a branch then (编入, and 转正 a year later for the full members); 15 % were
transferred once since (转出 from a first branch, 转入 to the current one, on a random day after
joining), 3 % left the party or died (their span ends then). Three committee posts per branch
(书记, 组织委员, 宣传委员) are held by members of the branch, with a change of 书记 in a fifth
of the branches. Then ``ANALYZE``.

Printed: the build times and row counts; the roll of ``--samples`` random branches at random
dates (1990–2025) read through ``dangjian.members.history.roll_on`` — the whole list of members
fetched — as p50 / p95 / max in milliseconds; the same for ``committee_on``; and the plan of one
roll query (whether it uses the partial index ``roll_span_org_on``).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from typing import Any

import common

WIDTH = 52
DISTRICTS = 16
PER_TOWN = 19


def _options() -> Any:
    parser = common.argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=1_200_000)
    parser.add_argument("--branches", type=int, default=60_000)
    parser.add_argument("--samples", type=int, default=300, help="random (branch, date) reads")
    common.add_seed_options(parser)
    common.add_database_options(parser)
    return parser


def build_orgs(branches: int) -> list[int]:
    """The city's tree (paths as treebeard writes them); the branch ids."""
    from dangjian.orgs.models import Organization

    step = Organization.steplen

    def path(parent: str, i: int) -> str:
        return parent + Organization._int2str(i + 1).rjust(step, "0")

    towns = -(-branches // PER_TOWN)
    per_district = [towns // DISTRICTS + (1 if d < towns % DISTRICTS else 0) for d in range(16)]
    root = path("", 0)
    objs = [
        Organization(
            path=root, depth=1, numchild=DISTRICTS, code="RC0", name="示范市委",
            org_type="党委", sector="机关",
        )
    ]  # fmt: skip
    branch_no = town_no = 0
    for d in range(DISTRICTS):
        dpath = path(root, d)
        objs.append(
            Organization(
                path=dpath, depth=2, numchild=per_district[d], code=f"RD{d:02d}",
                name=f"第{d + 1}区委", org_type="党委", sector="机关",
            )
        )  # fmt: skip
        for t in range(per_district[d]):
            tpath = path(dpath, t)
            n = min(PER_TOWN, branches - branch_no)
            town_no += 1
            objs.append(
                Organization(
                    path=tpath, depth=3, numchild=n, code=f"RT{town_no:04d}",
                    name=f"第{town_no}镇党委", org_type="党委", sector="机关",
                )
            )  # fmt: skip
            for b in range(n):
                branch_no += 1
                objs.append(
                    Organization(
                        path=path(tpath, b), depth=4, numchild=0, code=f"RB{branch_no:05d}",
                        name=f"第{branch_no}村党支部", org_type="党支部", sector="农村",
                    )
                )  # fmt: skip
    Organization.objects.bulk_create(objs, batch_size=5000)
    return list(
        Organization.objects.filter(org_type="党支部").order_by("pk").values_list("pk", flat=True)
    )


MEMBERS_SQL = """
CREATE TEMP TABLE plan AS
SELECT g AS n,
       b.ids[1 + floor(random() * b.cnt)::int] AS org_id,
       b.ids[1 + floor(random() * b.cnt)::int] AS first_org,
       DATE '1980-01-01' + floor(random() * 16400)::int AS joined_on,
       random() AS r_type, random() AS r_move, random() AS r_left, random() AS r_day
FROM generate_series(1, %(members)s) g,
     (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS cnt
        FROM orgs_organization WHERE org_type = '党支部') b;
INSERT INTO members_member (name, id_number_cipher, id_number_digest, id_number_masked,
    phone_cipher, phone_digest, phone_masked, gender, ethnicity, birth_date, education, category,
    member_type, joined_on, confirmed_on, org_id, post, residence_community_id, created_at,
    updated_at)
SELECT '党员' || n, '\\x00'::bytea, lpad(to_hex(n), 64, '0'),
       '110105********' || lpad((n %% 10000)::text, 4, '0'),
       NULL, '', '', CASE WHEN n %% 2 = 0 THEN '女' ELSE '男' END, '汉族', joined_on - 9000, '', '',
       CASE WHEN r_type < 0.04 AND joined_on > DATE '2024-06-01'
            THEN '预备党员' ELSE '正式党员' END,
       joined_on,
       CASE WHEN r_type < 0.04 AND joined_on > DATE '2024-06-01' THEN NULL ELSE joined_on + 365 END,
       org_id, '', NULL, now(), now()
FROM plan ORDER BY n;
CREATE TEMP TABLE story AS
SELECT m.id AS member_id, m.org_id, p.first_org, m.joined_on, m.confirmed_on,
       CASE WHEN p.r_move < 0.15 AND p.first_org <> m.org_id
            THEN m.joined_on + 1 + floor(p.r_day * (DATE '2025-12-31' - m.joined_on - 1))::int
       END AS moved_on,
       CASE WHEN p.r_left < 0.03 THEN DATE '2025-12-31' - floor(p.r_day * 700)::int END AS left_on
FROM members_member m JOIN plan p ON m.id_number_digest = lpad(to_hex(p.n), 64, '0');
UPDATE story SET left_on = NULL WHERE left_on <= coalesce(moved_on, joined_on);
INSERT INTO members_rollevent (member_id, org_id, kind, "on", ended_on, reason, link, created_at)
SELECT member_id, CASE WHEN moved_on IS NULL THEN org_id ELSE first_org END, '编入', joined_on,
       coalesce(moved_on, left_on), '', '', now() FROM story
UNION ALL
SELECT member_id, first_org, '转出', moved_on, NULL, '', '', now()
  FROM story WHERE moved_on IS NOT NULL
UNION ALL
SELECT member_id, org_id, '转入', moved_on, left_on, '', '', now()
  FROM story WHERE moved_on IS NOT NULL
UNION ALL
SELECT member_id, org_id, '转正', confirmed_on, NULL, '', '', now()
  FROM story WHERE confirmed_on IS NOT NULL
UNION ALL
SELECT member_id, org_id, '死亡', left_on, NULL, '', '', now() FROM story WHERE left_on IS NOT NULL;
INSERT INTO members_postterm (member_id, org_id, post, started_on, ended_on, decided_by, created_at)
SELECT member_id, org_id, post, started_on, ended_on, '', now() FROM (
  SELECT s.member_id, s.org_id,
         (ARRAY['书记','组织委员','宣传委员','书记'])[s.k] AS post,
         CASE WHEN s.k = 4 THEN DATE '2023-07-01'
              ELSE greatest(s.joined_on, DATE '2021-01-01') END AS started_on,
         CASE WHEN s.k = 1 AND s.change THEN DATE '2023-07-01' END AS ended_on
  FROM (
    SELECT member_id, org_id, joined_on,
           row_number() OVER (PARTITION BY org_id ORDER BY member_id) AS k,
           (org_id %% 5 = 0) AS change
    FROM story WHERE moved_on IS NULL AND left_on IS NULL AND joined_on < DATE '2020-01-01'
  ) s WHERE s.k <= 3 OR (s.k = 4 AND s.change)
) t WHERE t.started_on < coalesce(t.ended_on, DATE '2999-01-01');
"""


def build_members(members: int, seed: int) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")  # one order of random()
        cursor.execute("SELECT setseed(%s)", [((seed % 1000) / 1000.0)])
        cursor.execute(MEMBERS_SQL, {"members": members})


def _percentiles(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    return f"p50 {statistics.median(ordered):.1f} ms · p95 {p95:.1f} ms · max {ordered[-1]:.1f} ms"


def main() -> int:
    parser = _options()
    args = parser.parse_args()
    where = common.use_database(parser, args, name="roll")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dangjian.members.history import committee_on, roll_on
    from dangjian.members.models import Member, PostTerm, RollEvent
    from dangjian.orgs.models import Organization

    common.line("database", where, width=WIDTH)
    if connection.vendor != "postgresql":
        parser.error("the roll benchmark runs on PostgreSQL (give --database-url)")
    call_command("migrate", interactive=False, verbosity=0)
    if Organization.objects.exists():
        if not args.reuse:
            parser.error("the database is not empty (use --reuse to keep its data)")
        common.line("build", "reused", width=WIDTH)
    else:
        start = time.perf_counter()
        build_orgs(args.branches)
        common.line("organizations", f"{time.perf_counter() - start:.1f} s", width=WIDTH)
        start = time.perf_counter()
        build_members(args.members, args.seed)
        common.line("members, events, terms", f"{time.perf_counter() - start:.1f} s", width=WIDTH)
        common.analyze()
    branches = list(
        Organization.objects.filter(org_type="党支部").order_by("pk").values_list("pk", flat=True)
    )
    common.line(
        "rows",
        f"{len(branches):,} branches · {Member.objects.count():,} members · "
        f"{RollEvent.objects.count():,} roll events · {PostTerm.objects.count():,} post terms",
        width=WIDTH,
    )
    rng = random.Random(f"bench-roll:{args.seed}")
    first, span = dt.date(1990, 1, 1), (dt.date(2025, 12, 31) - dt.date(1990, 1, 1)).days
    samples = [
        (rng.choice(branches), first + dt.timedelta(rng.randrange(span)))
        for _ in range(args.samples)
    ]
    for org_id, day in samples[:10]:  # warm the connection and the plan cache
        list(roll_on(org_id, day).values_list("pk", "name"))
    roll_times, sizes = [], []
    for org_id, day in samples:
        start = time.perf_counter()
        rows = list(roll_on(org_id, day).values_list("pk", "name", "member_type"))
        roll_times.append((time.perf_counter() - start) * 1000)
        sizes.append(len(rows))
    common.line(
        f"roll_on × {len(samples)} (branch, date)",
        f"{_percentiles(roll_times)} (mean roll {statistics.mean(sizes):.0f} members)",
        width=WIDTH,
    )
    committee_times = []
    for org_id, day in samples:
        start = time.perf_counter()
        committee_on(org_id, day)
        committee_times.append((time.perf_counter() - start) * 1000)
    common.line(f"committee_on × {len(samples)}", _percentiles(committee_times), width=WIDTH)
    org_id, day = samples[0]
    with connection.cursor() as cursor:
        sql, params = roll_on(org_id, day).values_list("pk").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = " | ".join(row[0].strip() for row in cursor.fetchall())
    common.line("plan uses roll_span_org_on", str("roll_span_org_on" in plan), width=WIDTH)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
