"""What assessment and rectification pages show instead of internal codes: the Chinese title of
a rule id, and an evidence dict as Chinese lines.

Pages never show an evidence key (``full_members``), a raw ``True`` or a rule id on its own: a
rule id stays as a small tag beside its Chinese title (:func:`rule_title`), and
:func:`evidence_lines` turns the evidence of an indicator or a 软弱涣散 lead into lines such as
``正式党员人数：2``. A key without a label here is left out of the page (the full evidence stays
in the stored result and the API), never printed as it is.
"""

from __future__ import annotations

import functools
import re
from typing import Any

#: ASSESS-* rule titles (rules.md §6)
ASSESS_TITLES = {
    "ASSESS-VETO": "高压线一票否决",
    "ASSESS-SCORE-100": "百分制考核",
    "ASSESS-STARS": "星级评定",
    "ASSESS-TIERS": "先进、中间、后进分档",
    "ASSESS-WEAK": "软弱涣散认定标准",
    "ASSESS-RECTIFY": "一支一策整改",
}
#: families named with a wildcard by an indicator (``SETUP-*``)
FAMILY_TITLES = {
    "SETUP-*": "组织设置各项规定",
    "LIFE-*": "组织生活各项规定",
    "RECRUIT-*": "发展党员各项规定",
}


@functools.cache
def _titles() -> dict[str, str]:
    from dangjian.rules.engine import RULE_TITLES

    titles = dict(RULE_TITLES)
    try:
        from dangjian.recruit.checker import all_specs

        titles.update({spec.id: spec.title for spec in all_specs()})
    except ImportError:  # pragma: no cover - the recruit app is installed with this one
        pass
    titles.update(ASSESS_TITLES)
    titles.update(FAMILY_TITLES)
    return titles


_PERIOD = re.compile(r"^(\d{4})(?:-(Q[1-4]|\d{2}))?$")
_QUARTERS = {"Q1": "第一季度", "Q2": "第二季度", "Q3": "第三季度", "Q4": "第四季度"}


def period_label(period: Any) -> str:
    """A LIFE period in Chinese: ``2026-Q1`` → 2026年第一季度, ``2026-03`` → 2026年3月,
    ``2026`` → 2026年; anything else as it is."""
    text = str(period)
    m = _PERIOD.match(text)
    if not m:
        return text
    year, part = m.groups()
    if part is None:
        return f"{year}年"
    if part in _QUARTERS:
        return f"{year}年{_QUARTERS[part]}"
    return f"{year}年{int(part)}月"


def actor_label(name: Any) -> str:
    """Who entered a record, for a page: an operator of the command line is 命令行操作 (the
    machine account stays in the audit trail)."""
    text = str(name or "")
    return "命令行操作" if text.startswith("命令行") else text


def rule_title(rule_id: str) -> str:
    """The Chinese title of a rule id (``其他规定`` for an unknown one, never the id alone)."""
    return _titles().get(str(rule_id), "其他规定")


