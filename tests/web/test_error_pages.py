"""The shared error pages and messages say what was not found or not allowed, in Chinese, and
name the thing asked for — never Django's exception names, never "记录 7055"."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dangjian.rules.registry import rule_titles
from tests.web.visible import offences, visible_text

Tree = dict[str, Any]


def _english(page: str, *names: str) -> list[str]:
    return offences(visible_text(page), names=set(names), rule_titles=rule_titles())


@pytest.mark.django_db
def test_not_found_pages_say_what_was_asked_for(client: Client, tree: Tree) -> None:
    client.force_login(tree["admin_a"])
    # a selector's message is shown as it is
    page = client.get(reverse("web:org", args=["BB001"]))  # the other town's branch
    assert page.status_code == 404
    assert "组织不存在或不在您的管辖范围内" in page.content.decode()
    # an address that matches no page: a plain sentence, not "Resolver404"
    unknown = client.get("/no-such-page/")
    text = unknown.content.decode()
    assert unknown.status_code == 404 and "页面或对象不存在" in text
    assert "Resolver404" not in text and not _english(text, "admin_a")
    client.force_login(tree["sysadmin"])
    missing = client.post(reverse("web:user_roles", args=["nobody"]), {})
    assert "用户“nobody”不存在或不在您的管辖范围内" in missing.content.decode()


@pytest.mark.django_db
def test_a_bad_public_survey_link_says_the_link_is_invalid(client: Client, db: Any) -> None:
    response = client.get(reverse("survey:answer", args=["no-such-token"]))
    text = response.content.decode()
    assert response.status_code == 404
    assert "测评链接无效" in text and "管辖范围" not in text
    other = client.get("/survey/s/")  # no token at all: not a page
    assert "链接已失效" in other.content.decode() and "管辖范围" not in other.content.decode()


@pytest.mark.django_db
def test_forbidden_pages_name_the_missing_permission(client: Client, tree: Tree) -> None:
    client.force_login(tree["auditor"])
    page = client.get(reverse("web:tree"))
    assert page.status_code == 403
    assert "您的角色没有“查看组织”的权限" in page.content.decode()
    client.force_login(tree["inspector_a"])
    page = client.get(reverse("web:audit"))
    assert "您的角色没有“查看审计日志”的权限" in page.content.decode()
    assert not _english(page.content.decode(), "inspector_a")


@pytest.mark.django_db
def test_csrf_failure_page_is_chinese(tree: Tree) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(tree["secadmin"])
    page = client.post(reverse("web:security"), {"max_failed_logins": 5})
    assert page.status_code == 403
    text = page.content.decode()
    assert "本次操作未执行" in text and not _english(text, "secadmin")


@pytest.mark.django_db
def test_api_messages_name_the_permission_and_the_code(tree: Tree) -> None:
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(tree["auditor"])
    response = api.get("/api/v1/orgs/")
    assert response.status_code == 403
    assert response.json()["detail"] == "您的角色没有“查看组织”的权限"
    api.force_authenticate(tree["admin_a"])
    response = api.post(
        "/api/v1/members/",
        {
            "org": "BB001",
            "name": "张三",
            "id_number": "110105198001010011",
            "gender": "男",
            "birth_date": "1980-01-01",
            "member_type": "正式党员",
            "joined_on": "2005-07-01",
            "confirmed_on": "2006-07-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "所在党组织“BB001”不存在或不在您的管辖范围内" in str(response.json())
