"""The error answers of the API in the OpenAPI schema, declared once for every operation.

Every endpoint can answer 400 (a bad parameter or body: the field names and their Chinese
messages, see :mod:`dangjian.api.errors`), 401 (no or a bad token), 403 (no permission), 404
(outside the actor's subtree, or a page past the end) and 429 (too many requests); an operation
with a request body also 415 (a content type it does not read); and 414 from the web server
for a request line over its limit. The drf-spectacular
postprocessing hook :func:`error_responses` adds them to each operation that does not say
otherwise, so no view repeats them.
"""

from __future__ import annotations

from typing import Any

ERROR = "Error"
FIELD_ERRORS = "FieldErrors"

SCHEMAS: dict[str, dict[str, Any]] = {
    ERROR: {
        "type": "object",
        "description": "错误：detail 为中文说明",
        "properties": {"detail": {"type": "string", "description": "错误说明"}},
        "required": ["detail"],
    },
    FIELD_ERRORS: {
        "type": "object",
        "description": (
            "输入有误：键为字段名（non_field_errors 为不属于某个字段的错误，detail 为无法解析的"
            "请求），值为该字段的中文错误信息列表；嵌套字段的错误按其结构给出"
        ),
        "additionalProperties": {
            "anyOf": [
                {"type": "array", "items": {}},
                {"type": "object"},
                {"type": "string"},
            ]
        },
    },
}

# status → (description, component)
ERRORS: dict[int, tuple[str, str]] = {
    400: ("参数或请求内容有误", FIELD_ERRORS),
    401: ("未登录或令牌无效", ERROR),
    403: ("没有权限", ERROR),
    404: ("对象不存在或不在您的管辖范围内，或页码超出范围", ERROR),
    429: ("请求过于频繁，请稍后再试", ERROR),
}
WITH_BODY: dict[int, tuple[str, str]] = {415: ("不支持的请求内容类型", ERROR)}
# refused by the web server before the application (gunicorn's limit on the request line): its
# own short HTML page
URI_TOO_LONG = {
    "description": "请求地址过长（由网页服务器拒绝）",
    "content": {"text/html": {"schema": {"type": "string"}}},
}
METHODS = ("get", "post", "put", "patch", "delete")


def _response(description: str, component: str) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{component}"}
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def error_responses(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """Add the shared error schemas and each operation's error answers (a postprocessing hook)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in SCHEMAS.items():
        schemas.setdefault(name, schema)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            errors = {**ERRORS, **(WITH_BODY if "requestBody" in operation else {})}
            for status, (description, component) in errors.items():
                responses.setdefault(str(status), _response(description, component))
            responses.setdefault("414", URI_TOO_LONG)
    return result
