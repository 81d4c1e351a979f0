"""One record counts for several types (同时计为), the year it counts for (所属年度, filled from
the date for every existing record), approved leave as an absence reason with its text."""

from django.db import migrations, models
from django.db.models.functions import ExtractYear


def fill_year(apps, schema_editor):
    Meeting = apps.get_model("life", "Meeting")
    Meeting.objects.filter(year__isnull=True).update(year=ExtractYear("held_on"))


class Migration(migrations.Migration):
    dependencies = [
        ("life", "0004_meeting_meeting_updated_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="also_counts_as",
            field=models.CharField(
                blank=True,
                help_text="这次会议同时作为的其他会议类型（以“、”分隔），每种类型各计 1 次",
                max_length=60,
                verbose_name="同时计为",
            ),
        ),
        migrations.AddField(
            model_name="meeting",
            name="year",
            field=models.PositiveSmallIntegerField(
                null=True,
                help_text="年度要求计入的年份：默认为会议日期所在年份",
                verbose_name="所属年度",
            ),
        ),
        migrations.RunPython(fill_year, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="meeting",
            name="year",
            field=models.PositiveSmallIntegerField(
                help_text="年度要求计入的年份：默认为会议日期所在年份", verbose_name="所属年度"
            ),
        ),
        migrations.AlterField(
            model_name="attendance",
            name="reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("因公", "因公"),
                    ("因病", "因病"),
                    ("请假（已批准）", "请假（已批准）"),
                    ("因事", "因事（未请假）"),
                    ("其他", "其他"),
                ],
                max_length=8,
                verbose_name="缺席原因",
            ),
        ),
        migrations.AddField(
            model_name="attendance",
            name="note",
            field=models.CharField(
                blank=True,
                help_text="请假（已批准）时必填：请假事由",
                max_length=100,
                verbose_name="缺席说明",
            ),
        ),
    ]
