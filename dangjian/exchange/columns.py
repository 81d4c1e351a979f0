"""The columns of the exchange formats (``shared/domain/formats.md``), in their documented order."""

from __future__ import annotations

#: OrgInput field (or ``parent``) → column, in export order
ORG_FIELD_COLUMN = {
    "code": "组织编码",
    "name": "组织名称",
    "parent": "上级组织编码",
    "org_type": "组织类别",
    "sector": "所属领域",
    "region_code": "行政区划代码",
    "founded_on": "成立日期",
    "term_started_on": "本届任期开始日期",
    "term_years": "任期年限",
    "units_covered": "覆盖单位数",
    "secretary_vacant_since": "书记空缺起始日期",
}
#: organization columns, in export order
ORG_COLUMNS = list(ORG_FIELD_COLUMN.values())
ORG_REQUIRED = ["组织编码", "组织名称", "组织类别", "所属领域"]

#: MemberInput field → column, in export order
MEMBER_FIELD_COLUMN = {
    "name": "姓名",
    "id_number": "公民身份号码",
    "gender": "性别",
    "ethnicity": "民族",
    "birth_date": "出生日期",
    "education": "学历",
    "category": "人员类别",
    "member_type": "党员类型",
    "joined_on": "入党日期",
    "confirmed_on": "转正日期",
    "org": "所在党组织编码",
    "post": "党内职务",
    "phone": "联系电话",
    "residence_community": "现居住社区编码",
}
#: member columns, in export order
MEMBER_COLUMNS = list(MEMBER_FIELD_COLUMN.values())
MEMBER_REQUIRED = ["姓名", "公民身份号码", "党员类型", "入党日期", "所在党组织编码"]
#: date columns (written as date cells in .xlsx)
DATE_COLUMNS = frozenset(
    {"成立日期", "本届任期开始日期", "书记空缺起始日期", "出生日期", "入党日期", "转正日期"}
)
#: columns written as text cells in .xlsx (long digit strings Excel would otherwise mangle)
TEXT_COLUMNS = frozenset({"公民身份号码", "联系电话", "行政区划代码"})
