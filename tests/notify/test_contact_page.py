"""短信提醒手机号 on the inbox page: set (checked, encrypted, shown masked), change, clear; bad
input a clear Chinese 400 with nothing written."""

from __future__ import annotations

from dangjian.core.models import AuditEntry
from dangjian.notify.models import Contact
from tests.assess.test_chinese_only import english_words


def test_set_change_and_clear_ones_sms_number(place, login):
    client = login(place.worker)
    page = client.get("/xiaoxi/").content.decode()
    assert "短信提醒手机号" in page and "未设置（只在站内提醒）" in page
    assert not english_words(page.replace(place.worker.username, ""))
    r = client.post("/xiaoxi/shouji/", {"phone": "139 0000 1111"})
    assert r.status_code == 302 and r["Location"] == "/xiaoxi/"
    contact = Contact.objects.get(user=place.worker)
    assert contact.phone == "13900001111" and contact.phone_masked == "139****1111"
    assert b"13900001111" not in bytes(contact.phone_cipher)
    page = client.get("/xiaoxi/").content.decode()
    assert "139****1111" in page and "13900001111" not in page and "清除" in page
    assert "已保存短信提醒手机号" in page
    client.post("/xiaoxi/shouji/", {"phone": "13900002222"})
    assert Contact.objects.get(user=place.worker).phone_masked == "139****2222"
    r = client.post("/xiaoxi/shouji/", {"clear": "1", "phone": ""})
    assert r.status_code == 302
    contact = Contact.objects.get(user=place.worker)
    assert contact.phone_cipher is None and contact.phone_masked == ""
    page = client.get("/xiaoxi/").content.decode()
    assert "未设置（只在站内提醒）" in page and "已清除短信提醒手机号" in page
    entries = AuditEntry.objects.filter(action="notify.contact.set").order_by("pk")
    assert [e.after["phone"] for e in entries] == ["139****1111", "139****2222", ""]
    assert "1390000" not in str([e.before for e in entries] + [e.after for e in entries])
    # someone else's number is not theirs to see
    other = login(place.worker2).get("/xiaoxi/").content.decode()
    assert "未设置" in other


def test_bad_numbers_are_refused_and_nothing_is_written(place, login):
    client = login(place.worker)
    client.post("/xiaoxi/shouji/", {"phone": "13900001111"})
    before = AuditEntry.objects.count()
    bad = client.post("/xiaoxi/shouji/", {"phone": "12345"})
    assert bad.status_code == 400 and "未保存" in bad.content.decode()
    assert not english_words(bad.content.decode())
    blank = client.post("/xiaoxi/shouji/", {"phone": "  "})
    assert blank.status_code == 400 and "请填写手机号" in blank.content.decode()
    assert Contact.objects.get(user=place.worker).phone == "13900001111"
    assert AuditEntry.objects.count() == before
    assert client.get("/xiaoxi/shouji/").status_code == 405
