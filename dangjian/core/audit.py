"""Writing and verifying the audit trail (see :class:`dangjian.core.models.AuditEntry`).

Services call :func:`audit_record` (or :func:`audit_record_many` for bulk imports) inside the same
``transaction.atomic()`` block as their change, so the change and its entry commit or roll back
together. Appends are serialised by locking the chain head row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hmac as hmac_module
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from . import context
from .dates import add_months
from .keys import AuditKeys, audit_keys, audit_mac
from .models import AuditChainHead, AuditEntry

GENESIS = "0" * 64


class AuditAction(models.TextChoices):
    """The audit vocabulary: every action written by a service, with its Chinese name (the audit
    page and any export show the name; the trail keeps the value, a plain string). A new action
    gets its member here — tests/core/test_audit_vocabulary.py finds every action the code
    writes and checks it is a member."""

    # accounts and security
    USER_CREATE = "user.create", "创建用户"
    USER_ROLES = "user.roles", "修改用户角色"
    ROLE_GRANT_REQUEST = "user.role_grant.request", "申请授予角色（待安全管理员批准）"
    ROLE_GRANT_APPROVE = "user.role_grant.approve", "批准授予角色"
    ROLE_GRANT_REFUSE = "user.role_grant.refuse", "拒绝授予角色"
    USER_LOCK = "user.lock", "锁定账号"
    USER_UNLOCK = "user.unlock", "解锁账号"
    USER_PASSWORD_RESET = "user.password_reset", "重置密码"
    USER_PASSWORD_CHANGE = "user.password_change", "修改本人密码"
    USER_TOTP_ENROL = "user.totp_enrol", "绑定动态口令"
    USER_TOTP_RESET = "user.totp_reset", "解除动态口令绑定"
    SECURITY_POLICY = "security.policy", "修改安全策略"
    API_TOKEN_ISSUE = "api.token.issue", "签发接口令牌"
    API_TOKEN_REVOKE = "api.token.revoke", "吊销接口令牌"
    # organizations and members
    ORG_CREATE = "org.create", "新建组织"
    ORG_UPDATE = "org.update", "修改组织"
    ORG_MOVE = "org.move", "调整上级组织"
    ORG_ELECTION_DELAY = "org.election_delay", "记录批准延期换届"
    TREE_REPAIR = "tree.repair", "修复组织树"
    MEMBER_CREATE = "member.create", "新增党员"
    MEMBER_UPDATE = "member.update", "修改党员信息"
    MEMBER_DELETE = "member.delete", "删除党员"
    MEMBER_STATUS = "member.status", "记录党员状态（留党察看、停止党籍等）"
    PARTICIPATION_ADD = "participation.add", "登记临时党支部参加人员"
    PARTICIPATION_END = "participation.end", "结束临时党支部参加"
    MEMBER_VIEW_PII = "member.view_pii", "查看完整身份证号和手机号"
    MEMBER_ID_REFUSED = "member.id_refused", "以管辖范围外已登记的身份证号登记党员（已拒绝）"
    EXPORT = "export", "导出名册"
    # organizational life
    LIFE_MEETING_CREATE = "life.meeting.create", "记录组织生活"
    LIFE_MEETING_UPDATE = "life.meeting.update", "修改组织生活记录"
    LIFE_MEETING_DELETE = "life.meeting.delete", "删除组织生活记录"
    LIFE_MEETING_IMPORT = "life.meeting.import", "导入组织生活记录"
    LIFE_ATTACHMENT_ADD = "life.attachment.add", "上传会议附件"
    LIFE_ATTACHMENT_DELETE = "life.attachment.delete", "删除会议附件"
    LIFE_LEDGER_EXPORT = "life.ledger.export", "导出组织生活台账"
    # recruitment
    RECRUIT_CASE_OPEN = "recruit.case_open", "新建发展党员案例"
    RECRUIT_CASE_UPDATE = "recruit.case_update", "修改发展党员案例"
    RECRUIT_CASE_APPROVER = "recruit.case_approver", "指定审批党委"
    RECRUIT_CASE_WITHDRAW = "recruit.case_withdraw", "终止发展党员案例"
    RECRUIT_CASE_EXPORT = "recruit.case_export", "导出发展党员记实材料"
    RECRUIT_APPROVAL_EXTEND = "recruit.approval_extend", "批准延长审批期限"
    RECRUIT_CASE_PURGE_NUMBERS = "recruit.case_purge_numbers", "按保存期限删除申请人证件号码和电话"
    RECRUIT_STEP_RECORD = "recruit.step_record", "记录发展步骤"
    RECRUIT_STEP_UPDATE = "recruit.step_update", "修改发展步骤"
    RECRUIT_NOTICE_RECORD = "recruit.notice_record", "记录公示"
    RECRUIT_NOTICE_UPDATE = "recruit.notice_update", "修改公示"
    RECRUIT_REVIEW_RECORD = "recruit.review_record", "记录积极分子考察"
    RECRUIT_PLAN_SET = "recruit.plan_set", "制定年度发展计划"
    RECRUIT_PLAN_UPDATE = "recruit.plan_update", "修改年度发展计划"
    RECRUIT_DECISION_APPROVED = "recruit.decision_approved", "审批同意"
    RECRUIT_DECISION_REJECTED = "recruit.decision_rejected", "审批不同意"
    RECRUIT_DECISION_EXTENDED = "recruit.decision_extended", "审批延长预备期"
    RECRUIT_DECISION_CANCELLED = "recruit.decision_cancelled", "审批取消预备党员资格"
    RECRUIT_ATTACHMENT_ADD = "recruit.attachment_add", "上传发展党员附件"
    RECRUIT_ATTACHMENT_DELETE = "recruit.attachment_delete", "删除发展党员附件"
    RECRUIT_ATTACHMENT_DOWNLOAD = "recruit.attachment_download", "下载发展党员附件"
    # assessment, surveys, rectification
    ASSESS_CAMPAIGN_OPEN = "assess.campaign.open", "发起考核"
    ASSESS_CAMPAIGN_SAMPLE = "assess.campaign.sample", "抽取抽查对象"
    ASSESS_CAMPAIGN_PICK = "assess.campaign.pick", "指定抽查对象"
    ASSESS_CAMPAIGN_STATUS = "assess.campaign.status", "变更考核阶段"
    ASSESS_CAMPAIGN_SCORE = "assess.campaign.score", "计算考核得分"
    ASSESS_CAMPAIGN_SCORE_QUEUE = "assess.campaign.score_queue", "提交后台评分"
    ASSESS_CAMPAIGN_SCORE_FAILED = "assess.campaign.score_failed", "后台评分失败"
    ASSESS_SELF_CHECK_RECORD = "assess.self_check.record", "填报自查得分"
    ASSESS_SPOT_CHECK_RECORD = "assess.spot_check.record", "填报抽查得分"
    ASSESS_VETO_RECORD = "assess.veto.record", "录入触及高压线事件"
    ASSESS_VETO_WITHDRAW = "assess.veto.withdraw", "撤销触及高压线事件"
    SURVEY_OPEN = "survey.open", "发起满意度测评"
    SURVEY_INVITE_CODES = "survey.invite_codes", "生成测评邀请码"
    RECTIFY_PLAN_CREATE = "rectify.plan.create", "制定整改方案"
    RECTIFY_TASK_ADD = "rectify.task.add", "添加整改任务"
    RECTIFY_TASK_UPDATE = "rectify.task.update", "修改整改任务"
    RECTIFY_TASK_PROGRESS = "rectify.task.progress", "填报整改进展"
    RECTIFY_TASK_REPORT = "rectify.task.report", "报告整改完成"
    RECTIFY_TASK_CONFIRM = "rectify.task.confirm", "确认整改完成"
    RECTIFY_TASK_REOPEN = "rectify.task.reopen", "退回整改任务"
    # service orders (群众点单、村居派单、网格接单、群众评单)
    SERVICE_GRID_CREATE = "service.grid.create", "新建网格"
    SERVICE_ORDER_SUBMIT = "service.order.submit", "群众提交服务工单"
    SERVICE_ORDER_ACCEPT = "service.order.accept", "受理服务工单"
    SERVICE_ORDER_REFUSE = "service.order.refuse", "不予受理服务工单"
    SERVICE_ORDER_MERGE = "service.order.merge", "合并重复服务工单"
    SERVICE_ORDER_DISPATCH = "service.order.dispatch", "派发服务工单"
    SERVICE_ORDER_ESCALATE = "service.order.escalate", "上报服务工单"
    SERVICE_ORDER_TAKE = "service.order.take", "接单"
    SERVICE_ORDER_RESOLVE = "service.order.resolve", "反馈服务工单办理结果"
    SERVICE_ORDER_RATE = "service.order.rate", "群众评价服务工单"
    SERVICE_ORDER_REOPEN = "service.order.reopen", "重新办理服务工单"
    SERVICE_ORDER_CLOSE = "service.order.close", "服务工单办结归档"
    SERVICE_ORDER_VIEW_PHONE = "service.order.view_phone", "查看服务工单群众完整电话"
    SERVICE_DEPARTMENT_CREATE = "service.department.create", "登记联动部门"
    SERVICE_ORDER_REFER = "service.order.refer", "服务工单转联动部门"
    SERVICE_AREA_CREATE = "service.area.create", "登记片区"
    SERVICE_VISIT_RECORD = "service.visit.record", "登记敲门行动走访"
    SERVICE_VISIT_NEED_ORDER = "service.visit.need_order", "走访需求转为服务工单"
    SERVICE_VISIT_DONE = "service.visit.done", "敲门行动回访完成"
    SERVICE_TEAM_CREATE = "service.team.create", "新建志愿服务队"
    SERVICE_TEAM_CHANGE = "service.team.change", "修改志愿服务队"
    SERVICE_TEAM_DEACTIVATE = "service.team.deactivate", "停用志愿服务队"
    SERVICE_TEAM_MEMBER_ADD = "service.team.member_add", "志愿服务队增加队员"
    SERVICE_TEAM_MEMBER_REMOVE = "service.team.member_remove", "志愿服务队移除队员"
    SERVICE_DOUBLE_REPORT_REGISTER = "service.double_report.register", "在职党员双报到登记"
    SERVICE_DOUBLE_REPORT_END = "service.double_report.end", "结束双报到"
    SERVICE_DOUBLE_REPORT_RATE = "service.double_report.rate", "双报到党员年度评价"
    SERVICE_GRID_UPDATE = "service.grid.update", "修改网格"
    SERVICE_GRID_DEACTIVATE = "service.grid.deactivate", "停用网格"
    SERVICE_ORDER_PHONE_PURGE = "service.order.phone_purge", "删除服务工单群众电话（保存期满）"
    SERVICE_DEPARTMENT_UPDATE = "service.department.update", "修改联动部门"
    SERVICE_DEPARTMENT_DEACTIVATE = "service.department.deactivate", "停用联动部门"
    SERVICE_ORDER_PHOTO_ADD = "service.order.photo_add", "上传服务工单办理照片"
    SERVICE_ORDER_PHOTO_READ = "service.order.photo_read", "查看服务工单办理照片"
    OPEN311_KEY_CREATE = "open311.key.create", "新建诉求接入接口密钥"
    OPEN311_KEY_REVOKE = "open311.key.revoke", "停用诉求接入接口密钥"
    OPEN311_REQUEST_CREATE = "open311.request.create", "通过诉求接入接口提交服务工单"
    # the audit trail itself
    AUDIT_KEY_START = "audit.key_start", "启用审计密钥（此前的记录为未加密钥的哈希链）"
    AUDIT_CHECKPOINT = "audit.checkpoint", "导出审计检查点"
    AUDIT_PURGE = "audit.purge", "按保存期限清理审计记录"
    # demo and seed data
    SEED_RUN = "seed.run", "生成演示数据"
    LIFE_SEED = "life.seed", "生成演示组织生活记录"
    ASSESS_SEED = "assess.seed", "生成演示考核数据"
    # the inbox and outbound messages (dangjian/notify)
    NOTIFY_CONTACT_SET = "notify.contact.set", "设置接收短信提醒的手机号"
    # education and training (dangjian/training)
    TRAINING_COURSE_CREATE = "training.course.create", "登记培训班"
    TRAINING_COURSE_DELETE = "training.course.delete", "删除培训班"
    TRAINING_PARTICIPANTS_ADD = "training.participants.add", "添加参训党员"
    TRAINING_PARTICIPANT_REMOVE = "training.participant.remove", "移除参训党员"
    TRAINING_PARTICIPANTS_IMPORT = "training.participants.import", "导入参训党员"
    # service orders (later additions)
    SERVICE_ORDER_PHOTO_REMOVE = "service.order.photo_remove", "删除服务工单办理照片"
    # relation transfers (dangjian/transfer)
    TRANSFER_REQUEST = "transfer.request", "申请转出组织关系"
    TRANSFER_ISSUE = "transfer.issue", "开具组织关系介绍信"
    TRANSFER_ACCEPT = "transfer.accept", "接收组织关系"
    TRANSFER_REFUSE = "transfer.refuse", "退回组织关系转接"
    TRANSFER_CANCEL = "transfer.cancel", "撤销组织关系转接"
    TRANSFER_RECEIPT = "transfer.receipt", "登记组织关系介绍信回执"
    TRANSFER_LETTER_READ = "transfer.letter_read", "下载组织关系介绍信"
    TRANSFER_IMPORT = "transfer.import", "导入组织关系转接"
    # help for members in hardship (dangjian/care)
    CARE_REGISTER = "care.register", "登记困难党员"
    CARE_CHANGE = "care.change", "修改困难党员登记"
    CARE_CLOSE = "care.close", "困难党员登记销号"
    CARE_HELP = "care.help", "登记帮扶"
    CARE_VISIT = "care.visit", "登记走访慰问"
    CARE_NOTE_READ = "care.note_read", "查看困难情况说明"
    CARE_EXPORT = "care.export", "导出困难党员名册"
    # typical examples and brands (dangjian/exemplar)
    EXEMPLAR_PROPOSE = "exemplar.propose", "推荐典型"
    EXEMPLAR_CHANGE = "exemplar.change", "修改典型"
    EXEMPLAR_NAME = "exemplar.name", "命名典型"
    EXEMPLAR_REVIEW = "exemplar.review", "复核典型"
    EXEMPLAR_REVOKE = "exemplar.revoke", "撤销典型"
    EXEMPLAR_EVIDENCE_ADD = "exemplar.evidence.add", "关联典型佐证"
    EXEMPLAR_EVIDENCE_REMOVE = "exemplar.evidence.remove", "移除典型佐证"
    # party dues (dangjian/dues)
    DUES_BASE_SET = "dues.base.set", "核定党费"
    DUES_PAYMENT_RECORD = "dues.payment.record", "登记党费交纳"
    DUES_PAYMENT_IMPORT = "dues.payment.import", "导入银行流水登记党费"
    DUES_EXEMPTION_RECORD = "dues.exemption.record", "登记未交党费的正当理由"
    DUES_REMITTANCE_RECORD = "dues.remittance.record", "登记党费上缴"
    # 流动党员 and 失联党员 (dangjian/mobile)
    MOBILE_OUTFLOW_START = "mobile.outflow.start", "登记流动党员外出"
    MOBILE_OUTFLOW_CARD = "mobile.outflow.card", "发放流动党员活动证"
    MOBILE_OUTFLOW_RETURN = "mobile.outflow.return", "登记流动党员返回"
    MOBILE_ACTIVITY_RECORD = "mobile.activity.record", "登记流动党员参加流入地活动"
    MOBILE_LOST_RECORD = "mobile.lost.record", "登记失联党员"
    MOBILE_LOST_STEP = "mobile.lost.step", "登记失联党员查找情况"
    MOBILE_LOST_FOUND = "mobile.lost.found", "登记失联党员恢复联系"
    # 两新组织覆盖与党建指导员 (dangjian/liangxin)
    LIANGXIN_UNIT_CREATE = "liangxin.unit.create", "登记两新组织"
    LIANGXIN_UNIT_CHANGE = "liangxin.unit.change", "修改两新组织"
    LIANGXIN_UNIT_CLOSE = "liangxin.unit.close", "两新组织注销"
    LIANGXIN_UNIT_REOPEN = "liangxin.unit.reopen", "撤销两新组织注销登记"
    LIANGXIN_IMPORT = "liangxin.import", "导入两新组织名录"
    LIANGXIN_ADVISOR_CREATE = "liangxin.advisor.create", "登记党建指导员"
    LIANGXIN_ASSIGN = "liangxin.assign", "选派党建指导员"
    LIANGXIN_ASSIGN_END = "liangxin.assign.end", "结束党建指导员选派"
    LIANGXIN_VISIT = "liangxin.visit", "登记党建指导员走访"
    # inspections, 督查 and 暗访 (dangjian/inspection)
    INSPECTION_PLAN_CREATE = "inspection.plan.create", "制定督查计划"
    INSPECTION_PLAN_PUBLISH = "inspection.plan.publish", "发布督查结果"
    INSPECTION_VISIT_RECORD = "inspection.visit.record", "记录现场检查"
    INSPECTION_MEDIA_ADD = "inspection.media.add", "上传督查照片或视频"
    INSPECTION_FINDING_RECORD = "inspection.finding.record", "记录督查发现问题"
    INSPECTION_FINDING_TASK = "inspection.finding.task", "督查问题转为整改任务"
    INSPECTION_REVISIT = "inspection.revisit", "督查问题复查"
    # 书记抓基层党建述职评议考核 (dangjian/review)
    REVIEW_CAMPAIGN_OPEN = "review.campaign.open", "发起述职评议"
    REVIEW_REPORT_SUBMIT = "review.report.submit", "提交述职报告"
    REVIEW_ATTACHMENT_ADD = "review.attachment.add", "上传述职材料"
    REVIEW_PROBLEMS_GIVE = "review.problems.give", "反馈述职评议问题清单"
    REVIEW_RATINGS_RECORD = "review.ratings.record", "登记述职评议票数"
    REVIEW_GRADE_SET = "review.grade.set", "评定述职评议等次"


#: action value → its Chinese name (from :class:`AuditAction`)
ACTION_LABELS: dict[str, str] = {str(a.value): str(a.label) for a in AuditAction}

#: what an entry is about (``object_type``) → its Chinese name
OBJECT_TYPE_LABELS: dict[str, str] = {
    "user": "用户",
    "security_policy": "安全策略",
    "api_token": "接口令牌",
    "organization": "组织",
    "member": "党员",
    "meeting": "组织生活记录",
    "recruit_case": "发展党员案例",
    "recruit_step": "发展步骤",
    "recruit_notice": "公示",
    "recruit_review": "积极分子考察",
    "recruit_plan": "年度发展计划",
    "campaign": "考核",
    "campaign_org": "考核对象",
    "selfcheckscore": "自查得分",
    "spotcheckscore": "抽查得分",
    "veto_event": "触及高压线事件",
    "survey": "满意度测评",
    "rectification_plan": "整改方案",
    "rectification_task": "整改任务",
    "grid": "网格",
    "service_order": "服务工单",
    "volunteer_team": "志愿服务队",
    "double_report": "双报到登记",
    "double_report_rating": "双报到年度评价",
    "service_department": "联动部门",
    "service_area": "片区",
    "service_visit": "敲门行动走访",
    "training_course": "培训班",
    "open311_key": "诉求接入接口密钥",
    "database": "数据库",
    "tree": "组织树",
    "audit": "审计日志",
    "transfer": "组织关系转接",
    "care_hardship": "困难党员登记",
    "review_report": "述职评议",
    "dues_base": "党费核定",
    "dues_payment": "党费交纳",
    "dues_exemption": "未交党费正当理由",
    "dues_remittance": "党费上缴",
    "outflow": "流动党员外出登记",
    "lost_contact": "失联党员登记",
    "liangxin_unit": "两新组织",
    "liangxin_advisor": "党建指导员",
    "liangxin_register": "两新组织名录",
    "inspection_plan": "督查计划",
    "inspection_visit": "现场检查",
    "inspection_finding": "督查发现问题",
    "exemplar": "典型",
}

#: how the command-line operator is named in ``actor_name`` (accounts.scope.SystemActor)
CLI_ACTOR_PREFIX = "命令行:"


def action_label(action: str) -> str:
    """The Chinese name of an audit action; an unknown code is named as such."""
    return ACTION_LABELS.get(action) or f"其他操作（{action}）"


def object_type_label(object_type: str) -> str:
    return OBJECT_TYPE_LABELS.get(object_type, object_type)


def actor_label(actor_name: str) -> str:
    """ "命令行:root" → "命令行（系统账户 root）"; a user's name as it is."""
    if actor_name.startswith(CLI_ACTOR_PREFIX):
        who = actor_name[len(CLI_ACTOR_PREFIX) :].strip()
        return f"命令行（系统账户 {who}）" if who else "命令行"
    return actor_name


