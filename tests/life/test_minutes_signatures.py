"""Near-duplicate minutes by MinHash signatures stored on write: every write path keeps them,
``dangjian rollups rebuild`` backfills them, and the hint gives the same findings as the scan of
every text (the reference, kept as the path without signatures) while reading only the texts of
its few candidates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from dangjian.accounts.scope import SYSTEM
from dangjian.life import signatures
from dangjian.life.models import Meeting, MinutesBand, MinutesSentence, MinutesSignature
from dangjian.life.rules import hints
from dangjian.life.services import MeetingInput, meeting_delete, meeting_record, meeting_update
from tests.factories import make_org
from tests.life.test_formalism import COMMON, HONEST, ORIGINAL, planted  # noqa: F401

pytestmark = pytest.mark.django_db


def stored_rows() -> tuple[dict, list, list]:
    sigs = {
        pk: (chars, perms, bytes(sig))
        for pk, chars, perms, sig in MinutesSignature.objects.values_list(
            "meeting_id", "chars", "num_perm", "signature"
        )
    }
    bands = sorted(MinutesBand.objects.values_list("meeting_id", "year", "key"))
    sentences = sorted(MinutesSentence.objects.values_list("meeting_id", "year", "sentence"))
    return sigs, bands, sentences


def by_texts(monkeypatch, **kwargs):
    """The hints of the reference path (every text read, candidates by rare sentences)."""
    with monkeypatch.context() as m:
        m.setattr(hints, "_signature_candidates", hints._sentence_candidates)
        return [f.as_dict() for f in hints.copied_minutes(SYSTEM, **kwargs)]


def by_signatures(monkeypatch, **kwargs):
    """The hints of the signature path, and the texts it read."""
    read: list[int] = []
    real = hints._signature_candidates

    def spy(scope, p):
        rows, pairs, texts = real(scope, p)
        read.append(len(texts))
        return rows, pairs, texts

    with monkeypatch.context() as m:
        m.setattr(hints, "_signature_candidates", spy)
        found = [f.as_dict() for f in hints.copied_minutes(SYSTEM, **kwargs)]
    assert len(read) == 1  # the signature path ran
    return found, read[0]


def test_signature_is_deterministic_and_estimates_similarity():
    text = COMMON + ORIGINAL
    a = signatures.signature(text, 128)
    assert list(a) == list(signatures.signature(text, 128)) and len(a) == 128
    copy = signatures.signature(text.replace("应到12人，实到10人", "应到8人，实到8人"), 128)
    other = signatures.signature(COMMON + HONEST[1], 128)
    same = signatures.agreement(signatures.packed(a), signatures.packed(copy))
    assert same > 0.75
    assert signatures.agreement(signatures.packed(a), signatures.packed(other)) < 0.5
    assert len(signatures.band_keys(a)) == signatures.BANDS


def test_writes_keep_the_signatures(tree, today, tmp_path):
    branch = tree["branch_a"]
    data = MeetingInput(
        org=branch,
        meeting_type="主题党日",
        held_on=today - dt.timedelta(days=3),
        topic="学习",
        minutes=COMMON + ORIGINAL,
    )
    meeting = meeting_record(actor=SYSTEM, data=data)
    signature = MinutesSignature.objects.get(meeting=meeting)
    assert signature.chars == len(COMMON + ORIGINAL) and signature.num_perm == signatures.NUM_PERM
    assert MinutesBand.objects.filter(meeting=meeting).count() == signatures.BANDS
    assert MinutesSentence.objects.filter(meeting=meeting).exists()
    data.minutes = COMMON + HONEST[0]
    meeting_update(actor=SYSTEM, meeting=meeting, data=data)
    empty = meeting_record(
        actor=SYSTEM,
        data=MeetingInput(org=branch, meeting_type="党课", held_on=data.held_on, topic="党课"),
    )
    assert MinutesSignature.objects.get(meeting=empty).chars == 0
    assert not MinutesBand.objects.filter(meeting=empty).exists()
    before = stored_rows()
    signatures.signatures_rebuild()
    assert stored_rows() == before  # rebuild = what the writes left
    meeting_delete(actor=SYSTEM, meeting=meeting)
    assert not MinutesBand.objects.filter(meeting_id=meeting.pk).exists()
    assert not MinutesSignature.objects.filter(meeting_id=meeting.pk).exists()


def test_import_writes_the_signatures(tree, today, tmp_path):
    from dangjian.life.importers import COLUMNS, import_meetings
    from tests.exchange.helpers import write_csv

    day = (today - dt.timedelta(days=5)).isoformat()
    row = {c: "" for c in COLUMNS}
    row.update(
        {
            "组织编码": "BA001",
            "会议类型": "主题党日",
            "日期": day,
            "主题": "学习",
            "记录": COMMON + ORIGINAL,
            "录入日期": day,
        }
    )
    path = tmp_path / "m.csv"
    write_csv(path, list(COLUMNS), [[row[c] for c in COLUMNS]])
    report = import_meetings(path, actor=SYSTEM)
    assert report.created == 1
    meeting = Meeting.objects.get()
    assert MinutesSignature.objects.get(meeting=meeting).chars == len(COMMON + ORIGINAL)
    assert MinutesBand.objects.filter(meeting=meeting).count() == signatures.BANDS


@pytest.fixture
def planted_more(planted):  # noqa: F811
    from tests.life.helpers import meet

    third = make_org(planted["town_b"], org_type="党支部", code="BB002")
    copied = ORIGINAL.replace("应到12人，实到10人", "应到6人，实到5人")
    meet(third, "主题党日", dt.date(2025, 6, 2), minutes=COMMON + copied)
    return planted


def test_same_hints_on_the_planted_copies(planted_more, monkeypatch):
    found, read = by_signatures(monkeypatch, year=2025)
    assert found == by_texts(monkeypatch, year=2025)
    assert len(found) == 3
    assert read == 5 < Meeting.objects.count()  # the three pairs, not the honest minutes
    for code in ("TA001", "TB001"):
        assert by_signatures(monkeypatch, year=2025, org_code=code)[0] == by_texts(
            monkeypatch, year=2025, org_code=code
        )


def test_rebuild_backfills_and_the_hint_reads_all_texts_until_then(planted_more, monkeypatch):
    expected = by_texts(monkeypatch, year=2025)
    MinutesSignature.objects.all().delete()
    MinutesBand.objects.all().delete()
    MinutesSentence.objects.all().delete()
    calls: list[int] = []
    real = hints._sentence_candidates
    monkeypatch.setattr(hints, "_sentence_candidates", lambda *a: calls.append(1) or real(*a))
    assert [f.as_dict() for f in hints.copied_minutes(SYSTEM, year=2025)] == expected
    assert calls == [1]  # without signatures: the scan of the texts
    monkeypatch.undo()
    call_command("rollups", "rebuild", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert MinutesSignature.objects.count() == Meeting.objects.count()
    assert by_signatures(monkeypatch, year=2025)[0] == expected


def test_demo_data(today, monkeypatch):
    from dangjian.demo.seed import seed_database
    from dangjian.demo.story import seed_demo_story

    seed_database(tier="tiny", seed=42, as_of=today, progress=False)
    list(seed_demo_story(today, seed=42))
    assert MinutesSignature.objects.count() == Meeting.objects.count()
    for year in (today.year - 1, today.year):
        found, read = by_signatures(monkeypatch, year=year)
        assert found == by_texts(monkeypatch, year=year), year
        assert read < Meeting.objects.filter(held_on__year=year).count() / 10


EDGE_MINUTES = ["", "   ", "短", "。。", "a", "ab cd", COMMON, COMMON + ORIGINAL]


@pytest.mark.parametrize("perms", [64, 256])
def test_minimums_of_many_texts_equal_the_signature_of_each(perms):
    values = signatures.minimums([t for t in EDGE_MINUTES if t], perms)
    for row, text in zip(values, [t for t in EDGE_MINUTES if t], strict=True):
        one = signatures.signature(text, perms)
        assert list(row) == list(one)
        assert signatures._keys(row.astype("<u4").tobytes(), perms) == signatures.band_keys(one)


def test_seeded_and_backfilled_rows_equal_those_signed_one_by_one(tree, monkeypatch):
    """``seed_meetings`` and the backfill sign in bulk (``COPY`` on PostgreSQL); the rows are
    those ``sign`` writes for each record alone, as the services do."""
    from dangjian.demo.life import seed_meetings
    from tests.life.helpers import meet
    from tests.life.test_seed import _world

    _world(tree)
    monkeypatch.setattr(signatures, "CHUNK", 7)  # chunks of several sizes, the last one short
    seed_meetings(year=2025, attendance=False)
    for n, text in enumerate(EDGE_MINUTES):
        meet(tree["branch_a"], "主题党日", dt.date(2024, 3, 1 + n), minutes=text, rollup=False)
    signatures.signatures_rebuild(missing_only=True)  # the edge cases, in bulk
    bulk = stored_rows()
    assert len(bulk[0]) == Meeting.objects.count() > 300
    assert len(bulk[1]) == signatures.BANDS * Meeting.objects.exclude(minutes="").count()
    for model in (MinutesBand, MinutesSentence, MinutesSignature):
        model.objects.all().delete()
    for meeting in Meeting.objects.order_by("pk"):
        signatures.sign([meeting], new=True)
    assert stored_rows() == bulk


def test_seed_without_signatures(tree):
    from tests.life.test_seed import _world

    _world(tree)
    call_command("seed_meetings", "--year", "2025", "--no-attendance", "--no-signatures")
    assert Meeting.objects.exists() and not MinutesSignature.objects.exists()
    assert signatures.signatures_rebuild(missing_only=True) == Meeting.objects.count()
    assert MinutesBand.objects.exists()
