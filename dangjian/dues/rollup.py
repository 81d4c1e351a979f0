"""The latest month each member paid for (:class:`~dangjian.dues.models.DuesLastPaid`), kept by
every write of a payment (:func:`dangjian.dues.services.last_paid_add`), rebuilt from the
payments after a bulk load (:func:`last_paid_rebuild`) and compared with them
(:func:`last_paid_differences`). The arrears of the organization-level totals
(:func:`dangjian.dues.selectors.per_branch`) read it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max

from dangjian.orgs.models import Organization

from .models import DuesLastPaid, DuesPayment


@dataclass(frozen=True)
class Difference:
    """A member whose stored latest month paid differs from the payments."""

    member_id: int
    stored: dt.date | None
    expected: dt.date | None
    label: str = ""

    def __str__(self) -> str:
        def text(d: dt.date | None) -> str:
            return f"{d:%Y-%m}" if d else "无"

        return (
            f"{self.label or self.member_id}：最近交纳党费月份 汇总为 {text(self.stored)}，"
            f"按交纳记录应为 {text(self.expected)}"
        )


def _expected(org: Organization | None) -> dict[int, dt.date]:
    rows = DuesPayment.objects.all()
    if org is not None:
        rows = rows.filter(member__org__path__startswith=org.path)
    return dict(
        rows.values("member_id").order_by().annotate(m=Max("month")).values_list("member_id", "m")
    )


def _stored(org: Organization | None) -> dict[int, dt.date]:
    rows = DuesLastPaid.objects.all()
    if org is not None:
        rows = rows.filter(member__org__path__startswith=org.path)
    return dict(rows.values_list("member_id", "month"))


def last_paid_differences(org: Organization | None = None) -> list[Difference]:
    """Where the stored latest months of the members of ``org``'s subtree (all when ``None``)
    differ from their payments."""
    stored, expected = _stored(org), _expected(org)
    wrong = sorted(k for k in stored.keys() | expected.keys() if stored.get(k) != expected.get(k))
    from dangjian.members.models import Member

    names = dict(Member.objects.filter(pk__in=wrong[:1000]).values_list("pk", "name"))
    return [Difference(k, stored.get(k), expected.get(k), names.get(k, "")) for k in wrong]


@transaction.atomic
def last_paid_rebuild(org: Organization | None = None) -> int:
    """Rebuild the latest months of the members of ``org``'s subtree (all when ``None``) from
    the payments, set-based; the rows written."""
    scope = DuesLastPaid.objects.all()
    if org is None:
        scope.delete()
        table = connection.ops.quote_name(DuesLastPaid._meta.db_table)
        payments = connection.ops.quote_name(DuesPayment._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (member_id, month) "  # noqa: S608 (table names only)
                f"SELECT member_id, MAX(month) FROM {payments} GROUP BY member_id"
            )
            return int(cursor.rowcount)
    scope.filter(member__org__path__startswith=org.path).delete()
    rows = [DuesLastPaid(member_id=k, month=m) for k, m in _expected(org).items()]
    DuesLastPaid.objects.bulk_create(rows, batch_size=5000)
    return len(rows)