class Actor(Protocol):
    """Anything that acts: a user, or the command-line operator."""

    pk: Any

    @property
    def audit_name(self) -> str: ...


@dataclass
class AuditEvent:
    action: AuditAction | str
    object_type: str
    object_id: str
    object_repr: str = ""
    scope_path: str = ""
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    #: what the check found besides a break, in Chinese (legacy entries, purges, the checkpoint)
    notes: list[str] = field(default_factory=list)


class AuditError(Exception):
    """An audit operation cannot be done (message in Chinese)."""


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


#: ``json.dumps(…, ensure_ascii=False, sort_keys=True, separators=(",", ":"))``, made once
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _canonical(payload: dict[str, Any]) -> bytes:
    return _CANONICAL.encode(payload).encode()


def _digest(payload: dict[str, Any]) -> str:
    """The unkeyed SM3 of the first version (entries written before the audit key)."""
    h = hashes.Hash(hashes.SM3())
    h.update(_canonical(payload))
    return h.finalize().hex()


def _payload(entry: Any) -> dict[str, Any]:
    at = entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    payload = {
        "seq": entry.seq,
        "at": at,
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "scope_path": entry.scope_path,
        "before": entry.before,
        "after": entry.after,
        "request_id": entry.request_id,
        "client_addr": entry.client_addr,
        "prev_hash": entry.prev_hash,
    }
    if entry.key_id:
        payload["key_id"] = entry.key_id
    return payload


