"""Writing and verifying the audit trail (see :class:`dangjian.core.models.AuditEntry`).

Services call :func:`audit_record` (or :func:`audit_record_many` for bulk imports) inside the same
``transaction.atomic()`` block as their change, so the change and its entry commit or roll back
together. Appends are serialised by locking the chain head row.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from cryptography.hazmat.primitives import hashes
from django.db import connection, models
from django.utils import timezone

from . import context
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
    # demo and seed data
    SEED_RUN = "seed.run", "生成演示数据"
    LIFE_SEED = "life.seed", "生成演示组织生活记录"
    ASSESS_SEED = "assess.seed", "生成演示考核数据"


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
    "database": "数据库",
    "tree": "组织树",
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


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _digest(payload: dict[str, Any]) -> str:
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    h = hashes.Hash(hashes.SM3())
    h.update(data.encode("utf-8"))
    return h.finalize().hex()


def _payload(entry: AuditEntry) -> dict[str, Any]:
    at = entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return {
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


def entry_hash(entry: AuditEntry) -> str:
    """The hash an entry must carry, given its content and its ``prev_hash``."""
    return _digest(_payload(entry))


def audit_record_many(*, actor: Actor, events: Sequence[AuditEvent]) -> list[AuditEntry]:
    """Append entries for ``events``; must run inside the caller's transaction."""
    if not events:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("audit entries must be written inside the change's transaction")
    ctx = context.current()
    head = AuditChainHead.objects.select_for_update().filter(id=1).first()
    if head is None:
        head = AuditChainHead.objects.create(id=1)
        head = AuditChainHead.objects.select_for_update().get(id=1)
    now = timezone.now().astimezone(dt.UTC)
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    entries: list[AuditEntry] = []
    seq, prev = head.seq, head.hash
    for event in events:
        seq += 1
        entry = AuditEntry(
            seq=seq,
            at=now,
            actor_id=actor_id,
            actor_name=actor.audit_name[:150],
            action=str(event.action),
            object_type=event.object_type,
            object_id=str(event.object_id)[:128],
            object_repr=str(event.object_repr)[:255],
            scope_path=event.scope_path,
            before=_jsonable(event.before),
            after=_jsonable(event.after),
            request_id=ctx.request_id,
            client_addr=ctx.client_addr,
            prev_hash=prev,
        )
        entry.hash = entry_hash(entry)
        prev = entry.hash
        entries.append(entry)
    AuditEntry.objects.bulk_create(entries, batch_size=2000)
    AuditChainHead.objects.filter(id=1).update(seq=seq, hash=prev)
    return entries


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
    """The record an entry is about: its type (``OBJECT_TYPE_LABELS``), the object (its ``pk``
    is the id), the scope path it lies in, and how it is named (``str(obj)`` unless given)."""

    object_type: str
    obj: Any
    scope_path: str
    name: str | None = None


def audit_about(actor: Actor, action: AuditAction, subject: AuditSubject, **kw: Any) -> AuditEntry:
    """:func:`audit_record` of one entry about ``subject`` (``before``/``after`` in ``kw``)."""
    return audit_record(
        actor=actor,
        action=action,
        object_type=subject.object_type,
        object_id=str(subject.obj.pk),
        object_repr=str(subject.obj) if subject.name is None else subject.name,
        scope_path=subject.scope_path,
        **kw,
    )


def audit_verify(entries: Iterable[AuditEntry] | None = None) -> VerifyResult:
    """Recompute the chain in sequence order and report the first broken entry, if any."""
    if entries is None:
        entries = AuditEntry.objects.order_by("seq").iterator(chunk_size=5000)
    prev, expected_seq, checked = GENESIS, 1, 0
    for entry in entries:
        if entry.seq != expected_seq:
            return VerifyResult(
                False, checked, expected_seq, f"缺少第 {expected_seq} 条记录（记录被删除）"
            )
        if entry.prev_hash != prev:
            return VerifyResult(False, checked, entry.seq, "前一哈希与上一条记录不符")
        if entry_hash(entry) != entry.hash:
            return VerifyResult(False, checked, entry.seq, "记录内容与哈希不符（记录被篡改）")
        prev, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    head = AuditChainHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != checked or head_hash != prev:
        return VerifyResult(
            False,
            checked,
            checked + 1 if head_seq > checked else None,
            "链头与最后一条记录不符（末尾记录被删除）",
        )
    return VerifyResult(True, checked)
