"""``dangjian tree_repair [--fix] [--format text|json]`` — check and repair the organization tree.

Checks that ``path``, ``depth`` and ``numchild`` of every organization agree
(:func:`dangjian.core.tree.tree_problems`). With ``--fix``, wrong ``depth``/``numchild`` values
are recomputed (audited); bad paths and orphans are only reported. Exit status 1 while problems
remain, so the command can guard a deployment or a nightly job.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.accounts.scope import SYSTEM
from dangjian.core.tree import TreeProblems, tree_repair
from dangjian.orgs.models import Organization


def _describe(problems: TreeProblems) -> list[str]:
    lines = []
    for name, label in TreeProblems.LABELS.items():
        items = getattr(problems, name)
        if items:
            examples = "、".join(path or "（空）" for _, path in items[:5])
            more = " 等" if len(items) > 5 else ""
            lines.append(f"  {label}：{len(items)} 个（{examples}{more}）")
    return lines


class Command(BaseCommand):
    help = "检查组织树结构（路径、层级、下级数）是否一致；--fix 修复层级与下级数"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="修复层级（depth）与下级数")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        before, after = tree_repair(Organization, actor=SYSTEM, fix=options["fix"])
        repaired = after is not before
        if options["format"] == "json":
            report = {"ok": after.ok, "repaired": repaired, "before": before.as_dict()}
            if repaired:
                report["after"] = after.as_dict()
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            if before.ok:
                self.stdout.write(f"组织树结构一致：已检查 {before.checked} 个组织。")
            else:
                self.stdout.write(f"已检查 {before.checked} 个组织，发现问题：")
                self.stdout.write("\n".join(_describe(before)))
            if repaired:
                fixed = sum(before.counts()[n] - after.counts()[n] for n in TreeProblems.FIXABLE)
                self.stdout.write(f"已修复 {fixed} 个节点的层级或下级数（已记入审计日志）。")
        if not after.ok:
            hint = (
                "路径错误或孤立节点需要人工处理（用组织移动功能放到正确的上级下）。"
                if not after.fixable
                else "可用 --fix 修复层级与下级数。"
            )
            raise CommandError(f"组织树仍有 {sum(after.counts().values())} 个问题。{hint}")