def entry_hash(entry: Any, keys: AuditKeys | None = None) -> str:
    """The hash an entry must carry, given its content and its ``prev_hash``: HMAC-SM3 under the
    audit key, or for an entry of before the key (empty ``key_id``) the unkeyed SM3."""
    if not entry.key_id:
        return _digest(_payload(entry))
    keys = keys or audit_keys()
    return audit_mac(keys.chain, _canonical(_payload(entry)))


def head_mac(seq: int, chain_hash: str, keys: AuditKeys | None = None) -> str:
    """The chain head's own HMAC: only the application (holding the key) can move the head."""
    keys = keys or audit_keys()
    return audit_mac(keys.head, f"dangjian/audit-head|{seq}|{chain_hash}".encode())


def _chain(
    head_model: Any,
    actor_id: Any,
    actor_name: str,
    events: Sequence[AuditEvent],
    make: Callable[..., Any],
    jsonable: Callable[[Any], Any],
    write: Callable[[list[Any]], Any],
) -> list[Any]:
    """Chain entries for ``events`` after the head held by ``head_model`` (locked until the
    caller's transaction ends): each made by ``make`` from its fields and hashed, all handed to
    ``write``, then the head moved to the last."""
    keys = audit_keys()
    ctx = context.current()
    head = head_model.objects.select_for_update().filter(id=1).first()
    if head is None:
        head_model.objects.create(id=1)
        head = head_model.objects.select_for_update().get(id=1)
    now = timezone.now().astimezone(dt.UTC)
    entries: list[Any] = []
    seq, prev = head.seq, head.hash
    for event in events:
        seq += 1
        entry = make(
            seq=seq,
            at=now,
            actor_id=actor_id,
            actor_name=actor_name[:150],
            action=str(event.action),
            object_type=event.object_type,
            object_id=str(event.object_id)[:128],
            object_repr=str(event.object_repr)[:255],
            scope_path=event.scope_path,
            before=jsonable(event.before),
            after=jsonable(event.after),
            request_id=ctx.request_id,
            client_addr=ctx.client_addr,
            prev_hash=prev,
            key_id=keys.key_id,
        )
        entry.hash = prev = entry_hash(entry, keys)
        entries.append(entry)
    write(entries)
    head_model.objects.filter(id=1).update(seq=seq, hash=prev, mac=head_mac(seq, prev, keys))
    return entries


