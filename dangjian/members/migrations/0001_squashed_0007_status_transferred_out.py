# The members app's migrations in one, made afresh from the models (Django 5.2.20, 2026-12-07).
# A database that applied every migration listed in ``replaces`` counts this one as applied; a
# database older than that must first migrate with the previous release, then with this one.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('members', '0001_initial'),
        ('members', '0002_member_status'),
        ('members', '0003_temp_branch_participation'),
        ('members', '0004_member_count_rollup'),
        ('members', '0005_roll_history'),
        ('members', '0006_post_terms'),
        ('members', '0007_status_transferred_out'),
    ]

    dependencies = [
        ('orgs', '0001_squashed_0005_org_committee_rollup'),
    ]

    operations = [
        migrations.CreateModel(
            name='MemberCount',
            fields=[
                ('org', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='member_count', serialize=False, to='orgs.organization', verbose_name='党组织')),
                ('full', models.IntegerField(default=0, verbose_name='正式党员')),
                ('probationary', models.IntegerField(default=0, verbose_name='预备党员')),
                ('left', models.IntegerField(default=0, verbose_name='已出党')),
                ('sub_full', models.IntegerField(default=0, verbose_name='含下级正式党员')),
                ('sub_probationary', models.IntegerField(default=0, verbose_name='含下级预备党员')),
                ('sub_left', models.IntegerField(default=0, verbose_name='含下级已出党')),
            ],
            options={
                'verbose_name': '党员人数汇总',
                'verbose_name_plural': '党员人数汇总',
            },
        ),
        migrations.CreateModel(
            name='Member',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(db_index=True, max_length=50, verbose_name='姓名')),
                ('id_number_cipher', models.BinaryField(verbose_name='公民身份号码（密文）')),
                ('id_number_digest', models.CharField(max_length=64, unique=True, verbose_name='公民身份号码摘要')),
                ('id_number_masked', models.CharField(max_length=18, verbose_name='公民身份号码')),
                ('phone_cipher', models.BinaryField(blank=True, null=True, verbose_name='联系电话（密文）')),
                ('phone_digest', models.CharField(blank=True, db_index=True, max_length=64, verbose_name='联系电话摘要')),
                ('phone_masked', models.CharField(blank=True, max_length=20, verbose_name='联系电话')),
                ('gender', models.CharField(choices=[('男', '男'), ('女', '女')], max_length=1, verbose_name='性别')),
                ('ethnicity', models.CharField(blank=True, max_length=20, verbose_name='民族')),
                ('birth_date', models.DateField(verbose_name='出生日期')),
                ('education', models.CharField(blank=True, max_length=20, verbose_name='学历')),
                ('category', models.CharField(blank=True, choices=[('在岗职工', '在岗职工'), ('农牧渔民', '农牧渔民'), ('离退休人员', '离退休人员'), ('学生', '学生'), ('个体经营者', '个体经营者'), ('自由职业者', '自由职业者'), ('无固定职业', '无固定职业'), ('其他', '其他')], max_length=16, verbose_name='人员类别')),
                ('member_type', models.CharField(choices=[('正式党员', '正式党员'), ('预备党员', '预备党员')], max_length=8, verbose_name='党员类型')),
                ('joined_on', models.DateField(verbose_name='入党日期')),
                ('confirmed_on', models.DateField(blank=True, null=True, verbose_name='转正日期')),
                ('post', models.CharField(blank=True, choices=[('书记', '书记'), ('副书记', '副书记'), ('组织委员', '组织委员'), ('宣传委员', '宣传委员'), ('纪检委员', '纪检委员'), ('委员', '委员'), ('党小组长', '党小组长')], max_length=8, verbose_name='党内职务')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='members', to='orgs.organization', verbose_name='所在党组织')),
                ('residence_community', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='registered_members', to='orgs.organization', verbose_name='现居住社区')),
            ],
            options={
                'verbose_name': '党员',
                'verbose_name_plural': '党员',
            },
        ),
        migrations.CreateModel(
            name='MemberStatus',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('留党察看', '留党察看'), ('停止党籍', '停止党籍'), ('开除党籍', '开除党籍'), ('除名', '除名'), ('劝退', '劝退'), ('自行脱党', '自行脱党'), ('死亡', '死亡'), ('转出系统外', '组织关系转出系统外')], max_length=8, verbose_name='状态')),
                ('started_on', models.DateField(verbose_name='起始日期')),
                ('ends_on', models.DateField(blank=True, null=True, verbose_name='终止日期')),
                ('decided_by', models.CharField(max_length=100, verbose_name='决定机关')),
                ('decision_no', models.CharField(blank=True, max_length=100, verbose_name='决定文号')),
                ('reason', models.CharField(blank=True, max_length=500, verbose_name='事由')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='statuses', to='members.member', verbose_name='党员')),
            ],
            options={
                'verbose_name': '党员状态',
                'verbose_name_plural': '党员状态',
            },
        ),
        migrations.CreateModel(
            name='Participation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('post', models.CharField(blank=True, choices=[('书记', '书记'), ('副书记', '副书记'), ('委员', '委员')], max_length=8, verbose_name='在临时党支部的职务')),
                ('started_on', models.DateField(verbose_name='参加日期')),
                ('ended_on', models.DateField(blank=True, null=True, verbose_name='结束日期')),
                ('note', models.CharField(blank=True, max_length=200, verbose_name='备注')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='participations', to='members.member', verbose_name='党员')),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='participations', to='orgs.organization', verbose_name='临时党支部')),
            ],
            options={
                'verbose_name': '临时党支部参加人员',
                'verbose_name_plural': '临时党支部参加人员',
            },
        ),
        migrations.CreateModel(
            name='PostTerm',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('post', models.CharField(choices=[('书记', '书记'), ('副书记', '副书记'), ('组织委员', '组织委员'), ('宣传委员', '宣传委员'), ('纪检委员', '纪检委员'), ('委员', '委员'), ('党小组长', '党小组长')], max_length=8, verbose_name='职务')),
                ('started_on', models.DateField(verbose_name='任职日期')),
                ('ended_on', models.DateField(blank=True, null=True, verbose_name='离任日期')),
                ('decided_by', models.CharField(blank=True, max_length=100, verbose_name='选举或决定')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='post_terms', to='members.member', verbose_name='党员')),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='post_terms', to='orgs.organization', verbose_name='任职党组织')),
            ],
            options={
                'verbose_name': '任职记录',
                'verbose_name_plural': '任职记录',
            },
        ),
        migrations.CreateModel(
            name='RollEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('编入', '编入'), ('转入', '转入'), ('转出', '转出'), ('转正', '转正'), ('状态变更', '状态变更'), ('出党', '出党'), ('死亡', '死亡'), ('恢复党籍', '恢复党籍'), ('更正', '入党日期更正')], max_length=8, verbose_name='变动')),
                ('on', models.DateField(verbose_name='日期')),
                ('ended_on', models.DateField(blank=True, null=True, verbose_name='离开日期')),
                ('reason', models.CharField(blank=True, max_length=200, verbose_name='事由')),
                ('link', models.CharField(blank=True, max_length=100, verbose_name='关联记录')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='roll_events', to='members.member', verbose_name='党员')),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='roll_events', to='orgs.organization', verbose_name='党组织')),
            ],
            options={
                'verbose_name': '党员名册变动',
                'verbose_name_plural': '党员名册变动',
            },
        ),
        migrations.AddIndex(
            model_name='member',
            index=models.Index(fields=['org', 'member_type'], name='members_mem_org_id_250860_idx'),
        ),
        migrations.AddIndex(
            model_name='member',
            index=models.Index(fields=['org', 'post'], name='members_mem_org_id_947bb1_idx'),
        ),
        migrations.AddConstraint(
            model_name='member',
            constraint=models.CheckConstraint(condition=models.Q(('member_type', '预备党员'), ('confirmed_on__isnull', False), _connector='OR'), name='member_full_has_confirmed_on'),
        ),
        migrations.AddIndex(
            model_name='memberstatus',
            index=models.Index(fields=['member', 'started_on'], name='members_mem_member__eb520d_idx'),
        ),
        migrations.AddConstraint(
            model_name='memberstatus',
            constraint=models.CheckConstraint(condition=models.Q(('ends_on__isnull', True), ('ends_on__gt', models.F('started_on')), _connector='OR'), name='member_status_ends_after_start'),
        ),
        migrations.AddIndex(
            model_name='participation',
            index=models.Index(fields=['org', 'started_on'], name='members_par_org_id_c396fb_idx'),
        ),
        migrations.AddConstraint(
            model_name='participation',
            constraint=models.CheckConstraint(condition=models.Q(('ended_on__isnull', True), ('ended_on__gte', models.F('started_on')), _connector='OR'), name='participation_ends_after_start'),
        ),
        migrations.AddIndex(
            model_name='postterm',
            index=models.Index(fields=['org', 'started_on'], name='post_term_org_start'),
        ),
        migrations.AddIndex(
            model_name='postterm',
            index=models.Index(fields=['member', 'started_on'], name='post_term_member_start'),
        ),
        migrations.AddConstraint(
            model_name='postterm',
            constraint=models.CheckConstraint(condition=models.Q(('ended_on__isnull', True), ('ended_on__gte', models.F('started_on')), _connector='OR'), name='post_term_ends_after_start'),
        ),
        migrations.AddIndex(
            model_name='rollevent',
            index=models.Index(fields=['member', 'on'], name='roll_event_member_on'),
        ),
        migrations.AddIndex(
            model_name='rollevent',
            index=models.Index(condition=models.Q(('kind__in', ['恢复党籍', '编入', '转入'])), fields=['org', 'on'], include=('ended_on', 'member'), name='roll_span_org_on'),
        ),
        migrations.AddConstraint(
            model_name='rollevent',
            constraint=models.CheckConstraint(condition=models.Q(('ended_on__isnull', True), ('ended_on__gte', models.F('on')), _connector='OR'), name='roll_event_ends_after_start'),
        ),
    ]
