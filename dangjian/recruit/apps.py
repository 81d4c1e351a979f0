from django.apps import AppConfig


class RecruitConfig(AppConfig):
    name = "dangjian.recruit"
    verbose_name = "发展党员"

    def ready(self) -> None:
        # the RECRUIT family: its rules (registered by importing recruit/rules.py), the check
        # of their parameter values, the step names for labels, and its checker for the runner
        from dangjian.core.labels import register_lookup
        from dangjian.orgs.services import on_org_move
        from dangjian.rules.params import register_validator
        from dangjian.rules.registry import register_family
        from dangjian.rules.runner import register_checker, register_subject_orgs

        from . import rules
        from .case import STEPS
        from .config import DEFAULT_SOURCE, DEFAULT_VERSION
        from .rollups import org_moved

        register_family(
            "RECRUIT", "发展党员", section=3, version=DEFAULT_VERSION, source=DEFAULT_SOURCE
        )
        register_validator("RECRUIT", rules.validate_params)
        register_lookup("step_names", lambda: STEPS)
        register_checker("RECRUIT", _check)
        register_subject_orgs("RECRUIT", _case_orgs)  # the findings store keeps them by branch
        on_org_move(org_moved)  # the stored paths of the cases follow a moved organization


def _check(request, specs, rule_ids, result):  # type: ignore[no-untyped-def]
    from .selectors import recruit_check

    part = request.cache.get("part")  # a part of the findings store's refresh
    findings, labels, cases = recruit_check(
        request.actor,
        prefix=request.prefix,
        at=request.at,
        rule_ids=rule_ids,
        sector=request.sector,
        region=request.region or None,
        only=part["paths"] if part is not None else None,
    )
    result.findings.extend(findings)
    result.labels.update(labels)
    result.checked_cases = cases


def _case_orgs(case_nos):  # type: ignore[no-untyped-def]
    from .models import RecruitCase

    found: dict[str, int] = {}
    for start in range(0, len(case_nos), 1000):
        rows = RecruitCase.objects.filter(case_no__in=case_nos[start : start + 1000])
        found.update(rows.values_list("case_no", "org_id"))
    return found
