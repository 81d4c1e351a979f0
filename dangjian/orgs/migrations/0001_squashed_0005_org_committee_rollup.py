# The orgs app's migrations in one, made afresh from the models (Django 5.2.20, 2026-12-07).
# A database that applied every migration listed in ``replaces`` counts this one as applied; a
# database older than that must first migrate with the previous release, then with this one.

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('orgs', '0001_initial'),
        ('orgs', '0002_election_delay'),
        ('orgs', '0003_org_count_rollup'),
        ('orgs', '0004_children_index'),
        ('orgs', '0005_org_committee_rollup'),
    ]

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='ElectionDelay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('term_started_on', models.DateField(verbose_name='所延期任期的开始日期')),
                ('term_ends_on', models.DateField(verbose_name='原届满日期')),
                ('new_deadline', models.DateField(verbose_name='延期后换届截止日期')),
                ('approved_by', models.CharField(max_length=200, verbose_name='批准机关')),
                ('approved_on', models.DateField(verbose_name='批准日期')),
                ('decision_no', models.CharField(blank=True, max_length=100, verbose_name='批准文号')),
                ('reason', models.CharField(blank=True, max_length=500, verbose_name='延期原因')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name': '延期换届',
                'verbose_name_plural': '延期换届',
            },
        ),
        migrations.CreateModel(
            name='Organization',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('path', models.CharField(max_length=255, unique=True)),
                ('depth', models.PositiveIntegerField()),
                ('numchild', models.PositiveIntegerField(default=0)),
                ('code', models.CharField(max_length=32, unique=True, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9]{1,32}$', '组织编码只能由字母和数字组成，最长 32 位')], verbose_name='组织编码')),
                ('name', models.CharField(db_index=True, max_length=200, verbose_name='组织名称')),
                ('org_type', models.CharField(choices=[('党委', '党委'), ('党工委', '党工委'), ('党总支', '党总支'), ('党支部', '党支部'), ('联合党支部', '联合党支部'), ('临时党支部', '临时党支部'), ('党小组', '党小组')], max_length=16, verbose_name='组织类别')),
                ('sector', models.CharField(choices=[('农村', '农村'), ('社区', '社区'), ('机关', '机关'), ('事业单位', '事业单位'), ('国有企业', '国有企业'), ('非公有制企业', '非公有制企业'), ('社会组织', '社会组织'), ('高校', '高校'), ('中小学', '中小学'), ('医院', '医院'), ('其他', '其他')], max_length=16, verbose_name='所属领域')),
                ('region_code', models.CharField(blank=True, db_index=True, max_length=12, validators=[django.core.validators.RegexValidator('^(\\d{6}|\\d{12})$', '行政区划代码应为 6 位或 12 位数字')], verbose_name='行政区划代码')),
                ('founded_on', models.DateField(blank=True, null=True, verbose_name='成立日期')),
                ('term_started_on', models.DateField(blank=True, null=True, verbose_name='本届任期开始日期')),
                ('term_years', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='任期年限')),
                ('units_covered', models.PositiveIntegerField(blank=True, null=True, verbose_name='覆盖单位数')),
                ('secretary_vacant_since', models.DateField(blank=True, null=True, verbose_name='书记空缺起始日期')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': '党组织',
                'verbose_name_plural': '党组织',
            },
        ),
        migrations.CreateModel(
            name='Region',
            fields=[
                ('code', models.CharField(max_length=12, primary_key=True, serialize=False, validators=[django.core.validators.RegexValidator('^(\\d{6}|\\d{12})$', '行政区划代码应为 6 位或 12 位数字')], verbose_name='行政区划代码')),
                ('name', models.CharField(max_length=100, verbose_name='名称')),
            ],
            options={
                'verbose_name': '行政区划',
                'verbose_name_plural': '行政区划',
                'ordering': ['code'],
            },
        ),
        migrations.CreateModel(
            name='OrgCommittee',
            fields=[
                ('org', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='committee', serialize=False, to='orgs.organization', verbose_name='党组织')),
                ('committee_posts', models.IntegerField(default=0, verbose_name='任书记、副书记、委员的党员')),
                ('secretaries', models.IntegerField(default=0, verbose_name='任书记的党员')),
                ('secretary_joined_on', models.DateField(blank=True, null=True, verbose_name='书记入党日期')),
                ('secretary_confirmed_on', models.DateField(blank=True, null=True, verbose_name='书记转正日期')),
                ('probationary_holders', models.IntegerField(default=0, verbose_name='任职的预备党员')),
                ('horizon', models.DateField(blank=True, null=True, verbose_name='适用起始日期')),
            ],
            options={
                'verbose_name': '支委会汇总',
                'verbose_name_plural': '支委会汇总',
            },
        ),
        migrations.CreateModel(
            name='OrgCount',
            fields=[
                ('org', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='org_count', serialize=False, to='orgs.organization', verbose_name='党组织')),
                ('orgs', models.IntegerField(default=0, verbose_name='本组织及下级组织数')),
            ],
            options={
                'verbose_name': '组织数汇总',
                'verbose_name_plural': '组织数汇总',
            },
        ),
        migrations.AddIndex(
            model_name='organization',
            index=models.Index(fields=['org_type', 'sector'], name='orgs_organi_org_typ_b705b8_idx'),
        ),
        migrations.AddIndex(
            model_name='organization',
            index=models.Index(fields=['depth', 'path'], name='orgs_org_depth_path', opclasses=['int4_ops', 'varchar_pattern_ops']),
        ),
        migrations.AddField(
            model_name='electiondelay',
            name='org',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='election_delays', to='orgs.organization', verbose_name='党组织'),
        ),
        migrations.AddIndex(
            model_name='electiondelay',
            index=models.Index(fields=['org', 'term_started_on'], name='orgs_electi_org_id_526742_idx'),
        ),
        migrations.AddConstraint(
            model_name='electiondelay',
            constraint=models.CheckConstraint(condition=models.Q(('new_deadline__gt', models.F('term_ends_on'))), name='election_delay_after_term_end'),
        ),
    ]
