"""Deterministic synthetic data: a district (~1,500 organizations, ~30,000 members), a city
(~60,000 organizations, ~1.2 million members) or a province (five cities of sixteen districts,
~300,000 organizations, ~6 million members), as in ``scale.md``.

The same ``(tier, seed, as_of)`` always gives the same organizations and members (every district
draws from its own ``random.Random`` seeded by a string, which Python hashes with SHA-512, so the
result does not depend on ``PYTHONHASHSEED`` or on the order of anything but the plan itself).
Dates are relative to ``as_of`` (default: today) so that terms expire and secretaries are new
*now*, which is what the setup checker looks at.

The structure follows a real district: 区委 → 工委 of the organs, education, health, state assets
and 两新 sectors and the 乡镇党委 / 街道党工委 → 村/社区 党委, 党总支 or 党支部 → 党支部 → 党小组.
A realistic share of branches is set up wrongly (:data:`PROBLEM_RATES`) so the checker finds
something, and every kind of problem occurs at least once per district.

The province is written district by district (one district's plan in memory, members by
``COPY``), so its memory stays that of a district plus one city's ID numbers.

Names are fictional; the 6-digit region codes are borrowed from 天津市 so that the ID numbers
pass the GB 11643 region check (people born before a district existed get a code that was valid
in their birth year, as in real life).
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import importlib.resources
import itertools
import operator
import random
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from functools import cache
from typing import IO, TYPE_CHECKING, Any, TypeVar

from django.db import connection, transaction
from django.utils import timezone

from dangjian.accounts.scope import SYSTEM
from dangjian.core import crypto, idnumber
from dangjian.core.audit import AuditAction, audit_record
from dangjian.core.dates import turns
from dangjian.core.tree import TreeBuilder
from dangjian.members.choices import MemberType, Post
from dangjian.members.committee import committee_rebuild
from dangjian.members.history import history_backfill
from dangjian.members.models import Member
from dangjian.members.rollups import counts_rebuild
from dangjian.members.services import MemberInput, member_apply
from dangjian.orgs.choices import OrgType, Sector
from dangjian.orgs.models import Organization, term_years_default
from dangjian.orgs.rollups import org_counts_rebuild

from . import names

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

D = TypeVar("D", bound="DataclassInstance")

#: share of branches (or of organizations with a term) set up wrongly, per kind of problem
PROBLEM_RATES: dict[str, float] = {
    "min_full": 0.03,  # fewer than 3 full members (SETUP-BRANCH-MIN-FULL)
    "too_big": 0.03,  # more than 50 members (SETUP-BRANCH-MAX)
    "no_committee": 0.06,  # of branches with 7+ full members: no 支委会 (SETUP-COMMITTEE-REQUIRED)
    "vacant": 0.025,  # secretary post vacant (SETUP-SECRETARY-VACANT)
    "young_secretary": 0.02,  # secretary with under 1 year of party age
    "term_expired": 0.04,  # of organizations with a term (SETUP-TERM-EXPIRED)
    "term_expiring": 0.07,  # ends within 6 months (SETUP-TERM-EXPIRING)
    "joint_many_units": 0.12,  # of joint branches: more than 5 units (SETUP-JOINT-BRANCH-UNITS)
}


@dataclass(frozen=True)
class District:
    region: str  # 6-digit code
    name: str
    kind: str  # "urban" (streets only) or "suburban" (towns and streets)
    city: int = 0  # index in ``Tier.cities`` (province tier: the city the district is in)


@dataclass(frozen=True)
class Tier:
    """A size tier: its districts and a scale factor for the number of units in each."""

    name: str
    districts: tuple[District, ...]
    scale: float
    city: tuple[str, str] | None = None  # (region code, name) of the root above the districts
    #: (region code, name) of the cities between the root (a province) and its districts
    cities: tuple[tuple[str, str], ...] = ()


_CITY_DISTRICTS = (
    District("120101", "和兴区", "urban"),
    District("120102", "河东新区", "urban"),
    District("120103", "西湖区", "urban"),
    District("120104", "南城区", "urban"),
    District("120105", "北岸区", "urban"),
    District("120106", "红旗区", "urban"),
    District("120110", "东郊区", "suburban"),
    District("120111", "西岭区", "suburban"),
    District("120112", "南湖区", "suburban"),
    District("120113", "滨河区", "suburban"),
    District("120114", "武陵区", "suburban"),
    District("120115", "宝山区", "suburban"),
    District("120116", "海港新区", "suburban"),
    District("120117", "宁安区", "suburban"),
    District("120118", "静水区", "suburban"),
    District("120119", "蓟山区", "suburban"),
)

#: the cities of the province tier (fictional names, region codes of 河北 cities)
_PROVINCE_CITIES = (
    ("130100", "北辰市"),
    ("130200", "南原市"),
    ("130300", "东陵市"),
    ("130400", "西岳市"),
    ("130500", "中川市"),
)
#: first and second characters of the district names: 16 districts a city, one second character
#: per city, so that every name in the province is different
_PROVINCE_HEADS = "和安康宁平泰兴华永长新丰广隆福顺"
_PROVINCE_TAILS = "阳山川城源"


def province_districts(
    cities: tuple[tuple[str, str], ...], per_city: int = 16, urban: int = 4
) -> tuple[District, ...]:
    """``per_city`` districts in each of ``cities``: the first ``urban`` are 区 of streets only,
    the rest suburban 县 with towns; region codes ``CCCC21``… under the city's ``CCCC00``."""
    result = []
    for c, (region, _name) in enumerate(cities):
        for d in range(per_city):
            stem = _PROVINCE_HEADS[d % len(_PROVINCE_HEADS)] + _PROVINCE_TAILS[c]
            kind = "urban" if d < urban else "suburban"
            name = stem + ("区" if kind == "urban" else "县")
            result.append(District(f"{region[:4]}{21 + d:02d}", name, kind, city=c))
    return tuple(result)


