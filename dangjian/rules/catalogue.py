"""The rule catalogue, generated from the registry: every rule of a family with its title, kind,
source and whether the checker evaluates it. Rules whose data the model does not hold yet are
registered as not checked (:func:`~.registry.register_not_checked`), never silently passed; a
rule switched off by the local configuration is listed as not checked too.
"""

from __future__ import annotations

from dataclasses import dataclass

from .params import enabled_on
from .registry import FAMILIES, FAMILY_ORDER, NOT_CHECKED, ORDER, REGISTRY, family_of
from .runner import checked_families

__all__ = ["CatalogueEntry", "catalogue", "implemented_families"]


@dataclass(frozen=True)
class CatalogueEntry:
    id: str
    title: str
    kind: str
    source: str
    checked: bool
    note: str = ""


def implemented_families() -> frozenset[str]:
    """The families a run can check (``--rules``)."""
    return checked_families()


def _note(reason: str) -> str:
    return reason if reason.startswith("未检查") else f"未检查：{reason}"


def catalogue(family: str = "SETUP") -> list[CatalogueEntry]:
    """Every registered rule of ``family``, checked or not, in the order of rules.md."""
    if family not in FAMILIES:
        return []
    entries = []
    declared = FAMILY_ORDER.get(family, ())
    rank = {rule_id: i for i, rule_id in enumerate(declared)}
    ordered = sorted(ORDER, key=lambda rule_id: rank.get(rule_id, len(declared)))
    for rule_id in ordered:
        if family_of(rule_id) != family:
            continue
        if rule_id in NOT_CHECKED:
            entry = NOT_CHECKED[rule_id]
            spec = entry.spec
            entries.append(
                CatalogueEntry(
                    spec.id, spec.title, spec.kind, spec.source, False, _note(entry.reason)
                )
            )
            continue
        spec = REGISTRY[rule_id][0]
        if enabled_on(rule_id):
            entries.append(CatalogueEntry(spec.id, spec.title, spec.kind, spec.source, True))
        else:
            entries.append(
                CatalogueEntry(
                    spec.id, spec.title, spec.kind, spec.source, False, "未检查：已按本地配置停用"
                )
            )
    return entries
