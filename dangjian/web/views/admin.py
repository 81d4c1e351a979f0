"""The three separated administrators' pages (三员分立).

审计管理员: search the audit trail, read-only. 系统管理员: accounts and roles of the subtree, no
member data. 安全管理员: the security policy and unlocking accounts.
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

from dangjian.accounts.models import SecurityPolicy
from dangjian.accounts.roles import ROLES, Perm
from dangjian.accounts.scope import audit_for, require
from dangjian.accounts.services import (
    is_locked,
    security_policy_update,
    user_create,
    user_set_roles,
    user_unlock,
)
from dangjian.core.audit import audit_verify
from dangjian.core.errors import errors_on
from dangjian.web.requests import SignedInRequest

from ..audit_display import entry_changes
from ..forms import AuditFilterForm, SecurityPolicyForm, UserCreateForm, UserRolesForm
from ..helpers import BadInput, bad_input_as_400, login_required_htmx, paginate, query_without
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
                    messages.success(request, f"已创建用户“{created.username}”")
                    return redirect("web:users")
        status = 400
    page = paginate(request, users_for(request.user, Perm.USER_MANAGE), per_page=30)
    rows = [
        {
            "u": u,
            "form": UserRolesForm(
                initial={"roles": sorted(r.role for r in u.roles.all()), "is_active": u.is_active},
                prefix=f"u{u.pk}",
            ),
        }
        for u in page
    ]
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
    form = UserRolesForm(request.POST, prefix=f"u{target.pk}")
    if not form.is_valid():
        errors = "；".join(str(e) for errs in form.errors.values() for e in errs)
        raise BadInput(f"未保存用户“{target.username}”的角色：{errors}")
    try:
        user_set_roles(
            actor=request.user,
            user=target,
            roles=form.cleaned_data["roles"],
            is_active=form.cleaned_data["is_active"],
        )
    except ValidationError as exc:
        raise BadInput("；".join(exc.messages)) from None
    messages.success(request, f"已更新用户“{target.username}”的角色")
    return redirect("web:users")


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
    accounts = [{"u": u, "locked": is_locked(u)} for u in locked_users(request.user)[:200]]
    return render(
        request,
        "web/security.html",
        {"form": form, "policy": policy, "accounts": accounts},
        status=status,
    )


@login_required
@require_POST
def user_unlock_view(request: SignedInRequest, username: str) -> HttpResponse:
    require(request.user, Perm.SECURITY_MANAGE)
    target = user_get(request.user, username, Perm.SECURITY_MANAGE)
    user_unlock(actor=request.user, user=target)
    messages.success(request, f"已解锁账号“{target.username}”")
    return redirect("web:security")
