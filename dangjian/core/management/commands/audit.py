"""``dangjian audit verify|checkpoint|purge`` — the audit trail's hash chain, its off-database
checkpoints, and deletion of entries past the retention period.

- ``verify [--checkpoint PATH]``: recompute the keyed chain and report the first break; with a
  checkpoint (a file, or a folder of them: the newest is used), also that its entry is still there
  with the same hash and nothing after it was cut.
- ``checkpoint [--out PATH]``: sign the chain's end for the 审计管理员 to keep offline (written to
  PATH — a file, or a folder where a new file is made — or printed).
- ``purge [--dry-run]``: delete entries older than the retention period (never under 6 months).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.accounts.scope import SYSTEM
from dangjian.core.audit import (
    AuditError,
    Checkpoint,
    audit_checkpoint,
    audit_purge,
    audit_verify,
    checkpoint_load,
)


def _load_checkpoint(path: Path) -> Checkpoint:
    """A checkpoint file, or the newest (highest sequence number) in a folder of them."""
    if path.is_dir():
        found: list[Checkpoint] = []
        for file in sorted(path.glob("*.json")):
            try:
                found.append(checkpoint_load(file.read_text(encoding="utf-8")))
            except AuditError as exc:
                raise AuditError(f"{file}：{exc}") from exc
        if not found:
            raise AuditError(f"目录 {path} 中没有检查点文件（*.json）")
        return max(found, key=lambda cp: cp.seq)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AuditError(f"无法读取检查点文件 {path}：{exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise AuditError(f"检查点文件 {path} 不是文本文件") from exc
    return checkpoint_load(text)


class Command(BaseCommand):
    help = "审计日志：verify（校验哈希链）、checkpoint（签发检查点）、purge（清理过期记录）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="校验审计日志哈希链")
        verify.add_argument("--format", choices=["text", "json"], default="text")
        verify.add_argument(
            "--checkpoint", metavar="PATH", help="同时与检查点比对（检查点文件或所在目录）"
        )
        checkpoint = sub.add_parser("checkpoint", help="签发审计检查点，由审计管理员离线保存")
        checkpoint.add_argument(
            "--out", metavar="PATH", help="写入的文件或目录（不指定则输出到标准输出）"
        )
        purge = sub.add_parser("purge", help="清理超过保存期限（不少于 6 个月）的审计记录")
        purge.add_argument("--dry-run", action="store_true", help="只统计，不删除")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            {"verify": self.verify, "checkpoint": self.checkpoint, "purge": self.purge}[
                options["action"]
            ](options)
        except (AuditError, ImproperlyConfigured) as exc:
            raise CommandError(str(exc), returncode=2) from exc

    def verify(self, options: dict[str, Any]) -> None:
        cp = _load_checkpoint(Path(options["checkpoint"])) if options["checkpoint"] else None
        result = audit_verify(checkpoint=cp)
        if options["format"] == "json":
            body = {
                "ok": result.ok,
                "checked": result.checked,
                "first_broken_seq": result.first_broken_seq,
                "reason": result.reason,
                "notes": result.notes,
                "checkpoint_seq": cp.seq if cp else None,
            }
            self.stdout.write(json.dumps(body, ensure_ascii=False))
        elif result.ok:
            self.stdout.write(f"审计日志完整：已校验 {result.checked} 条记录，哈希链无断裂。")
            for note in result.notes:
                self.stdout.write(f"  · {note}")
            if cp is None:
                self.stdout.write(
                    "  · 未与检查点比对：末尾记录被整段删除只有检查点能发现"
                    "（dangjian audit verify --checkpoint 文件）"
                )
        if not result.ok:
            raise CommandError(
                f"审计日志被破坏：第一条异常记录序号 {result.first_broken_seq}（{result.reason}），"
                f"此前 {result.checked} 条完好。",
                returncode=1,
            )

    def checkpoint(self, options: dict[str, Any]) -> None:
        out = Path(options["out"]) if options["out"] else None
        if out is not None and not out.is_dir() and out.exists():
            raise AuditError(f"文件 {out} 已存在，不覆盖：请指定新的文件名或目录")
        cp = audit_checkpoint(SYSTEM)
        text = cp.to_text()
        summary = f"已签发审计检查点：截至第 {cp.seq} 条记录（{cp.when}）。"
        if out is None:
            self.stdout.write(text, ending="")
            sys.stderr.write(summary + "请将以上内容交审计管理员离线保存。\n")
            return
        if out.is_dir():
            out = out / f"audit-checkpoint-{cp.seq:09d}.json"
        try:
            with out.open("x", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            raise AuditError(f"无法写入检查点文件 {out}：{exc.strerror}") from exc
        self.stdout.write(f"{summary}已写入 {out}，请交审计管理员离线保存。")

    def purge(self, options: dict[str, Any]) -> None:
        result = audit_purge(SYSTEM, dry_run=options["dry_run"])
        bound = result.bound.strftime("%Y-%m-%d %H:%M")
        if result.count == 0:
            self.stdout.write(f"没有超过保存期限（{bound} 以前）的审计记录，未删除任何记录。")
        elif options["dry_run"]:
            self.stdout.write(
                f"将删除 {bound} 以前的第 {result.from_seq} 至 {result.through_seq} 条审计记录，"
                f"共 {result.count} 条（试运行，未删除）。"
            )
        else:
            self.stdout.write(
                f"已删除 {bound} 以前的第 {result.from_seq} 至 {result.through_seq} 条审计记录，"
                f"共 {result.count} 条，并在审计日志中记录了本次清理。"
                "建议随即签发新的检查点（dangjian audit checkpoint）。"
            )
