"""问题清单: the setup findings of the user's whole subtree, filtered and counted per rule."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import require
from dangjian.orgs.selectors import orgs_for
from dangjian.rules.runner import CheckFilters
from dangjian.rules.store import Stored, answer
from dangjian.web.cached import page_findings
from dangjian.web.requests import SignedInRequest

from ..forms import FindingFilterForm
from ..helpers import bad_input_as_400, paginate, query_without


def rule_titles(prefix: str = "SETUP-") -> dict[str, str]:
    """Rule id → title of the registered rules with ``prefix``, in id order."""
    from dangjian.rules.registry import REGISTRY

    return {
        rid: spec.title for rid, (spec, _f) in sorted(REGISTRY.items()) if rid.startswith(prefix)
    }


@login_required
@require_GET
@bad_input_as_400
def findings(request: SignedInRequest) -> HttpResponse:
    require(request.user, Perm.FINDING_VIEW)
    titles = rule_titles()
    form = FindingFilterForm(request.GET, rule_choices=list(titles.items()))
    context: dict[str, Any] = {"form": form, "titles": titles}
    if not form.is_valid():
        return render(request, "web/findings.html", context, status=400)
    data = form.cleaned_data
    filters: CheckFilters = {
        "rules": "SETUP",
        "org_code": data["org"] or None,
        "at": data["at"],
        "rule_ids": [data["rule"]] if data["rule"] else None,
        "severity": data["severity"] or None,
        "sector": data["sector"] or None,
        "region": data["region"] or None,
    }
    stored = answer(request.user, **filters)
    if stored is not None:
        return _stored_page(request, stored, context, titles)
    try:
        items = page_findings(request.user, **filters)
    except Http404:
        form.add_error("org", f"组织编码“{data['org']}”不存在或不在您的管辖范围内")
        return render(request, "web/findings.html", context, status=400)
    except ValueError as exc:
        form.add_error(None, str(exc))
        return render(request, "web/findings.html", context, status=400)
    per_rule = Counter(f.rule for f in items)
    page = paginate(request, items)
    codes = {f.subject for f in page}
    names = dict(
        orgs_for(request.user, Perm.ORG_VIEW).filter(code__in=codes).values_list("code", "name")
    )
    context.update(
        {
            "page": page,
            "total": len(items),
            "per_rule": [(rid, titles.get(rid, rid), n) for rid, n in sorted(per_rule.items())],
            "rule_query": query_without(request, "page", "rule"),
            "rows": [{"f": f, "org_name": names.get(f.subject, "")} for f in page],
            "query": query_without(request, "page"),
        }
    )
    return render(request, "web/findings.html", context)


def _stored_page(
    request: SignedInRequest, stored: Stored, context: dict[str, Any], titles: dict[str, str]
) -> HttpResponse:
    """The list from the findings store: a page of its rows, the counts per rule grouped in
    the database (their sum is the total: no other count), and the evaluation they come
    from."""
    per_rule = stored.per_rule()
    total = sum(n for _rid, n in per_rule)
    page = paginate(request, stored.rows, count=total)
    context.update(
        {
            "page": page,
            "total": total,
            "per_rule": [(rid, titles.get(rid, rid), n) for rid, n in per_rule],
            "rule_query": query_without(request, "page", "rule"),
            "rows": [{"f": row.as_finding(row.org_code), "org_name": row.org_name} for row in page],
            "query": query_without(request, "page"),
            "evaluated": stored.evaluation,
        }
    )
    return render(request, "web/findings.html", context)
