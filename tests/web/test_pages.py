"""Page behaviour: query-count baselines, bad input as 4xx with a message, content of the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.orgs.models import Organization
from tests.factories import make_member, make_org

Tree = dict[str, Any]


def _grow(parent: Organization, branches: int, members: int) -> None:
    for _ in range(branches):
        branch = make_org(parent, org_type="党支部", sector="农村")
        for i in range(members):
            make_member(branch, member_type="预备党员" if i % 3 == 0 else "正式党员")


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:500]
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_tree_and_org_pages_do_not_grow_with_size(client: Client, tree: Tree) -> None:
    client.force_login(tree["admin"])
    urls = [
        reverse("web:tree"),
        reverse("web:tree_children", args=["TA001"]),
        reverse("web:org", args=["TA001"]),
        reverse("web:org", args=["D0001"]),
        reverse("web:org", args=["BA001"]),
    ]
    client.get(reverse("web:tree"))  # the first view after login saves the idle clock once
    small = [_queries(client, u) for u in urls]
    _grow(tree["root"], branches=6, members=4)
    _grow(tree["town_a"], branches=15, members=3)
    for _ in range(60):
        make_member(tree["branch_a"])
    large = [_queries(client, u) for u in urls]
    assert large == small
    # session, user, roles, policy, scope node, page data (counts: two grouped queries a level),
    # the checker's few grouped queries and the session save: a constant well under 25
    assert max(large) <= 25, large


#: query baselines per page (session, user, roles, policy, scope node, page data, session save)
BASELINES = {"tree": 15, "tree_children": 13, "org_committee": 21, "org_branch": 20}


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 12])
def test_query_baselines_at_two_sizes(
    client: Client, tree: Tree, size: int, django_assert_max_num_queries: Any
) -> None:
    _grow(tree["town_a"], branches=size, members=size)
    for _ in range(size * 5):
        make_member(tree["branch_a"])
    client.force_login(tree["admin"])
    client.get(reverse("web:tree"))  # warm the session
    pages = {
        "tree": reverse("web:tree"),
        "tree_children": reverse("web:tree_children", args=["TA001"]),
        "org_committee": reverse("web:org", args=["TA001"]),
        "org_branch": reverse("web:org", args=["BA001"]),
    }
    for name, url in pages.items():
        with django_assert_max_num_queries(BASELINES[name]):
            assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_tree_counts_per_subtree(client: Client, tree: Tree) -> None:
    make_member(tree["branch_a"], member_type="预备党员")
    client.force_login(tree["admin"])
    page = client.get(reverse("web:tree")).content.decode()
    # the town 甲: 2 organizations, 4 full and 1 probationary member
    block = page.split('data-code="TA001"')[1].split("</summary>")[0]
    assert "组织 2" in block and "正式 4" in block and "预备 1" in block
    children = client.get(reverse("web:tree_children", args=["TA001"])).content.decode()
    assert "甲村党支部" in children and "正式 4" in children


@pytest.mark.django_db
def test_tree_search_limited_to_scope(client: Client, tree: Tree) -> None:
    client.force_login(tree["admin_a"])
    page = client.get(reverse("web:tree"), {"q": "党支部"}).content.decode()
    assert "甲村党支部" in page and "乙社区党支部" not in page
    by_code = client.get(reverse("web:tree"), {"q": "ba0"}).content.decode()
    assert "甲村党支部" in by_code
    none = client.get(reverse("web:tree"), {"q": "BB001"}).content.decode()
    assert "没有找到" in none


@pytest.mark.django_db
def test_org_page_content(client: Client, tree: Tree) -> None:
    branch = make_org(
        tree["town_a"],
        org_type="党支部",
        sector="农村",
        code="BA002",
        name="甲二村党支部",
        term_started_on=dt.date(2020, 1, 1),
    )
    make_member(branch, post="书记", name="王书记")
    make_member(branch, phone="13912345678", name="李党员")
    client.force_login(tree["admin_a"])
    page = client.get(reverse("web:org", args=["BA002"])).content.decode()
    assert "甲镇党委" in page  # breadcrumb within the scope
    assert "测试区委组织部" not in page  # above the user's node: not shown
    assert "王书记" in page and "书记" in page
    assert "139****5678" in page and "13912345678" not in page
    assert "SETUP-BRANCH-MIN-FULL" in page  # 2 full members
    # the source of the finding, cited in full (issue 9: not "支部条例 art. 4–5")
    assert "《中国共产党支部工作条例（试行）》第四条至第五条" in page
    ends = branch.term_ends_on
    assert ends is not None and ends.isoformat() in page


@pytest.mark.django_db
def test_findings_page_filters_and_counts(client: Client, tree: Tree) -> None:
    client.force_login(tree["admin"])
    page = client.get(reverse("web:findings")).content.decode()
    assert "按规则统计" in page and "BB001" in page
    only = client.get(reverse("web:findings"), {"rule": "SETUP-BRANCH-MIN-FULL"}).content.decode()
    rows = only.count('<td data-label="规则" data-rule=')
    assert rows > 0
    assert only.count('data-rule="SETUP-BRANCH-MIN-FULL">党支部正式党员不少于 3 名 <span') == rows
    rural = client.get(reverse("web:findings"), {"sector": "农村"}).content.decode()
    assert 'href="/orgs/BB001/"' not in rural
    assert 'href="/orgs/BB001/"' in page
    subtree = client.get(reverse("web:findings"), {"org": "TB001"}).content.decode()
    assert 'href="/orgs/BA001/"' not in subtree


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"at": "2026-13-45"}, "不存在"),
        ({"at": "tomorrow"}, "格式错误"),
        ({"at": "99999-01-01"}, "格式错误"),
        ({"rule": "SETUP-NOPE"}, "未知规则"),
        ({"severity": "fatal"}, "无效的取值"),
        ({"sector": "火星"}, "无效的取值"),
        ({"region": "12"}, "行政区划代码"),
        ({"org": "ZZ9999"}, "不存在或不在您的管辖范围内"),
        ({"org": "a b"}, "组织编码"),
        ({"page": "99999999"}, "超出范围"),
        ({"page": "abc"}, "页码"),
        ({"page": "-1"}, "页码"),
    ],
)
def test_findings_bad_input(
    client: Client, tree: Tree, params: dict[str, str], message: str
) -> None:
    client.force_login(tree["admin"])
    response = client.get(reverse("web:findings"), params)
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2026-02-30"}, "不存在"),
        ({"date_to": "yesterday"}, "格式错误"),
        ({"date_from": "2026-05-01", "date_to": "2026-04-01"}, "起始日期不能晚于截止日期"),
        ({"request_id": "a b;drop"}, "请求标识"),
        ({"page": "100000"}, "超出范围"),
        ({"page": "1e9"}, "页码"),
    ],
)
def test_audit_bad_input(client: Client, tree: Tree, params: dict[str, str], message: str) -> None:
    client.force_login(tree["auditor"])
    response = client.get(reverse("web:audit"), params)
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.django_db
def test_other_pages_bad_input(client: Client, tree: Tree) -> None:
    client.force_login(tree["admin"])
    assert client.get(reverse("web:org", args=["NOPE1"])).status_code == 404
    assert client.get(reverse("web:org", args=["BA001"]), {"page": "77"}).status_code == 400
    assert client.get(reverse("web:org", args=["BA001"]), {"page": "0"}).status_code == 400
    assert client.get(reverse("web:member", args=[987654321])).status_code == 404
    assert client.get("/members/abc/").status_code == 404
    assert client.get(reverse("web:tree_children", args=["NOPE1"])).status_code == 404
    assert client.get(reverse("web:tree"), {"q": "x" * 500}).status_code == 400
    client.force_login(tree["sysadmin"])
    assert client.get(reverse("web:users"), {"page": "x"}).status_code == 400
    client.force_login(tree["secadmin"])
    response = client.post(reverse("web:security"), {"max_failed_logins": "abc"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_audit_search(client: Client, tree: Tree) -> None:
    client.force_login(tree["auditor"])
    page = client.get(reverse("web:audit"), {"action": "user.create"}).content.decode()
    # actions are shown by their Chinese names (issue 9), the codes only as filter values
    assert "secretary_a" in page and '<td data-label="操作">创建用户</td>' in page
    assert '<td data-label="操作">新建组织</td>' not in page
    by_id = client.get(reverse("web:audit"), {"object_id": "BA001"}).content.decode()
    assert "甲村党支部" in by_id and "乙社区党支部" not in by_id
    today = dt.date.today().isoformat()
    future = client.get(reverse("web:audit"), {"date_from": "2100-01-01"}).content.decode()
    assert "没有符合条件的审计记录" in future
    dated = client.get(reverse("web:audit"), {"date_to": today, "actor": "命令行"}).content.decode()
    assert '<td data-label="操作">创建用户</td>' in dated and "命令行（系统账户 " in dated
    chain = client.get(reverse("web:audit_chain"), HTTP_HX_REQUEST="true").content.decode()
    assert "哈希链完整" in chain and "<html" not in chain


@pytest.mark.django_db
def test_pages_send_strict_csp_and_load_only_own_assets(client: Client, tree: Tree) -> None:
    client.force_login(tree["admin"])
    response = client.get(reverse("web:tree"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert "<script>" not in html and "style=" not in html
    assert "http://" not in html and "https://" not in html
    assert "/static/vendor/htmx/htmx.min.js" in html and "/static/css/app.css" in html


def test_navigation_matches_urls() -> None:
    from dangjian.web.context import NAV_ITEMS

    for _perm, url, _label, section in NAV_ITEMS:
        reverse(url)
        for name in section:
            assert name.split(":")[0] in {"web", "exchange"}


@pytest.mark.django_db
def test_derived_node_counts_equal_subtree_counts(client: Client, tree: Tree) -> None:
    """The tree and org pages add up the children's counts; they must match a direct count."""
    from dangjian.members.selectors import subtree_counts

    _grow(tree["town_b"], branches=3, members=4)
    make_member(tree["branch_a"], member_type="预备党员")
    client.force_login(tree["admin"])
    page = client.get(reverse("web:tree")).content.decode()
    for node in (tree["root"], tree["town_a"]):
        expected = subtree_counts([node])[node.pk]
        row = page.split(f'data-code="{node.code}"')[1].split("</summary>")[0]
        assert f"组织 {expected.orgs}<" in row
        assert f"正式 {expected.full}<" in row and f"预备 {expected.probationary}<" in row
        org_page = client.get(reverse("web:org", args=[node.code])).content.decode()
        assert f"<strong>{expected.orgs}</strong>" in org_page
        assert f"<strong>{expected.full}</strong>" in org_page


