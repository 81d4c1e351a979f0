# The rectify app's migrations in one, made afresh from the models (Django 5.2.20, 2026-12-07).
# A database that applied every migration listed in ``replaces`` counts this one as applied; a
# database older than that must first migrate with the previous release, then with this one.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('rectify', '0001_initial'),
        ('rectify', '0002_plan_campaign'),
    ]

    dependencies = [
        ('assess', '0001_squashed_0003_score_job_and_late'),
        ('orgs', '0001_squashed_0005_org_committee_rollup'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='RectificationPlan',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(choices=[('lagging', '考核后进'), ('weak', '软弱涣散')], max_length=16, verbose_name='整改原因')),
                ('conditions', models.JSONField(blank=True, default=list, verbose_name='认定依据')),
                ('summary', models.TextField(blank=True, verbose_name='问题概述')),
                ('status', models.CharField(choices=[('open', '整改中'), ('done', '已完成')], default='open', max_length=8, verbose_name='状态')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='制定时间')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('done_at', models.DateTimeField(blank=True, null=True, verbose_name='完成时间')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='制定人')),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='rectification_plans', to='orgs.organization', verbose_name='组织')),
                ('campaign', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='rectification_plans', to='assess.campaign', verbose_name='考核')),
            ],
            options={
                'verbose_name': '整改方案',
                'verbose_name_plural': '整改方案',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='RectificationTask',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('what', models.CharField(max_length=200, verbose_name='整改任务')),
                ('how', models.TextField(blank=True, verbose_name='整改措施')),
                ('owner', models.CharField(max_length=50, verbose_name='责任人（岗位）')),
                ('deadline', models.DateField(verbose_name='完成时限')),
                ('status', models.CharField(choices=[('open', '进行中'), ('reported', '已报完成，待上级确认'), ('confirmed', '上级已确认'), ('reopened', '上级退回')], default='open', max_length=10, verbose_name='状态')),
                ('reported_at', models.DateTimeField(blank=True, null=True, verbose_name='报告完成时间')),
                ('reviewed_at', models.DateTimeField(blank=True, null=True, verbose_name='上级审核时间')),
                ('review_note', models.CharField(blank=True, max_length=500, verbose_name='审核意见')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tasks', to='rectify.rectificationplan', verbose_name='整改方案')),
                ('reported_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='报告人')),
                ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='审核人')),
            ],
            options={
                'verbose_name': '整改任务',
                'verbose_name_plural': '整改任务',
                'ordering': ['deadline', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='TaskProgress',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('on', models.DateField(verbose_name='日期')),
                ('text', models.TextField(verbose_name='进展情况')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='填报人')),
                ('task', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='progress', to='rectify.rectificationtask', verbose_name='整改任务')),
            ],
            options={
                'verbose_name': '整改进展',
                'verbose_name_plural': '整改进展',
                'ordering': ['on', 'pk'],
            },
        ),
        migrations.AddIndex(
            model_name='rectificationplan',
            index=models.Index(fields=['status', 'org'], name='rectify_rec_status_100d11_idx'),
        ),
        migrations.AddConstraint(
            model_name='rectificationplan',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'open')), fields=('org',), name='rectify_one_open_plan_per_org'),
        ),
        migrations.AddIndex(
            model_name='rectificationtask',
            index=models.Index(fields=['status', 'deadline'], name='rectify_rec_status_b46e59_idx'),
        ),
    ]
