"""The inbox page (消息): a user's own messages by tab, marking read, opening what one is about;
and the user's own 短信提醒手机号 (shown masked; 清除 removes it).

Every signed-in user has one; nobody sees another's (another's message answers 404). Opening a
message (POST) marks it read and goes to the page it links to; 全部标为已读 marks the tab's.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from dangjian.core.errors import error_text
from dangjian.web.helpers import BadInput, page, paginate, query_without
from dangjian.web.requests import SignedInRequest

from .selectors import TABS, contact_masked, inbox_of, tab_kinds, unread_by_tab
from .services import contact_set, message_read, messages_read_all


def _tab(request: SignedInRequest, source: str = "GET") -> tuple[str, tuple[str, ...]]:
    data = request.GET if source == "GET" else request.POST
    tab = (data.get("tab") or "").strip()
    kinds = tab_kinds(tab)
    if kinds is None:
        raise BadInput(f"没有“{tab[:20]}”这一类消息")
    return tab, kinds


@page("GET")
def inbox(request: SignedInRequest) -> HttpResponse:
    """消息: the user's messages of a tab, newest first, unread marked."""
    tab, kinds = _tab(request)
    messages = inbox_of(request.user)
    if kinds:
        messages = messages.filter(kind__in=kinds)
    page_ = paginate(request, messages.select_related("order"), per_page=20)
    unread = unread_by_tab(request.user)
    return render(
        request,
        "notify/inbox.html",
        {
            "tab": tab,
            "tabs": [(name, label, unread.get(name, 0)) for name, label, _k in TABS],
            "page": page_,
            "query": query_without(request, "page"),
            "unread_here": unread.get(tab, 0),
            "contact": contact_masked(request.user),
        },
    )


@page("POST")
def open_message(request: SignedInRequest, pk: int) -> HttpResponse:
    """Mark the message read and go to what it is about (or back to the inbox)."""
    message = inbox_of(request.user).filter(pk=pk).first()
    if message is None:
        raise Http404("消息不存在")
    message_read(actor=request.user, message=message)
    target = message.link
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(target)
    return redirect("notify:inbox")


@page("POST")
def read_all(request: SignedInRequest) -> HttpResponse:
    """全部标为已读 (of the tab the user is on)."""
    tab, kinds = _tab(request, "POST")
    messages_read_all(actor=request.user, kinds=list(kinds) or None)
    url = reverse("notify:inbox")
    return HttpResponseRedirect(f"{url}?tab={tab}" if tab else url)


@page("POST")
def contact(request: SignedInRequest) -> HttpResponse:
    """短信提醒手机号: set one's own (checked, stored encrypted, shown masked) or 清除 it."""
    if request.POST.get("clear"):
        phone = ""
    else:
        phone = (request.POST.get("phone") or "").strip()
        if not phone:
            raise BadInput("请填写手机号；不再接收短信提醒请点“清除”")
    try:
        contact_set(actor=request.user, user=request.user, phone=phone)
    except ValidationError as exc:
        raise BadInput(f"未保存：{error_text(exc)}") from None
    flash.success(request, "已清除短信提醒手机号" if not phone else "已保存短信提醒手机号")
    return redirect("notify:inbox")
