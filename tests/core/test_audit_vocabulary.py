"""Every action and object type the code writes to the audit trail has a Chinese name.

The code is read, not run: every ``audit_record``/``AuditEvent`` call, and every call of a
helper that takes an ``action`` parameter (``_audit_case(actor, "recruit.case_open", …)``),
gives the action strings it can write — members of ``AuditAction`` (``AuditAction.USER_CREATE``),
constants, both arms of a conditional, a local variable assigned from them, and an f-string prefix
(``AuditAction(f"recruit.decision_{decision}")``)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from dangjian.core import audit
from dangjian.core.audit import (
    ACTION_LABELS,
    OBJECT_TYPE_LABELS,
    AuditAction,
    action_label,
    actor_label,
)

PACKAGE = Path(audit.__file__).resolve().parent.parent
CJK = re.compile(r"[\u3400-\u9fff]")


def _strings(node: ast.AST | None, assigned: dict[str, list[ast.AST]]) -> list[str]:
    """Action strings ``node`` may evaluate to; an f-string gives its prefix + "*"."""
    if node is None:
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "AuditAction"
    ):
        return [AuditAction[node.attr].value]
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "AuditAction" and node.args:
        return _strings(node.args[0], assigned)
    if isinstance(node, ast.IfExp):
        return _strings(node.body, assigned) + _strings(node.orelse, assigned)
    if isinstance(node, ast.JoinedStr):
        head = node.values[0] if node.values else None
        if isinstance(head, ast.Constant) and isinstance(head.value, str):
            return [head.value + "*"]
    if isinstance(node, ast.Name):
        return [s for value in assigned.get(node.id, []) for s in _strings(value, {})]
    return []


def written(kind: str) -> dict[str, set[str]]:
    """``kind`` ("action" or "object_type") → the values the code writes, with their files."""
    found: dict[str, set[str]] = {}
    position = {"action": 0, "object_type": 1}[kind]
    paths = [p for p in sorted(PACKAGE.rglob("*.py")) if "migrations" not in p.parts]
    trees = {path: ast.parse(path.read_text("utf-8")) for path in paths}
    # helpers of any module that take ``kind`` as a keyword-only parameter
    # (``attachments.attachment_add(…, action=AuditAction.…)``) or, when public, positionally
    # (``audit_about(actor, AuditAction.…, subject)``)
    shared_helpers: dict[str, int] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef) or node.name == "audit_record":
                continue
            names = [a.arg for a in node.args.args]
            if kind in [a.arg for a in node.args.kwonlyargs]:
                shared_helpers[node.name] = -1
            elif kind in names and not node.name.startswith("_"):
                shared_helpers[node.name] = names.index(kind)
    for path, tree in trees.items():
        helpers: dict[str, int] = dict(shared_helpers)
        assigned: dict[str, list[ast.AST]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                names = [a.arg for a in node.args.args]
                if kind in names and node.name not in ("audit_record",):
                    helpers[node.name] = names.index(kind)
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        assigned.setdefault(target.id, []).append(node.value)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            values: list[str] = []
            if called == "AuditSubject" and kind == "object_type" and node.args:
                values += _strings(node.args[0], assigned)
            if called in ("audit_record", "AuditEvent") or called in helpers:
                for kw in node.keywords:
                    if kw.arg == kind:
                        values += _strings(kw.value, assigned)
                index = position if called == "AuditEvent" else helpers.get(called)
                if index is not None and 0 <= index < len(node.args):
                    values += _strings(node.args[index], assigned)
            for value in values:
                found.setdefault(value, set()).add(str(path.relative_to(PACKAGE)))
    return found


def test_the_scan_sees_direct_helper_conditional_and_variable_actions() -> None:
    found = written("action")
    assert "user.create" in found  # audit_record(action="user.create")
    assert "recruit.case_open" in found  # _audit_case(actor, "recruit.case_open", …)
    assert "recruit.step_update" in found and "recruit.step_record" in found  # a if … else b
    assert "org.move" in found  # action = "org.update" if … else "org.move"; AuditEvent(action…)
    assert "assess.self_check.record" in found  # _record_score(model, "assess.…", …)
    assert "recruit.decision_*" in found  # f"recruit.decision_{decision}"
    assert len(found) > 50


def test_every_action_written_has_a_chinese_label() -> None:
    missing = {}
    for action, files in written("action").items():
        if action.endswith("*"):
            if not any(a.startswith(action[:-1]) for a in ACTION_LABELS):
                missing[action] = sorted(files)
        elif action not in ACTION_LABELS:
            missing[action] = sorted(files)
    assert not missing, f"audit actions without a label in core/audit.py: {missing}"
    for action, label in ACTION_LABELS.items():
        assert CJK.search(label) and not re.search(r"[A-Za-z]", label), action


def test_every_action_written_is_a_member_of_the_vocabulary() -> None:
    values = set(AuditAction.values)
    found = written("action")
    assert "life.attachment.add" in found  # attachments.attachment_add(…, action=AuditAction.…)
    assert "assess.campaign.sample" in found  # audit_about(actor, AuditAction.…, subject)
    strays = {
        action: sorted(files)
        for action, files in found.items()
        if not (
            any(v.startswith(action[:-1]) for v in values)
            if action.endswith("*")
            else action in values
        )
    }
    assert not strays, f"audit actions that are not AuditAction members: {strays}"
    assert {a.value: a.label for a in AuditAction} == ACTION_LABELS


def test_every_recruitment_decision_has_a_label() -> None:
    from dangjian.recruit.models import Decision

    for value in Decision.values:
        assert f"recruit.decision_{value}" in ACTION_LABELS, value


def test_every_object_type_written_has_a_chinese_label() -> None:
    missing = {
        t: sorted(f)
        for t, f in written("object_type").items()
        if not t.endswith("*") and t not in OBJECT_TYPE_LABELS
    }
    assert not missing, f"object types without a label in core/audit.py: {missing}"


def test_labels_of_unknown_actions_and_the_command_line() -> None:
    assert action_label("user.create") == "创建用户"
    assert action_label("nope.nothing") == "其他操作（nope.nothing）"
    assert actor_label("命令行:root") == "命令行（系统账户 root）"
    assert actor_label("命令行:") == "命令行"
    assert actor_label("zzb_admin") == "zzb_admin"
