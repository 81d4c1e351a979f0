"""Findings for pages, computed once per data version and shared by every user of one scope.

A check re-run on each view is what made the busy pages slow under many users (the branch
to-do, the 问题清单, an organization's page above the branches): two hundred people reading the
same district ask the same question again and again. The result is cached under a key made of
the question (rule family, filters, day), the scope prefix of the user's view of findings, the
rule parameters in force and the *data version* (:func:`dangjian.life.compliance.data_version`:
the latest audited write and the latest change of meetings, organizations and members). Any
record written changes the version, so a cached list is never stale; the scope check runs
before the cache is read, so nobody gets findings outside their subtree.

When the findings store (:mod:`dangjian.rules.store`) answers the question — a family it
keeps, every organization of the scope evaluated for the day — the findings come from its rows
instead, with no check run at all; ``dangjian check`` computes from the records as before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar, Unpack

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, covers, scope_prefix
from dangjian.life.compliance import data_version
from dangjian.orgs.choices import BRANCH_TYPES
from dangjian.orgs.models import Organization
from dangjian.orgs.rules import findings_for_org
from dangjian.rules.registry import Finding
from dangjian.rules.runner import CheckFilters, findings_for
from dangjian.rules.store import answer, enabled, evaluation, findings_of, open_rows, version

T = TypeVar("T")

#: seconds a cached list is kept at most (a newer data version makes it unused at once)
TIMEOUT = 600


def _data_version() -> Any:
    """The data version of the cache key: with the findings store on, the records' index reads
    and the store's state (the latest write noted, the highest organization id) stand for the
    scan of every organization; as before with it off."""
    if enabled():
        return [data_version(organizations=False), version()]
    return data_version()


def _cached(material: list[Any], compute: Callable[[], T]) -> T:
    config = getattr(settings, "DANGJIAN_RULES", None) or {}
    text = json.dumps(
        [material, timezone.localdate().isoformat(), config, _data_version()],
        sort_keys=True,
        default=str,
    )
    key = "web:findings:" + hashlib.sha256(text.encode()).hexdigest()
    found = cache.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    value = compute()
    cache.set(key, value, TIMEOUT)
    return value


def page_findings(actor: Actor, **filters: Unpack[CheckFilters]) -> list[Finding]:
    """:func:`findings_for` from the findings store or through the cache (module docstring);
    the same errors."""
    stored = answer(actor, **filters)
    if stored is not None:
        return findings_of(stored.rows)
    prefix = scope_prefix(actor, Perm.FINDING_VIEW)
    code = filters.get("org_code")
    if prefix is None or (
        code and not Organization.objects.filter(code=code, path__startswith=prefix).exists()
    ):
        return findings_for(actor, **filters)  # refuses as it always did
    material = [
        "scope",
        prefix,
        {k: sorted(v) if isinstance(v, list | tuple | set) else v for k, v in filters.items()},
    ]
    return _cached(material, lambda: findings_for(actor, **filters))


def org_page_findings(
    actor: Actor, org: Organization, *, at: dt.date | None = None
) -> list[Finding]:
    """:func:`findings_for_org` through the cache above the branches (a 党委's facts read its
    whole subtree's roll; a branch's read its own few members, cheaper than the cache's key);
    404 outside the scope as before."""
    if not covers(actor, Perm.FINDING_VIEW, org.path):
        raise Http404("组织不存在或不在您的管辖范围内")
    if evaluation(org.path, at) is not None:
        return findings_of(open_rows(org.path, families=["SETUP"]).filter(org=org))
    if org.org_type in BRANCH_TYPES:
        return findings_for_org(actor, org, at=at)
    return _cached(["org", org.pk, at], lambda: findings_for_org(actor, org, at=at))
