"""Login (with the lockout message) and the start page that sends a user where their roles allow."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import can

from ..forms import LoginForm

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


@login_required
def home(request: HttpRequest) -> HttpResponse:
    for perm, url in START_PAGES:
        if can(request.user, perm):
            return redirect(url)
    return render(request, "web/no_role.html", status=403)