def _append(
    entry_model: Any, head_model: Any, actor_id: Any, actor_name: str, events: Sequence[AuditEvent]
) -> list[Any]:
    """Append entries for ``events`` to the chain held by the given models (the app's, or a
    migration's historical ones); the caller holds the transaction."""

    def write(entries: list[Any]) -> None:
        entry_model.objects.bulk_create(entries, batch_size=2000)

    return _chain(head_model, actor_id, actor_name, events, entry_model, _jsonable, write)


_FLAT = (str, int, bool, type(None))


def _jsonable_fast(value: Any) -> Any:
    """:func:`_jsonable` without the round trip through JSON text for the common case, a flat
    dict of text, whole numbers and dates (a date becomes ``str(date)``, as ``default=str``
    makes it); anything else takes the round trip. The results are equal."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            kind = type(item)
            if type(key) is not str:
                return _jsonable(value)
            if kind in _FLAT:
                out[key] = item
            elif kind is dt.date:
                out[key] = str(item)
            else:
                return _jsonable(value)
        return out
    return _jsonable(value)


@dataclass
class _Row:
    """An entry as it is hashed and written by :func:`audit_record_bulk` (the fields of
    :class:`AuditEntry` that :func:`_payload` reads, and its hash)."""

    seq: int
    at: dt.datetime
    actor_id: Any
    actor_name: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    scope_path: str
    before: Any
    after: Any
    request_id: str
    client_addr: str
    prev_hash: str
    key_id: str
    hash: str = ""


_ROW_FIELDS = [f.name for f in dataclasses.fields(_Row)]


def audit_record_bulk(*, actor: Actor, events: Iterable[AuditEvent]) -> int:
    """Append entries for ``events`` like :func:`audit_record_many` — the same entries, the same
    chain — for imports of many rows: the chain head is locked and moved once, the entries are
    written with ``COPY`` on PostgreSQL (``bulk_create`` elsewhere) and not returned as model
    instances. Must run inside the caller's transaction; returns the number written."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit entries must be written inside the change's transaction")
    events = list(events)
    if not events:
        return 0
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    rows = _chain(
        AuditChainHead, actor_id, actor.audit_name, events, _Row, _jsonable_fast, _write_rows
    )
    return len(rows)


