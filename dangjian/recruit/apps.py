from django.apps import AppConfig

#: rules.md §3 in order (temporary: until recruit/rules.py registers the RECRUIT rules itself)
_ORDER = [
    "RECRUIT-ORDER",
    "RECRUIT-AGE-18",
    "RECRUIT-TALK-1-MONTH",
    "RECRUIT-APPLICATION-6-MONTHS",
    "RECRUIT-CONTACTS",
    "RECRUIT-ACTIVIST-REVIEW-HALF-YEAR",
    "RECRUIT-ACTIVIST-1-YEAR",
    "RECRUIT-INTRODUCERS",
    "RECRUIT-POLITICAL-REVIEW",
    "RECRUIT-TRAINING-3-DAYS",
    "RECRUIT-PREREVIEW",
    "RECRUIT-LEAVING-3-MONTHS",
    "RECRUIT-PUBLICITY-5-WORKDAYS",
    "RECRUIT-VOTE-MAJORITY",
    "RECRUIT-APPROVAL-3-MONTHS",
    "RECRUIT-APPROVER-AUTHORITY",
    "RECRUIT-PROBATION-1-YEAR",
    "RECRUIT-EXTENSION",
    "RECRUIT-CONVERSION-APPROVAL-3-MONTHS",
    "RECRUIT-ARCHIVE",
    "RECRUIT-PLAN",
]


class RecruitConfig(AppConfig):
    name = "dangjian.recruit"
    verbose_name = "发展党员"

    def ready(self) -> None:
        # temporary bridge to the rules engine (the recruit helper's recruit/rules.py replaces it)
        from dangjian.core.labels import register_lookup
        from dangjian.rules.params import register_validator
        from dangjian.rules.registry import register_family, rule
        from dangjian.rules.runner import register_checker

        from .checker import RECRUIT_RULES, STEPS, all_specs, validate_params
        from .config import DEFAULT_SOURCE, DEFAULT_VERSION

        register_family(
            "RECRUIT", "发展党员", section=3, version=DEFAULT_VERSION, source=DEFAULT_SOURCE
        )
        register_validator("RECRUIT", validate_params)
        register_lookup("step_names", lambda: STEPS)
        specs = {s.id: s for s in all_specs()}
        for rule_id in _ORDER:
            if rule_id in specs:
                func = RECRUIT_RULES[rule_id][1] if rule_id in RECRUIT_RULES else _no_function
                rule(specs[rule_id])(func)
        register_checker("RECRUIT", _check)


def _no_function(*args, **kwargs):  # type: ignore[no-untyped-def]
    """RECRUIT rules run in the recruitment checker (dangjian.recruit.checker)."""
    raise NotImplementedError


def _check(request, specs, rule_ids, result):  # type: ignore[no-untyped-def]
    from .selectors import recruit_check

    findings, labels, cases = recruit_check(
        request.actor,
        prefix=request.prefix,
        at=request.at,
        rule_ids=rule_ids,
        sector=request.sector,
        region=request.region or None,
    )
    result.findings.extend(findings)
    result.labels.update(labels)
    result.checked_cases = cases
