# The survey app's migrations in one, made afresh from the models (Django 5.2.20, 2026-12-07).
# A database that applied every migration listed in ``replaces`` counts this one as applied; a
# database older than that must first migrate with the previous release, then with this one.

import dangjian.survey.models
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('survey', '0001_initial'),
        ('survey', '0002_invited_audience'),
    ]

    dependencies = [
        ('orgs', '0001_squashed_0005_org_committee_rollup'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Survey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=64, verbose_name='用途标识')),
                ('title', models.CharField(max_length=100, verbose_name='标题')),
                ('version', models.CharField(default='2026.1', max_length=16, verbose_name='问卷版本')),
                ('opens_on', models.DateField(verbose_name='开始日期')),
                ('closes_on', models.DateField(verbose_name='截止日期')),
                ('population', models.PositiveIntegerField(blank=True, help_text='回收率的分母：实际邀请的人数（按邀请码填写时以发放的邀请码数为准）', null=True, verbose_name='邀请人数')),
                ('dedup', models.CharField(choices=[('phone', '手机号（只保存带密钥的摘要，属去标识化信息，不是匿名）'), ('code', '一次性邀请码（匿名）')], default='phone', max_length=8, verbose_name='防重复方式')),
                ('token', models.CharField(default=dangjian.survey.models.new_token, max_length=32, unique=True, verbose_name='公开链接令牌')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='发起人')),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='surveys', to='orgs.organization', verbose_name='组织')),
                ('audience', models.CharField(choices=[('members', '本组织党员'), ('public', '党员和群众')], default='members', max_length=8, verbose_name='邀请对象')),
                ('population_from_roll', models.BooleanField(default=False, help_text='发起时本组织名册上的党员数', verbose_name='邀请人数取自名册')),
            ],
            options={
                'verbose_name': '满意度测评',
                'verbose_name_plural': '满意度测评',
                'ordering': ['-opens_on', 'org__path'],
            },
        ),
        migrations.CreateModel(
            name='Response',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('dedup_key', models.CharField(max_length=80, verbose_name='防重复键')),
                ('answers', models.JSONField(verbose_name='答案')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='提交时间')),
                ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='responses', to='survey.survey', verbose_name='测评')),
            ],
            options={
                'verbose_name': '测评答卷',
                'verbose_name_plural': '测评答卷',
            },
        ),
        migrations.CreateModel(
            name='InviteCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=16, verbose_name='邀请码')),
                ('used', models.BooleanField(default=False, verbose_name='已使用')),
                ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='codes', to='survey.survey', verbose_name='测评')),
            ],
            options={
                'verbose_name': '邀请码',
                'verbose_name_plural': '邀请码',
                'ordering': ['pk'],
            },
        ),
        migrations.AddIndex(
            model_name='survey',
            index=models.Index(fields=['key', 'org'], name='survey_surv_key_1645df_idx'),
        ),
        migrations.AddConstraint(
            model_name='survey',
            constraint=models.UniqueConstraint(fields=('org', 'key'), name='survey_unique_org_key'),
        ),
        migrations.AddConstraint(
            model_name='survey',
            constraint=models.CheckConstraint(condition=models.Q(('closes_on__gte', models.F('opens_on'))), name='survey_closes_after_opens'),
        ),
        migrations.AddConstraint(
            model_name='response',
            constraint=models.UniqueConstraint(fields=('survey', 'dedup_key'), name='response_unique_survey_dedup'),
        ),
        migrations.AddConstraint(
            model_name='invitecode',
            constraint=models.UniqueConstraint(fields=('survey', 'code'), name='invite_unique_survey_code'),
        ),
    ]
