"""MinHash signatures of the minutes, computed when a record is written, and their LSH band keys
(:class:`~dangjian.life.models.MinutesSignature`, :class:`~dangjian.life.models.MinutesBand`).

The near-duplicate hint (HINT-COPIED-MINUTES, :mod:`dangjian.life.rules.hints`) reads no text
to find its candidates: the records of a year that share a sentence few records share (grouped
in the sentence index :class:`~dangjian.life.models.MinutesSentence`), that share an LSH band
key, and whose stored signatures agree on at least ``threshold - MARGIN`` of their positions.
It then reads the texts of those few records only, for the exact similarity it reports.

A signature is the minimum, over the minutes' character shingles (the hint's 5-grams of the
normalized text, hashed by CRC-32), of ``num_perm`` random affine permutations (datasketch's
``MinHash`` with a fixed seed, so a signature never depends on the process). ``BANDS`` bands of
``num_perm / BANDS`` rows: two minutes of Jaccard similarity *s* share a key with probability
``1 - (1 - s**r)**b``: with 256 permutations in 32 bands of 8, 0.997 at s = 0.8 and
0.99999998 at s = 0.9, while two honest minutes of the demo's template phrases (s ≤ 0.4)
share one in under 4 % of pairs.

:func:`sign` writes the rows of a few records (the services, the import) with ``executemany``;
:func:`sign_bulk` writes those of many new records (``seed_meetings``, the backfill) with the
same values: the minimum hashes of a few hundred texts at once in numpy (the affine
permutations of datasketch's scheme applied to every shingle of the chunk, then one minimum
per text), the band keys from one array, and ``COPY`` on PostgreSQL.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
from datasketch import MinHash
from datasketch.minhash import _fmix
from django.conf import settings
from django.db import transaction

from .models import Meeting, MinutesBand, MinutesSentence, MinutesSignature

#: the default number of permutations (``DANGJIAN_MINHASH_PERMUTATIONS`` overrides it)
NUM_PERM = 256
#: bands of the LSH index (``num_perm`` must be a multiple)
BANDS = 32
#: the fixed seed of the permutations
SEED = 20261206
#: the shingle length the signatures are computed with (the hint's default ``shingle``)
SHINGLE = 5
#: pairs whose signatures agree on at least ``threshold - MARGIN`` of the positions are read
MARGIN = 0.1
#: records written per batch by the backfill
BATCH = 2000
#: texts whose minimum hashes are computed at once by :func:`sign_bulk`: its array holds
#: ``num_perm`` 4-byte values per shingle of the chunk (about 10 MB for 64 texts of the seed's
#: 160 characters; larger chunks are slower, out of the processor's cache)
CHUNK = 64


def num_perm() -> int:
    value = int(getattr(settings, "DANGJIAN_MINHASH_PERMUTATIONS", NUM_PERM))
    if value <= 0 or value % BANDS:
        raise ValueError(f"DANGJIAN_MINHASH_PERMUTATIONS 应为 {BANDS} 的正整数倍")
    return value


@functools.lru_cache(maxsize=8)
def _template(perms: int) -> MinHash:
    """A MinHash whose permutations (drawn once from the fixed seed) every signature reuses."""
    return MinHash(num_perm=perms, seed=SEED)


def _identity(value: int) -> int:
    return value


def signature(text: str, perms: int | None = None) -> Any:
    """The MinHash values (below 2**32) of the shingles of ``text``."""
    from .rules.hints import _shingles

    template = _template(perms or num_perm())
    sketch = MinHash(
        num_perm=len(template.hashvalues),
        seed=SEED,
        hashfunc=_identity,
        permutations=template.permutations,
        scheme=template.scheme,
    )
    sketch.update_batch(sorted(_shingles(text, SHINGLE)))
    return sketch.hashvalues


def band_keys(values: Any) -> list[int]:
    """The LSH keys of a signature: one signed 64-bit hash per band (of the band's number, the
    number of permutations and its values)."""
    return _keys(np.asarray(values, dtype="<u4").tobytes(), len(values))


@functools.lru_cache(maxsize=8)
def _band_prefixes(perms: int) -> tuple[bytes, ...]:
    return tuple(f"{perms}:{band}:".encode() for band in range(BANDS))


def _keys(row: bytes, perms: int) -> list[int]:
    """:func:`band_keys` of a signature given as its values in 4-byte little-endian form."""
    width = 4 * (perms // BANDS)
    blake2b = hashlib.blake2b
    return [
        int.from_bytes(
            blake2b(prefix + row[band * width : (band + 1) * width], digest_size=8).digest(),
            "little",
            signed=True,
        )
        for band, prefix in enumerate(_band_prefixes(perms))
    ]


def packed(values: Any) -> bytes:
    """The stored form: the low 16 bits of each value."""
    return (np.asarray(values, dtype=np.uint64) & 0xFFFF).astype("<u2").tobytes()


def agreement(a: bytes, b: bytes) -> float:
    """The share of positions where two stored signatures agree (≈ the Jaccard similarity)."""
    x, y = np.frombuffer(a, dtype="<u2"), np.frombuffer(b, dtype="<u2")
    if len(x) != len(y) or not len(x):
        return 0.0
    return float(np.count_nonzero(x == y)) / len(x)


def sign(meetings: Sequence[Meeting], perms: int | None = None, *, new: bool = False) -> None:
    """Write (or rewrite) the signatures, band keys and sentences of ``meetings`` (saved records
    with their minutes and date), in the caller's transaction; ``new``: records just created
    (nothing to replace). Rows are inserted with plain ``executemany`` (a record has about 40);
    many new records: :func:`sign_bulk`."""
    from .rules.hints import _sentences

    if not meetings:
        return
    perms = perms or num_perm()
    if not new:
        ids = [m.pk for m in meetings]
        MinutesBand.objects.filter(meeting_id__in=ids).delete()
        MinutesSentence.objects.filter(meeting_id__in=ids).delete()
        MinutesSignature.objects.filter(meeting_id__in=ids).delete()
    signed: list[tuple[Any, ...]] = []
    bands: list[tuple[int, int, int]] = []
    sentences: list[tuple[int, int, int]] = []
    for m in meetings:
        text = m.minutes or ""
        year = m.held_on.year
        stored = b""
        if text:
            values = signature(text, perms)
            stored = packed(values)
            bands += [(m.pk, year, k) for k in band_keys(values)]
            sentences += [(m.pk, year, h) for h in _sentences(text)]
        signed.append((m.pk, len(text), perms, stored))
    _insert(signed, bands, sentences)


def _insert(
    signed: list[tuple[Any, ...]],
    bands: list[tuple[int, int, int]],
    sentences: list[tuple[int, int, int]],
    *,
    copy: bool = False,
) -> None:
    """Insert the rows of the three tables: with ``executemany``, or with ``copy`` by ``COPY``
    on PostgreSQL (elsewhere ``executemany`` still: SQLite's is as fast as a bulk insert)."""
    from django.db import connection

    tables = [
        (MinutesSignature, ("meeting_id", "chars", "num_perm", "signature"), signed),
        (MinutesBand, ("meeting_id", "year", "key"), bands),
        (MinutesSentence, ("meeting_id", "year", "sentence"), sentences),
    ]
    with connection.cursor() as cursor:
        for model, columns, rows in tables:
            if not rows:
                continue
            names = ", ".join(connection.ops.quote_name(c) for c in columns)
            table = connection.ops.quote_name(model._meta.db_table)
            if copy and connection.vendor == "postgresql":
                raw: Any = cursor.cursor  # psycopg's own cursor under Django's wrapper
                with raw.copy(f"COPY {table} ({names}) FROM STDIN") as stream:
                    for row in rows:
                        stream.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608
                    rows,
                )


