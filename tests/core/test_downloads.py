"""One way to send a file: the Chinese name is encoded, an ASCII fallback kept when given."""

from __future__ import annotations

from urllib.parse import quote

from dangjian.core.downloads import disposition, file_response


def test_an_ascii_name_is_quoted_as_it_is() -> None:
    assert disposition("ledger-BA001-2025.xlsx") == 'attachment; filename="ledger-BA001-2025.xlsx"'


def test_a_chinese_name_is_encoded_with_its_ascii_fallback() -> None:
    name = "第一支部-2025年组织生活台账.xlsx"
    header = disposition(name, ascii_name="ledger-BA001-2025.xlsx")
    assert header == (
        "attachment; filename=\"ledger-BA001-2025.xlsx\"; filename*=utf-8''" + quote(name)
    )
    assert disposition(name) == "attachment; filename*=utf-8''" + quote(name)


def test_the_response_carries_the_bytes_and_is_never_sniffed() -> None:
    response = file_response(b"%PDF-1", filename="通报.pdf", content_type="application/pdf")
    assert response.content == b"%PDF-1"
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
