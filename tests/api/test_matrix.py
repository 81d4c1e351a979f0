"""Methods the API does not offer change nothing. Who may call each route and method is the
matrix of tests/test_authorization.py."""

from __future__ import annotations

import pytest

from tests.api.conftest import db_state


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method,url",
    [
        ("put", "/api/v1/orgs/BA001/"),
        ("delete", "/api/v1/orgs/BA001/"),
        ("put", "/api/v1/members/{pk}/"),
        ("delete", "/api/v1/members/{pk}/"),
        ("get", "/api/v1/members/{pk}/reveal/"),
        ("post", "/api/v1/findings/"),
        ("delete", "/api/v1/service/departments/"),
        ("get", "/api/v1/service/departments/referrals/"),
        ("put", "/api/v1/service/visits/"),
        ("delete", "/api/v1/service/visits/{pk}/"),
        ("put", "/api/v1/service/teams/{pk}/"),
        ("delete", "/api/v1/service/teams/{pk}/"),
        ("patch", "/api/v1/service/double-reports/{pk}/"),
        ("delete", "/api/v1/service/double-reports/{pk}/"),
        ("put", "/api/v1/service/grids/{grid}/"),
        ("delete", "/api/v1/service/grids/{grid}/"),
        ("delete", "/api/v1/service/orders/{order}/"),
        ("patch", "/api/v1/service/orders/{order}/"),
        ("post", "/api/v1/service/orders/"),
        ("get", "/api/v1/service/orders/{order}/take/"),
    ],
)
def test_unsupported_methods_change_nothing(tree, api, method, url):
    from dangjian.accounts.scope import SYSTEM
    from dangjian.service.services import grid_create, order_submit

    grid = grid_create(actor=SYSTEM, org=tree["branch_a"], name="第一网格")
    order = order_submit(
        grid=grid, category="roads", description="路灯不亮已经一周", phone="13800001111"
    )
    url = url.format(pk=tree["members_a"][0].pk, grid=grid.pk, order=order.pk)
    before = db_state()
    anonymous = getattr(api(None), method)(url, {}, format="json")
    assert anonymous.status_code == 401
    response = getattr(api("admin"), method)(url, {}, format="json")
    assert response.status_code in (403, 405)
    assert db_state().orgs == before.orgs and db_state().members == before.members