def minimums(texts: Sequence[str], perms: int | None = None) -> Any:
    """The MinHash values of each of ``texts`` (none empty), one row per text: the same as
    :func:`signature` of each, computed for all at once (the template's permutations applied to
    every shingle of the texts in one array, then the minimum per text)."""
    from .rules.hints import _shingles

    template = _template(perms or num_perm())
    if template.scheme not in ("affine32", "affine64"):  # pragma: no cover (not the default)
        return np.array([signature(text, perms) for text in texts])
    shingles = [_shingles(text, SHINGLE) for text in texts]
    sizes = np.fromiter((len(s) for s in shingles), dtype=np.int64, count=len(shingles))
    dtype = template.hashvalues.dtype
    flat = np.fromiter(itertools.chain.from_iterable(shingles), dtype=dtype, count=int(sizes.sum()))
    a, b = template.permutations
    width = 8 * dtype.itemsize
    # the scheme's pre-mix and affine permutations, wrapping as datasketch's do; one row per
    # permutation, so that the minimum per text reduces along contiguous memory
    permuted = np.multiply(a[:, None], _fmix(flat, width)[None, :])
    permuted += b[:, None]
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    return np.ascontiguousarray(np.minimum.reduceat(permuted, starts, axis=1).T)


def sign_bulk(meetings: Sequence[Meeting], perms: int | None = None) -> None:
    """Write the signatures, band keys and sentences of ``meetings`` (records just created, with
    their minutes and date), in the caller's transaction: the rows :func:`sign` writes, computed
    :data:`CHUNK` texts at a time and streamed with ``COPY`` on PostgreSQL (the callers give
    a few thousand records at a time: their rows are held until then)."""
    from .rules.hints import _sentences

    perms = perms or num_perm()
    signed: list[tuple[Any, ...]] = [(m.pk, 0, perms, b"") for m in meetings if not m.minutes]
    bands: list[tuple[int, int, int]] = []
    sentences: list[tuple[int, int, int]] = []
    for start in range(0, len(meetings), CHUNK):
        texts = [m for m in meetings[start : start + CHUNK] if m.minutes]
        if texts:
            values = minimums([m.minutes for m in texts], perms)
            low = (values & 0xFFFF).astype("<u2")
            full = values.astype("<u4")
            for row, m in enumerate(texts):
                year = m.held_on.year
                signed.append((m.pk, len(m.minutes), perms, low[row].tobytes()))
                bands += [(m.pk, year, k) for k in _keys(full[row].tobytes(), perms)]
                sentences += [(m.pk, year, h) for h in _sentences(m.minutes)]
    _insert(signed, bands, sentences, copy=True)  # one COPY a table (~45 rows a record)


