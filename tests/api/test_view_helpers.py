"""The helpers the API views share (dangjian.api.views.base)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions

from dangjian.api.views.base import service_call


def _refuse(**kwargs: object) -> None:
    raise DjangoValidationError({"org_type": ["组织类别无效"], "name": ["名称不能为空"]})


def test_service_call_answers_what_the_service_returns() -> None:
    assert service_call(lambda a, *, b: a + b, 1, b=2) == 3


def test_service_call_turns_a_refusal_into_a_400_with_the_api_field_names() -> None:
    with pytest.raises(exceptions.ValidationError) as caught:
        service_call(_refuse, rename={"org_type": "type"}, actor=None)
    assert caught.value.detail == {"type": ["组织类别无效"], "name": ["名称不能为空"]}


def test_service_call_puts_a_refusal_without_field_under_non_field_errors() -> None:
    def refuse() -> None:
        raise DjangoValidationError("不能删除")

    with pytest.raises(exceptions.ValidationError) as caught:
        service_call(refuse)
    assert caught.value.detail == {"non_field_errors": ["不能删除"]}
