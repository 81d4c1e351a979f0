"""Examples in the ``tree`` district: a practice of 甲村党支部 being cultivated and a named brand
of 乙社区党支部."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.exemplar.services import exemplar_name, exemplar_propose

D = dt.date


@pytest.fixture
def examples(tree, today):
    practice = exemplar_propose(
        actor=tree["secretary_a"],
        org=tree["branch_a"],
        kind="工作法",
        title="吃茶话事工作法",
        summary="在茶香小院里议村事、解民忧，日常纠纷村级调。",
        themes="基层治理、乡村振兴",
        level="县级",
    )
    brand = exemplar_propose(
        actor=tree["admin_b"],
        org=tree["branch_b"],
        kind="党建品牌",
        title="邻里驿站",
        summary="党员问事、群众说事、代表议事、支部办事。",
        themes=["为民服务", "基层治理"],
        level="县级",
    )
    brand = exemplar_name(actor=SYSTEM, item=brand, named_on=today)
    return {"practice": practice, "brand": brand}