def _write_rows(rows: list[_Row]) -> None:
    if connection.vendor != "postgresql":
        entries = [AuditEntry(**dataclasses.asdict(row)) for row in rows]
        AuditEntry.objects.bulk_create(entries, batch_size=2000)
        return
    from psycopg.types.json import Jsonb

    def column(name: str) -> str:
        field = AuditEntry._meta.get_field(name)
        return connection.ops.quote_name(str(getattr(field, "column", name)))

    columns = ", ".join(column(name) for name in _ROW_FIELDS)
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    json_at = (_ROW_FIELDS.index("before"), _ROW_FIELDS.index("after"))
    with connection.cursor() as cursor:
        raw: Any = cursor.cursor  # psycopg's own cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                values = [getattr(row, name) for name in _ROW_FIELDS]
                for index in json_at:
                    if values[index] is not None:
                        values[index] = Jsonb(values[index])
                copy.write_row(values)


def audit_record_many(*, actor: Actor, events: Sequence[AuditEvent]) -> list[AuditEntry]:
    """Append entries for ``events``; must run inside the caller's transaction."""
    if not events:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("audit entries must be written inside the change's transaction")
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    return _append(AuditEntry, AuditChainHead, actor_id, actor.audit_name, events)


def audit_record(
    *,
    actor: Actor,
    action: AuditAction | str,
    object_type: str,
    object_id: str,
    object_repr: str = "",
    scope_path: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry; must run inside the caller's transaction."""
    event = AuditEvent(action, object_type, object_id, object_repr, scope_path, before, after)
    return audit_record_many(actor=actor, events=[event])[0]


@dataclass(frozen=True)
class AuditSubject:
    """The record an entry is about: its type (``OBJECT_TYPE_LABELS``), the object, the scope
    path it lies in, how it is named (``str(obj)`` unless given) and its id (its ``pk`` unless
    given)."""

    object_type: str
    obj: Any
    scope_path: str
    name: str | None = None
    object_id: str | None = None


def audit_about(actor: Actor, action: AuditAction, subject: AuditSubject, **kw: Any) -> AuditEntry:
    """:func:`audit_record` of one entry about ``subject`` (``before``/``after`` in ``kw``)."""
    return audit_record(
        actor=actor,
        action=action,
        object_type=subject.object_type,
        object_id=str(subject.obj.pk) if subject.object_id is None else subject.object_id,
        object_repr=str(subject.obj) if subject.name is None else subject.name,
        scope_path=subject.scope_path,
        **kw,
    )


# --- verification, checkpoints, retention ----------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement of the chain's end (sequence number and hash) at a moment, kept by
    the 审计管理员 outside the database; ``mac``: HMAC-SM3 under the checkpoint sub-key."""

    seq: int
    hash: str
    at: str
    key_id: str
    mac: str = ""

    @property
    def when(self) -> str:
        """The moment it was taken, as people read it ("2026-11-23 10:00:00")."""
        return self.at[:19].replace("T", " ")

    def signed_part(self) -> bytes:
        return _canonical(
            {
                "format": CHECKPOINT_FORMAT,
                "seq": self.seq,
                "hash": self.hash,
                "at": self.at,
                "key_id": self.key_id,
            }
        )

    def to_text(self) -> str:
        body = {
            "说明": CHECKPOINT_NOTE,
            "format": CHECKPOINT_FORMAT,
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at,
            "key_id": self.key_id,
            "mac": self.mac,
        }
        return json.dumps(body, ensure_ascii=False, indent=1) + "\n"


CHECKPOINT_FORMAT = "dangjian-audit-checkpoint/1"
CHECKPOINT_NOTE = (
    "审计日志检查点：记录当时最后一条审计记录的序号和哈希。请审计管理员离线保存（不要放在服务器上），"
    "校验时使用：dangjian audit verify --checkpoint 本文件"
)


def checkpoint_load(text: str) -> Checkpoint:
    """Read a checkpoint written by :func:`audit_checkpoint` and check its signature."""
    try:
        data = json.loads(text)
        if data.get("format") != CHECKPOINT_FORMAT:
            raise AuditError("不是审计检查点文件（格式标识不符）")
        cp = Checkpoint(
            seq=int(data["seq"]),
            hash=str(data["hash"]),
            at=str(data["at"]),
            key_id=str(data["key_id"]),
            mac=str(data["mac"]),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise AuditError("检查点文件无法读取（内容不完整或不是 JSON）") from exc
    keys = audit_keys()
    if cp.key_id != keys.key_id:
        raise AuditError(
            f"检查点由另一把审计密钥签发（密钥编号 {cp.key_id}，当前为 {keys.key_id}），无法校验"
        )
    if not hmac_compare(audit_mac(keys.checkpoint, cp.signed_part()), cp.mac):
        raise AuditError("检查点签名不符：检查点文件被修改过")
    return cp


def hmac_compare(a: str, b: str) -> bool:
    return hmac_module.compare_digest(a.encode(), b.encode())


def _fail(checked: int, seq: int | None, reason: str, notes: list[str]) -> VerifyResult:
    return VerifyResult(False, checked, seq, reason, notes=notes)


def audit_verify(
    entries: Iterable[AuditEntry] | None = None, *, checkpoint: Checkpoint | None = None
) -> VerifyResult:
    """Recompute the chain in sequence order and report the first break, if any.

    Checks each entry's HMAC-SM3 (or, for entries of before the audit key, their unkeyed SM3 —
    accepted only before the first keyed entry, which seals them), the sequence without gaps, a
    start at 1 or right after a recorded purge, the chain head and its HMAC, and, given a
    ``checkpoint``, that its entry is still there with the same hash (nothing before it was
    rewritten, nothing after it cut)."""
    keys = audit_keys()
    if entries is None:
        entries = AuditEntry.objects.order_by("seq").iterator(chunk_size=5000)
    notes: list[str] = []
    first: AuditEntry | None = None
    last_seq, prev, checked = 0, GENESIS, 0
    keyed_seen, legacy = False, 0
    purges: dict[int, str] = {}
    at_checkpoint: str | None = None
    for entry in entries:
        if first is None:
            first, last_seq, prev = entry, entry.seq - 1, entry.prev_hash
            if entry.seq == 1 and entry.prev_hash != GENESIS:
                return _fail(checked, 1, "第 1 条记录的前一哈希不是链的起点", notes)
        if entry.seq != last_seq + 1:
            reason = f"缺少第 {last_seq + 1} 条记录（记录被删除）"
            return _fail(checked, last_seq + 1, reason, notes)
        if entry.prev_hash != prev:
            return _fail(checked, entry.seq, "前一哈希与上一条记录不符", notes)
        if entry.key_id:
            if entry.key_id != keys.key_id:
                reason = (
                    f"记录使用的审计密钥（编号 {entry.key_id}）与当前配置的密钥"
                    f"（编号 {keys.key_id}）不符：请检查 DANGJIAN_AUDIT_KEY 配置，或记录被伪造"
                )
                return _fail(checked, entry.seq, reason, notes)
            keyed_seen = True
        elif keyed_seen:
            reason = "启用审计密钥之后出现未加密钥的记录（记录被篡改）"
            return _fail(checked, entry.seq, reason, notes)
        else:
            legacy += 1
        if not hmac_compare(entry_hash(entry, keys), entry.hash):
            return _fail(checked, entry.seq, "记录内容与哈希不符（记录被篡改）", notes)
        after = entry.after
        if entry.key_id and entry.action == AuditAction.AUDIT_PURGE and isinstance(after, dict):
            purges[int(after.get("through_seq", 0))] = str(after.get("through_hash"))
        if checkpoint is not None and entry.seq == checkpoint.seq:
            at_checkpoint = entry.hash
        prev, last_seq, checked = entry.hash, entry.seq, checked + 1
    if legacy and not keyed_seen:
        reason = "未加密钥的旧记录之后缺少启用审计密钥的记录（末尾记录被删除或链被改写）"
        return _fail(checked, last_seq + 1, reason, notes)
    if legacy:
        notes.append(f"前 {legacy} 条记录写于启用审计密钥之前，由其后第一条加密钥的记录封存")
    if first is not None and first.seq > 1:
        if purges.get(first.seq - 1) != first.prev_hash:
            reason = f"第 1 至 {first.seq - 1} 条记录缺失，且没有相应的清理记录（记录被删除）"
            return _fail(checked, first.seq - 1, reason, notes)
        notes.append(f"第 1 至 {first.seq - 1} 条记录已按保存期限清理（有清理记录）")
    head = AuditChainHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != last_seq or head_hash != prev:
        seq = last_seq + 1 if head_seq > last_seq else None
        return _fail(checked, seq, "链头与最后一条记录不符（末尾记录被删除）", notes)
    if head is not None and head_seq and not hmac_compare(head_mac(head_seq, head_hash), head.mac):
        return _fail(checked, head_seq, "链头校验码不符（链头被改写，末尾记录可能被删除）", notes)
    if checkpoint is not None:
        result = _against_checkpoint(checkpoint, first, last_seq, at_checkpoint, checked, notes)
        if result is not None:
            return result
    return VerifyResult(True, checked, notes=notes)


def _against_checkpoint(
    cp: Checkpoint,
    first: AuditEntry | None,
    last_seq: int,
    at_checkpoint: str | None,
    checked: int,
    notes: list[str],
) -> VerifyResult | None:
    if last_seq < cp.seq:
        reason = (
            f"记录被截断：检查点（{cp.when}）时已有第 {cp.seq} 条记录，"
            f"现在最后一条是第 {last_seq} 条"
        )
        return _fail(checked, last_seq + 1, reason, notes)
    if first is not None and cp.seq >= first.seq:
        if at_checkpoint is None or not hmac_compare(at_checkpoint, cp.hash):
            reason = f"第 {cp.seq} 条记录与检查点（{cp.when}）不符（此前的记录被改写）"
            return _fail(checked, cp.seq, reason, notes)
        notes.append(f"与检查点（{cp.when}，第 {cp.seq} 条）一致")
    elif first is not None and cp.seq == first.seq - 1:
        if not hmac_compare(first.prev_hash, cp.hash):
            reason = f"第 {cp.seq} 条记录（已清理）与检查点（{cp.when}）不符"
            return _fail(checked, cp.seq, reason, notes)
        notes.append(f"与检查点（{cp.when}，第 {cp.seq} 条，已清理）一致")
    else:
        notes.append(f"检查点（{cp.when}）所对应的第 {cp.seq} 条记录已按保存期限清理，无法逐条比对")
    return None


def _require_intact(refusal: str) -> VerifyResult:
    """Verify the chain; a break stops what was asked (``refusal`` says what, in Chinese)."""
    result = audit_verify()
    if not result.ok:
        raise AuditError(
            f"审计日志校验未通过（第 {result.first_broken_seq} 条，{result.reason}），{refusal}"
        )
    return result


def audit_checkpoint(actor: Actor) -> Checkpoint:
    """Verify the chain, record that a checkpoint is taken, and return the checkpoint of the chain's
    end (including that entry), signed with the audit key, for the 审计管理员 to keep offline."""
    result = _require_intact("不能签发检查点")
    keys = audit_keys()
    with transaction.atomic():
        entry = audit_record(
            actor=actor,
            action=AuditAction.AUDIT_CHECKPOINT,
            object_type="audit",
            object_id="checkpoint",
            object_repr="审计检查点",
            after={"verified_entries": result.checked},
        )
    at = timezone.localtime(entry.at).isoformat(timespec="seconds")
    cp = Checkpoint(seq=entry.seq, hash=entry.hash, at=at, key_id=keys.key_id)
    return dataclasses.replace(cp, mac=audit_mac(keys.checkpoint, cp.signed_part()))


@dataclass(frozen=True)
class PurgeResult:
    bound: dt.datetime  #: entries written before this moment may go
    from_seq: int
    through_seq: int  #: the last purged sequence number (``from_seq - 1`` when none)

    @property
    def count(self) -> int:
        return max(0, self.through_seq - self.from_seq + 1)


def retention_months() -> int:
    """How many months audit entries are kept (``DANGJIAN_AUDIT_RETENTION_MONTHS``); under 6 is
    refused (网络安全法 第二十一条: 网络日志留存不少于六个月)."""
    months = int(getattr(settings, "DANGJIAN_AUDIT_RETENTION_MONTHS", MIN_RETENTION_MONTHS))
    if months < MIN_RETENTION_MONTHS:
        raise AuditError(
            f"审计日志保存期限设置为 {months} 个月，不得少于 {MIN_RETENTION_MONTHS} 个月"
            "（DANGJIAN_AUDIT_RETENTION_MONTHS）"
        )
    return months


MIN_RETENTION_MONTHS = 6


def audit_purge(actor: Actor, *, dry_run: bool = False) -> PurgeResult:
    """Delete the oldest entries, those written more than the retention period ago (never under 6
    months), as one prefix of the chain: after verifying the chain, a purge entry naming the last
    purged sequence number and its hash is appended first (the database trigger allows deleting
    only entries such an entry covers), then the prefix is deleted. Verification then starts the
    chain right after the purged prefix."""
    months = retention_months()
    now = timezone.localtime()
    bound = dt.datetime.combine(add_months(now.date(), -months), now.time(), tzinfo=now.tzinfo)
    with transaction.atomic():
        AuditChainHead.objects.select_for_update().filter(id=1).first()
        first = AuditEntry.objects.order_by("seq").values_list("seq", flat=True).first()
        if first is None:
            return PurgeResult(bound, 1, 0)
        young = AuditEntry.objects.filter(at__gte=bound).order_by("seq")
        first_young = young.values_list("seq", flat=True).first()
        last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        through = (first_young - 1) if first_young is not None else last
        result = PurgeResult(bound, first, through)
        if result.count == 0 or dry_run:
            return result
        _require_intact("不能清理：请先保留证据并调查")
        through_hash = AuditEntry.objects.get(seq=through).hash
        audit_record(
            actor=actor,
            action=AuditAction.AUDIT_PURGE,
            object_type="audit",
            object_id=f"{first}-{through}",
            object_repr=f"第 {first} 至 {through} 条审计记录",
            after={
                "from_seq": first,
                "through_seq": through,
                "through_hash": through_hash,
                "count": result.count,
                "written_before": bound.isoformat(timespec="seconds"),
                "retention_months": months,
            },
        )
        AuditEntry.objects.filter(seq__lte=through).delete()
    return result


def audit_seal_legacy(entry_model: Any, head_model: Any) -> Any | None:
    """Seal a chain written before the audit key: append one keyed entry after the unkeyed ones
    (nothing to do when there are none or the chain is keyed already). Its HMAC covers the last
    unkeyed hash, so rewriting an old entry, even with its SM3 recomputed, breaks the chain there.
    Takes the models so a migration can pass its historical ones."""
    last = entry_model.objects.order_by("-seq").first()
    if last is None or last.key_id:
        return None
    event = AuditEvent(
        AuditAction.AUDIT_KEY_START,
        "audit",
        "key",
        "审计密钥",
        after={"legacy_through_seq": last.seq, "legacy_hash": last.hash},
    )
    return _append(entry_model, head_model, None, "系统迁移", [event])[0]
