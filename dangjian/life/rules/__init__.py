"""The LIFE rules (组织生活, ``LIFE-*`` of rules.md §2) and the formalism hints, registered with
the rules engine when the life app is ready.

- :mod:`.params`: the rules' default parameters, their validation and the readings the life app
  asks of them (``carry_months``, ``late_days``, ``good_reasons`` …);
- :mod:`.checks`: periods, the facts of a scope in bulk, the rule functions and their checker;
- :mod:`.hints`: the formalism hints (形式主义线索) and their thresholds as ``HINT-*`` rules.
"""

from . import hints  # noqa: F401  (registers the HINT-* rules)
from .checks import (
    FACTS_SOURCE,
    NOT_FOR_TEMPORARY,
    TALLY_ONLY,
    LifeFacts,
    Period,
    check_window,
    deadline,
    evaluate_life,
    facts_from,
    grace_of,
    is_life,
    judged_periods,
    month_index,
    period_of,
    period_title,
    periods_between,
    secretary_lecture_progress,
    types_q,
    year_known_until,
)
from .params import (
    DEFAULTS,
    FREQUENCIES,
    FREQUENCY_RULES,
    SECRETARY_LECTURE_RULE,
    carry_months,
    check_params,
    config_info,
    founded_by,
    good_reasons,
    late_days,
    yearly_types,
)

__all__ = [
    "DEFAULTS",
    "FACTS_SOURCE",
    "FREQUENCIES",
    "FREQUENCY_RULES",
    "NOT_FOR_TEMPORARY",
    "SECRETARY_LECTURE_RULE",
    "TALLY_ONLY",
    "LifeFacts",
    "Period",
    "carry_months",
    "check_params",
    "check_window",
    "config_info",
    "deadline",
    "evaluate_life",
    "facts_from",
    "founded_by",
    "good_reasons",
    "grace_of",
    "is_life",
    "judged_periods",
    "late_days",
    "month_index",
    "period_of",
    "period_title",
    "periods_between",
    "secretary_lecture_progress",
    "types_q",
    "year_known_until",
    "yearly_types",
]
