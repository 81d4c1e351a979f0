"""The three separated administrators' pages (三员分立).

审计管理员: search the audit trail, read-only. 系统管理员: accounts and roles of the subtree, no
member data, not the 安全/审计 accounts; a role with personal-data access it grants waits for a
安全管理员's approval. 安全管理员: the security policy, unlocking accounts, approving or refusing
role grants.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.accounts.models import RoleGrant, SecurityPolicy, User
from dangjian.accounts.roles import PROTECTED_ROLES, ROLES, Perm
from dangjian.accounts.scope import audit_for, require
from dangjian.accounts.selectors import role_grant_get, role_grants_for
from dangjian.accounts.services import (
    LOCK_EXEMPT_MAX_HOURS,
    is_locked,
    lock_exempt,
    require_may_manage,
    role_grant_approve,
    role_grant_refuse,
    security_policy_update,
    user_create,
    user_set_roles,
    user_unlock,
)
from dangjian.core.audit import audit_verify
from dangjian.core.errors import error_text, errors_on
from dangjian.web.requests import SignedInRequest

from ..audit_display import entry_changes
from ..forms import (
    AuditFilterForm,
    GrantRefuseForm,
    SecurityPolicyForm,
    UnlockForm,
    UserCreateForm,
    UserRolesForm,
)
from ..helpers import BadInput, bad_input_as_400, login_required_htmx, paginate, query_without
from ..pages import errors_text
from ..selectors import locked_users, org_in_scope, user_get, users_for


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@login_required
@require_GET
@bad_input_as_400
def audit(request: SignedInRequest) -> HttpResponse:
    require(request.user, Perm.AUDIT_VIEW)
    form = AuditFilterForm(request.GET)
    context: dict[str, Any] = {"form": form}
    if not form.is_valid():
        return render(request, "web/audit.html", context, status=400)
    data = form.cleaned_data
    qs = audit_for(request.user)
    if data["actor"]:
        qs = qs.filter(actor_name__icontains=data["actor"].strip())
    if data["action"]:
        qs = qs.filter(action__startswith=data["action"].strip())
    if data["object_type"]:
        qs = qs.filter(object_type=data["object_type"].strip())
    if data["object_id"]:
        qs = qs.filter(object_id=data["object_id"].strip())
    if data["request_id"]:
        qs = qs.filter(request_id=data["request_id"])
    if data["date_from"]:
        qs = qs.filter(at__gte=_day_start(data["date_from"]))
    if data["date_to"]:
        qs = qs.filter(at__lt=_day_start(data["date_to"] + dt.timedelta(days=1)))
    page = paginate(request, qs.order_by("-seq"))
    context["page"] = page
    context["rows"] = [{"e": e, "changes": entry_changes(e)} for e in page]
    context["query"] = query_without(request, "page")
    return render(request, "web/audit.html", context)


@login_required_htmx
@require_GET
def audit_chain(request: SignedInRequest) -> HttpResponse:
    """Verify the hash chain of the whole trail (read-only); a fragment for htmx."""
    require(request.user, Perm.AUDIT_VIEW)
    result = audit_verify()
    template = (
        "web/_audit_chain.html" if request.headers.get("HX-Request") else "web/audit_chain.html"
    )
    return render(request, template, {"result": result})


@login_required
@require_http_methods(["GET", "POST"])
@bad_input_as_400
def users(request: SignedInRequest) -> HttpResponse:
    require(request.user, Perm.USER_MANAGE)
    status = 200
    form = UserCreateForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            org = org_in_scope(request.user, data["org"], Perm.USER_MANAGE)
            if org is None:
                form.add_error("org", f"组织编码“{data['org']}”不存在或不在您的管辖范围内")
            else:
                with errors_on(form):
                    created = user_create(
                        actor=request.user,
                        username=data["username"],
                        password=data["password"],
                        org=org,
                        roles=data["roles"],
                        display_name=data["display_name"],
                    )
                    messages.success(
                        request, f"已创建用户“{created.username}”{_pending_note(created)}"
                    )
                    return redirect("web:users")
        status = 400
    page = paginate(
        request,
        users_for(request.user, Perm.USER_MANAGE).prefetch_related("role_grants"),
        per_page=30,
    )
    rows = []
    for u in page:
        held = sorted(r.role for r in u.roles.all())
        pending = sorted(
            g.role for g in u.role_grants.all() if g.status == RoleGrant.Status.PENDING
        )
        rows.append(
            {
                "u": u,
                "protected": bool(set(held) & PROTECTED_ROLES),
                "pending": [ROLES[c].label for c in pending if c in ROLES],
                "form": UserRolesForm(
                    initial={"roles": held + pending, "is_active": u.is_active},
                    prefix=f"u{u.pk}",
                ),
            }
        )
    return render(
        request,
        "web/users.html",
        {"form": form, "page": page, "rows": rows, "roles": ROLES.values(), "query": ""},
        status=status,
    )


@login_required
@require_POST
@bad_input_as_400
def user_roles(request: SignedInRequest, username: str) -> HttpResponse:
    require(request.user, Perm.USER_MANAGE)
    target = user_get(request.user, username, Perm.USER_MANAGE)
    if target.pk == request.user.pk:
        raise BadInput("不能修改自己的角色，请由另一位系统管理员操作")
    require_may_manage(request.user, target)
    form = UserRolesForm(request.POST, prefix=f"u{target.pk}")
    if not form.is_valid():
        raise BadInput(f"未保存用户“{target.username}”的角色：{errors_text(form)}")
    try:
        user_set_roles(
            actor=request.user,
            user=target,
            roles=form.cleaned_data["roles"],
            is_active=form.cleaned_data["is_active"],
        )
    except ValidationError as exc:
        raise BadInput("；".join(exc.messages)) from None
    messages.success(request, f"已更新用户“{target.username}”的角色{_pending_note(target)}")
    return redirect("web:users")


def _pending_note(user: User) -> str:
    pending = user.role_grants.filter(status=RoleGrant.Status.PENDING).values_list(
        "role", flat=True
    )
    labels = "、".join(ROLES[c].label for c in sorted(pending) if c in ROLES)
    return f"；角色“{labels}”可查看党员信息，须经安全管理员批准后生效" if labels else ""


@login_required
@require_http_methods(["GET", "POST"])
@bad_input_as_400
def security(request: SignedInRequest) -> HttpResponse:
    require(request.user, Perm.SECURITY_MANAGE)
    policy = SecurityPolicy.current()
    status = 200
    if request.method == "POST":
        form = SecurityPolicyForm(request.POST)
        if form.is_valid():
            with errors_on(form):
                security_policy_update(actor=request.user, **form.cleaned_data)
                messages.success(request, "安全策略已保存")
                return redirect("web:security")
        status = 400
    else:
        form = SecurityPolicyForm(
            initial={
                "max_failed_logins": policy.max_failed_logins,
                "lockout_minutes": policy.lockout_minutes,
                "idle_timeout_minutes": policy.idle_timeout_minutes,
            }
        )
    # every locked account, paged (the list was cut at 200 without a word)
    locked = paginate(request, locked_users(request.user).order_by("username"))
    accounts = [
        {
            "u": u,
            "locked": is_locked(u),
            "exempt": lock_exempt(u),
            "form": UnlockForm(prefix=f"u{u.pk}"),
        }
        for u in locked
    ]
    return render(
        request,
        "web/security.html",
        {
            "form": form,
            "policy": policy,
            "accounts": accounts,
            "locked": locked,
            "query": query_without(request, "page"),
            "pending_grants": role_grants_for(request.user).count(),
            "exempt_max": LOCK_EXEMPT_MAX_HOURS,
        },
        status=status,
    )


@login_required
@require_POST
@bad_input_as_400
def user_unlock_view(request: SignedInRequest, username: str) -> HttpResponse:
    """Unlock an account (and clear its failures); optionally exempt it from locking for a few
    hours, so that others typing wrong passwords for its username cannot keep it locked."""
    require(request.user, Perm.SECURITY_MANAGE)
    target = user_get(request.user, username, Perm.SECURITY_MANAGE)
    form = UnlockForm(request.POST, prefix=f"u{target.pk}")
    if not form.is_valid():
        raise BadInput(f"未解锁账号“{target.username}”：{errors_text(form)}")
    hours = form.cleaned_data["exempt_hours"] or 0
    try:
        user_unlock(actor=request.user, user=target, exempt_hours=hours)
    except ValidationError as exc:
        raise BadInput(error_text(exc)) from None
    note = f"，{hours} 小时内他人输错密码不会再锁定该账号" if hours else ""
    messages.success(request, f"已解锁账号“{target.username}”{note}")
    return redirect("web:security")


@login_required
@require_GET
@bad_input_as_400
def role_grants(request: SignedInRequest) -> HttpResponse:
    """The role grants awaiting the 安全管理员's approval, and the recently decided ones."""
    require(request.user, Perm.SECURITY_MANAGE)
    waiting = paginate(request, role_grants_for(request.user))
    pending = [
        {"g": g, "own": g.requested_by_id == request.user.pk or g.user_id == request.user.pk}
        for g in waiting
    ]
    decided = list(role_grants_for(request.user, pending=False)[:30])
    return render(
        request,
        "web/role_grants.html",
        {
            "pending": pending,
            "waiting": waiting,
            "query": query_without(request, "page"),
            "decided": decided,
            "refuse_form": GrantRefuseForm(),
            "roles": ROLES,
        },
    )


@login_required
@require_POST
@bad_input_as_400
def role_grant_decide(request: SignedInRequest, pk: int, decision: str) -> HttpResponse:
    """Approve (``decision`` = approve) or refuse (= refuse, with a reason) a pending grant."""
    require(request.user, Perm.SECURITY_MANAGE)
    grant = role_grant_get(request.user, pk)
    label = ROLES[grant.role].label if grant.role in ROLES else grant.role
    what = f"为“{grant.user.username}”授予“{label}”"
    try:
        if decision == "approve":
            role_grant_approve(actor=request.user, grant=grant)
            messages.success(request, f"已批准{what}")
        elif decision == "refuse":
            form = GrantRefuseForm(request.POST)
            if not form.is_valid():
                raise BadInput(f"未拒绝{what}：{errors_text(form)}")
            role_grant_refuse(actor=request.user, grant=grant, reason=form.cleaned_data["reason"])
            messages.success(request, f"已拒绝{what}")
        else:
            raise BadInput(f"未知的审批操作“{decision[:20]}”")
    except ValidationError as exc:
        raise BadInput(f"未处理{what}：{error_text(exc)}") from None
    return redirect("web:role_grants")
