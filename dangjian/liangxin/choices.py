"""The choice sets of the 两新 register (新经济组织 and 新社会组织)."""

from __future__ import annotations

from django.db import models


class UnitKind(models.TextChoices):
    ENTERPRISE = "非公企业", "非公有制企业"
    SOCIAL_ORG = "社会组织", "社会组织"


class Industry(models.TextChoices):
    """The sector of a unit (国民经济行业门类, grouped; 社会组织 by their register type)."""

    MANUFACTURING = "制造业", "制造业"
    CONSTRUCTION = "建筑业", "建筑业"
    TRADE = "批发零售", "批发和零售业"
    LOGISTICS = "交通物流", "交通运输、仓储和邮政业"
    HOSPITALITY = "住宿餐饮", "住宿和餐饮业"
    IT = "信息技术", "信息传输、软件和信息技术服务业"
    FINANCE = "金融", "金融业"
    BUSINESS = "商务服务", "租赁和商务服务业"
    PLATFORM = "平台经济", "互联网平台和新就业形态"
    OTHER_ECONOMY = "其他行业", "其他行业"
    ASSOCIATION = "社会团体", "社会团体（行业协会商会等）"
    PRIVATE_NONPROFIT = "民办非企业", "民办非企业单位（社会服务机构）"
    FOUNDATION = "基金会", "基金会"


class Size(models.TextChoices):
    LARGE = "大型", "大型"
    MEDIUM = "中型", "中型"
    SMALL = "小型", "小型"
    MICRO = "微型", "微型"


class OrgMode(models.TextChoices):
    """How a unit is covered by a party organization."""

    OWN = "单独组建", "单独建立党组织"
    JOINT = "联合组建", "联合建立党组织"
    NONE = "未组建", "未建立党组织"


class AdvisorRole(models.TextChoices):
    ADVISOR = "党建指导员", "党建指导员"
    CONTACT = "联系人", "党建联系人"
