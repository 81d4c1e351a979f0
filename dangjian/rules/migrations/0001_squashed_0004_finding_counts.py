# The rules app's migrations in one, made afresh from the models (Django 5.2.20, 2026-12-07).
# A database that applied every migration listed in ``replaces`` counts this one as applied; a
# database older than that must first migrate with the previous release, then with this one.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('rules', '0001_findings_store'),
        ('rules', '0002_findings_state_indexes'),
        ('rules', '0003_findings_state_members'),
        ('rules', '0004_finding_counts'),
    ]

    dependencies = [
        ('orgs', '0001_squashed_0005_org_committee_rollup'),
    ]

    operations = [
        migrations.CreateModel(
            name='FindingsState',
            fields=[
                ('org', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='orgs.organization', verbose_name='党组织')),
                ('org_path', models.CharField(db_index=True, max_length=255, verbose_name='组织路径')),
                ('at', models.DateField(verbose_name='检查日期')),
                ('evaluated_at', models.DateTimeField(verbose_name='评估时间')),
                ('config', models.CharField(blank=True, default='', max_length=64, verbose_name='规则参数摘要')),
                ('dirty_since', models.DateTimeField(blank=True, db_index=True, null=True, verbose_name='待重新评估自')),
                ('members', models.IntegerField(blank=True, null=True, verbose_name='含下级党员数（评估时）')),
            ],
            options={
                'verbose_name': '检查评估状态',
                'verbose_name_plural': '检查评估状态',
                'indexes': [models.Index(fields=['at'], name='rules_state_at'), models.Index(fields=['config'], name='rules_state_config'), models.Index(fields=['evaluated_at'], name='rules_state_evaluated')],
            },
        ),
        migrations.CreateModel(
            name='FindingCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rule', models.CharField(max_length=64, verbose_name='规则')),
                ('severity', models.CharField(max_length=8, verbose_name='级别')),
                ('sub_findings', models.IntegerField(default=0, verbose_name='含下级问题数')),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orgs.organization', verbose_name='党组织')),
            ],
            options={
                'verbose_name': '检查发现汇总',
                'verbose_name_plural': '检查发现汇总',
                'constraints': [models.UniqueConstraint(fields=('org', 'rule', 'severity'), name='rules_finding_count_key')],
            },
        ),
        migrations.CreateModel(
            name='StoredFinding',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rule', models.CharField(max_length=64, verbose_name='规则')),
                ('family', models.CharField(max_length=16, verbose_name='规则族')),
                ('org_path', models.CharField(max_length=255, verbose_name='组织路径')),
                ('subject_key', models.CharField(blank=True, default='', max_length=64, verbose_name='对象')),
                ('period', models.CharField(blank=True, default='', max_length=32, verbose_name='期间')),
                ('severity', models.CharField(max_length=8, verbose_name='级别')),
                ('message', models.TextField(verbose_name='说明')),
                ('source', models.CharField(blank=True, default='', max_length=300, verbose_name='依据')),
                ('evidence', models.JSONField(blank=True, default=dict, verbose_name='证据')),
                ('due_date', models.DateField(blank=True, null=True, verbose_name='到期日')),
                ('at', models.DateField(verbose_name='检查日期')),
                ('first_seen', models.DateTimeField(verbose_name='首次发现')),
                ('last_seen', models.DateTimeField(verbose_name='最近评估')),
                ('resolved_at', models.DateTimeField(blank=True, null=True, verbose_name='消除时间')),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orgs.organization', verbose_name='党组织')),
            ],
            options={
                'verbose_name': '检查发现（存储）',
                'verbose_name_plural': '检查发现（存储）',
                'indexes': [models.Index(condition=models.Q(('resolved_at__isnull', True)), fields=['org_path'], name='rules_finding_open_prefix', opclasses=['varchar_pattern_ops']), models.Index(condition=models.Q(('resolved_at__isnull', True)), fields=['org_path', 'rule'], name='rules_finding_open_path'), models.Index(condition=models.Q(('resolved_at__isnull', True)), fields=['rule', 'org_path'], name='rules_finding_open_rule'), models.Index(condition=models.Q(('resolved_at__isnull', True)), fields=['severity', 'org_path'], name='rules_finding_open_sev'), models.Index(condition=models.Q(('resolved_at__isnull', True)), fields=['family', 'org_path'], name='rules_finding_open_family'), models.Index(condition=models.Q(('resolved_at__isnull', True)), fields=['family', 'rule', 'org_path'], name='rules_finding_open_count'), models.Index(fields=['resolved_at'], name='rules_finding_resolved')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('resolved_at__isnull', True)), fields=('org', 'rule', 'subject_key', 'period'), name='rules_finding_open_unique')],
            },
        ),
    ]
