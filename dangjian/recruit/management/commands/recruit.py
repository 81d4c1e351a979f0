"""``dangjian recruit check FILE.json [--at YYYY-MM-DD] --format json|table`` and
``dangjian recruit purge [--at YYYY-MM-DD] [--dry-run]``.

Reads recruitment cases in the JSON format of formats.md (or ``{"cases": [...], "plans":
[...]}``, see :mod:`dangjian.recruit.case`) and prints the ``RECRUIT-*`` findings
(``subject`` = case id; org code for RECRUIT-PLAN), with the rule parameters of
:func:`dangjian.recruit.config.rule_config` in force. JSON output is one object::

    {"findings": [<finding in the formats.md shape>, ...],
     "not_checked": {"R-001": ["RECRUIT-AGE-18", ...]}}

``not_checked`` lists, per case, the rules whose data is absent from the case (never passed
silently), ``not_checked_reasons`` why (case → rule → Chinese reason). Bad input (unreadable
file, bad JSON, missing or invalid fields) gives a Chinese message naming the case and the field
on stderr and exit status 2; nothing is printed on stdout.

The approving organization: a case's ``approver`` code that is an organization in the database
gives RECRUIT-APPROVER-AUTHORITY its type and whether it sits under a 乡镇/街道 党委
(:func:`dangjian.recruit.adapter.resolve_approvers`); ``approver_type`` and
``approver_under_town`` in the file override what the database says (and are what a file checked
without the database relies on). An unknown code leaves the rule "not checked", with the reason.

``purge`` deletes the ID and phone numbers of applicants who were not admitted or withdrew once
the retention period after the end of their case has passed
(:func:`dangjian.recruit.services.purge_expired_numbers`, one audit entry per case);
``--dry-run`` only lists them. Run it daily (cron or a systemd timer, see the README).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dangjian.accounts.scope import SYSTEM
from dangjian.core.console import date_option, format_option, table_lines
from dangjian.recruit.adapter import resolve_approvers
from dangjian.recruit.case import CaseError, parse_input
from dangjian.recruit.config import check, rule_config, versions
from dangjian.recruit.rules import all_specs, check_cases, check_plans

SEVERITIES = {"error": "错误", "warning": "提醒", "due": "待办"}


class Command(BaseCommand):
    help = (
        "发展党员检查：recruit check FILE.json [--at YYYY-MM-DD] --format json|table。"
        'JSON 输出为 {"findings": [...], "not_checked": {案例编号: [规则编号...]}}，'
        "findings 中每条与 formats.md 的检查结果格式一致；not_checked 列出因数据缺失未检查的规则。"
        "输入有误时输出中文错误（含案例编号和字段）并以状态 2 退出。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            choices=["check", "purge"],
            help="check：检查案例文件；purge：删除超过保存期限的未接收、已终止申请人的个人号码",
        )
        parser.add_argument(
            "file", nargs="?", help="案例 JSON 文件（formats.md 发展党员案例格式；check 用）"
        )
        parser.add_argument("--at", default=None, help="日期 YYYY-MM-DD，默认今天")
        parser.add_argument("--format", default="table", help="输出格式：json 或 table（默认）")
        parser.add_argument(
            "--dry-run", action="store_true", help="purge：只列出到期的案例，不删除"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = format_option(options)
        at = date_option(options, "at") or timezone.localdate()
        if options["action"] == "purge":
            if options["file"]:
                raise CommandError("purge 不需要文件参数", returncode=2)
            self._purge(at, dry_run=bool(options["dry_run"]), fmt=fmt)
            return
        if not options["file"]:
            raise CommandError(
                "请给出要检查的案例 JSON 文件：recruit check FILE.json", returncode=2
            )
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"文件不存在：{path}", returncode=2) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取文件 {path}：{exc}", returncode=2) from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{path} 不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列 {exc.msg}",
                returncode=2,
            ) from None
        try:
            config = rule_config()
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        try:
            cases, plans = parse_input(data)
            resolve_approvers(cases)
            if versions():
                # each rule judged by the rule set version in force on the date of its step
                report = check(cases, at)
                plan_params = rule_config(at).get("RECRUIT-PLAN")
                if plans and plan_params is not None:
                    report.findings.extend(check_plans(plans, cases, at, plan_params))
            else:
                report = check_cases(cases, at, config=config, plans=plans)
        except CaseError as exc:
            raise CommandError(f"{path}：{exc}", returncode=2) from None
        if fmt == "json":
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
            return
        titles = {spec.id: spec.title for spec in all_specs()}
        header = ["案例", "规则", "级别", "说明"]
        rows = [
            [f.subject, f"{f.rule} {titles.get(f.rule, '')}", SEVERITIES[f.severity], f.message]
            for f in report.findings
        ]
        for line in table_lines(rows, header):
            self.stdout.write(line)
        self.stdout.write(f"共 {len(report.findings)} 条（检查日期 {at.isoformat()}）")
        for case_id, rule_ids in report.not_checked.items():
            self.stdout.write(f"未检查（数据缺失）{case_id}：{'、'.join(rule_ids)}")
            for rule_id in rule_ids:
                self.stdout.write(
                    f"  {rule_id} {titles.get(rule_id, '')}：{report.reason(case_id, rule_id)}"
                )

    def _purge(self, at: dt.date, *, dry_run: bool, fmt: str) -> None:
        from dangjian.recruit import config as recruit_config
        from dangjian.recruit.services import purge_expired_numbers

        try:
            years = recruit_config.retention_years()
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        cases = purge_expired_numbers(actor=SYSTEM, at=at, dry_run=dry_run)
        rows = [
            {
                "case": c.case_no,
                "name": c.name,
                "org": c.org.name,
                "status": c.get_status_display(),
                "ended_on": c.ended_on.isoformat() if c.ended_on else None,
            }
            for c in cases
        ]
        if fmt == "json":
            body = {"at": at.isoformat(), "dry_run": dry_run, "retention_years": years}
            self.stdout.write(json.dumps(body | {"cases": rows}, ensure_ascii=False, indent=2))
            return
        verb = "到期待删除" if dry_run else "已删除个人号码"
        for row in rows:
            self.stdout.write(
                f"{row['case']}  {row['name']}  {row['org']}  {row['status']}，"
                f"{row['ended_on']} 结束"
            )
        self.stdout.write(
            f"{verb}的案例 {len(rows)} 个（保存期限：案例结束后 {years} 年；日期 {at.isoformat()}）"
            + ("；未删除任何数据" if dry_run else "")
        )
