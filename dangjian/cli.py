"""The ``dangjian`` console command: the product's commands plus Django's own.

``dangjian demo|seed|import|export|check|user|audit|rollups|findings|batch …`` run the product
commands;
``dangjian manage <django command> …`` (or ``python -m dangjian manage …``, or just
``dangjian <django command>``) runs any Django management command.
Settings default to ``dangjian.settings.dev``.
"""

from __future__ import annotations

import os
import sys

#: console sub-command → Django management command implementing it
COMMANDS = {
    "demo": "demo",
    "seed": "seed",
    "import": "import_data",
    "export": "export_data",
    "check": "check_rules",
    "user": "user",
    "audit": "audit",
    "recruit": "recruit",
    "standard": "standard",
    "assess": "assess",
    "calendar": "calendar",
    "rollups": "rollups",
    "findings": "findings",
    "batch": "batch",
    "serve": "serve",
    "service-purge": "service_purge",
    "open311": "open311",
    "notify": "notify",
    "transfer": "transfer",
    "care": "care",
    "exemplar": "exemplar",
}

USAGE = """用法 / usage: dangjian <command> [options]

  demo      准备演示区县数据库并启动网页 (--port, --no-serve)
  seed      生成合成数据 (--tier district|city|province --seed N)
  import    导入 orgs|members|meetings PATH [--dry-run]
  export    导出 orgs|members PATH；ledger --org CODE --year YYYY PATH（台账 .xlsx/.docx/.pdf）
  check     运行规则检查 (--rules SETUP,LIFE [--org CODE] [--since D] [--at D] --format json|table)
  user      账号管理 (user add --username U --password-stdin --org CODE --role ROLE)
  audit     审计日志：校验 (audit verify [--checkpoint 文件])、签发检查点 (audit checkpoint
            [--out 路径])、清理超过保存期限的记录 (audit purge [--dry-run])
  recruit   发展党员案例检查 (recruit check FILE.json [--at D] --format json|table)；
            删除超过保存期限的申请人号码 (recruit purge [--at D] [--dry-run])
  standard  考核标准 (standard validate FILE.yaml | list | indicators)
  assess    质量考核评分 (assess run --campaign ID [--at D] --format json|table [--save] | list)
  calendar  工作日日历 (calendar validate FILE.yaml | list [--year YYYY])
  serve     生产环境网页服务：迁移、收集静态文件、gunicorn (--bind ADDR:PORT --workers N)
  rollups   汇总表：按记录重建 (rollups rebuild [--org CODE])、与记录核对 (rollups check
            [--org CODE]，不一致时退出码 1)
  findings  检查发现存储：重新评估并更新 (findings refresh [--org CODE] [--at D])
  batch     批量检查：导出快照 (batch export --out DIR [--at D])、按列式快照运行规则
            (batch run [--engine duckdb|spark] [--snapshot DIR] [--at D] [--rules SETUP,LIFE]
            [--format table|json|parquet --out F])
  service-purge  删除办结超过保存期限的服务工单群众电话 (service-purge [--at D] [--dry-run])
  open311   Open311 接口密钥：新建 (open311 key create --name 名称 --org CODE [--grid 网格标识])，
            密钥只显示一次；列出 (open311 key list)；停用 (open311 key revoke --name 名称)
  notify    工单到期提醒与超时上报 (notify tick [--at 时刻] [--enqueue])；
            重发失败的外发消息 (notify send)
  transfer  组织关系转接：到期与超期提醒 (transfer remind [--at D] [--enqueue])、
            导入 (transfer import PATH [--dry-run]，全部成功才写入)、导出 (transfer export PATH)
  care      困难党员走访提醒：逾期和即将到期的回访 (care remind [--at 日期] [--enqueue])
  exemplar  典型复核提醒：逾期和即将到期的复核 (exemplar remind [--at 日期] [--enqueue])
  manage    任意 Django 管理命令 (dangjian manage migrate …，也可直接 dangjian migrate)
"""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings.dev")
    if not argv or argv[0] in ("-h", "--help", "help"):
        sys.stdout.write(USAGE)
        return 0
    from django.core.management import execute_from_command_line

    name, rest = argv[0], argv[1:]
    if name == "manage":
        execute_from_command_line(["dangjian manage", *rest])
        return 0
    # anything else is one of Django's own management commands (``dangjian migrate`` …)
    execute_from_command_line([f"dangjian {name}", COMMANDS.get(name, name), *rest])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