TIERS: dict[str, Tier] = {
    "tiny": Tier("tiny", (District("120113", "滨河区", "suburban"),), 0.06),
    "district": Tier("district", (District("120113", "滨河区", "suburban"),), 1.25),
    "city": Tier("city", _CITY_DISTRICTS, 3.2, city=("120100", "示范市")),
    # ~312,000 organizations and ~6 million members: five cities of sixteen districts each
    "province": Tier(
        "province",
        province_districts(_PROVINCE_CITIES),
        3.2,
        city=("130000", "示范省"),
        cities=_PROVINCE_CITIES,
    ),
    # the province's shape at a small scale, for tests: two cities of two districts
    "province-mini": Tier(
        "province-mini",
        province_districts(_PROVINCE_CITIES[:2], per_city=2, urban=1),
        0.06,
        city=("130000", "示范省"),
        cities=_PROVINCE_CITIES[:2],
    ),
}


@dataclass(slots=True)
class MemberSpec:
    name: str
    id_number: str
    birth_date: dt.date
    gender: str
    ethnicity: str
    education: str
    category: str
    member_type: str
    joined_on: dt.date
    confirmed_on: dt.date | None
    post: str
    phone: str

    def row(self, org_code: str) -> tuple[Any, ...]:
        return (
            org_code,
            self.name,
            self.id_number,
            self.gender,
            self.birth_date.isoformat(),
            self.ethnicity,
            self.education,
            self.category,
            self.member_type,
            self.joined_on.isoformat(),
            self.confirmed_on.isoformat() if self.confirmed_on else "",
            self.post,
            self.phone,
        )


@dataclass(slots=True)
class OrgSpec:
    code: str
    name: str
    org_type: str
    sector: str
    region_code: str
    parent: int | None  # index in the plan; None: under the district's outer parent
    founded_on: dt.date | None = None
    term_started_on: dt.date | None = None
    units_covered: int | None = None
    secretary_vacant_since: dt.date | None = None
    # for branches: planned size and member category, then the members themselves
    size: int = 0
    category: str = ""
    problems: set[str] = field(default_factory=set)
    members: list[MemberSpec] = field(default_factory=list)

    def row(self, parent_code: str) -> tuple[Any, ...]:
        def iso(d: dt.date | None) -> str:
            return d.isoformat() if d else ""

        return (
            self.code,
            self.name,
            self.org_type,
            self.sector,
            self.region_code,
            parent_code,
            iso(self.founded_on),
            iso(self.term_started_on),
            self.units_covered or "",
            iso(self.secretary_vacant_since),
        )


@dataclass
class DistrictPlan:
    index: int
    district: District
    orgs: list[OrgSpec]

    @property
    def member_count(self) -> int:
        return sum(len(o.members) for o in self.orgs)


# ---------------------------------------------------------------------------------------------
# region codes valid in a birth year (stdnum checks the code against the year of birth)


@cache
def _region_years() -> dict[str, list[tuple[int, int]]]:
    """County code → the year ranges in which it was valid, from python-stdnum's table."""
    text = importlib.resources.files("stdnum").joinpath("cn/loc.dat").read_text("utf-8")
    result: dict[str, list[tuple[int, int]]] = {}
    province = ""
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if not line.startswith(" "):
            province = line.split()[0]
            continue
        code, _, rest = line.strip().partition(" ")
        value = rest.partition('county="')[2].rstrip('"')
        if code.endswith("00") or not value:
            continue
        ranges = []
        for part in value.split(","):
            if part.startswith("["):
                span = part[1:].split("]")[0]
                start, _, end = span.partition("-")
                ranges.append((int(start or 0), int(end or 9999)))
            else:
                ranges.append((0, 9999))
        result[province + code] = ranges
    return result


def _region_valid(code: str, year: int) -> bool:
    return any(a <= year <= b for a, b in _region_years().get(code, ()))


@cache
def home_pool() -> tuple[str, ...]:
    """Codes of 天津 and 河北 that were valid for every birth year used here."""
    return tuple(
        code
        for code, ranges in sorted(_region_years().items())
        if code[:2] in ("12", "13") and any(a <= 1940 and b >= 2006 for a, b in ranges)
    )


# ---------------------------------------------------------------------------------------------
# people


_SURNAMES = [s for s, _ in names.SURNAMES]
_SURNAME_CUM = list(itertools.accumulate(w for _, w in names.SURNAMES))

_CATEGORY_BY_SECTOR: dict[str, list[tuple[str, int]]] = {
    Sector.RURAL: [
        ("农牧渔民", 60),
        ("离退休人员", 15),
        ("在岗职工", 8),
        ("个体经营者", 7),
        ("无固定职业", 6),
        ("其他", 4),
    ],
    Sector.COMMUNITY: [
        ("离退休人员", 55),
        ("在岗职工", 15),
        ("无固定职业", 10),
        ("自由职业者", 8),
        ("个体经营者", 7),
        ("其他", 5),
    ],
    Sector.PRIVATE_ENTERPRISE: [("在岗职工", 85), ("个体经营者", 8), ("自由职业者", 7)],
    Sector.SOCIAL_ORG: [("在岗职工", 70), ("自由职业者", 20), ("个体经营者", 10)],
}
_FEMALE_SHARE: dict[str, float] = {
    Sector.SCHOOL: 0.62,
    Sector.HOSPITAL: 0.6,
    Sector.COMMUNITY: 0.45,
    Sector.PUBLIC_INSTITUTION: 0.45,
    Sector.RURAL: 0.22,
}
_BIRTH_YEARS = {
    "离退休人员": (1940, 1966),
    "农牧渔民": (1945, 1996),
    "在岗职工": (1966, 2001),
    "学生": (2002, 2006),
}
_EDUCATION = {
    "low": [("初中及以下", 35), ("高中", 30), ("中专", 15), ("大专", 15), ("大学本科", 5)],
    "high": [("大学本科", 50), ("大专", 22), ("研究生", 15), ("高中", 8), ("中专", 5)],
}
_PHONE_HEADS = ["13", "13", "15", "15", "18", "18", "17", "19", "14", "16"]


