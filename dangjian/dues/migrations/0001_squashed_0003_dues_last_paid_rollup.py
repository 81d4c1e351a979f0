# The dues app's migrations in one, made afresh from the models (Django 5.2.20, 2026-12-07).
# A database that applied every migration listed in ``replaces`` counts this one as applied; a
# database older than that must first migrate with the previous release, then with this one.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('dues', '0001_initial'),
        ('dues', '0002_tally'),
        ('dues', '0003_dues_last_paid_rollup'),
    ]

    dependencies = [
        ('members', '0001_squashed_0007_status_transferred_out'),
        ('orgs', '0001_squashed_0005_org_committee_rollup'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DuesLastPaid',
            fields=[
                ('member', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='dues_last_paid', serialize=False, to='members.member', verbose_name='党员')),
                ('month', models.DateField(verbose_name='最近交纳的所属月份')),
            ],
            options={
                'verbose_name': '最近交纳月份',
                'verbose_name_plural': '最近交纳月份',
            },
        ),
        migrations.CreateModel(
            name='DuesBase',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='年度')),
                ('category', models.CharField(choices=[('在职', '在职（按月工资收入比例）'), ('离退休', '离退休（按月退休费比例）'), ('农民', '农民（固定标准）'), ('学生', '学生（固定标准）'), ('下岗失业', '下岗失业（固定标准）'), ('低保', '享受低保（固定标准）')], max_length=8, verbose_name='交纳类别')),
                ('base_cipher', models.BinaryField(blank=True, null=True, verbose_name='月交纳基数（密文）')),
                ('rate', models.DecimalField(blank=True, decimal_places=4, max_digits=6, null=True, verbose_name='比例')),
                ('monthly_due', models.DecimalField(decimal_places=2, max_digits=10, verbose_name='每月应交')),
                ('voluntary', models.DecimalField(blank=True, decimal_places=2, max_digits=10, null=True, verbose_name='自愿每月交纳')),
                ('rule', models.CharField(max_length=40, verbose_name='依据规则')),
                ('version', models.CharField(max_length=60, verbose_name='规则版本')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='dues_bases', to='members.member', verbose_name='党员')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '党费核定',
                'verbose_name_plural': '党费核定',
                'constraints': [models.UniqueConstraint(fields=('member', 'year'), name='dues_base_one_per_year'), models.CheckConstraint(condition=models.Q(('monthly_due__gte', 0)), name='dues_base_due_not_neg')],
            },
        ),
        migrations.CreateModel(
            name='DuesExemption',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month_from', models.DateField(verbose_name='起始月份')),
                ('month_to', models.DateField(verbose_name='终止月份')),
                ('note', models.CharField(max_length=300, verbose_name='正当理由')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='members.member', verbose_name='党员')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '未交党费正当理由',
                'verbose_name_plural': '未交党费正当理由',
                'constraints': [models.CheckConstraint(condition=models.Q(('month_to__gte', models.F('month_from'))), name='dues_exemption_order')],
            },
        ),
        migrations.CreateModel(
            name='DuesPayment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(verbose_name='所属月份')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=10, verbose_name='金额')),
                ('paid_on', models.DateField(verbose_name='交纳日期')),
                ('source', models.CharField(choices=[('逐笔登记', '逐笔登记'), ('银行流水导入', '银行流水导入')], max_length=8, verbose_name='登记方式')),
                ('reference', models.CharField(blank=True, max_length=64, verbose_name='流水号')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='dues_payments', to='members.member', verbose_name='党员')),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organization', verbose_name='党支部')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '党费交纳',
                'verbose_name_plural': '党费交纳',
                'indexes': [models.Index(fields=['org', 'month'], name='dues_duespa_org_id_9a8661_idx')],
                'constraints': [models.UniqueConstraint(fields=('member', 'month'), name='dues_payment_one_per_month'), models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='dues_payment_positive')],
            },
        ),
        migrations.CreateModel(
            name='DuesRemittance',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='年度')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='金额')),
                ('remitted_on', models.DateField(verbose_name='上缴日期')),
                ('note', models.CharField(blank=True, max_length=200, verbose_name='备注')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organization', verbose_name='上缴组织')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('to_org', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organization', verbose_name='接收组织')),
            ],
            options={
                'verbose_name': '党费上缴',
                'verbose_name_plural': '党费上缴',
                'indexes': [models.Index(fields=['org', 'year'], name='dues_duesre_org_id_d18479_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='dues_remittance_positive')],
            },
        ),
        migrations.CreateModel(
            name='DuesTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(verbose_name='所属月份')),
                ('payments', models.IntegerField(default=0, verbose_name='交纳笔数')),
                ('amount', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='金额')),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orgs.organization', verbose_name='党支部')),
            ],
            options={
                'verbose_name': '党费月汇总',
                'verbose_name_plural': '党费月汇总',
                'constraints': [models.UniqueConstraint(fields=('org', 'month'), name='dues_tally_one')],
            },
        ),
    ]
