"""Roles and the permissions they grant. A role is bound to the user's organization node and
covers its whole subtree (see :mod:`dangjian.accounts.scope`).

The three administrators are separated (三员分立, GB/T 22239 8.1.4.2): the 系统管理员 manages
users and settings but sees no member data, the 安全管理员 sets the security policy, unlocks
accounts and approves every grant of a role with personal-data access (a two-person rule), the
审计管理员 reads the audit trail and changes nothing. An account holding one of these three roles
holds no other role, and the 系统管理员 cannot touch the 安全/审计 accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Perm(StrEnum):
    ORG_VIEW = "org.view"  # see organizations of the subtree and their setup data
    ORG_CHANGE = "org.change"  # create, edit, move organizations; import organizations
    MEMBER_VIEW = "member.view"  # see member records (masked)
    MEMBER_CHANGE = "member.change"  # create, edit members; import members
    LIFE_RECORD = "life.record"  # record, edit, delete meetings (组织生活)
    MEMBER_VIEW_PII = "member.view_pii"  # unmask ID and phone numbers (audited)
    FINDING_VIEW = "finding.view"  # see checker findings
    AUDIT_VIEW = "audit.view"  # search the audit trail
    USER_MANAGE = "user.manage"  # create users, grant roles
    SECURITY_MANAGE = "security.manage"  # security policy, unlock accounts
    RECRUIT_VIEW = "recruit.view"  # see recruitment cases (发展党员) and plans of the subtree
    RECRUIT_RECORD = "recruit.record"  # open cases, record the branch's steps
    RECRUIT_APPROVE = "recruit.approve"  # upper committee: filing, pre-review, approval, plans
    ASSESS_VIEW = "assess.view"  # see campaigns, scores, rectification, bulletins
    ASSESS_MANAGE = "assess.manage"  # campaigns, veto events, confirm rectification tasks
    ASSESS_SELF = "assess.self"  # fill the organization's self-check, report rectification
    ASSESS_INSPECT = "assess.inspect"  # score the spot-check (听、查、评)
    SERVICE_VIEW = "service.view"  # see service orders, grids and 三率 of the subtree
    SERVICE_DISPATCH = "service.dispatch"  # 村居派单: accept, merge, refuse, dispatch, escalate
    SERVICE_HANDLE = "service.handle"  # 网格接单: take an order dispatched to me, resolve it
    TRAINING_VIEW = "training.view"  # see training courses and the training figures
    TRAINING_MANAGE = "training.manage"  # enter courses held by the organization, participants
    CARE_VIEW = "care.view"  # 困难党员帮扶: own branch's or helped register; figures below
    CARE_RECORD = "care.record"  # register members in hardship, record help and visits
    LIANGXIN_VIEW = "liangxin.view"  # 两新 register, coverage rates, 空白点, advisors' visits
    LIANGXIN_RECORD = "liangxin.record"  # register/import units, assign advisors, record visits
    INSPECTION_VIEW = "inspection.view"  # 督查暗访: plans of the level, published findings below
    INSPECTION_MANAGE = "inspection.manage"  # plan inspections, record visits and findings
    # 典型培育与党建品牌 (dangjian/exemplar)
    EXEMPLAR_VIEW = "exemplar.view"  # see the examples of the subtree (and every named one)
    EXEMPLAR_PROPOSE = "exemplar.propose"  # propose and edit an example, link its evidence
    EXEMPLAR_NAME = "exemplar.name"  # upper level: name (命名), review and revoke examples
    REVIEW_VIEW = "review.view"  # 述职评议: campaigns, reports, results of the subtree
    REVIEW_MANAGE = "review.manage"  # open a campaign, give problems, record ratings, grade
    REVIEW_REPORT = "review.report"  # a secretary submits the organization's 述职 report


#: what each permission lets a user do, for messages ("您的角色没有“查看审计日志”的权限")
PERM_LABELS: dict[Perm, str] = {
    Perm.ORG_VIEW: "查看组织",
    Perm.ORG_CHANGE: "维护组织",
    Perm.MEMBER_VIEW: "查看党员信息",
    Perm.MEMBER_CHANGE: "维护党员信息",
    Perm.LIFE_RECORD: "记录组织生活",
    Perm.MEMBER_VIEW_PII: "查看完整身份证号和手机号",
    Perm.FINDING_VIEW: "查看检查问题",
    Perm.AUDIT_VIEW: "查看审计日志",
    Perm.USER_MANAGE: "管理用户",
    Perm.SECURITY_MANAGE: "设置安全策略",
    Perm.RECRUIT_VIEW: "查看发展党员",
    Perm.RECRUIT_RECORD: "记录发展党员步骤",
    Perm.RECRUIT_APPROVE: "审批发展党员",
    Perm.ASSESS_VIEW: "查看考核",
    Perm.ASSESS_MANAGE: "管理考核",
    Perm.ASSESS_SELF: "填报自查和整改",
    Perm.ASSESS_INSPECT: "抽查评分",
    Perm.SERVICE_VIEW: "查看服务工单",
    Perm.SERVICE_DISPATCH: "受理和派发服务工单",
    Perm.SERVICE_HANDLE: "办理服务工单",
    Perm.TRAINING_VIEW: "查看党员教育培训",
    Perm.TRAINING_MANAGE: "登记培训班",
    Perm.CARE_VIEW: "查看困难党员帮扶",
    Perm.CARE_RECORD: "登记困难党员帮扶",
    Perm.LIANGXIN_VIEW: "查看两新组织覆盖",
    Perm.LIANGXIN_RECORD: "登记两新组织和党建指导员",
    Perm.INSPECTION_VIEW: "查看督查暗访",
    Perm.INSPECTION_MANAGE: "组织督查暗访",
    Perm.EXEMPLAR_VIEW: "查看典型",
    Perm.EXEMPLAR_PROPOSE: "推荐和维护典型",
    Perm.EXEMPLAR_NAME: "命名和撤销典型",
    Perm.REVIEW_VIEW: "查看述职评议",
    Perm.REVIEW_MANAGE: "组织述职评议",
    Perm.REVIEW_REPORT: "提交述职报告",
}


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    perms: frozenset[Perm]
    description: str


_DATA_ADMIN = frozenset(
    {
        Perm.ORG_VIEW,
        Perm.ORG_CHANGE,
        Perm.MEMBER_VIEW,
        Perm.MEMBER_CHANGE,
        Perm.MEMBER_VIEW_PII,
        Perm.FINDING_VIEW,
        Perm.LIFE_RECORD,
        Perm.RECRUIT_VIEW,
        Perm.RECRUIT_RECORD,
        Perm.RECRUIT_APPROVE,
        Perm.ASSESS_VIEW,
        Perm.ASSESS_MANAGE,
        Perm.ASSESS_SELF,
        Perm.ASSESS_INSPECT,
        Perm.SERVICE_VIEW,
        Perm.SERVICE_DISPATCH,
        Perm.SERVICE_HANDLE,
        Perm.TRAINING_VIEW,
        Perm.TRAINING_MANAGE,
        Perm.CARE_VIEW,
        Perm.CARE_RECORD,
        Perm.LIANGXIN_VIEW,
        Perm.LIANGXIN_RECORD,
        Perm.INSPECTION_VIEW,
        Perm.INSPECTION_MANAGE,
        Perm.EXEMPLAR_VIEW,
        Perm.EXEMPLAR_PROPOSE,
        Perm.EXEMPLAR_NAME,
        Perm.REVIEW_VIEW,
        Perm.REVIEW_MANAGE,
        Perm.REVIEW_REPORT,
    }
)

ROLES: dict[str, Role] = {
    r.code: r
    for r in [
        Role(
            "org_admin", "组织部管理员", _DATA_ADMIN, "一个地区组织部的管理员，管理本地区全部组织"
        ),
        Role(
            "committee_admin",
            "党委管理员",
            _DATA_ADMIN,
            "基层党委（党工委）管理员，管理本党委下属组织",
        ),
        Role(
            "branch_secretary",
            "支部书记",
            # what the upper levels decide (approval, campaigns, spot-checks, courses) is theirs
            _DATA_ADMIN
            - {
                Perm.ORG_CHANGE,
                Perm.RECRUIT_APPROVE,
                Perm.ASSESS_MANAGE,
                Perm.ASSESS_INSPECT,
                Perm.TRAINING_MANAGE,
                Perm.INSPECTION_MANAGE,
                Perm.EXEMPLAR_NAME,
                Perm.REVIEW_MANAGE,
            },
            "本支部的书记或组织委员，维护本支部党员信息",
        ),
        Role(
            "grid_worker",
            "网格员",
            frozenset({Perm.SERVICE_VIEW, Perm.SERVICE_HANDLE}),
            "村（社区）网格员或党员志愿者，接单办理群众服务工单",
        ),
        Role(
            "inspector",
            "督查员",
            frozenset(
                {
                    Perm.ORG_VIEW,
                    Perm.MEMBER_VIEW,
                    Perm.FINDING_VIEW,
                    Perm.RECRUIT_VIEW,
                    Perm.ASSESS_VIEW,
                    Perm.ASSESS_INSPECT,
                    Perm.SERVICE_VIEW,
                    Perm.TRAINING_VIEW,
                    Perm.LIANGXIN_VIEW,
                    Perm.INSPECTION_VIEW,
                    Perm.REVIEW_VIEW,
                }
            ),
            "督导组成员，查看所辖组织并进行抽查评分",
        ),
        Role(
            "sys_admin",
            "系统管理员",
            frozenset({Perm.USER_MANAGE, Perm.ORG_VIEW}),
            "管理用户与系统设置，不接触党员数据",
        ),
        Role(
            "security_admin",
            "安全管理员",
            frozenset({Perm.SECURITY_MANAGE}),
            "设置安全策略、解锁账号",
        ),
        Role(
            "audit_admin",
            "审计管理员",
            frozenset({Perm.AUDIT_VIEW}),
            "查阅审计日志，不能修改任何数据",
        ),
    ]
}

ROLE_CHOICES = [(r.code, r.label) for r in ROLES.values()]

#: permissions that show persons: member records (even masked: names), their ID and phone
#: numbers, the records of organizational life (minutes and attendance name members), findings
#: about members, recruitment cases (applicants), scores and rectification of the branches, and
#: the audit trail (its before/after name the persons changed)
PERSONAL_DATA_PERMS: frozenset[Perm] = frozenset(Perm) - {
    Perm.ORG_VIEW,
    Perm.ORG_CHANGE,
    Perm.USER_MANAGE,
    Perm.SECURITY_MANAGE,
}

#: the three separated administrators (三员): an account holding one holds no other role
ADMIN_ROLES: frozenset[str] = frozenset({"sys_admin", "security_admin", "audit_admin"})

#: roles the 系统管理员 may neither grant nor take away: the accounts of the 安全管理员 and the
#: 审计管理员 are out of its reach (created by the operator at the command line)
PROTECTED_ROLES: frozenset[str] = frozenset({"security_admin", "audit_admin"})


def carries_personal_data(code: str) -> bool:
    """Whether the role ``code`` grants access to personal data (its grant needs the approval of
    a 安全管理员 when a 系统管理员 asks for it)."""
    role = ROLES.get(code)
    return role is not None and bool(role.perms & PERSONAL_DATA_PERMS)


def resolve_role(name: str) -> Role:
    """Find a role by code or Chinese label; raises ``KeyError`` with the known names."""
    name = name.strip()
    if name in ROLES:
        return ROLES[name]
    for role in ROLES.values():
        if role.label == name:
            return role
    known = "、".join(f"{r.code}（{r.label}）" for r in ROLES.values())
    raise KeyError(f"未知角色“{name}”，可用角色：{known}")