class Planner:
    """Plans one district: structure first, then problems, then members."""

    def __init__(
        self, *, seed: int, tier: Tier, index: int, as_of: dt.date, used_ids: set[str]
    ) -> None:
        self.district = tier.districts[index]
        # ID numbers are unique across the tier: ``used_ids`` holds those of the city, and the
        # cities of a province draw their serial numbers from disjoint slots
        self.slot = (self.district.city, max(1, len(tier.cities)))
        self.index = index + 1
        self.tier = tier
        self.rng = random.Random(f"dangjian:{tier.name}:{seed}:{self.index}")
        self.as_of = as_of
        self.used_ids = used_ids
        self.orgs: list[OrgSpec] = []
        self.serial = itertools.count(1)
        self.dname = self.district.name
        self.place_names: set[str] = set()

    # -- helpers --------------------------------------------------------------------------------

    def n(self, base: float, spread: float = 0.25) -> int:
        """A count of ``base`` units at this tier's scale, with some variation, at least 1."""
        value = base * self.tier.scale * self.rng.uniform(1 - spread, 1 + spread)
        return max(1, round(value))

    def pick(self, weighted: list[tuple[str, int]]) -> str:
        return self.rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]

    def place(self, tails: list[str] | None = None) -> str:
        """A place name not used before in this district: a village-like name with one of
        ``tails``, or (``None``) an urban name such as 和平、和平东里、锦绣花园、朝阳新华."""
        rng = self.rng
        name = ""
        for attempt in range(80):
            if tails is not None:
                head = rng.choice(names.PLACE_HEADS) + rng.choice(names.PLACE_HEADS + "庄家")
                name = head + rng.choice(tails)
            elif attempt < 20:
                name = rng.choice(names.PLACE_NICE) + rng.choice(names.PLACE_URBAN_TAILS)
            else:
                name = rng.choice(names.PLACE_NICE) + rng.choice(names.PLACE_NICE)
            if name not in self.place_names:
                self.place_names.add(name)
                return name
        self.place_names.add(name)
        return name + "第" + "一二三四五六七八九十"[len(self.place_names) % 10]

    def firm(self) -> str:
        rng = self.rng
        return (
            f"{self.dname[:2]}{rng.choice(names.FIRM_WORDS)}{rng.choice(names.FIRM_TRADES)}有限公司"
        )

    def add(
        self,
        parent: int | None,
        org_type: str,
        sector: str,
        name: str,
        *,
        region: str = "",
        size: int = 0,
        category: str = "",
        units: int | None = None,
    ) -> int:
        letter = {
            OrgType.COMMITTEE: "W",
            OrgType.WORKING_COMMITTEE: "W",
            OrgType.GENERAL_BRANCH: "Z",
            OrgType.GROUP: "G",
        }.get(OrgType(org_type), "B")
        code = f"{letter}{self.index:02d}{next(self.serial):05d}"
        spec = OrgSpec(
            code=code,
            name=name,
            org_type=org_type,
            sector=sector,
            region_code=region or self.district.region,
            parent=parent,
            size=size,
            category=category,
            units_covered=units,
        )
        self.orgs.append(spec)
        return len(self.orgs) - 1

    def branch(
        self,
        parent: int,
        sector: str,
        name: str,
        lo: int,
        hi: int,
        mode: int,
        *,
        org_type: str = OrgType.BRANCH,
        region: str = "",
        category: str = "",
        units: int | None = None,
    ) -> int:
        size = int(self.rng.triangular(lo, hi, mode))
        return self.add(
            parent, org_type, sector, name, region=region, size=size, category=category, units=units
        )

    def sub_branches(
        self, parent: int, sector: str, stem: str, count: int, lo: int, hi: int, mode: int
    ) -> None:
        ordinals = "一二三四五六七八九十"
        region = self.orgs[parent].region_code
        for i in range(count):
            label = ordinals[i] if i < 10 else str(i + 1)
            self.branch(parent, sector, f"{stem}第{label}党支部", lo, hi, mode, region=region)

    def unit(
        self, parent: int, sector: str, stem: str, *, region: str = "", lo: int = 8, hi: int = 35
    ) -> None:
        """A unit's organization by its size: mostly a branch, else 党总支 or 党委 with branches."""
        r = self.rng.random()
        mode = (lo + hi) // 2
        if r < 0.68:
            self.branch(parent, sector, f"{stem}党支部", lo, hi, mode, region=region)
        elif r < 0.9:
            g = self.add(parent, OrgType.GENERAL_BRANCH, sector, f"{stem}党总支", region=region)
            self.sub_branches(g, sector, stem, self.rng.randint(2, 4), lo, hi, mode)
        else:
            c = self.add(parent, OrgType.COMMITTEE, sector, f"{stem}党委", region=region)
            self.sub_branches(c, sector, stem, self.rng.randint(3, 6), lo, hi, mode)

    # -- structure ------------------------------------------------------------------------------

    def plan_structure(self) -> None:
        d, rng = self.dname, self.rng
        root = self.add(None, OrgType.COMMITTEE, Sector.ORGAN, f"中共{d}委员会")

        organs = self.add(
            root, OrgType.WORKING_COMMITTEE, Sector.ORGAN, f"中共{d}直属机关工作委员会"
        )
        departments = names.DEPARTMENTS[:]
        rng.shuffle(departments)
        for dept in departments[: min(len(departments), self.n(34, 0.1))]:
            self.unit(organs, Sector.ORGAN, dept.replace("区", d, 1), lo=6, hi=32)
        for inst in names.PUBLIC_INSTITUTIONS[: min(15, self.n(12, 0.2))]:
            self.unit(organs, Sector.PUBLIC_INSTITUTION, inst.replace("区", d, 1), lo=5, hi=30)
        for i in range(self.n(3)):
            label = "一二三四五六七八九十"[i % 10]
            self.branch(organs, Sector.ORGAN, f"{d}机关离退休干部第{label}党支部",
                        15, 60, 35, category="离退休人员")  # fmt: skip

        edu = self.add(root, OrgType.COMMITTEE, Sector.SCHOOL, f"中共{d}教育工作委员会")
        for _ in range(self.n(40)):
            kind = rng.choice(names.SCHOOL_KINDS)
            self.unit(edu, Sector.SCHOOL, f"{d}{self.place(None)}{kind}", lo=8, hi=45)
        self.branch(edu, Sector.SCHOOL, f"{d}教育系统离退休教师党支部", 25, 70, 45,
                    category="离退休人员")  # fmt: skip

        health = self.add(root, OrgType.COMMITTEE, Sector.HOSPITAL, f"中共{d}卫生健康工作委员会")
        for hosp in names.HOSPITALS[: min(len(names.HOSPITALS), self.n(3, 0.2))]:
            h = self.add(
                health, OrgType.COMMITTEE, Sector.HOSPITAL, hosp.replace("区", d, 1) + "党委"
            )
            self.sub_branches(h, Sector.HOSPITAL, hosp.replace("区", d, 1), rng.randint(4, 9),
                              12, 45, 26)  # fmt: skip

        assets = self.add(root, OrgType.COMMITTEE, Sector.STATE_ENTERPRISE, f"中共{d}国资委委员会")
        firms = names.STATE_ENTERPRISES[:]
        rng.shuffle(firms)
        for firm in firms[: min(len(firms), self.n(7, 0.2))]:
            stem = firm.replace("区", d, 1)
            c = self.add(assets, OrgType.COMMITTEE, Sector.STATE_ENTERPRISE, f"{stem}党委")
            self.sub_branches(c, Sector.STATE_ENTERPRISE, stem, rng.randint(3, 7), 8, 40, 20)

        two_new = self.add(
            root,
            OrgType.WORKING_COMMITTEE,
            Sector.PRIVATE_ENTERPRISE,
            f"中共{d}非公有制经济组织和社会组织工作委员会",
        )
        self.two_new(two_new, firms=self.n(50), joints=self.n(20), social=self.n(14))

        towns = self.n(9, 0.06) if self.district.kind == "suburban" else 0
        streets = self.n(6, 0.06) if self.district.kind == "suburban" else self.n(14, 0.06)
        for t in range(towns):
            self.town(root, t + 1)
        for s in range(streets):
            self.street(root, towns + s + 1)

    def two_new(
        self, parent: int, *, firms: int, joints: int, social: int, region: str = ""
    ) -> None:
        for _ in range(firms):
            self.branch(parent, Sector.PRIVATE_ENTERPRISE, f"{self.firm()}党支部", 3, 22, 7,
                        region=region)  # fmt: skip
        for _ in range(joints):
            area = self.place(None)
            self.branch(parent, Sector.PRIVATE_ENTERPRISE, f"{area}楼宇联合党支部", 3, 16, 8,
                        org_type=OrgType.JOINT_BRANCH, region=region,
                        units=self.rng.randint(2, 5))  # fmt: skip
        for _ in range(social):
            kind = self.rng.choice(names.SOCIAL_ORGS)
            self.branch(parent, Sector.SOCIAL_ORG, f"{self.dname}{self.place(None)}{kind}党支部",
                        3, 14, 6, region=region)  # fmt: skip

    def town(self, root: int, number: int) -> None:
        rng, town_region = self.rng, f"{self.district.region}{number:03d}000"
        name = self.place(["镇"])
        t = self.add(root, OrgType.COMMITTEE, Sector.RURAL, f"中共{name}委员会", region=town_region)
        for i in range(rng.randint(1, 3)):
            self.branch(t, Sector.ORGAN, f"{name}机关第{'一二三'[i]}党支部", 10, 30, 18,
                        region=town_region)  # fmt: skip
        self.branch(t, Sector.PUBLIC_INSTITUTION, f"{name}综合服务中心党支部", 6, 25, 12,
                    region=town_region)  # fmt: skip
        for v in range(max(4, round(rng.randint(14, 24) * min(1.0, self.tier.scale * 3)))):
            region = f"{self.district.region}{number:03d}{200 + v:03d}"
            village = self.place(names.PLACE_TAILS) + "村"
            r = rng.random()
            if r < 0.66:
                self.branch(t, Sector.RURAL, f"中共{village}支部委员会", 12, 48, 26, region=region)
            elif r < 0.9:
                g = self.add(t, OrgType.GENERAL_BRANCH, Sector.RURAL, f"中共{village}总支部委员会",
                             region=region)  # fmt: skip
                self.sub_branches(g, Sector.RURAL, village, rng.randint(2, 3), 14, 40, 24)
            else:
                c = self.add(t, OrgType.COMMITTEE, Sector.RURAL, f"中共{village}委员会",
                             region=region)  # fmt: skip
                self.sub_branches(c, Sector.RURAL, village, rng.randint(3, 5), 18, 45, 28)
        for c in range(rng.randint(1, 3)):
            self.community(t, f"{self.district.region}{number:03d}{c + 1:03d}")
        self.two_new(t, firms=rng.randint(1, 3), joints=rng.randint(1, 2), social=0,
                     region=town_region)  # fmt: skip

    def street(self, root: int, number: int) -> None:
        rng, region = self.rng, f"{self.district.region}{number:03d}000"
        name = self.place(None) + "街道"
        s = self.add(root, OrgType.WORKING_COMMITTEE, Sector.COMMUNITY, f"中共{name}工作委员会",
                     region=region)  # fmt: skip
        for i in range(2):
            self.branch(
                s, Sector.ORGAN, f"{name}机关第{'一二'[i]}党支部", 10, 30, 18, region=region
            )
        for c in range(max(3, round(rng.randint(10, 16) * min(1.0, self.tier.scale * 3)))):
            self.community(s, f"{self.district.region}{number:03d}{c + 1:03d}")
        self.two_new(s, firms=rng.randint(1, 3), joints=rng.randint(2, 4),
                     social=rng.randint(0, 2), region=region)  # fmt: skip

    def community(self, parent: int, region: str) -> None:
        rng = self.rng
        name = self.place(None)
        if name[-1] in "里园村城":
            name += "社区"
        else:
            name += rng.choice(["社区", "社区", "里社区", "园社区", "苑社区"])
        r = rng.random()
        if r < 0.2:
            self.branch(parent, Sector.COMMUNITY, f"{name}党支部", 15, 48, 30, region=region)
        elif r < 0.6:
            g = self.add(parent, OrgType.GENERAL_BRANCH, Sector.COMMUNITY, f"{name}党总支",
                         region=region)  # fmt: skip
            self.sub_branches(g, Sector.COMMUNITY, name, rng.randint(2, 4), 15, 48, 28)
        else:
            c = self.add(parent, OrgType.COMMITTEE, Sector.COMMUNITY, f"{name}党委", region=region)
            self.sub_branches(c, Sector.COMMUNITY, name, rng.randint(3, 6), 15, 50, 30)

    # -- problems, terms, members ---------------------------------------------------------------

    def assign_problems(self) -> None:
        rng = self.rng
        branches = [o for o in self.orgs if o.size]
        joints = [o for o in branches if o.org_type == OrgType.JOINT_BRANCH]

        def sample(pool: list[OrgSpec], rate: float, tag: str) -> None:
            free = [o for o in pool if not o.problems & {"min_full", "too_big"}] or pool
            k = min(len(free), max(1, round(len(pool) * rate)))
            for o in rng.sample(free, k):
                o.problems.add(tag)

        sample(branches, PROBLEM_RATES["min_full"], "min_full")
        sample(branches, PROBLEM_RATES["too_big"], "too_big")
        for o in branches:
            if "min_full" in o.problems:
                o.size = rng.randint(1, 3)
            elif "too_big" in o.problems:
                o.size = rng.randint(51, 85)
        big = [o for o in branches if o.size >= 9 and not o.problems]
        sample(big, PROBLEM_RATES["no_committee"], "no_committee")
        sample(branches, PROBLEM_RATES["vacant"], "vacant")
        sample(
            [o for o in branches if "vacant" not in o.problems],
            PROBLEM_RATES["young_secretary"],
            "young_secretary",
        )
        for o in joints:
            many = rng.random() < PROBLEM_RATES["joint_many_units"]
            o.units_covered = rng.randint(6, 9) if many else o.units_covered or 2
        if joints and not any((o.units_covered or 0) > 5 for o in joints):
            rng.choice(joints).units_covered = 6
        with_term = [o for o in self.orgs if o.org_type != OrgType.GROUP]
        sample(with_term, PROBLEM_RATES["term_expired"], "term_expired")
        sample(
            [o for o in with_term if "term_expired" not in o.problems],
            PROBLEM_RATES["term_expiring"],
            "term_expiring",
        )
        for o in self.orgs:
            self.set_term(o)

    def set_term(self, o: OrgSpec) -> None:
        rng, as_of = self.rng, self.as_of
        years = term_years_default(o.org_type, o.sector) or 3
        term_days = years * 365
        if "term_expired" in o.problems:
            ends_ago = rng.randint(10, 420)
            start = as_of - dt.timedelta(days=term_days + ends_ago)
        elif "term_expiring" in o.problems:
            ends_in = rng.randint(5, 175)
            start = as_of - dt.timedelta(days=term_days - ends_in)
        else:
            start = as_of - dt.timedelta(days=rng.randint(20, term_days - 200))
        o.term_started_on = start
        o.founded_on = start - dt.timedelta(days=rng.randint(0, 365 * 30))
        if o.sector in (Sector.PRIVATE_ENTERPRISE, Sector.SOCIAL_ORG):
            o.founded_on = start - dt.timedelta(days=rng.randint(0, 365 * 8))
        if "vacant" in o.problems:
            o.secretary_vacant_since = as_of - dt.timedelta(days=rng.randint(15, 400))

    def person(self, sector: str, category: str = "") -> MemberSpec:
        rng = self.rng
        if not category:
            weights = _CATEGORY_BY_SECTOR.get(sector)
            if weights:
                category = self.pick(weights)
            else:
                category = "离退休人员" if rng.random() < 0.08 else "在岗职工"
        lo, hi = _BIRTH_YEARS.get(category, (1950, 2003))
        hi = min(hi, self.as_of.year - 19)  # old enough to have joined by ``as_of``
        year = rng.randint(min(lo, hi), hi)
        born = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
        female = rng.random() < _FEMALE_SHARE.get(sector, 0.32)
        # name: surname by frequency, given name of the generation, one or two characters
        surname = _SURNAMES[bisect.bisect_right(_SURNAME_CUM, rng.randrange(_SURNAME_CUM[-1]))]
        if year < 1966:
            pool = names.GIVEN_OLD_FEMALE if female else names.GIVEN_OLD_MALE
        elif year < 1990:
            pool = names.GIVEN_MID_FEMALE if female else names.GIVEN_MID_MALE
        else:
            pool = names.GIVEN_YOUNG_FEMALE if female else names.GIVEN_YOUNG_MALE
        given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.68 else "")
        # ID number: home district if it existed in the birth year, else a code of the region
        home = self.district.region
        if rng.random() < 0.78 and _region_valid(home, year):
            region = home
        else:
            region = rng.choice(home_pool())
        while True:
            serial = _serial(rng, self.slot, female)
            number = idnumber.compose_id(region, born, serial)
            if number not in self.used_ids:
                self.used_ids.add(number)
                break
        # joining: at 18 or later; a few are still on probation
        adult = turns(born, 18)  # 党章 art. 1: 年满十八岁, to the day
        latest_full = self.as_of - dt.timedelta(days=400)
        probationary = rng.random() < 0.045 or adult > latest_full
        if probationary:
            joined = max(adult, self.as_of - dt.timedelta(days=rng.randint(20, 360)))
            confirmed = None
        else:
            span = (latest_full - adult).days
            joined = adult + dt.timedelta(days=int(span * rng.random() ** 1.6))
            confirmed = joined + dt.timedelta(days=365 + rng.randint(0, 25))
        level = "high" if category == "在岗职工" else "low"
        if category == "离退休人员" and sector not in (Sector.RURAL, Sector.COMMUNITY):
            level = "high"
        phone = ""
        if rng.random() < 0.9:
            phone = (
                rng.choice(_PHONE_HEADS) + str(rng.randint(0, 9)) + f"{rng.randrange(10**8):08d}"
            )
        return MemberSpec(
            name=surname + given,
            id_number=number,
            birth_date=born,
            gender="女" if female else "男",
            ethnicity="汉族" if rng.random() < 0.94 else rng.choice(names.ETHNIC_MINORITIES),
            education=self.pick(_EDUCATION[level]),
            category=category,
            member_type=MemberType.PROBATIONARY if probationary else MemberType.FULL,
            joined_on=joined,
            confirmed_on=confirmed,
            post="",
            phone=phone,
        )

    def fill(self, index: int) -> None:
        """Members of one branch, its posts and, for a large branch, its 党小组."""
        o, rng, as_of = self.orgs[index], self.rng, self.as_of
        people = [self.person(o.sector, o.category) for _ in range(o.size)]
        if "min_full" in o.problems:
            for p in people[rng.randint(1, 2) :]:
                _make_probationary(p, as_of, rng)
        full = [p for p in people if p.member_type == MemberType.FULL]
        # the committee: secretary first, then the other posts
        if len(full) >= 7 and "no_committee" not in o.problems:
            posts = [Post.SECRETARY, Post.ORGANIZING, Post.PROPAGANDA, Post.DISCIPLINE]
            posts = posts[: rng.choice([3, 3, 4])]
            if rng.random() < 0.3:
                posts.append(Post.DEPUTY_SECRETARY)
        elif len(full) >= 7:
            posts = [Post.SECRETARY] + ([Post.COMMITTEE] if rng.random() < 0.5 else [])
        else:
            posts = [Post.SECRETARY] + ([Post.DEPUTY_SECRETARY] if rng.random() < 0.1 else [])
        if "vacant" in o.problems:
            posts = [p for p in posts if p != Post.SECRETARY]
        # older full members hold the posts
        full.sort(key=lambda p: p.confirmed_on or as_of)
        holders = full[: len(posts)]
        for person, post in zip(holders, posts, strict=False):
            person.post = post
            if post == Post.SECRETARY and "young_secretary" in o.problems:
                confirmed = as_of - dt.timedelta(days=rng.randint(30, 330))
                person.confirmed_on = confirmed
                person.joined_on = confirmed - dt.timedelta(days=365)
                if person.joined_on.year - person.birth_date.year < 19:
                    person.birth_date = person.birth_date.replace(year=person.birth_date.year - 10)
                    _renumber(person, self.used_ids, rng, self.slot)
        if Post.SECRETARY in posts and not holders and o.secretary_vacant_since is None:
            # no full member to hold the post: the secretary is vacant in fact, so record it
            o.problems.add("vacant")
            o.secretary_vacant_since = as_of - dt.timedelta(days=rng.randint(15, 400))
        o.members = people
        if o.size >= 36 and rng.random() < 0.3:
            leaders = [p for p in full if not p.post]
            groups = min(len(leaders), rng.randint(2, 3))
            for g in range(groups):
                self.add(index, OrgType.GROUP, o.sector, f"第{'一二三四'[g]}党小组",
                         region=o.region_code)  # fmt: skip
                leaders[g].post = Post.GROUP_LEADER

    def plan(self) -> DistrictPlan:
        self.plan_structure()
        self.assign_problems()
        for index in range(len(self.orgs)):
            if self.orgs[index].size:
                self.fill(index)
        # groups were appended after their branch; put every child after its parent, in order
        return DistrictPlan(self.index, self.district, _in_tree_order(self.orgs))


