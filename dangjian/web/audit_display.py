"""The audit trail as an auditor reads it: the changed fields of an entry with Chinese names and
values. The trail stores the services' snapshots with their field names (``is_active``,
``roles``, ``status`` …); this names each field by the model's own ``verbose_name`` where the
object type has a model, else by the evidence vocabulary, and shows coded values (choices,
roles, booleans, formats) by their labels.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from dangjian.accounts.roles import ROLES
from dangjian.core import labels

#: object_type of the trail → model (app label, model name)
OBJECT_MODELS: dict[str, tuple[str, str]] = {
    "user": ("accounts", "user"),
    "security_policy": ("accounts", "securitypolicy"),
    "api_token": ("api", "apitoken"),
    "organization": ("orgs", "organization"),
    "member": ("members", "member"),
    "meeting": ("life", "meeting"),
    "recruit_case": ("recruit", "recruitcase"),
    "recruit_step": ("recruit", "recruitstep"),
    "recruit_notice": ("recruit", "recruitnotice"),
    "recruit_review": ("recruit", "activistreview"),
    "recruit_plan": ("recruit", "recruitplan"),
    "campaign": ("assess", "campaign"),
    "campaign_org": ("assess", "campaignorg"),
    "selfcheckscore": ("assess", "selfcheckscore"),
    "spotcheckscore": ("assess", "spotcheckscore"),
    "veto_event": ("assess", "vetoevent"),
    "survey": ("survey", "survey"),
    "rectification_plan": ("rectify", "rectificationplan"),
    "rectification_task": ("rectify", "rectificationtask"),
    "service_order": ("service", "order"),
    "grid": ("service", "grid"),
    "volunteer_team": ("service", "volunteerteam"),
    "double_report": ("service", "doublereport"),
    "double_report_rating": ("service", "doublereportrating"),
    "service_department": ("service", "department"),
    "service_area": ("service", "servicearea"),
    "service_visit": ("service", "visit"),
    "training_course": ("training", "course"),
    "transfer": ("transfer", "transfer"),
    "outflow": ("mobile", "outflow"),
    "lost_contact": ("mobile", "lostcontact"),
    "inspection_plan": ("inspection", "inspectionplan"),
    "inspection_visit": ("inspection", "visit"),
    "inspection_finding": ("inspection", "finding"),
}

#: snapshot keys that are not model fields, or whose field name says less than this
FIELD_LABELS: dict[str, str] = {
    "roles": "角色",
    "pending_roles": "待安全管理员批准的角色",
    "role": "角色",
    "requested_by": "申请人",
    "parent": "上级组织",
    "org": "所属组织",
    "format": "格式",
    "file": "文件名",
    "fields": "包含字段",
    "count": "条数",
    "year": "年度",
    "case_no": "案例编号",
    "reason": "原因",
    "names": "姓名",
    "records": "条数",
    "rows": "行数",
    "tier": "规模",
    "seed": "随机种子",
    "attendance": "出席情况",
    "tasks": "整改任务",
    "progress": "进展",
    "attachment": "附件",
    "size": "大小（字节）",
    "step": "步骤",
    "number": "步骤",
    "details": "详情",
    "decision": "审批结论",
    "quotas": "单列计划",
    "groups": "单列计划",
    "codes": "邀请码个数",
    "sampled": "随机抽中",
    "picked": "指定抽查",
    "hand_picked": "指定抽查",
    "status": "状态",
    "from": "原状态",
    "to": "新状态",
    "expires_at": "过期时间",
    "prefix": "令牌前缀",
    "id_number": "公民身份号码",
    "phone": "联系电话",
    "summary": "摘要",
    "error": "错误",
    "orgs": "组织数",
    "members": "党员数",
    "meetings": "会议数",
    "cases": "案例数",
    "conditions": "认定依据",
    "member": "党员记录号",
    "recruit_case": "发展党员案例",
    "talker": "谈话人",
    "withdrawn_on": "终止日期",
    "written_opinions": "书面意见人数",
    "how_chars": "整改措施字数",
    "summary_chars": "问题概述字数",
    "text_chars": "进展情况字数",
    "note": "说明",
    "on": "日期",
    "invite_codes": "邀请码个数",
    "tiers": "档次分布",
    "advanced": "先进",
    "middle": "中间",
    "lagging": "后进",
    "participants": "参评组织数",
    "period": "考核期",
    "phases": "各阶段日期",
    "scored": "已评分组织数",
    "self_checks": "自查条数",
    "spot_checks": "抽查条数",
    "skipped": "未评分组织数",
    "standard": "考核标准",
    "veto": "触及高压线组织数",
    "line": "高压线",
    "root": "考核范围",
    "key": "用途",
    "campaign": "考核编号",
    "roll_entitled": "名册中有表决权的党员人数",
    "also_counts_as": "同时计为",
    "kind": "状态",
    "started_on": "起始日期",
    "ends_on": "终止日期",
    "ended_on": "结束日期",
    "decided_by": "决定机关",
    "decision_no": "决定文号",
    "approved_by": "批准机关",
    # 述职评议 (dangjian/review)
    "plan": "整改方案编号",
    "problems": "问题清单",
    "grade": "评议等次",
    "item": "评议项目",
    "items": "评议项目",
    "chars": "述职报告字数",
    "submitted": "已提交",
    "tallies": "票数",
    "rater_kinds": "评议人员类别",
    "rater_kind": "评议人员类别",
    "grade_rule": "等次比例规则",
    "reports": "述职组织数",
    "approved_on": "批准日期",
    "new_deadline": "延期后的换届期限",
    "term_started_on": "本届任期开始日期",
    "term_ends_on": "任期届满日期",
    "member_org": "党员所在党支部",
    "needs": "发现的需求（项）",
    "post": "职务",
    "months": "月数",
    "purged_at": "删除时间",
    "retention_years": "保存年限（年）",
    "lecturer": "讲课人",
    "lecturer_org": "讲课党委",
    "lecturer_role": "讲课人身份",
    "minutes_chars": "记录字数",
    "late": "补录",
    "description_chars": "诉求字数",
    "workers": "网格员",
    "member_kind": "党员类别",
    "member_user": "队员本人账号",
    # 流动党员 and 失联党员 (dangjian/mobile): the activities and search steps of a record
    "host": "流入地党组织",
    "held_on": "活动日期",
    "activity": "活动内容",
    "done_on": "查找日期",
    "how": "查找方式及结果",
    "done_by": "查找人",
    # 督查暗访 (dangjian/inspection), and a plan closed by the last task confirmed (rectify)
    "inspection_kind": "督查方式",
    "checklist": "检查清单",
    "inspectors": "督查人员（编号）",
    "met": "符合项数",
    "not_met": "不符合项数",
    "not_applicable": "不适用项数",
    "concerns": "涉及的规则或考核标准条目",
    "rectification_plan": "整改方案编号",
    "new_plan": "新制定整改方案",
    "plan_status": "整改方案状态",
}
#: values of the "format" and "fields" keys
_VALUE_WORDS = {
    "pdf": "PDF",
    "xlsx": "Excel",
    "docx": "Word",
    "csv": "CSV",
    "id_number": "公民身份号码",
    "phone": "联系电话",
}
#: coded values of snapshot keys that are not model choices
VALUE_BY_KEY: dict[str, dict[str, str]] = {
    # introducers' standing in a step's details
    "status": labels.VALUE_LABELS["introducers"],
    "decision": {
        "approved": "同意",
        "rejected": "不同意",
        "extended": "延长预备期",
        "cancelled": "取消预备党员资格",
    },
    "tier": {"tiny": "小规模演示", "district": "区县", "city": "城市"},
    "plan_status": {"open": "整改中", "done": "已完成"},
}
_CJK = re.compile(r"[\u3400-\u9fff]")


@functools.cache
def _model(object_type: str) -> Any:
    target = OBJECT_MODELS.get(object_type)
    if target is None:
        return None
    try:
        return apps.get_model(*target)
    except LookupError:
        return None


def _field(object_type: str, key: str) -> Any:
    model = _model(object_type)
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def field_label(object_type: str, key: str) -> str:
    """The Chinese name of a snapshot key of an entry about ``object_type``."""
    if key in FIELD_LABELS:
        return FIELD_LABELS[key]
    field = _field(object_type, key)
    name = str(getattr(field, "verbose_name", "") or "")
    if _CJK.search(name):
        return name
    return labels.evidence_label(key)


def field_value(object_type: str, key: str, value: Any) -> str:
    """A snapshot value as text: choices by their label, roles, formats, yes/no, lists."""
    if value is None or value == "":
        return "—"
    if key in ("roles", "pending_roles") and isinstance(value, list | tuple):
        return "、".join(ROLES[r].label if r in ROLES else str(r) for r in value) or "无"
    if key == "role" and isinstance(value, str) and value in ROLES:
        return ROLES[value].label
    if isinstance(value, list | tuple):
        return "、".join(field_value(object_type, key, v) for v in value) or "无"
    if isinstance(value, dict):
        return "；".join(
            f"{field_label(object_type, str(k))}：{field_value(object_type, str(k), v)}"
            for k, v in value.items()
        )
    if isinstance(value, str) and value in _VALUE_WORDS and key in ("format", "fields"):
        return _VALUE_WORDS[value]
    field = _field(object_type, key)
    choices = dict(getattr(field, "flatchoices", None) or [])
    if isinstance(value, str | int) and value in choices:
        return str(choices[value])
    if isinstance(value, str):
        special = _special_value(object_type, key, value)
        if special is not None:
            return special
    return labels.evidence_value(value, key)


def _special_value(object_type: str, key: str, value: str) -> str | None:
    """Values that name something kept elsewhere: a veto line, a standard, a survey's use."""
    if key in VALUE_BY_KEY and value in VALUE_BY_KEY[key]:
        return VALUE_BY_KEY[key][value]
    if key == "line":
        from dangjian.assess.services import known_veto_lines

        return known_veto_lines().get(value)
    if key == "standard" and "@" in value:
        from dangjian.assess.standard import available_standards

        std_key, version = value.split("@", 1)
        found = available_standards().get((std_key, version))
        return f"{found.name}（{version} 版）" if found is not None else None
    if object_type == "service_order" and key == "category":
        from dangjian.service.categories import category

        cat = category(value)
        return cat.name if cat is not None else None
    if key == "services" and object_type in ("volunteer_team", "double_report"):
        from dangjian.service.categories import category

        cat = category(value)
        return cat.name if cat is not None else None
    if key == "key" and (m := re.fullmatch(r"campaign:(\d+)", value)):
        return f"考核配套测评（考核编号 {m[1]}）"
    return None


def entry_changes(entry: Any) -> list[tuple[str, str, str]]:
    """(field, before, after) in Chinese for each field that differs between the snapshots."""
    old = entry.before if isinstance(entry.before, dict) else {}
    new = entry.after if isinstance(entry.after, dict) else {}
    keys = list(old) + [k for k in new if k not in old]
    return [
        (
            field_label(entry.object_type, k),
            field_value(entry.object_type, k, old.get(k)),
            field_value(entry.object_type, k, new.get(k)),
        )
        for k in keys
        if old.get(k) != new.get(k)
    ]
