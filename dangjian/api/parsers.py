"""A JSON parser that refuses strings the database cannot store (NUL, lone surrogates), so such
input is a 400 with a message instead of a database error."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _bad_text(value: str) -> bool:
    return "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value)


def _check(value: Any, depth: int = 0) -> None:
    if depth > 20:
        raise ParseError("请求内容嵌套过深")
    if isinstance(value, str):
        if _bad_text(value):
            raise ParseError("请求内容含有无效字符（空字符或不成对的代理字符）")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _check(key, depth + 1)
            _check(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check(item, depth + 1)


class SafeJSONParser(JSONParser):
    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        data = super().parse(stream, media_type, parser_context)
        _check(data)
        return data