def _make_probationary(p: MemberSpec, as_of: dt.date, rng: random.Random) -> None:
    adult = turns(p.birth_date, 18)
    p.member_type = MemberType.PROBATIONARY
    p.confirmed_on = None
    p.joined_on = max(adult, as_of - dt.timedelta(days=rng.randint(20, 360)))


def _serial(rng: random.Random, slot: tuple[int, int], female: bool) -> int:
    """The 3-digit sequence number of an ID (odd for men) in ``slot`` = (k, n): the k-th of n
    disjoint shares of the 500 numbers of each sex (one draw from ``rng`` whatever n)."""
    k, n = slot
    return (rng.randrange(500 // n) * n + k) * 2 + (0 if female else 1)


def _renumber(
    p: MemberSpec, used: set[str], rng: random.Random, slot: tuple[int, int] = (0, 1)
) -> None:
    """Give ``p`` a new ID number after its birth date changed (region kept if still valid)."""
    used.discard(p.id_number)
    region = p.id_number[:6]
    if not _region_valid(region, p.birth_date.year):
        region = rng.choice(home_pool())
    female = p.gender == "女"
    while True:
        number = idnumber.compose_id(region, p.birth_date, _serial(rng, slot, female))
        if number not in used:
            used.add(number)
            p.id_number = number
            return


def _in_tree_order(orgs: list[OrgSpec]) -> list[OrgSpec]:
    """Reorder so that each organization follows its parent (depth first, creation order)."""
    children: dict[int | None, list[int]] = {}
    for i, o in enumerate(orgs):
        children.setdefault(o.parent, []).append(i)
    order: list[int] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        i = stack.pop()
        order.append(i)
        stack.extend(reversed(children.get(i, [])))
    new_index = {old: new for new, old in enumerate(order)}
    result = []
    for old in order:
        o = orgs[old]
        o.parent = new_index[o.parent] if o.parent is not None else None
        result.append(o)
    return result


def iter_plans(tier: Tier, seed: int, as_of: dt.date) -> Iterator[DistrictPlan]:
    """The districts of ``tier`` one by one (ID numbers are unique across all of them).

    Memory stays bounded by one district's plan and one city's ID numbers: the cities of a
    province draw from disjoint serial numbers, so the set of numbers seen starts afresh with each.
    """
    used: set[str] = set()
    city = 0
    for index, district in enumerate(tier.districts):
        if district.city != city:
            used, city = set(), district.city
        yield Planner(seed=seed, tier=tier, index=index, as_of=as_of, used_ids=used).plan()


def upper_specs(tier: Tier) -> list[OrgSpec]:
    """The organizations above the districts: the root (a city's or a province's committee) and
    a province's city committees (``parent`` is an index in this list)."""
    root = city_spec(tier)
    if root is None:
        return []
    result = [root]
    for number, (region, name) in enumerate(tier.cities, start=1):
        result.append(
            OrgSpec(
                code=f"W00{number:05d}",
                name=f"中共{name}委员会",
                org_type=OrgType.COMMITTEE,
                sector=Sector.ORGAN,
                region_code=region,
                parent=0,
            )
        )
    return result


def district_parent(tier: Tier, district: District) -> int | None:
    """Index in :func:`upper_specs` of the organization a district's committee is under."""
    if tier.city is None:
        return None
    return district.city + 1 if tier.cities else 0


def city_spec(tier: Tier) -> OrgSpec | None:
    """The city's own committee, above its districts (``None`` for a one-district tier)."""
    if tier.city is None:
        return None
    region, name = tier.city
    return OrgSpec(
        code="W0000000",
        name=f"中共{name}委员会",
        org_type=OrgType.COMMITTEE,
        sector=Sector.ORGAN,
        region_code=region,
        parent=None,
    )


def plan_rows(tier: Tier, seed: int, as_of: dt.date) -> Iterator[tuple[Any, ...]]:
    """Every planned organization and member as a plain row (for digests and tests)."""
    upper = upper_specs(tier)
    for o in upper:
        yield ("org", *o.row(upper[o.parent].code if o.parent is not None else ""))
    for plan in iter_plans(tier, seed, as_of):
        above = district_parent(tier, plan.district)
        parent_code = upper[above].code if above is not None else ""
        for o in plan.orgs:
            pc = plan.orgs[o.parent].code if o.parent is not None else parent_code
            yield ("org", *o.row(pc))
            for m in o.members:
                yield ("member", *m.row(o.code))


def rows_digest(rows: Iterator[tuple[Any, ...]] | list[tuple[Any, ...]]) -> str:
    """SHA-256 over rows in sorted order (order of generation does not matter)."""
    h = hashlib.sha256()
    for row in sorted("\x1f".join(str(v) for v in r) for r in rows):
        h.update(row.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


#: the fields of an OrgSpec an Organization stores under the same names
_ORG_STORED: tuple[str, ...] = ("code", "name", "org_type", "sector", "region_code", "founded_on")
_ORG_STORED += ("term_started_on", "units_covered", "secretary_vacant_since")


def _copied(cls: type[D], source: Any, *, skip: tuple[str, ...] = (), **given: Any) -> D:
    """A ``cls`` dataclass whose fields are read from ``source`` by name, but for ``given``
    (fields the source keeps otherwise) and ``skip`` (fields left to their default)."""
    names = [f.name for f in fields(cls) if f.init and f.name not in given and f.name not in skip]
    return cls(**{name: getattr(source, name) for name in names}, **given)


def database_rows() -> Iterator[tuple[Any, ...]]:
    """The seeded rows as stored (numbers decrypted), in the shape of :func:`plan_rows`."""
    code_by_path = dict(Organization.objects.values_list("path", "code"))
    for org in Organization.objects.order_by("path"):
        parent = code_by_path.get(org.path[: -Organization.steplen], "")
        spec = OrgSpec(parent=None, **{name: getattr(org, name) for name in _ORG_STORED})
        yield ("org", *spec.row(parent))
    for m in Member.objects.select_related("org").order_by("pk").iterator(chunk_size=2000):
        spec_m = _copied(MemberSpec, m, id_number=m.id_number(), phone=m.phone())
        yield ("member", *spec_m.row(m.org.code))


# ---------------------------------------------------------------------------------------------
# writing


_TIER_LABELS = {
    "tiny": "微型",
    "district": "区县",
    "city": "城市",
    "province": "省级",
    "province-mini": "省级（缩小）",
}


class NotEmpty(Exception):
    """The database already holds organizations or members; seeding refuses to mix data."""


@dataclass
class SeedResult:
    tier: str
    seed: int
    as_of: dt.date
    organizations: int
    members: int
    seconds: float = 0.0


def database_is_empty() -> bool:
    return not Organization.objects.exists() and not Member.objects.exists()


def _member_objects(o: OrgSpec, org: Organization) -> Iterator[Member]:
    for m in o.members:
        data = _copied(MemberInput, m, skip=("residence_community",), org=org)
        yield member_apply(Member(), data)


def bulk_insert(objs: list[Member], *, batch_size: int) -> None:
    """Insert ``objs`` (no pks needed back): PostgreSQL ``COPY``, else ``bulk_create``.

    ``bulk_create`` of a few thousand rows spends most of its time building and parsing one huge
    statement; ``COPY`` streams the rows and is several times faster on the city tier.
    """
    if not objs:
        return
    if connection.vendor != "postgresql":
        Member.objects.bulk_create(objs, batch_size=batch_size)
        return
    fields = [f for f in Member._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(Member._meta.db_table)
    now = timezone.now()
    # every column is a plain str, bytes, date, int or None that psycopg adapts itself; only the
    # two timestamps need what ``auto_now`` would have filled in
    getters = [
        (lambda obj, _n=now: _n)
        if f.attname in ("created_at", "updated_at")
        else operator.attrgetter(f.attname)
        for f in fields
    ]
    with connection.cursor() as cursor:
        raw: Any = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([get(obj) for get in getters])


@contextmanager
def indexes_deferred(model: type[Member]) -> Iterator[None]:
    """On PostgreSQL, drop the secondary indexes and unique constraints of ``model``'s table and
    rebuild them after the block (inside the caller's transaction).

    Inserting a million rows into eight B-trees with random keys (digests, names) is several
    times slower than building the indexes once at the end. Used only by the seed, which runs on
    an empty database: if anything fails, including a rebuilt unique constraint finding a
    duplicate, the transaction rolls back and the schema is as it was.
    """
    if connection.vendor != "postgresql":
        yield
        return
    table = model._meta.db_table
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, pg_get_indexdef(c.oid), con.conname, con.contype,
                   pg_get_constraintdef(con.oid)
            FROM pg_index x
            JOIN pg_class c ON c.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            LEFT JOIN pg_constraint con ON con.conindid = c.oid AND con.conrelid = t.oid
            WHERE t.relname = %s AND t.relnamespace = to_regnamespace(current_schema())
            """,
            [table],
        )
        found = [row for row in cursor.fetchall() if row[3] != "p"]
        for index, _, constraint, _, _ in found:
            if constraint:
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(constraint)}")
            else:
                cursor.execute(f"DROP INDEX {quote(index)}")
    yield
    with connection.cursor() as cursor:
        # the rows' deferred foreign-key checks must run before the table can be altered
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for _, indexdef, constraint, _, constraintdef in found:
            if constraint:
                cursor.execute(
                    f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(constraint)} {constraintdef}"
                )
            else:
                cursor.execute(indexdef)


def seed_database(
    *,
    tier: str,
    seed: int,
    as_of: dt.date | None = None,
    progress: bool = True,
    stream: IO[str] | None = None,
    member_batch: int = 5000,
) -> SeedResult:
    """Write the synthetic ``tier`` into an empty database, in one transaction, with one audit
    entry. Raises :class:`NotEmpty` when organizations or members exist already."""
    import time

    from tqdm import tqdm

    spec = TIERS[tier]
    as_of = as_of or timezone.localdate()
    started = time.monotonic()
    crypto.digest("warm-up")  # fail early on a missing field key, before any work
    orgs_total = members_total = 0
    with transaction.atomic():
        if not database_is_empty():
            raise NotEmpty(
                f"数据库中已有 {Organization.objects.count()} 个组织、{Member.objects.count()} 名"
                "党员。为避免把合成数据混入真实数据，seed 只在空数据库上运行；"
                "请换用新的数据库（或删除 var/dangjian.sqlite3 后重试）。"
            )
        desc = f"生成{_TIER_LABELS.get(tier, tier)}数据"
        bar = tqdm(
            total=0,
            unit="党员",
            desc=desc,
            file=stream or sys.stderr,
            disable=not progress,
            dynamic_ncols=True,
        )
        builder: TreeBuilder[Organization] = TreeBuilder(Organization)
        uppers: list[Organization] = []
        for o in upper_specs(spec):
            parent = uppers[o.parent] if o.parent is not None else None
            org = Organization(**{name: getattr(o, name) for name in _ORG_STORED})
            uppers.append(builder.add(org, parent))
            builder.flush()
            orgs_total += 1
        planned = 0
        districts = len(spec.districts)
        # no ``with`` block: on an error the transaction rolls back and nothing is rebuilt
        rebuild = indexes_deferred(Member)
        rebuild.__enter__()
        for number, plan in enumerate(iter_plans(spec, seed, as_of), start=1):
            # the total is known district by district: extrapolate from those planned so far
            planned += plan.member_count
            bar.total = planned + round(planned / number * (districts - number))
            bar.set_description(f"{desc}（区 {number}/{districts}）" if districts > 1 else desc)
            above = district_parent(spec, plan.district)
            outer = uppers[above] if above is not None else None
            objects: list[Organization] = []
            for o in plan.orgs:
                org = Organization(**{name: getattr(o, name) for name in _ORG_STORED})
                builder.add(org, objects[o.parent] if o.parent is not None else outer)
                objects.append(org)
            builder.flush()
            if any(org.pk is None for org in objects):  # a backend without RETURNING
                pks = dict(
                    Organization.objects.filter(code__in=[o.code for o in plan.orgs]).values_list(
                        "code", "pk"
                    )
                )
                for org in objects:
                    org.pk = pks[org.code]
            orgs_total += len(objects)
            bar.set_postfix_str(f"组织 {orgs_total:,}")
            batch: list[Member] = []
            for o, org in zip(plan.orgs, objects, strict=True):
                batch.extend(_member_objects(o, org))
                if len(batch) >= member_batch:
                    bulk_insert(batch, batch_size=member_batch)
                    bar.update(len(batch))
                    members_total += len(batch)
                    batch = []
            if batch:
                bulk_insert(batch, batch_size=member_batch)
                bar.update(len(batch))
                members_total += len(batch)
        bar.set_postfix_str(f"组织 {orgs_total:,}，建立索引…")
        rebuild.__exit__(None, None, None)
        counts_rebuild()  # the members were written in bulk: count them once, from the records
        committee_rebuild()  # and their committees
        history_backfill()  # and their roll history and post terms (members.history)
        org_counts_rebuild()  # so were the organizations
        bar.set_postfix_str(f"组织 {orgs_total:,}")
        audit_record(
            actor=SYSTEM,
            action=AuditAction.SEED_RUN,
            object_type="database",
            object_id=f"{tier}:{seed}",
            object_repr=f"合成演示数据（{tier}，种子 {seed}）",
            after={
                "tier": tier,
                "seed": seed,
                "as_of": as_of.isoformat(),
                "organizations": orgs_total,
                "members": members_total,
            },
        )
    bar.close()
    return SeedResult(
        tier, seed, as_of, orgs_total, members_total, seconds=time.monotonic() - started
    )