@pytest.mark.django_db
def test_expired_session_in_htmx_fragment_navigates_to_login(client: Client, tree: Tree) -> None:
    response = client.get(
        reverse("web:tree_children", args=["TA001"]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/tree/?q=abc",
    )
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("login"))
    assert "next=/tree/%3Fq%3Dabc" in response["HX-Redirect"]
    assert b"TA001" not in response.content


@pytest.mark.django_db
def test_idle_timeout_logs_out_with_message(client: Client, tree: Tree) -> None:
    import time

    client.force_login(tree["admin"])
    assert client.get(reverse("web:tree")).status_code == 200
    session = client.session
    session["dangjian_last_seen"] = time.time() - 24 * 3600
    session.save()
    response = client.get(reverse("web:tree"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "长时间未操作" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_account_without_roles_gets_a_clear_page(client: Client, tree: Tree) -> None:
    from dangjian.accounts.models import UserRole

    UserRole.objects.filter(user=tree["inspector_a"]).delete()
    client.force_login(tree["inspector_a"])
    response = client.get(reverse("web:home"))
    assert response.status_code == 403
    assert "尚未被授予任何角色" in response.content.decode()
    assert client.get(reverse("web:tree")).status_code == 403


@pytest.mark.django_db
def test_member_page_names_the_residence_community_only_inside_scope(
    client: Client, tree: Tree
) -> None:
    member = make_member(tree["branch_a"], residence_community=tree["branch_b"], name="赵居民")
    client.force_login(tree["admin_a"])
    page = client.get(reverse("web:member", args=[member.pk])).content.decode()
    assert "赵居民" in page and "乙社区党支部" not in page and "不在您的管辖范围内" in page
    client.force_login(tree["admin"])
    page = client.get(reverse("web:member", args=[member.pk])).content.decode()
    assert "乙社区党支部" in page


@pytest.mark.django_db
def test_search_results_name_their_parent_within_scope(client: Client, tree: Tree) -> None:
    client.force_login(tree["admin_a"])
    page = client.get(reverse("web:tree"), {"q": "甲"}).content.decode()
    results = page.split("搜索结果")[1].split("</table>")[0]
    assert "甲村党支部" in results and "甲镇党委" in results
    assert "测试区委组织部" not in results  # the parent of 甲镇党委 lies above the user's node


@pytest.mark.django_db
def test_term_expiring_highlight_and_party_age(client: Client, tree: Tree) -> None:
    from django.utils import timezone

    from dangjian.core.dates import add_months

    today = timezone.localdate()
    soon = make_org(
        tree["town_a"],
        org_type="党支部",
        sector="机关",
        code="BA010",
        term_started_on=add_months(today, -34),
        term_years=3,
    )
    later = make_org(
        tree["town_a"],
        org_type="党支部",
        sector="机关",
        code="BA011",
        term_started_on=add_months(today, -12),
        term_years=3,
    )
    member = make_member(soon, joined_on=dt.date(2000, 7, 1), confirmed_on=dt.date(2001, 7, 1))
    client.force_login(tree["admin_a"])
    assert "即将届满" in client.get(reverse("web:org", args=[soon.code])).content.decode()
    assert "即将届满" not in client.get(reverse("web:org", args=[later.code])).content.decode()
    page = client.get(reverse("web:member", args=[member.pk])).content.decode()
    expected = today.year - 2001 - (1 if (today.month, today.day) < (7, 1) else 0)
    assert f"<dd>{expected} 年</dd>" in page