#: evidence key → label; a value of ``None`` means "read the value with :data:`_READERS`"
EVIDENCE_LABELS = {
    # counts and figures
    "at": "截至",
    "checked": "应落实次数",
    "met": "已落实次数",
    "meetings": "登记出席的会议",
    "expected": "应到人次",
    "present": "实到人次",
    "unrecorded": "未登记出席的会议",
    "held": "会议记录",
    "recorded": "登记出席的会议",
    "years": "考核年度数",
    "held_years": "已召开年度数",
    "periods": "周期",
    "full_members": "正式党员人数",
    "probationary_members": "预备党员人数",
    "members": "党员人数",
    "subtree_members": "下属党员人数",
    "committee_posts": "支委会委员人数",
    "units_covered": "覆盖单位数",
    "term_started_on": "本届任期开始",
    "term_years": "任期年限",
    "expected_years": "应有任期年限",
    "ends_on": "任期届满日",
    "overdue_days": "超期天数",
    "beyond_max_delay": "超过最长延期 1 年",
    "secretary_holders": "担任书记人数",
    "vacant_since": "书记空缺起始",
    "vacant_days": "空缺天数",
    "weak_and_lax": "属软弱涣散情形",
    "secretary_probationary": "书记为预备党员",
    "secretary_joined_on": "书记入党日期",
    "secretary_confirmed_on": "书记转正日期",
    "party_age_days": "书记党龄（天）",
    # recruitment
    "n_cases": "考核期内评判的发展党员案例",
    "faulty_cases": "有程序差错的案例",
    "cases": "案例编号",
    "errors": "程序差错",
    "excluded": "不计入的案例",
    "since": "统计起始",
    "candidates": "确定发展对象人数",
    "admitted": "接收新党员人数",
    "last_candidate": "最近确定发展对象",
    "last_admitted": "最近接收新党员",
    "last_place": "排名末位",
    "village": "所在村",
    "village_branches": "全村党支部数",
    # findings and rules
    "findings": "问题",
    "finding": "问题",
    "missed": "未落实",
    "counted_elsewhere": "在其他条目计分",
    "rule": "依据",
    "title": "名称",
    "message": "说明",
    # campaign and survey
    "total": "总分",
    "peers": "参与排名的组织数",
    "ranked_in": "排名范围",
    "entered_by_hand": "认定方式",
    "satisfaction": "群众满意率",
    "satisfied": "满意人数",
    "answers": "有效答卷",
    "low": "95% 区间下限",
    "high": "95% 区间上限",
}
EVIDENCE_LINES = 8


def _value(key: str, value: Any) -> str:
    if key == "entered_by_hand":
        return "上级组织研究认定" if value else "系统识别"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "missed" and isinstance(value, dict):  # a 软弱涣散 lead: rule → periods missed
        parts = [_item({"rule": rule, "periods": list(p)}) for rule, p in value.items()]
        return "；".join(parts[:3]) + (f" 等 {len(parts)} 项" if len(parts) > 3 else "")
    if key == "rule":
        return rule_title(value)
    if key in ("satisfaction", "low", "high") and isinstance(value, int | float):
        return f"{value * 100:.0f}%"
    if isinstance(value, dict):
        return _item(value)
    if (
        key in ("periods", "missed")
        and isinstance(value, list)
        and not any(isinstance(v, dict) for v in value)
    ):
        shown = [period_label(v) for v in value[:4]]
        return "、".join(shown) + (f" 等 {len(value)} 个周期" if len(value) > 4 else "")
    if isinstance(value, list):
        shown = [_item(v) if isinstance(v, dict) else str(v) for v in value[:3]]
        more = f" 等 {len(value)} 项" if len(value) > 3 else ""
        return "；".join(shown) + more
    return str(value)[:80]


def _item(value: dict[str, Any]) -> str:
    """One finding, missed rule, error or excluded case as a short Chinese phrase."""
    head = value.get("case") or ""
    if "reason" in value:
        return f"{head}：{value['reason']}" if head else str(value["reason"])
    if "message" in value:
        return f"{head}：{value['message']}"[:80] if head else str(value["message"])[:80]
    title = value.get("title") or (rule_title(value["rule"]) if "rule" in value else "")
    if "indicator" in value:
        return f"{title}（计入“{value['indicator']}”）"
    if "periods" in value:
        periods = [period_label(p) for p in value["periods"]]
        listed = "、".join(periods[:4]) + (f" 等 {len(periods)} 个周期" if len(periods) > 4 else "")
        return f"{title}：{listed}"
    return str(title)


def evidence_lines(evidence: Any) -> list[str]:
    """A few ``标签：值`` lines of an evidence dict, in Chinese (unknown keys left out)."""
    if not isinstance(evidence, dict):
        return []
    lines = []
    for key, value in evidence.items():
        if value in (None, "", [], {}) or key not in EVIDENCE_LABELS:
            continue
        lines.append(f"{EVIDENCE_LABELS[key]}：{_value(key, value)}")
        if len(lines) >= EVIDENCE_LINES:
            break
    return lines
