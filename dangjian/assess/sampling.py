"""Reproducible stratified sampling of the organizations to spot-check (抽查).

The number drawn is ``round(share × N)`` (at least 1 when the share is above 0 and N > 0),
allocated to the sectors in proportion to their size by largest remainder (ties go to the
sector whose name sorts first). Inside a sector the draw uses its own generator seeded with
``"<seed>:<sector>"`` over the organizations sorted by code, so the same seed and the same
participants always give the same sample, and a sector's draw depends only on its own
organizations and the number allocated to it. Hand-picked organizations are chosen by the
upper level on top of the sample (``CampaignOrg.hand_picked``).
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable


def allocate(sizes: dict[str, int], share: float) -> dict[str, int]:
    """How many to draw per stratum: proportional, largest remainder, total round(share × N)."""
    total_n = sum(sizes.values())
    if share <= 0 or total_n == 0:
        return {k: 0 for k in sizes}
    wanted = max(1, min(total_n, math.floor(share * total_n + 0.5)))
    exact = {k: wanted * n / total_n for k, n in sizes.items()}
    counts = {k: math.floor(v) for k, v in exact.items()}
    left = wanted - sum(counts.values())
    order = sorted(sizes, key=lambda k: (-(exact[k] - counts[k]), k))
    for k in order[:left]:
        counts[k] += 1
    return counts


def stratified_sample(orgs: Iterable[tuple[int, str, str]], share: float, seed: int) -> set[int]:
    """The pks drawn from ``orgs`` — (pk, code, sector) — for ``share`` with ``seed``."""
    strata: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for pk, code, sector in orgs:
        strata[sector].append((code, pk))
    counts = allocate({k: len(v) for k, v in strata.items()}, share)
    drawn: set[int] = set()
    for sector in sorted(strata):
        population = sorted(strata[sector])
        rng = random.Random(f"{seed}:{sector}")
        drawn.update(pk for _code, pk in rng.sample(population, counts[sector]))
    return drawn
