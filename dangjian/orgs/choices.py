"""Organization types and sectors, with the values used in the exchange formats."""

from __future__ import annotations

from django.db import models


class OrgType(models.TextChoices):
    COMMITTEE = "党委", "党委"
    WORKING_COMMITTEE = "党工委", "党工委"
    GENERAL_BRANCH = "党总支", "党总支"
    BRANCH = "党支部", "党支部"
    JOINT_BRANCH = "联合党支部", "联合党支部"
    TEMP_BRANCH = "临时党支部", "临时党支部"
    GROUP = "党小组", "党小组"


#: the kinds of 党支部: they may have 党小组 and hold organizational life
BRANCH_TYPES = frozenset({OrgType.BRANCH, OrgType.JOINT_BRANCH, OrgType.TEMP_BRANCH})
#: types that keep a member roll (a member belongs to exactly one: REL-ONE-BRANCH). A 临时党支部
#: does not: members keep their relations in their own branch and are recorded on it as
#: participants (:class:`dangjian.members.models.Participation`)
ROLL_TYPES = frozenset({OrgType.BRANCH, OrgType.JOINT_BRANCH})
#: why a 临时党支部 has no roll, for every refusal (service, form, import, API)
TEMP_BRANCH_NO_ROLL = (
    "临时党支部不接转党员组织关系，党员的组织关系仍在原党支部；"
    "参加临时党支部的党员请在该临时党支部页面登记为参加人员"
)
#: types without 换届: a 党工委 is a dispatched body whose members are appointed (派出机关), a
#: 临时党支部 is set up for a task and its leaders are designated, a 党小组 has no committee
NO_TERM_TYPES = frozenset({OrgType.WORKING_COMMITTEE, OrgType.TEMP_BRANCH, OrgType.GROUP})
#: types that may have child organizations other than 党小组
PARENT_TYPES = frozenset({OrgType.COMMITTEE, OrgType.WORKING_COMMITTEE, OrgType.GENERAL_BRANCH})


class Sector(models.TextChoices):
    RURAL = "农村", "农村"
    COMMUNITY = "社区", "社区"
    ORGAN = "机关", "机关"
    PUBLIC_INSTITUTION = "事业单位", "事业单位"
    STATE_ENTERPRISE = "国有企业", "国有企业"
    PRIVATE_ENTERPRISE = "非公有制企业", "非公有制企业"
    SOCIAL_ORG = "社会组织", "社会组织"
    UNIVERSITY = "高校", "高校"
    SCHOOL = "中小学", "中小学"
    HOSPITAL = "医院", "医院"
    OTHER = "其他", "其他"
