"""What users read instead of internal codes: Chinese labels for evidence keys and values, rule
titles, source citations and period labels. One place, used by every page and export.

Findings carry their evidence as a dict with stable English keys (formats.md: the JSON of the
CLI and the API keeps them). Pages and files show them through:

- :func:`evidence_items` — ``[(标签, 值), …]`` of an evidence dict, in Chinese: keys from
  :data:`EVIDENCE_LABELS` (``step_7`` → "第 7 步（确定发展对象）日期"), values rendered by
  :func:`evidence_value` (``True`` → 是, lists joined with "、", coded values such as
  ``"quarter"`` or ``"full_members"`` from :data:`VALUE_LABELS`, periods as "2026年第四季度",
  rule ids as their titles). Internal record ids are left out (:data:`HIDDEN_KEYS`).
- :func:`rule_title` — the Chinese title of any rule id, as the rules engine registered it.
- :func:`source_label` — "支部条例 art. 11" → "《中国共产党支部工作条例（试行）》第十一条".
- :func:`period_label` — "2026-Q4" → "2026年第四季度".

A key or value without a label is shown as it is, so the page test
(tests/web/test_every_page_chinese.py) finds it; tests/core/test_labels.py checks that every
evidence key the rule modules write has a label.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

#: evidence key → label (orgs/rules.py, life/rules/checks.py, recruit/rules.py, rectify/rules.py,
#: rectify/campaign.py, assess/indicators.py, life/rules/params.py)
EVIDENCE_LABELS: dict[str, str] = {
    # 组织设置 (SETUP)
    "full_members": "正式党员人数",
    "registrations": "双报到登记人数",
    "households": "户数",
    "per_100_households": "每百户双报到人数",
    "probationary_members": "预备党员人数",
    "members": "党员人数",
    "subtree_members": "所属党员人数（含下级）",
    "committee_posts": "支委会成员人数",
    "units_covered": "覆盖单位数",
    "secretary_probationary": "书记为预备党员",
    "secretary_joined_on": "书记入党日期",
    "secretary_confirmed_on": "书记转正日期",
    "party_age_days": "书记党龄（天）",
    "secretary_holders": "担任书记人数",
    "vacant_since": "书记空缺起始日期",
    "vacant_days": "空缺天数",
    "weak_and_lax": "列为软弱涣散",
    "term_years": "任期年限",
    "expected_years": "应有任期年限",
    "term_started_on": "本届任期开始日期",
    "ends_on": "任期届满日期",
    "overdue_days": "超期天数",
    "beyond_max_delay": "超过最长延期",
    "voters": "有表决权的党员人数",
    "ineligible_holders": "无被选举权的委员",
    "participants": "参加人员人数",
    "participants_full": "参加人员中的正式党员人数",
    "delay_approved_by": "批准延期换届的组织",
    "delay_approved_on": "批准延期日期",
    "delay_new_deadline": "延期后的换届期限",
    "days_past_delay": "超过延期期限天数",
    # SETUP parameters (shown with the configuration)
    "min_full": "正式党员最少人数",
    "max_members": "党员最多人数",
    "general_min": "党总支党员最少人数",
    "general_max": "党总支党员最多人数",
    "committee_min": "基层党委党员最少人数",
    "full_threshold": "设支委会的正式党员人数",
    "min_committee": "支委会最少人数",
    "max_committee": "支委会最多人数",
    "max_units": "覆盖单位最多个数",
    "min_years": "最短党龄（年）",
    "weak_after_months": "空缺多少个月列为软弱涣散",
    "remind_months": "提前提醒月数",
    "max_delay_years": "最长延期（年）",
    # 组织生活 (LIFE)
    "meeting_types": "会议类型",
    "frequency": "检查周期",
    "required": "应开次数",
    "held": "已开次数",
    "days_left": "剩余天数",
    "held_on": "会议日期",
    "entered_on": "录入日期",
    "days": "天数",
    "late_days": "补录标准（天）",
    "expected": "应到人数",
    "present": "实到人数",
    "basis": "计算依据",
    "name": "姓名",
    "months": "月份",
    "month": "月份",
    "quarter": "季度",
    "config": "参数版本",
    "version": "版本",
    "source": "来源",
    "types": "会议类型",
    "min_count": "最少次数",
    "min_committee_posts": "支委会最少人数",
    "without_vote": "无表决权的党员",
    "counts_for_year": "计入年度",
    "branch": "所在党支部",
    "absences": "计入的缺席",
    "meeting_type": "会议类型",
    "reason": "原因",
    "next_year_months": "次年可补开月数",
    "founded_by": "当年成立须不晚于",
    # 发展党员 (RECRUIT)
    "deadline": "期限",
    "birth_date": "出生日期",
    "turns_18": "年满十八岁日期",
    "earliest": "最早可办日期",
    "contacts": "培养联系人人数",
    "contact_statuses": "培养联系人",
    "extended_months": "延长后的审批期限（月）",
    "extension_approved_on": "批准延长日期",
    "before": "公示须在此步之前结束",
    "vote_within_months": "预备期满后应表决的期限（月）",
    "retention_years": "个人信息保存年限",
    "introducers": "入党介绍人",
    "political_review": "政治审查",
    "training_hours": "培训学时",
    "hours": "应有学时",
    "workdays": "公示工作日",
    "notice": "公示事项",
    "notices": "公示事项",
    "first_day": "公示开始日期",
    "last_day": "公示结束日期",
    "vote": "表决事项",
    "entitled": "应到（有表决权）人数",
    "yes": "赞成人数",
    "extension_months": "延长预备期（月）",
    "probation_extension_months": "延长预备期（月）",
    "probation_ends": "预备期届满日期",
    "min_months": "最短月数",
    "max_months": "最长月数",
    "due_days": "提前提醒天数",
    "review": "最近一次考察日期",
    "expected_leaving_on": "预计离开本单位日期",
    "at": "截至",
    "approver": "审批党组织",
    "approver_type": "审批党组织类别",
    "approver_under_town": "隶属于乡镇（街道）党委",
    "year": "年度",
    "group": "单列计划类别",
    "groups": "单列计划",
    "groups_due": "检查单列计划",
    "quota": "计划名额",
    "admitted": "已接收人数",
    "probation_watch": "留党察看",
    "full": "正式党员",
    "probationary": "预备党员",
    "activist": "确定入党积极分子",
    "candidate": "确定发展对象",
    "admission": "接收预备党员",
    "conversion": "预备党员转正",
    "admission_vote": "接收预备党员表决",
    "conversion_vote": "转正表决",
    "max": "最多人数",
    "findings": "问题",
    "not_checked": "未检查",
    # 软弱涣散 (ASSESS-WEAK) and assessment indicators
    "since": "起始日期",
    "last_candidate": "最近确定发展对象日期",
    "last_admitted": "最近接收党员日期",
    "missed": "未完成",
    "survey": "测评",
    "satisfaction": "群众满意率",
    "satisfied": "满意答卷数",
    "answers": "有效答卷数",
    "low": "区间下限",
    "high": "区间上限",
    "total": "总分",
    "tier": "档次",
    "stars": "星级",
    "peers": "同一上级的组织数",
    "condition": "认定情形",
    "label": "名称",
    "message": "说明",
    "rule": "规则",
    "rules": "规则",
    "severity": "级别",
    "periods": "周期",
    "met": "已完成",
    "checked": "应完成",
    "meetings": "会议次数",
    "years": "年份",
    "held_years": "已召开年份",
    "finding": "问题",
    "cases": "发展党员案例",
    "case": "案例编号",
    "n_cases": "案例数",
    "errors": "程序差错",
    "candidates": "发展对象",
    "title": "名称",
    "evidence": "依据",
    "faulty_cases": "有程序差错的案例",
    "excluded": "不计入的案例",
    "counted_elsewhere": "在其他条目计分",
    "indicator": "计入指标",
    "recorded": "登记出席的会议",
    "unrecorded": "未登记出席的会议",
    "village": "所在村",
    "village_branches": "全村党支部数",
    "ranked_in": "排名范围",
    "last_place": "排名末位",
    "entered_by_hand": "认定方式",
    "numerator": "分子",
    "denominator": "分母",
    "orders": "群众点单件数",
    # 党员教育培训 (TRAINING)
    "members_met": "达到规定学时的党员人数",
    "leaders": "书记和班子成员人数",
    "leaders_met": "达到规定学时的书记和班子成员人数",
    "member_hours": "党员每年应有学时",
    "leader_hours": "书记和班子成员每年应有学时",
    "added": "添加人数",
    "how": "添加方式",
    "participant": "参训党员",
    # relation transfers (transfer/rules.py)
    "letters": "组织关系介绍信编号",
    "moved_on": "转接生效日期",
    # 困难党员帮扶 (care/rules.py)
    "last_visit_on": "上次走访日期",
    "next_visit_on": "应走访日期",
    "days_late": "逾期天数",
    # the audit snapshots of the hardship register (care/services.py)
    "level": "困难程度",
    "until": "销号日期",
    "close_reason": "销号原因",
    "helpers": "帮扶组织",
    "note_changed": "修改了困难情况说明",
    "help": "帮扶记录编号",
    "help_kind": "帮扶方式",
    "amount": "金额（元）",
    "given_on": "帮扶日期",
    "visit": "走访记录编号",
    "occasion": "走访时机",
    "visited_on": "走访日期",
    "recorded_due": "核定的每月党费（元）",
    "expected_due": "按现行标准每月应交（元）",
    "joined_on": "支部大会通过日期",
    "dues_category": "党费交纳类别",
    "monthly_due": "每月应交党费（元）",
    "voluntary_due": "自愿每月交纳（元）",
    "dues_amount": "党费金额（元）",
    "statement_file": "银行流水文件",
    "payments": "登记笔数",
    "month_from": "起始月份",
    "month_to": "终止月份",
    "good_reason": "正当理由",
    "to_org": "接收组织",
    # 流动党员与失联党员 (REL-TRANSFER, REL-LOST-CONTACT)
    "outflow_id": "外出登记编号",
    "lost_id": "失联登记编号",
    "away_since": "外出日期",
    "away_months": "外出月数",
    "fixed_place": "地点固定",
    "lost_since": "失去联系日期",
    "lost_months": "失联月数",
    "suspended_on": "停止党籍日期",
    "decision": "提请决定事项",
    # 两新组织覆盖 (liangxin/services.py, LIANGXIN-WORK-COVERAGE)
    "unit_name": "单位名称",
    "uscc": "统一社会信用代码",
    "unit_kind": "单位类型",
    "industry": "所属行业",
    "unit_size": "规模",
    "region_code": "行政区划代码",
    "managing_org": "管理党组织",
    "org_mode": "党组织建立方式",
    "party_org": "所在党组织",
    "employees": "从业人员数",
    "advisor": "党建指导员编号",
    "advisor_role": "身份",
    "assigned_until": "选派结束日期",
    "import_file": "导入文件",
    "import_rows": "文件行数",
    "import_created": "新增单位数",
    "import_updated": "更新单位数",
    "closed_on": "注销日期",
    "closed_reason": "注销原因",
    "assignments_ended": "随之结束的选派数",
    "reopen_note": "撤销注销的说明",
    "import_updated_codes": "更新的统一社会信用代码",
    "has_account": "有系统账号",
    "min_visits_per_year": "每年最少指导活动次数",
    "visits": "本年指导活动次数",
    # 典型 (dangjian/exemplar)
    "sector": "领域",
    "themes": "主题",
    "meeting": "组织生活记录编号",
    "named_on": "命名日期",
    "review_on": "下次复核日期",
    "revoked_on": "撤销日期",
}

#: record ids and other keys that mean nothing to a reader (kept in the JSON, not shown)
HIDDEN_KEYS = frozenset({"meeting_id", "member_id", "org_id", "id", "campaign", "survey"})

#: coded values → label, per evidence key (a value not listed is shown as it is)
VALUE_LABELS: dict[str, dict[str, str]] = {
    "frequency": {"month": "每月", "quarter": "每季度", "half_year": "每半年", "year": "每年"},
    "basis": {
        "full_members": "出席名单中的正式党员",
        "voters": "会议当天有表决权的党员",
        "figures": "登记的应到、实到人数",
    },
    "political_review": {"pass": "合格", "fail": "不合格", "none": "未进行"},
    "introducers": {
        "full": "正式党员",
        "probationary": "预备党员",
        "probation_watch": "留党察看或停止党籍",
        "not_member": "当时不是党员",
    },
    "notice": {
        "activist": "确定入党积极分子",
        "candidate": "确定发展对象",
        "admission": "接收预备党员",
        "conversion": "预备党员转正",
    },
    "vote": {"admission_vote": "接收预备党员表决", "conversion_vote": "转正表决"},
    "tier": {"advanced": "先进", "middle": "中间", "lagging": "后进"},
    "severity": {"error": "错误", "warning": "提醒", "due": "待办"},
    "condition": {
        "secretary_vacant": "书记空缺超过规定期限",
        "life_not_held": "未按支部条例要求开展组织生活",
        "no_candidate": "村长期未发展党员",
        "last_place": "年度考核排名末位",
        "low_satisfaction": "群众满意率低于规定比例",
    },
}
VALUE_LABELS["notices"] = VALUE_LABELS["notice"]
VALUE_LABELS["contact_statuses"] = VALUE_LABELS["introducers"]
VALUE_LABELS["entered_by_hand"] = {"True": "上级组织研究认定", "False": "系统识别"}
#: keys whose values are periods of a checker (2026-Q4, 2026-11, 2026)
PERIOD_KEYS = frozenset({"months", "month", "quarter", "period", "periods", "missed", "years"})
#: keys whose numbers are shares (0.85 → 85%)
PERCENT_KEYS = frozenset({"satisfaction", "low", "high"})

#: a rule id as it appears in data
RULE_ID = re.compile(r"(?:SETUP|LIFE|RECRUIT|ASSESS|DUES|REL|SERVICE)(?:-[A-Z0-9]+)+")
#: a Chinese character (CJK unified ideographs and extension A)
CJK = re.compile(r"[\u3400-\u9fff]")
_STEP_KEY = re.compile(r"step_(\d{1,2})")
_QUARTERS = "一二三四"


#: lookups the upper layers register when they are ready (core imports none of them):
#: ``"rule_title"`` (rule id → Chinese title, the rules engine's registry) and
#: ``"step_names"`` (() → {step number: name} of the recruitment procedure)
_LOOKUPS: dict[str, Callable[..., Any]] = {}


def register_lookup(name: str, func: Callable[..., Any]) -> None:
    """Register a lookup of an upper layer (see :data:`_LOOKUPS`)."""
    _LOOKUPS[name] = func


def rule_title(rule_id: str) -> str:
    """The Chinese title of ``rule_id`` as the rules engine registered it (see
    :func:`dangjian.rules.registry.rule_title`); unknown → the id."""
    lookup = _LOOKUPS.get("rule_title")
    rule_id = str(rule_id or "").strip()
    return str(lookup(rule_id)) if lookup is not None else rule_id


def rule_with_id(rule_id: str) -> str:
    """ "标题（RULE-ID）" — the form for a cell of a file, where no tag can be drawn."""
    title = rule_title(rule_id)
    return f"{title}（{rule_id}）" if title != rule_id else rule_id


def severity_label(severity: str) -> str:
    return VALUE_LABELS["severity"].get(severity, severity)


def split_rule_ids(value: str) -> list[str]:
    """Rule ids of a value that may hold several (``"LIFE-A,LIFE-B"``)."""
    return [part.strip() for part in re.split(r"[,，、;；\s]+", str(value or "")) if part.strip()]


def period_label(label: Any) -> str:
    """A period as the checkers label it, in Chinese: 2026-Q4 → 2026年第四季度, 2026-11 →
    2026年11月, 2026-H1 → 2026年上半年, 2026 → 2026年; anything else unchanged."""
    text = str(label or "").strip()
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
        return f"{m[1]}年第{_QUARTERS[int(m[2]) - 1]}季度"
    if m := re.fullmatch(r"(\d{4})-H([12])", text):
        return f"{m[1]}年{'上' if m[2] == '1' else '下'}半年"
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        return f"{m[1]}年{int(m[2])}月"
    if re.fullmatch(r"\d{4}", text):
        return f"{text}年"
    return text


def evidence_label(key: Any) -> str:
    """The Chinese label of an evidence key (a rule id → its title; ``step_N`` → the step)."""
    key = str(key)
    if key in EVIDENCE_LABELS:
        return EVIDENCE_LABELS[key]
    if m := _STEP_KEY.fullmatch(key):
        number = int(m[1])
        name = _step_names().get(number)
        return f"第 {number} 步（{name}）日期" if name else f"第 {number} 步日期"
    if RULE_ID.fullmatch(key):
        return rule_title(key)
    return key


def _step_names() -> dict[int, str]:
    """The 25 steps of the recruitment procedure (细则), as the checker names them."""
    lookup = _LOOKUPS.get("step_names")
    return dict(lookup()) if lookup is not None else {}


def _number(value: float | Decimal) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text or "0"


def evidence_value(value: Any, key: str = "") -> str:
    """A value of an evidence dict as text a user reads (see the module docstring)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return VALUE_LABELS.get(key, {}).get(str(value), "是" if value else "否")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        if key in PERCENT_KEYS and isinstance(value, float | Decimal) and 0 <= value <= 1:
            return f"{float(value) * 100:.0f}%"
        return str(value) if isinstance(value, int) else _number(value)
    if isinstance(value, Mapping):
        parts = [
            f"{evidence_label(k)}：{evidence_value(v, str(k))}"
            for k, v in value.items()
            if str(k) not in HIDDEN_KEYS
        ]
        return "；".join(parts) if parts else "—"
    if isinstance(value, list | tuple | set | frozenset):
        items = [evidence_value(v, key) for v in value]
        return "、".join(items) if items else "无"
    text = str(value)
    coded = VALUE_LABELS.get(key, {})
    if text in coded:
        return coded[text]
    if key in ("rule", "rules") or RULE_ID.fullmatch(text):
        ids = split_rule_ids(text)
        if ids and all(RULE_ID.fullmatch(i) for i in ids):
            return "、".join(rule_title(i) for i in ids)
    if key == "source":
        return source_label(text)
    if key == "version" and text.startswith("rules.md-"):
        return f"平台默认参数 {text.removeprefix('rules.md-')} 版"
    if key in PERIOD_KEYS or RULE_ID.fullmatch(key) or re.fullmatch(r"\d{4}-[QH]\d", text):
        return period_label(text)
    return text


