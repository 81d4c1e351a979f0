"""Chinese labels in templates (``{% load labels %}``): evidence, rule titles and tags, sources,
periods and the audit vocabulary. The vocabulary itself lives in :mod:`dangjian.core.labels` and
:mod:`dangjian.core.audit`; these are thin filters over it.

- ``{{ f.evidence|evidence_items }}`` → ``[(标签, 值), …]``; ``{% evidence f.evidence %}`` renders
  them as a list (``web/_evidence.html``).
- ``{% rule f.rule %}`` → the rule's Chinese title with its id as a small tag
  (``<span class="rule-id">``, the one place a rule id may appear on a page).
- ``{{ f.rule|rule_title }}``, ``{{ f.source|source_label }}``, ``{{ f.period|period_label }}``.
- ``{{ e.action|action_label }}``, ``{{ e.actor_name|actor_label }}``,
  ``{{ e.object_type|object_type_label }}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join

from dangjian.core import audit, labels

register = template.Library()


register.filter("evidence_items", labels.evidence_items)
register.filter("evidence_label", labels.evidence_label)
register.filter("evidence_value", labels.evidence_value)
register.filter("source_label", labels.source_label)
register.filter("period_label", labels.period_label)


@register.filter
def evidence_text(evidence: Any) -> str:
    return labels.evidence_text(evidence)


def _of_text(label: Callable[[str], str]) -> Callable[[Any], str]:
    """A filter giving ``label`` of the value as text (``""`` for ``None``)."""

    def of_text(value: Any) -> str:
        return label(str(value or ""))

    return of_text


register.filter("rule_title", _of_text(labels.rule_title))
register.filter("action_label", _of_text(audit.action_label))
register.filter("actor_label", _of_text(audit.actor_label))
register.filter("object_type_label", _of_text(audit.object_type_label))


@register.simple_tag
def rule(rule_id: Any, title: str = "") -> str:
    """The Chinese title of the rule (or ``title``) and its id as a small tag; several ids
    ("LIFE-A,LIFE-B") give one title and tag each, joined with "、"."""
    ids = labels.split_rule_ids(str(rule_id or ""))
    if not ids:
        return ""
    if len(ids) == 1 and not labels.RULE_ID.fullmatch(ids[0]):
        return title or labels.rule_title(ids[0])  # a family ("SETUP-*"): no single rule id
    if len(ids) == 1:
        return format_html(
            '{} <span class="rule-id" translate="no">{}</span>',
            title or labels.rule_title(ids[0]),
            ids[0],
        )
    return format_html_join(
        "、",
        '{} <span class="rule-id" translate="no">{}</span>',
        ((labels.rule_title(i), i) for i in ids),
    )


@register.inclusion_tag("web/_evidence.html")
def evidence(data: Any) -> dict[str, Any]:
    """An evidence dict as a labelled list (nothing when it is empty)."""
    return {"items": labels.evidence_items(data)}


@register.filter
def has_chinese(value: Any) -> bool:
    """Whether ``value`` is a message in Chinese (the error pages show only those: Django's own
    exception names such as "Resolver404" are not for users)."""
    return bool(labels.CJK.search(str(value or "")))
