"""The Open311 part of the categories file: attributes and coarsen, checked with every problem
reported; a file without them still loads."""

from __future__ import annotations

from dangjian.service.categories import validate

BASE = {
    "code": "roads",
    "name": "道路设施",
    "group": "人居环境",
    "keywords": ["路灯"],
    "level": "village",
    "response_hours": 24,
    "resolution_days": 7,
}


def test_a_category_without_open311_keys_is_read_as_before():
    (cat,), problems = validate({"categories": [BASE]})
    assert problems == [] and cat.attributes == () and cat.coarsen is None


def test_attributes_and_coarsen_are_read():
    item = {
        **BASE,
        "coarsen": 3,
        "attributes": [
            {"code": "kind", "description": "类型", "datatype": "singlevaluelist",
             "required": True, "values": {"a": "甲", "b": "乙"}},
            {"code": "count", "description": "数量", "datatype": "number"},
        ],
    }  # fmt: skip
    (cat,), problems = validate({"categories": [item]})
    assert problems == []
    assert cat.coarsen == 3
    kind, count = cat.attributes
    assert (kind.order, kind.required, kind.values) == (1, True, (("a", "甲"), ("b", "乙")))
    assert (count.order, count.required, count.datatype) == (2, False, "number")


def test_every_problem_is_reported():
    item = {
        **BASE,
        "coarsen": 9,
        "attributes": [
            {"code": "Kind", "description": "", "datatype": "colour", "required": "yes"},
            {"code": "pick", "description": "选择", "datatype": "multivaluelist"},
            "oops",
        ],
    }
    found, problems = validate({"categories": [item]})
    assert found == []
    text = "\n".join(problems)
    for words in (
        "coarsen",
        "代码",
        "description",
        "datatype",
        "required",
        "须给出 values",
        "键值对",
    ):
        assert words in text, words
