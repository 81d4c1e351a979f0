"""Login (with the lockout message) and the start page: a branch's own to-do for a user bound to
a branch, else the first page the user's roles allow."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.accounts import ratelimit
from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import can
from dangjian.orgs.choices import BRANCH_TYPES, OrgType
from dangjian.web.requests import SignedInRequest

from ..forms import LoginForm
from ..selectors import branch_todo

#: the first page a role may open, in this order (组织 → 审计 → 用户 → 安全)
START_PAGES = [
    (Perm.ORG_VIEW, "web:tree"),
    (Perm.AUDIT_VIEW, "web:audit"),
    (Perm.USER_MANAGE, "web:users"),
    (Perm.SECURITY_MANAGE, "web:security"),
]


class LoginView(auth_views.LoginView):
    """Password login; says when the session ended because of inactivity."""

    authentication_form = LoginForm
    redirect_authenticated_user = True
    template_name = "registration/login.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        session = getattr(self.request, "session", None)
        context["timed_out"] = bool(session.pop("dangjian_timed_out", False)) if session else False
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wait = ratelimit.retry_after(request)
        if wait is None:
            return super().post(request, *args, **kwargs)
        context = self.get_context_data(form=self.get_form_class()(request))
        context["refused"] = ratelimit.refusal_message(wait)
        response = self.render_to_response(context, status=429)
        response["Retry-After"] = str(wait)
        return response


def is_branch_user(user: Any) -> bool:
    """A user bound to a 党支部 or 党小组 who may see its findings: their start page is the
    branch's to-do, not a tree of one node."""
    org = getattr(user, "org", None)
    return (
        org is not None
        and org.org_type in (*BRANCH_TYPES, OrgType.GROUP)
        and can(user, Perm.FINDING_VIEW)
    )


@login_required
def home(request: SignedInRequest) -> HttpResponse:
    org = getattr(request.user, "org", None)
    if org is not None and is_branch_user(request.user):
        today = timezone.localdate()
        context = {"org": org, "today": today, **branch_todo(request.user, org, today)}
        return render(request, "web/todo.html", context)
    for perm, url in START_PAGES:
        if can(request.user, perm):
            return redirect(url)
    return render(request, "web/no_role.html", status=403)
