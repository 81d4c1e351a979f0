# The recruit app's migrations in one, made afresh from the models (Django 5.2.20, 2026-12-07).
# A database that applied every migration listed in ``replaces`` counts this one as applied; a
# database older than that must first migrate with the previous release, then with this one.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('recruit', '0001_initial'),
        ('recruit', '0002_recruitattachment'),
        ('recruit', '0003_case_end_purge_and_approval_extension'),
        ('recruit', '0004_case_state_rollups'),
        ('recruit', '0005_list_order_indexes'),
        ('recruit', '0006_case_tally'),
        ('recruit', '0007_probation_and_deadline_indexes'),
    ]

    dependencies = [
        ('members', '0001_squashed_0007_status_transferred_out'),
        ('orgs', '0001_squashed_0005_org_committee_rollup'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='RecruitCase',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('case_no', models.CharField(max_length=32, unique=True, verbose_name='案例编号')),
                ('name', models.CharField(max_length=50, verbose_name='姓名')),
                ('gender', models.CharField(choices=[('男', '男'), ('女', '女')], max_length=1, verbose_name='性别')),
                ('birth_date', models.DateField(verbose_name='出生日期')),
                ('id_number_cipher', models.BinaryField(verbose_name='公民身份号码（密文）')),
                ('id_number_digest', models.CharField(db_index=True, max_length=64, verbose_name='公民身份号码摘要')),
                ('id_number_masked', models.CharField(max_length=18, verbose_name='公民身份号码')),
                ('phone_cipher', models.BinaryField(blank=True, null=True, verbose_name='联系电话（密文）')),
                ('phone_digest', models.CharField(blank=True, max_length=64, verbose_name='联系电话摘要')),
                ('phone_masked', models.CharField(blank=True, max_length=20, verbose_name='联系电话')),
                ('category', models.CharField(blank=True, choices=[('在岗职工', '在岗职工'), ('农牧渔民', '农牧渔民'), ('离退休人员', '离退休人员'), ('学生', '学生'), ('个体经营者', '个体经营者'), ('自由职业者', '自由职业者'), ('无固定职业', '无固定职业'), ('其他', '其他')], max_length=16, verbose_name='人员类别')),
                ('priority_group', models.CharField(choices=[('一线工人', '一线工人'), ('农民', '农民'), ('青年', '青年'), ('高知识群体', '高知识群体'), ('非公企业和社会组织从业人员', '非公企业和社会组织从业人员'), ('其他', '其他')], default='其他', max_length=16, verbose_name='重点群体')),
                ('expected_leaving_on', models.DateField(blank=True, null=True, verbose_name='预计离开本单位日期')),
                ('political_review', models.CharField(choices=[('none', '未进行'), ('pass', '合格'), ('fail', '不合格')], default='none', max_length=8, verbose_name='政治审查结论')),
                ('political_review_on', models.DateField(blank=True, null=True, verbose_name='政治审查日期')),
                ('political_review_body', models.CharField(blank=True, max_length=100, verbose_name='政治审查单位')),
                ('training_hours', models.DecimalField(blank=True, decimal_places=1, max_digits=5, null=True, verbose_name='集中培训学时')),
                ('probation_extension_months', models.PositiveSmallIntegerField(default=0, verbose_name='延长预备期（月）')),
                ('status', models.CharField(choices=[('open', '培养中'), ('admitted', '预备党员'), ('converted', '已转正'), ('not_admitted', '未接收'), ('withdrawn', '已终止'), ('probation_cancelled', '取消预备党员资格')], default='open', max_length=24, verbose_name='状态')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('approver', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='recruit_approvals', to='orgs.organization', verbose_name='审批党委')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='录入人')),
                ('member', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='recruit_cases', to='members.member', verbose_name='党员档案')),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='recruit_cases', to='orgs.organization', verbose_name='所在党支部')),
                ('ended_on', models.DateField(blank=True, null=True, verbose_name='结束日期')),
                ('numbers_purged_at', models.DateTimeField(blank=True, null=True, verbose_name='个人号码删除时间')),
            ],
            options={
                'verbose_name': '发展党员案例',
                'verbose_name_plural': '发展党员案例',
            },
        ),
        migrations.CreateModel(
            name='ApprovalExtension',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('step', models.PositiveSmallIntegerField(verbose_name='审批步骤')),
                ('round', models.PositiveSmallIntegerField(default=1, verbose_name='轮次')),
                ('months', models.PositiveSmallIntegerField(verbose_name='延长后的审批期限（月）')),
                ('approved_on', models.DateField(verbose_name='批准日期')),
                ('approved_by', models.CharField(max_length=100, verbose_name='批准机关')),
                ('reason', models.CharField(max_length=500, verbose_name='特殊情况')),
                ('recorded_at', models.DateTimeField(auto_now_add=True, verbose_name='录入时间')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='extensions', to='recruit.recruitcase', verbose_name='案例')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='录入人')),
            ],
            options={
                'verbose_name': '延长审批期限',
                'verbose_name_plural': '延长审批期限',
            },
        ),
        migrations.CreateModel(
            name='ActivistReview',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reviewed_on', models.DateField(verbose_name='考察日期')),
                ('note', models.TextField(blank=True, verbose_name='考察意见')),
                ('recorded_at', models.DateTimeField(auto_now_add=True, verbose_name='录入时间')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reviews', to='recruit.recruitcase', verbose_name='案例')),
            ],
            options={
                'verbose_name': '积极分子考察',
                'verbose_name_plural': '积极分子考察',
                'ordering': ['case', 'reviewed_on'],
            },
        ),
        migrations.CreateModel(
            name='CaseTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=8, verbose_name='类别')),
                ('year', models.PositiveSmallIntegerField(verbose_name='年度')),
                ('code', models.CharField(max_length=64, verbose_name='代码')),
                ('sub_cases', models.IntegerField(default=0, verbose_name='含下级案例数')),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orgs.organization', verbose_name='党组织')),
            ],
            options={
                'verbose_name': '发展党员下级汇总',
                'verbose_name_plural': '发展党员下级汇总',
            },
        ),
        migrations.CreateModel(
            name='CaseWaiting',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('step', models.PositiveSmallIntegerField(verbose_name='审批步骤')),
                ('org_path', models.CharField(max_length=255, verbose_name='组织路径')),
                ('case_no', models.CharField(max_length=32, verbose_name='案例编号')),
                ('waiting_since', models.DateField(verbose_name='等待起始日期')),
                ('deadline', models.DateField(blank=True, null=True, verbose_name='审批期限')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='waiting', to='recruit.recruitcase', verbose_name='案例')),
            ],
            options={
                'verbose_name': '待审批汇总',
                'verbose_name_plural': '待审批汇总',
            },
        ),
        migrations.CreateModel(
            name='RecruitAttachment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('step', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='步骤')),
                ('name', models.CharField(max_length=200, verbose_name='文件名')),
                ('content_type', models.CharField(max_length=50, verbose_name='类型')),
                ('size', models.PositiveIntegerField(verbose_name='大小')),
                ('sha256', models.CharField(max_length=64, verbose_name='SHA-256')),
                ('data', models.BinaryField(verbose_name='内容')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='recruit.recruitcase', verbose_name='案例')),
                ('uploaded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='上传人')),
            ],
            options={
                'verbose_name': '发展党员材料',
                'verbose_name_plural': '发展党员材料',
                'ordering': ['pk'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='RecruitNotice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('activist', '确定入党积极分子'), ('candidate', '确定发展对象'), ('admission', '接收预备党员'), ('conversion', '预备党员转正')], max_length=12, verbose_name='公示类别')),
                ('first_day', models.DateField(verbose_name='公示首日')),
                ('last_day', models.DateField(verbose_name='公示末日')),
                ('recorded_at', models.DateTimeField(auto_now_add=True, verbose_name='录入时间')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notices', to='recruit.recruitcase', verbose_name='案例')),
            ],
            options={
                'verbose_name': '公示',
                'verbose_name_plural': '公示',
            },
        ),
        migrations.CreateModel(
            name='RecruitPlan',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='年度')),
                ('quota', models.PositiveIntegerField(verbose_name='计划数')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='recruit_plans', to='orgs.organization', verbose_name='组织')),
            ],
            options={
                'verbose_name': '发展党员计划',
                'verbose_name_plural': '发展党员计划',
            },
        ),
        migrations.CreateModel(
            name='RecruitPlanQuota',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('priority_group', models.CharField(choices=[('一线工人', '一线工人'), ('农民', '农民'), ('青年', '青年'), ('高知识群体', '高知识群体'), ('非公企业和社会组织从业人员', '非公企业和社会组织从业人员'), ('其他', '其他')], max_length=16, verbose_name='重点群体')),
                ('quota', models.PositiveIntegerField(verbose_name='单列计划数')),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='quotas', to='recruit.recruitplan', verbose_name='计划')),
            ],
            options={
                'verbose_name': '单列计划',
                'verbose_name_plural': '单列计划',
            },
        ),
        migrations.CreateModel(
            name='RecruitStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveSmallIntegerField(verbose_name='步骤')),
                ('round', models.PositiveSmallIntegerField(default=1, verbose_name='轮次')),
                ('done_on', models.DateField(verbose_name='日期')),
                ('note', models.TextField(blank=True, verbose_name='说明')),
                ('details', models.JSONField(blank=True, default=dict, verbose_name='详情')),
                ('late', models.BooleanField(default=False, verbose_name='补录超期')),
                ('recorded_at', models.DateTimeField(auto_now_add=True, verbose_name='录入时间')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='recruit.recruitcase', verbose_name='案例')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='录入人')),
            ],
            options={
                'verbose_name': '发展步骤',
                'verbose_name_plural': '发展步骤',
                'ordering': ['case', 'round', 'number'],
            },
        ),
        migrations.CreateModel(
            name='StageCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='年度')),
                ('stage', models.CharField(max_length=16, verbose_name='阶段')),
                ('n', models.IntegerField(default=0, verbose_name='案例数')),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orgs.organization', verbose_name='党支部')),
            ],
            options={
                'verbose_name': '发展党员阶段人数汇总',
                'verbose_name_plural': '发展党员阶段人数汇总',
            },
        ),
        migrations.CreateModel(
            name='CaseState',
            fields=[
                ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='state', serialize=False, to='recruit.recruitcase', verbose_name='案例')),
                ('org_path', models.CharField(max_length=255, verbose_name='组织路径')),
                ('case_no', models.CharField(max_length=32, verbose_name='案例编号')),
                ('status', models.CharField(max_length=24, verbose_name='状态')),
                ('stage', models.CharField(max_length=16, verbose_name='阶段')),
                ('years', models.CharField(blank=True, max_length=200, verbose_name='步骤年度')),
                ('computed_on', models.DateField(verbose_name='计算日期')),
                ('next_deadline', models.DateField(blank=True, null=True, verbose_name='下一期限')),
                ('next_step', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='期限步骤')),
                ('next_rule', models.CharField(blank=True, max_length=64, verbose_name='期限依据规则')),
                ('probation_ends', models.DateField(blank=True, null=True, verbose_name='预备期满日期')),
                ('probation_due_from', models.DateField(blank=True, null=True, verbose_name='预备期满提醒起始日期')),
                ('conversion_vote_due', models.DateField(blank=True, null=True, verbose_name='讨论转正截止日期')),
                ('findings', models.TextField(blank=True, verbose_name='问题规则')),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orgs.organization', verbose_name='所在党支部')),
                ('admitted_group', models.CharField(blank=True, max_length=16, verbose_name='接收时重点群体')),
                ('admitted_year', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='接收预备党员批准年度')),
            ],
            options={
                'verbose_name': '发展党员案例汇总',
                'verbose_name_plural': '发展党员案例汇总',
            },
        ),
        migrations.AddIndex(
            model_name='recruitcase',
            index=models.Index(fields=['org', 'status'], name='recruit_rec_org_id_a30048_idx'),
        ),
        migrations.AddIndex(
            model_name='recruitcase',
            index=models.Index(fields=['approver'], name='recruit_rec_approve_c1290a_idx'),
        ),
        migrations.AddConstraint(
            model_name='approvalextension',
            constraint=models.UniqueConstraint(fields=('case', 'step', 'round'), name='recruit_extension_once_per_step'),
        ),
        migrations.AddConstraint(
            model_name='approvalextension',
            constraint=models.CheckConstraint(condition=models.Q(('step__in', [17, 24])), name='recruit_extension_step_17_24'),
        ),
        migrations.AddConstraint(
            model_name='casetally',
            constraint=models.UniqueConstraint(fields=('org', 'kind', 'year', 'code'), name='recruit_tally_key'),
        ),
        migrations.AddIndex(
            model_name='casewaiting',
            index=models.Index(fields=['org_path', 'waiting_since'], name='recruit_waiting_since'),
        ),
        migrations.AddIndex(
            model_name='casewaiting',
            index=models.Index(fields=['org_path', 'deadline'], name='recruit_waiting_deadline'),
        ),
        migrations.AddIndex(
            model_name='casewaiting',
            index=models.Index(fields=['waiting_since', 'case_no', 'step'], name='recruit_waiting_order'),
        ),
        migrations.AddIndex(
            model_name='casewaiting',
            index=models.Index(fields=['deadline'], name='recruit_waiting_overdue'),
        ),
        migrations.AddConstraint(
            model_name='casewaiting',
            constraint=models.UniqueConstraint(fields=('case', 'step'), name='recruit_waiting_once_per_step'),
        ),
        migrations.AddConstraint(
            model_name='recruitattachment',
            constraint=models.CheckConstraint(condition=models.Q(('step__isnull', True), models.Q(('step__gte', 1), ('step__lte', 25)), _connector='OR'), name='recruit_attachment_step_1_25'),
        ),
        migrations.AddConstraint(
            model_name='recruitnotice',
            constraint=models.UniqueConstraint(fields=('case', 'kind'), name='recruit_notice_once_per_kind'),
        ),
        migrations.AddConstraint(
            model_name='recruitnotice',
            constraint=models.CheckConstraint(condition=models.Q(('last_day__gte', models.F('first_day'))), name='recruit_notice_order'),
        ),
        migrations.AddConstraint(
            model_name='recruitplan',
            constraint=models.UniqueConstraint(fields=('org', 'year'), name='recruit_plan_once_per_year'),
        ),
        migrations.AddConstraint(
            model_name='recruitplanquota',
            constraint=models.UniqueConstraint(fields=('plan', 'priority_group'), name='recruit_quota_once_per_group'),
        ),
        migrations.AddIndex(
            model_name='recruitstep',
            index=models.Index(fields=['number', 'done_on'], name='recruit_step_number_day'),
        ),
        migrations.AddConstraint(
            model_name='recruitstep',
            constraint=models.UniqueConstraint(fields=('case', 'number', 'round'), name='recruit_step_once_per_round'),
        ),
        migrations.AddConstraint(
            model_name='recruitstep',
            constraint=models.CheckConstraint(condition=models.Q(('number__gte', 1), ('number__lte', 25)), name='recruit_step_number_1_25'),
        ),
        migrations.AddConstraint(
            model_name='stagecount',
            constraint=models.UniqueConstraint(fields=('org', 'year', 'stage'), name='recruit_stage_count_key'),
        ),
        migrations.AddIndex(
            model_name='casestate',
            index=models.Index(fields=['org_path', 'next_deadline'], name='recruit_state_deadline'),
        ),
        migrations.AddIndex(
            model_name='casestate',
            index=models.Index(fields=['org_path', 'stage'], name='recruit_state_stage'),
        ),
        migrations.AddIndex(
            model_name='casestate',
            index=models.Index(fields=['org_path', 'probation_ends'], name='recruit_state_probation'),
        ),
        migrations.AddIndex(
            model_name='casestate',
            index=models.Index(fields=['org_path', 'case_no'], name='recruit_state_case_no'),
        ),
        migrations.AddIndex(
            model_name='casestate',
            index=models.Index(fields=['case_no'], name='recruit_state_by_case_no'),
        ),
        migrations.AddIndex(
            model_name='casestate',
            index=models.Index(condition=models.Q(('probation_ends__isnull', False), ('status', 'admitted')), fields=['probation_due_from'], name='recruit_state_due_from'),
        ),
        migrations.AddIndex(
            model_name='casestate',
            index=models.Index(condition=models.Q(('probation_ends__isnull', False), ('status', 'admitted')), fields=['probation_ends', 'case_no'], name='recruit_state_ends'),
        ),
    ]
