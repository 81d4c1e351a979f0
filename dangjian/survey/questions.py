"""The survey questionnaire (三率测评问卷), defined in code and versioned, and the three rates.

Source: seed 001 (闵行 五好党支部创建), "以群众满意不满意、知道不知道、参与不参与作为重要标准，
重点测评三率": 群众满意率, 党员群众参与率, 对支部工作的知晓率. ASSESS-WEAK (rules.md §6) names
群众满意率 below 60% as one mark of a 软弱涣散 organization.

Definitions (version ``2026.1``), each over the responses of one survey (n = number of answers):

- 满意率 (satisfaction) = answers choosing 满意 or 基本满意 to ``satisfaction`` / n.
  The usual 三档 reading in local 满意度测评: 基本满意 counts as satisfied.
- 知晓率 (awareness) = answers saying 知道 to BOTH ``knows_secretary`` and ``knows_activities`` / n.
  The seed asks that 群众 know the branch's recent work and who leads it; a respondent who knows
  only one of the two is not counted as aware (the stricter, per-person reading).
- 参与率 (participation) = answers saying 是 to ``took_part`` (took part in an activity or service
  of the branch in the past year) / n. It estimates the share of 党员群众 who take part; the
  survey's ``population`` (expected respondents, by default the members on the roll) gives the
  separate 回收率 (answers / population), which says how far the sample reaches.

Each rate comes with its Wilson score interval (95%) and is ``reliable`` only when n reaches the
configured minimum (``DANGJIAN_SURVEY_MIN_ANSWERS``, default 30). Answers store choice codes only.
A new version adds a new entry to :data:`QUESTIONNAIRES`; old surveys keep their version.
"""

from __future__ import annotations

from dataclasses import dataclass

CURRENT_VERSION = "2026.1"


@dataclass(frozen=True)
class Question:
    code: str
    text: str
    choices: tuple[tuple[str, str], ...]  # (code, label)

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(c for c, _ in self.choices)


@dataclass(frozen=True)
class Questionnaire:
    version: str
    questions: tuple[Question, ...]
    satisfied: tuple[str, frozenset[str]]  # question code, choice codes counted as satisfied
    aware: tuple[tuple[str, str], ...]  # (question code, choice code) all required
    took_part: tuple[str, str]  # question code, choice code

    def question(self, code: str) -> Question:
        for q in self.questions:
            if q.code == code:
                return q
        raise KeyError(code)


_YES_NO = (("yes", "是"), ("no", "否"))
_KNOW = (("yes", "知道"), ("no", "不知道"))

QUESTIONNAIRES: dict[str, Questionnaire] = {
    "2026.1": Questionnaire(
        version="2026.1",
        questions=(
            Question(
                "satisfaction",
                "您对本支部的工作总体是否满意？",
                (("satisfied", "满意"), ("basic", "基本满意"), ("unsatisfied", "不满意")),
            ),
            Question("knows_secretary", "您是否知道本支部的书记是谁？", _KNOW),
            Question("knows_activities", "您是否知道本支部近期开展的活动？", _KNOW),
            Question("took_part", "过去一年，您是否参加过本支部组织的活动或服务？", _YES_NO),
        ),
        satisfied=("satisfaction", frozenset({"satisfied", "basic"})),
        aware=(("knows_secretary", "yes"), ("knows_activities", "yes")),
        took_part=("took_part", "yes"),
    ),
}


def questionnaire(version: str = CURRENT_VERSION) -> Questionnaire:
    return QUESTIONNAIRES[version]


def clean_answers(version: str, raw: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Keep only known choice codes; return (answers, errors by question code, in Chinese)."""
    qn = questionnaire(version)
    answers: dict[str, str] = {}
    errors: dict[str, str] = {}
    for q in qn.questions:
        value = (raw.get(q.code) or "").strip()
        if not value:
            errors[q.code] = "请选择一项"
        elif value not in q.codes:
            errors[q.code] = "选项无效，请重新选择"
        else:
            answers[q.code] = value
    return answers, errors
