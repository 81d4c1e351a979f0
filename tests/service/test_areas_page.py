"""The 片区 page (/fuwu/areas/): the list, registering a 片区 with its 片区长 (bad input refused in
Chinese, nothing written), and an escalation then reaching the leaders."""

from __future__ import annotations

from django.urls import reverse

from dangjian.core.models import AuditEntry
from dangjian.service import services as s
from dangjian.service.choices import OrderState
from dangjian.service.models import ServiceArea
from tests.assess.test_chinese_only import english_words
from tests.factories import make_user


def test_the_area_page_lists_and_registers_a_pian_qu_with_its_leaders(place, login):
    d = login(place.dispatcher)
    page = d.get(reverse("service:areas")).content.decode()
    assert "还没有登记片区" in page and "登记片区" in page
    assert "网格中尚未登记的片区：东片区" in page  # the name the first grid carries
    assert not english_words(page)
    # bad input: a Chinese message, nothing written
    plain = make_user(place.village, "inspector")
    before = AuditEntry.objects.count()
    bad = d.post(reverse("service:areas"), {"org": place.village.code, "name": " "})
    assert bad.status_code == 400 and "请填写片区名称" in bad.content.decode()
    unknown = d.post(
        reverse("service:areas"), {"org": place.village.code, "name": "东片区", "leaders": "nobody"}
    )
    assert unknown.status_code == 400 and "没有这些账号：nobody" in unknown.content.decode()
    cannot = d.post(
        reverse("service:areas"),
        {"org": place.village.code, "name": "东片区", "leaders": plain.username},
    )
    assert cannot.status_code == 400 and "不能担任片区长" in cannot.content.decode()
    other = d.post(reverse("service:areas"), {"org": place.other.code, "name": "西片区"})
    assert other.status_code == 400 and "请选择片区所属的村（社区）" in other.content.decode()
    assert not ServiceArea.objects.exists()
    assert AuditEntry.objects.count() == before
    r = d.post(
        reverse("service:areas"),
        {
            "org": place.village.code,
            "name": "东片区",
            "leaders": f"{place.worker.username}，{place.worker2.username}",
        },
    )
    assert r.status_code == 302 and r["Location"] == reverse("service:areas")
    area = ServiceArea.objects.get()
    assert area.org == place.village and set(area.leaders.all()) == {place.worker, place.worker2}
    assert AuditEntry.objects.filter(action="service.area.create").count() == 1
    page = d.get(reverse("service:areas")).content.decode()
    assert f'data-area="{area.pk}"' in page and "网格中尚未登记的片区" not in page
    again = d.post(reverse("service:areas"), {"org": place.village.code, "name": "东片区"})
    assert again.status_code == 400 and "已登记名为“东片区”的片区" in again.content.decode()
    # an order escalated from the grid of the 东片区 now goes to its leaders
    order = s.order_accept(
        actor=place.dispatcher,
        order=s.order_submit(
            grid=place.grid, category="roads", description="两户为排水沟起纠纷", phone="13800001111"
        ),
    )
    order = s.order_escalate(actor=place.dispatcher, order=order, reason="需要片区协调")
    assert order.state == OrderState.DISPATCHED and s.may_handle(place.worker, order)
    # a grid worker may look but not register
    w = login(place.worker)
    assert "h-new" not in w.get(reverse("service:areas")).content.decode()
    assert w.post(reverse("service:areas"), {"org": place.village.code}).status_code == 403