def signatures_rebuild(org: Any = None, *, missing_only: bool = False) -> int:
    """Compute the signatures of the records of the subtree of ``org`` (all when ``None``) from
    their minutes, in batches (``missing_only``: of the records that have none); returns the
    records signed."""
    records = Meeting.objects.order_by("pk")
    if org is not None:
        records = records.filter(org__path__startswith=org.path)
    if missing_only:
        records = records.filter(minutes_signature__isnull=True)
    else:
        with transaction.atomic():
            for model in (MinutesBand, MinutesSentence, MinutesSignature):
                rows = model.objects.all()
                if org is not None:
                    rows = rows.filter(meeting__org__path__startswith=org.path)
                rows.delete()  # no cascades, no signals: one DELETE each
    done = 0
    last = 0
    while True:
        batch = list(records.filter(pk__gt=last).only("pk", "minutes", "held_on")[:BATCH])
        if not batch:
            return done
        with transaction.atomic():
            sign_bulk(batch)
        done += len(batch)
        last = batch[-1].pk


def _scoped(prefix: str, alias: str) -> tuple[str, list[Any]]:
    """Joins and a condition keeping the rows (``alias``) of records under the path ``prefix``."""
    from dangjian.orgs.models import Organization

    if not prefix:
        return "", []
    meetings, orgs = Meeting._meta.db_table, Organization._meta.db_table
    joins = (
        f" JOIN {meetings} m_{alias} ON m_{alias}.id = {alias}.meeting_id"
        f" JOIN {orgs} o_{alias} ON o_{alias}.id = m_{alias}.org_id"
        f" AND o_{alias}.path LIKE %s"
    )
    return joins, [prefix + "%"]  # a path is letters and digits only


