# The life app's migrations in one, made afresh from the models (Django 5.2.20, 2026-12-07).
# A database that applied every migration listed in ``replaces`` counts this one as applied; a
# database older than that must first migrate with the previous release, then with this one.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('life', '0001_initial'),
        ('life', '0002_attachments'),
        ('life', '0003_meeting_lecturer_org_meeting_lecturer_role_and_more'),
        ('life', '0004_meeting_meeting_updated_at'),
        ('life', '0005_also_counts_as_year_leave_note'),
        ('life', '0006_meeting_months_rollup'),
        ('life', '0007_meeting_year_held_on_index'),
        ('life', '0008_minutes_signatures'),
    ]

    dependencies = [
        ('members', '0001_squashed_0007_status_transferred_out'),
        ('orgs', '0001_squashed_0005_org_committee_rollup'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Meeting',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('meeting_type', models.CharField(choices=[('支部党员大会', '支部党员大会'), ('支委会', '支委会'), ('党小组会', '党小组会'), ('党课', '党课'), ('主题党日', '主题党日'), ('组织生活会', '组织生活会'), ('民主评议党员', '民主评议党员'), ('谈心谈话', '谈心谈话')], max_length=8, verbose_name='会议类型')),
                ('held_on', models.DateField(verbose_name='日期')),
                ('topic', models.CharField(max_length=200, verbose_name='主题')),
                ('minutes', models.TextField(blank=True, verbose_name='记录')),
                ('expected', models.PositiveIntegerField(blank=True, null=True, verbose_name='应到人数')),
                ('present', models.PositiveIntegerField(blank=True, null=True, verbose_name='实到人数')),
                ('attendance_taken', models.BooleanField(default=False, verbose_name='已登记出席情况')),
                ('entered_on', models.DateField(verbose_name='录入日期')),
                ('late', models.BooleanField(default=False, verbose_name='补录超期')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='录入人')),
                ('lecturer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='lectures', to='members.member', verbose_name='讲课人')),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='meetings', to='orgs.organization', verbose_name='组织')),
                ('lecturer_org', models.ForeignKey(blank=True, help_text='讲课人为上级党委书记时，选择该党委（LIFE-SECRETARY-LECTURE-YEARLY 计入该党委）', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='secretary_lectures', to='orgs.organization', verbose_name='讲课书记所在党委')),
                ('lecturer_role', models.CharField(blank=True, choices=[('本组织书记', '本组织书记'), ('上级党委书记', '上级党委书记'), ('其他', '其他')], max_length=8, verbose_name='讲课人身份')),
                ('also_counts_as', models.CharField(blank=True, help_text='这次会议同时作为的其他会议类型（以“、”分隔），每种类型各计 1 次', max_length=60, verbose_name='同时计为')),
                ('year', models.PositiveSmallIntegerField(help_text='年度要求计入的年份：默认为会议日期所在年份', verbose_name='所属年度')),
            ],
            options={
                'verbose_name': '组织生活记录',
                'verbose_name_plural': '组织生活记录',
                'ordering': ['-held_on', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='MinutesSignature',
            fields=[
                ('meeting', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='minutes_signature', serialize=False, to='life.meeting', verbose_name='会议')),
                ('chars', models.PositiveIntegerField(verbose_name='记录字数')),
                ('num_perm', models.PositiveSmallIntegerField(verbose_name='置换数')),
                ('signature', models.BinaryField(verbose_name='签名')),
            ],
            options={
                'verbose_name': '会议记录签名',
                'verbose_name_plural': '会议记录签名',
            },
        ),
        migrations.CreateModel(
            name='Attendance',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('present', models.BooleanField(verbose_name='出席')),
                ('reason', models.CharField(blank=True, choices=[('因公', '因公'), ('因病', '因病'), ('请假（已批准）', '请假（已批准）'), ('因事', '因事（未请假）'), ('其他', '其他')], max_length=8, verbose_name='缺席原因')),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendance', to='members.member', verbose_name='党员')),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendance', to='life.meeting', verbose_name='会议')),
                ('note', models.CharField(blank=True, help_text='请假（已批准）时必填：请假事由', max_length=100, verbose_name='缺席说明')),
            ],
            options={
                'verbose_name': '出席情况',
                'verbose_name_plural': '出席情况',
            },
        ),
        migrations.CreateModel(
            name='MeetingAttachment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200, verbose_name='文件名')),
                ('content_type', models.CharField(max_length=50, verbose_name='类型')),
                ('size', models.PositiveIntegerField(verbose_name='大小')),
                ('sha256', models.CharField(max_length=64, verbose_name='SHA-256')),
                ('data', models.BinaryField(verbose_name='内容')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='life.meeting', verbose_name='会议')),
                ('uploaded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='上传人')),
            ],
            options={
                'verbose_name': '会议附件',
                'verbose_name_plural': '会议附件',
                'ordering': ['pk'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='MeetingMonths',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='年份')),
                ('meeting_type', models.CharField(choices=[('支部党员大会', '支部党员大会'), ('支委会', '支委会'), ('党小组会', '党小组会'), ('党课', '党课'), ('主题党日', '主题党日'), ('组织生活会', '组织生活会'), ('民主评议党员', '民主评议党员'), ('谈心谈话', '谈心谈话')], max_length=8, verbose_name='会议类型')),
                ('m01', models.IntegerField(default=0, verbose_name='1月')),
                ('m02', models.IntegerField(default=0, verbose_name='2月')),
                ('m03', models.IntegerField(default=0, verbose_name='3月')),
                ('m04', models.IntegerField(default=0, verbose_name='4月')),
                ('m05', models.IntegerField(default=0, verbose_name='5月')),
                ('m06', models.IntegerField(default=0, verbose_name='6月')),
                ('m07', models.IntegerField(default=0, verbose_name='7月')),
                ('m08', models.IntegerField(default=0, verbose_name='8月')),
                ('m09', models.IntegerField(default=0, verbose_name='9月')),
                ('m10', models.IntegerField(default=0, verbose_name='10月')),
                ('m11', models.IntegerField(default=0, verbose_name='11月')),
                ('m12', models.IntegerField(default=0, verbose_name='12月')),
                ('counted', models.IntegerField(default=0, verbose_name='计入本年度')),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='meeting_months', to='orgs.organization', verbose_name='组织')),
            ],
            options={
                'verbose_name': '组织生活按月汇总',
                'verbose_name_plural': '组织生活按月汇总',
            },
        ),
        migrations.CreateModel(
            name='MinutesBand',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='年份')),
                ('key', models.BigIntegerField(verbose_name='分段键')),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='minutes_bands', to='life.meeting', verbose_name='会议')),
            ],
            options={
                'verbose_name': '会议记录签名分段',
                'verbose_name_plural': '会议记录签名分段',
            },
        ),
        migrations.CreateModel(
            name='MinutesSentence',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='年份')),
                ('sentence', models.BigIntegerField(verbose_name='句子散列')),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='minutes_sentences', to='life.meeting', verbose_name='会议')),
            ],
            options={
                'verbose_name': '会议记录句子',
                'verbose_name_plural': '会议记录句子',
            },
        ),
        migrations.AddIndex(
            model_name='meeting',
            index=models.Index(fields=['org', 'meeting_type', 'held_on'], name='life_meetin_org_id_ded675_idx'),
        ),
        migrations.AddIndex(
            model_name='meeting',
            index=models.Index(fields=['held_on', 'meeting_type'], name='life_meetin_held_on_69c15c_idx'),
        ),
        migrations.AddIndex(
            model_name='meeting',
            index=models.Index(fields=['updated_at'], name='meeting_updated_at'),
        ),
        migrations.AddIndex(
            model_name='meeting',
            index=models.Index(fields=['year', 'held_on'], name='meeting_year_held_on'),
        ),
        migrations.AddIndex(
            model_name='meeting',
            index=models.Index(condition=models.Q(('lecturer_org__isnull', False)), fields=['lecturer_org', 'held_on'], name='meeting_secretary_lecture'),
        ),
        migrations.AddConstraint(
            model_name='meeting',
            constraint=models.CheckConstraint(condition=models.Q(('present__isnull', True), ('expected__isnull', True), ('present__lte', models.F('expected')), _connector='OR'), name='meeting_present_le_expected'),
        ),
        migrations.AddIndex(
            model_name='attendance',
            index=models.Index(fields=['member', 'meeting'], name='life_attend_member__a1f968_idx'),
        ),
        migrations.AddConstraint(
            model_name='attendance',
            constraint=models.UniqueConstraint(fields=('meeting', 'member'), name='attendance_unique'),
        ),
        migrations.AddIndex(
            model_name='meetingmonths',
            index=models.Index(fields=['year', 'meeting_type'], name='life_meetin_year_c7f424_idx'),
        ),
        migrations.AddConstraint(
            model_name='meetingmonths',
            constraint=models.UniqueConstraint(fields=('org', 'year', 'meeting_type'), name='meeting_months_unique'),
        ),
        migrations.AddIndex(
            model_name='minutesband',
            index=models.Index(fields=['year', 'key'], name='minutes_band_year_key'),
        ),
        migrations.AddIndex(
            model_name='minutessentence',
            index=models.Index(fields=['year', 'sentence'], name='minutes_sentence_year_hash'),
        ),
    ]
