# The assess app's migrations in one, made afresh from the models (Django 5.2.20, 2026-12-07).
# A database that applied every migration listed in ``replaces`` counts this one as applied; a
# database older than that must first migrate with the previous release, then with this one.

import dangjian.assess.models
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('assess', '0001_initial'),
        ('assess', '0002_result_breakdown_unicode'),
        ('assess', '0003_score_job_and_late'),
    ]

    dependencies = [
        ('orgs', '0001_squashed_0005_org_committee_rollup'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Campaign',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200, verbose_name='名称')),
                ('standard_key', models.CharField(max_length=64, verbose_name='标准')),
                ('standard_version', models.CharField(max_length=32, verbose_name='标准版本')),
                ('standard_text', models.TextField(verbose_name='标准文本（快照）')),
                ('period_start', models.DateField(verbose_name='考核期开始')),
                ('period_end', models.DateField(verbose_name='考核期结束')),
                ('self_check_start', models.DateField(blank=True, null=True, verbose_name='自查开始')),
                ('self_check_end', models.DateField(blank=True, null=True, verbose_name='自查截止')),
                ('spot_check_start', models.DateField(blank=True, null=True, verbose_name='抽查开始')),
                ('spot_check_end', models.DateField(blank=True, null=True, verbose_name='抽查截止')),
                ('survey_start', models.DateField(blank=True, null=True, verbose_name='群众测评开始')),
                ('survey_end', models.DateField(blank=True, null=True, verbose_name='群众测评截止')),
                ('review_start', models.DateField(blank=True, null=True, verbose_name='审核开始')),
                ('review_end', models.DateField(blank=True, null=True, verbose_name='审核截止')),
                ('notice_start', models.DateField(blank=True, null=True, verbose_name='公示开始')),
                ('notice_end', models.DateField(blank=True, null=True, verbose_name='公示截止')),
                ('final_on', models.DateField(blank=True, null=True, verbose_name='定档日期')),
                ('spot_share', models.DecimalField(decimal_places=3, default=0, max_digits=4, verbose_name='抽查比例')),
                ('sampling_seed', models.BigIntegerField(default=0, verbose_name='抽样种子')),
                ('status', models.CharField(choices=[('open', '进行中'), ('scored', '已评分'), ('final', '已定档')], default='open', max_length=8, verbose_name='状态')),
                ('scored_at', models.DateTimeField(blank=True, null=True, verbose_name='评分时间')),
                ('scored_as_of', models.DateField(blank=True, null=True, verbose_name='评分数据截至')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                ('previous', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='assess.campaign', verbose_name='上一次考核')),
                ('root', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assess_campaigns', to='orgs.organization', verbose_name='范围（上级组织）')),
                ('score_job', models.CharField(blank=True, choices=[('', '无'), ('queued', '排队中'), ('running', '评分中'), ('done', '已完成'), ('failed', '失败')], default='', max_length=8, verbose_name='后台评分状态')),
                ('score_job_by', models.CharField(blank=True, max_length=150, verbose_name='后台评分发起人')),
                ('score_job_error', models.TextField(blank=True, verbose_name='后台评分错误')),
                ('score_job_finished_at', models.DateTimeField(blank=True, null=True, verbose_name='后台评分结束时间')),
                ('score_job_id', models.CharField(blank=True, max_length=64, verbose_name='后台评分任务')),
                ('score_job_queued_at', models.DateTimeField(blank=True, null=True, verbose_name='后台评分提交时间')),
                ('score_job_started_at', models.DateTimeField(blank=True, null=True, verbose_name='后台评分开始时间')),
            ],
            options={
                'verbose_name': '考核',
                'verbose_name_plural': '考核',
                'ordering': ['-period_end', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='CampaignOrg',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sampled', models.BooleanField(default=False, verbose_name='随机抽中')),
                ('hand_picked', models.BooleanField(default=False, verbose_name='指定抽查')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='participants', to='assess.campaign', verbose_name='考核')),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organization', verbose_name='组织')),
            ],
            options={
                'verbose_name': '参评组织',
                'verbose_name_plural': '参评组织',
            },
        ),
        migrations.CreateModel(
            name='Result',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('total', models.DecimalField(decimal_places=2, max_digits=6, verbose_name='总分')),
                ('veto', models.BooleanField(default=False, verbose_name='触及高压线')),
                ('veto_lines', models.JSONField(blank=True, default=list, verbose_name='触及的高压线')),
                ('stars', models.PositiveSmallIntegerField(default=0, verbose_name='星级')),
                ('tier', models.CharField(choices=[('advanced', '先进'), ('middle', '中间'), ('lagging', '后进')], max_length=8, verbose_name='档次')),
                ('breakdown', models.JSONField(default=dict, encoder=dangjian.assess.models.UnicodeJSONEncoder, verbose_name='得分明细')),
                ('previous_total', models.DecimalField(blank=True, decimal_places=2, max_digits=6, null=True, verbose_name='上次总分')),
                ('previous_stars', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='上次星级')),
                ('previous_tier', models.CharField(blank=True, choices=[('advanced', '先进'), ('middle', '中间'), ('lagging', '后进')], max_length=8, verbose_name='上次档次')),
                ('change', models.CharField(choices=[('up', '晋位升级'), ('same', '持平'), ('down', '降级'), ('new', '首次参评')], default='new', max_length=8, verbose_name='变化')),
                ('computed_at', models.DateTimeField(verbose_name='计算时间')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='results', to='assess.campaign', verbose_name='考核')),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organization', verbose_name='组织')),
            ],
            options={
                'verbose_name': '考核结果',
                'verbose_name_plural': '考核结果',
                'ordering': ['campaign', '-total', 'org'],
            },
        ),
        migrations.CreateModel(
            name='SelfCheckScore',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('criterion', models.CharField(max_length=32, verbose_name='评分标准编号')),
                ('points', models.DecimalField(decimal_places=2, max_digits=6, verbose_name='得分')),
                ('note', models.TextField(blank=True, verbose_name='说明')),
                ('by_name', models.CharField(blank=True, max_length=150, verbose_name='评分人名称')),
                ('at', models.DateTimeField(verbose_name='评分时间')),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='评分人')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='assess.campaign', verbose_name='考核')),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organization', verbose_name='组织')),
                ('late', models.BooleanField(default=False, verbose_name='逾期录入')),
            ],
            options={
                'verbose_name': '自查评分',
                'verbose_name_plural': '自查评分',
            },
        ),
        migrations.CreateModel(
            name='SpotCheckScore',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('criterion', models.CharField(max_length=32, verbose_name='评分标准编号')),
                ('points', models.DecimalField(decimal_places=2, max_digits=6, verbose_name='得分')),
                ('note', models.TextField(blank=True, verbose_name='说明')),
                ('by_name', models.CharField(blank=True, max_length=150, verbose_name='评分人名称')),
                ('at', models.DateTimeField(verbose_name='评分时间')),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='评分人')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='assess.campaign', verbose_name='考核')),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organization', verbose_name='组织')),
                ('late', models.BooleanField(default=False, verbose_name='逾期录入')),
            ],
            options={
                'verbose_name': '抽查评分',
                'verbose_name_plural': '抽查评分',
            },
        ),
        migrations.CreateModel(
            name='VetoEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('occurred_on', models.DateField(verbose_name='发生日期')),
                ('line', models.CharField(max_length=32, verbose_name='高压线编号')),
                ('note', models.TextField(verbose_name='情况说明')),
                ('entered_by_name', models.CharField(blank=True, max_length=150, verbose_name='录入人名称')),
                ('entered_at', models.DateTimeField(auto_now_add=True, verbose_name='录入时间')),
                ('withdrawn', models.BooleanField(default=False, verbose_name='已撤销')),
                ('withdrawn_reason', models.TextField(blank=True, verbose_name='撤销原因')),
                ('entered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='录入人')),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='veto_events', to='orgs.organization', verbose_name='组织')),
            ],
            options={
                'verbose_name': '高压线事件',
                'verbose_name_plural': '高压线事件',
                'ordering': ['-occurred_on', '-pk'],
            },
        ),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.CheckConstraint(condition=models.Q(('period_end__gte', models.F('period_start'))), name='assess_campaign_period_order'),
        ),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.CheckConstraint(condition=models.Q(('spot_share__gte', 0), ('spot_share__lte', 1)), name='assess_campaign_spot_share_range'),
        ),
        migrations.AddIndex(
            model_name='campaignorg',
            index=models.Index(fields=['org', 'campaign'], name='assess_camp_org_id_050a84_idx'),
        ),
        migrations.AddConstraint(
            model_name='campaignorg',
            constraint=models.UniqueConstraint(fields=('campaign', 'org'), name='assess_campaign_org_unique'),
        ),
        migrations.AddIndex(
            model_name='result',
            index=models.Index(fields=['campaign', 'tier'], name='assess_resu_campaig_6f0ca9_idx'),
        ),
        migrations.AddIndex(
            model_name='result',
            index=models.Index(fields=['org'], name='assess_resu_org_id_4634c1_idx'),
        ),
        migrations.AddConstraint(
            model_name='result',
            constraint=models.UniqueConstraint(fields=('campaign', 'org'), name='assess_result_unique'),
        ),
        migrations.AddConstraint(
            model_name='selfcheckscore',
            constraint=models.UniqueConstraint(fields=('campaign', 'org', 'criterion'), name='assess_self_score_unique'),
        ),
        migrations.AddConstraint(
            model_name='spotcheckscore',
            constraint=models.UniqueConstraint(fields=('campaign', 'org', 'criterion'), name='assess_spot_score_unique'),
        ),
        migrations.AddIndex(
            model_name='vetoevent',
            index=models.Index(fields=['org', 'occurred_on'], name='assess_veto_org_id_fca3b0_idx'),
        ),
    ]