def rare_sentence_pairs(
    year: int, prefix: str, min_chars: int, max_df: int
) -> set[tuple[int, int]]:
    """Pairs of records of ``year`` under ``prefix`` with minutes of at least ``min_chars``
    characters (smaller id first) that share a sentence found in at least 2 and at most
    ``max_df`` such records: grouped in the sentence index, no text read."""
    from django.db import connection

    table, signed = MinutesSentence._meta.db_table, MinutesSignature._meta.db_table
    outer, outer_params = _scoped(prefix, "t")
    inner, inner_params = _scoped(prefix, "s")
    sql = (
        f"SELECT t.sentence, t.meeting_id FROM {table} t{outer} "  # noqa: S608 (table names)
        f"JOIN {signed} g ON g.meeting_id = t.meeting_id AND g.chars >= %s "
        f"WHERE t.year = %s AND t.sentence IN (SELECT s.sentence FROM {table} s{inner} "
        f"JOIN {signed} h ON h.meeting_id = s.meeting_id AND h.chars >= %s "
        "WHERE s.year = %s GROUP BY s.sentence HAVING COUNT(*) BETWEEN 2 AND %s)"
    )
    params = [*outer_params, min_chars, year, *inner_params, min_chars, year, max_df]
    postings: dict[int, list[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for sentence, meeting_id in cursor.fetchall():
            postings.setdefault(sentence, []).append(meeting_id)
    pairs: set[tuple[int, int]] = set()
    for ids in postings.values():
        ids.sort()
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                pairs.add((a, b))
    return pairs


def _by_record(model: Any, column: str, ids: Iterable[int]) -> Iterator[tuple[int, Any]]:
    """``(record id, column)`` of the rows of ``model`` that belong to the records ``ids``
    (plain cursor reads, 900 ids a query)."""
    from django.db import connection

    table = model._meta.db_table
    wanted = sorted(set(ids))
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), 900):
            chunk = wanted[start : start + 900]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT meeting_id, {column} FROM {table} WHERE meeting_id IN ({marks})",  # noqa: S608
                chunk,
            )
            yield from cursor.fetchall()


def band_sharing(pairs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The ``pairs`` of record ids whose signatures share at least one LSH band key (the keys
    of the records involved, read by record)."""
    pairs = list(pairs)
    keys: dict[int, set[int]] = {}
    for meeting_id, key in _by_record(MinutesBand, "key", (x for pair in pairs for x in pair)):
        keys.setdefault(meeting_id, set()).add(key)
    empty: set[int] = set()
    return [(a, b) for a, b in pairs if not keys.get(a, empty).isdisjoint(keys.get(b, empty))]


def stored(ids: Iterable[int]) -> dict[int, bytes]:
    """The stored signatures of the records ``ids`` (plain cursor reads, 900 ids a query)."""
    return {pk: bytes(value) for pk, value in _by_record(MinutesSignature, "signature", ids)}


def agreeing(
    pairs: Sequence[tuple[int, int]], signed: dict[int, bytes], floor: float
) -> list[tuple[int, int]]:
    """The ``pairs`` of record ids whose stored signatures (``signed``) agree on at least
    ``floor`` of their positions (compared in one array operation per 50,000 pairs)."""
    if not pairs:
        return []
    ids = sorted(signed)
    width = max(len(v) for v in signed.values())
    matrix = np.zeros((len(ids), width // 2), dtype="<u2")
    valid = np.zeros(len(ids), dtype=bool)
    for row, pk in enumerate(ids):
        value = signed[pk]
        if len(value) == width:
            matrix[row] = np.frombuffer(value, dtype="<u2")
            valid[row] = True
    where = {pk: row for row, pk in enumerate(ids)}
    out: list[tuple[int, int]] = []
    for start in range(0, len(pairs), 50000):
        chunk = pairs[start : start + 50000]
        a = np.fromiter((where[x] for x, _ in chunk), dtype=np.int64, count=len(chunk))
        b = np.fromiter((where[y] for _, y in chunk), dtype=np.int64, count=len(chunk))
        share = (matrix[a] == matrix[b]).mean(axis=1)
        keep = (share >= floor) & valid[a] & valid[b]
        out += [chunk[int(i)] for i in np.flatnonzero(keep)]
    return out