def evidence_items(evidence: Any) -> list[tuple[str, str]]:
    """``[(label, value), …]`` of an evidence dict, internal ids and empty values left out."""
    if not isinstance(evidence, Mapping):
        return []
    return [
        (evidence_label(k), evidence_value(v, str(k)))
        for k, v in evidence.items()
        if str(k) not in HIDDEN_KEYS and v not in (None, "", [], {})
    ]


def evidence_lines(evidence: Any, limit: int | None = None) -> list[str]:
    """ "标签：值" lines of an evidence dict (at most ``limit``), for pages."""
    return [f"{label}：{value}" for label, value in evidence_items(evidence)[:limit]]


def evidence_text(evidence: Any, sep: str = "；") -> str:
    """The evidence as one line ("正式党员人数：2；预备党员人数：1"), for files and tables."""
    return sep.join(f"{label}：{value}" for label, value in evidence_items(evidence))


# --- source citations ---------------------------------------------------------------------------

#: abbreviations used in rule specs → the document's full title
DOCUMENTS: dict[str, str] = {
    "支部条例": "《中国共产党支部工作条例（试行）》",
    "机关条例": "《中国共产党党和国家机关基层组织工作条例》",
    "农村条例": "《中国共产党农村基层组织工作条例》",
    "选举条例": "《中国共产党基层组织选举工作条例》",
    "党章": "《中国共产党章程》",
    "细则": "《中国共产党发展党员工作细则》",
    "教育管理条例": "《中国共产党党员教育管理工作条例》",
    "任期意见": "《关于党的基层组织任期的意见》",
    "党费规定": "《关于中国共产党党费收缴、使用和管理的规定》",
}
#: phrases of sources that are not a document of the party
PHRASES: list[tuple[str, str]] = [
    ("this project's principle", "本平台规则（如实补录原则）"),
    ("local practice", "地方惯例"),
    ("local standard", "地方规定"),
    ("local default", "地方惯例"),
    ("national practice", "通行做法"),
    ("12371 Q&A", "共产党员网问答"),
    ("seed 000", "基层党建质量提升年工作部署"),
    ("seed 001", "上海市闵行区“五好”党组织创建经验"),
    ("seed 002", "福建省松溪县基层党建工作经验"),
    ("seed 003", "北京《前线》杂志《从严从实加强党的基层党组织建设》"),
    ("seed 004", "天津市推进基层党建全面进步全面过硬经验"),
]
_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 11 → 十一, 24 → 二十四, 105 → 一百零五 (article and chapter numbers)."""
    if n < 0:
        return str(n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = "" if not rest else ("零" + _DIGITS[rest] if rest < 10 else chinese_number(rest))
        if 10 <= rest < 20:
            tail = "一" + chinese_number(rest)
        return _DIGITS[n // 100] + "百" + tail
    return str(n)


def years_text(years: int) -> str:
    """A span of whole years in a message: "一年", else " n 年" (spaced like the other numbers of
    a message)."""
    return "一年" if years == 1 else f" {years} 年"


def _places(kind: str, text: str) -> str:
    """ "4–5" → 第四条至第五条; "9, 13" → 第九条、第十三条 (kind: 条 or 章)."""
    parts = []
    for item in re.split(r"\s*[,，、]\s*", text.strip()):
        if m := re.fullmatch(r"(\d+)\s*[–\-~至]\s*(\d+)", item):
            parts.append(
                f"第{chinese_number(int(m[1]))}{kind}至第{chinese_number(int(m[2]))}{kind}"
            )
        elif item.isdigit():
            parts.append(f"第{chinese_number(int(item))}{kind}")
        elif item:
            parts.append(item)
    return "、".join(parts)


def _cite(part: str) -> str:
    part = part.strip()
    part = re.sub(
        r"rules\.md\s*§\s*(\d+)", lambda m: f"本平台规则目录第{chinese_number(int(m[1]))}节", part
    )
    part = part.replace("rules.md", "本平台规则目录")
    for phrase, label in PHRASES:
        part = part.replace(phrase, label)
    numbers = r"(\d[\d–\-~至,， ]*\d|\d)"
    part = re.sub(rf"\bart\.\s*{numbers}", lambda m: _places("条", m[1]), part)
    part = re.sub(rf"\bch\.\s*{numbers}", lambda m: _places("章", m[1]), part)
    part = re.sub(r"\(step (\d+)\)", lambda m: f"（第{chinese_number(int(m[1]))}步）", part)
    for short, full in sorted(DOCUMENTS.items(), key=lambda kv: -len(kv[0])):
        part = re.sub(rf"(?<![《\w]){short}(?![\w》])\s*", full, part, count=1)
    return part.strip()


def source_label(source: Any) -> str:
    """A rule's source in Chinese: "支部条例 art. 4–5" → "《中国共产党支部工作条例（试行）》第四条至
    第五条"; several sources ("; ", " + ") are joined with "；"."""
    text = str(source or "").strip()
    if not text:
        return ""
    parts = [p for p in re.split(r"\s*(?:;|；|\s\+\s)\s*", text) if p.strip()]
    return "；".join(_cite(p) for p in parts)
