# The accounts app's migrations in one, made afresh from the models (Django 5.2.20, 2026-12-07).
# A database that applied every migration listed in ``replaces`` counts this one as applied; a
# database older than that must first migrate with the previous release, then with this one.

import dangjian.accounts.models
import django.contrib.auth.models
import django.contrib.auth.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('accounts', '0001_initial'),
        ('accounts', '0002_password_change_fields'),
        ('accounts', '0003_role_grants_and_lock_exemption'),
        ('accounts', '0004_totp_device_encrypted_key'),
        ('accounts', '0005_totp_keys_encrypted_from_django_otp'),
        ('accounts', '0006_role_grid_worker'),
    ]

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('orgs', '0001_squashed_0005_org_committee_rollup'),
    ]

    operations = [
        migrations.CreateModel(
            name='SecurityPolicy',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ('max_failed_logins', models.PositiveIntegerField(default=5, verbose_name='连续失败锁定次数')),
                ('lockout_minutes', models.PositiveIntegerField(default=15, verbose_name='锁定时长（分钟）')),
                ('idle_timeout_minutes', models.PositiveIntegerField(default=30, verbose_name='空闲超时（分钟）')),
            ],
            options={
                'verbose_name': '安全策略',
            },
        ),
        migrations.CreateModel(
            name='User',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('password', models.CharField(max_length=128, verbose_name='password')),
                ('last_login', models.DateTimeField(blank=True, null=True, verbose_name='last login')),
                ('is_superuser', models.BooleanField(default=False, help_text='Designates that this user has all permissions without explicitly assigning them.', verbose_name='superuser status')),
                ('username', models.CharField(error_messages={'unique': 'A user with that username already exists.'}, help_text='Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.', max_length=150, unique=True, validators=[django.contrib.auth.validators.UnicodeUsernameValidator()], verbose_name='username')),
                ('first_name', models.CharField(blank=True, max_length=150, verbose_name='first name')),
                ('last_name', models.CharField(blank=True, max_length=150, verbose_name='last name')),
                ('email', models.EmailField(blank=True, max_length=254, verbose_name='email address')),
                ('is_staff', models.BooleanField(default=False, help_text='Designates whether the user can log into this admin site.', verbose_name='staff status')),
                ('is_active', models.BooleanField(default=True, help_text='Designates whether this user should be treated as active. Unselect this instead of deleting accounts.', verbose_name='active')),
                ('date_joined', models.DateTimeField(default=django.utils.timezone.now, verbose_name='date joined')),
                ('display_name', models.CharField(blank=True, max_length=50, verbose_name='姓名')),
                ('failed_logins', models.PositiveIntegerField(default=0, verbose_name='连续登录失败次数')),
                ('locked_until', models.DateTimeField(blank=True, null=True, verbose_name='锁定至')),
                ('org', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='users', to='orgs.organization', verbose_name='所属组织')),
                ('must_change_password', models.BooleanField(default=False, help_text='安全管理员重置密码后置位，本人修改密码后清除', verbose_name='下次登录须修改密码')),
                ('password_changed_at', models.DateTimeField(blank=True, null=True, verbose_name='密码修改时间')),
                ('lock_exempt_until', models.DateTimeField(blank=True, null=True, verbose_name='免于锁定至')),
                ('groups', models.ManyToManyField(blank=True, help_text='The groups this user belongs to. A user will get all permissions granted to each of their groups.', related_name='user_set', related_query_name='user', to='auth.group', verbose_name='groups')),
                ('user_permissions', models.ManyToManyField(blank=True, help_text='Specific permissions for this user.', related_name='user_set', related_query_name='user', to='auth.permission', verbose_name='user permissions')),
            ],
            options={
                'verbose_name': '用户',
                'verbose_name_plural': '用户',
            },
            managers=[
                ('objects', django.contrib.auth.models.UserManager()),
            ],
        ),
        migrations.CreateModel(
            name='TOTPDevice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='The human-readable name of this device.', max_length=64)),
                ('confirmed', models.BooleanField(default=True, help_text='Is this device ready for use?')),
                ('throttling_failure_timestamp', models.DateTimeField(blank=True, default=None, help_text='A timestamp of the last failed verification attempt. Null if last attempt succeeded.', null=True)),
                ('throttling_failure_count', models.PositiveIntegerField(default=0, help_text='Number of successive failed attempts.')),
                ('created_at', models.DateTimeField(auto_now_add=True, help_text='The date and time when this device was initially created in the system.', null=True)),
                ('last_used_at', models.DateTimeField(blank=True, help_text='The most recent date and time this device was used.', null=True)),
                ('key', dangjian.accounts.models.EncryptedSecretField(default=dangjian.accounts.models.new_totp_key, verbose_name='密钥')),
                ('step', models.PositiveSmallIntegerField(default=30, verbose_name='时间步长（秒）')),
                ('t0', models.BigIntegerField(default=0, verbose_name='起始时间')),
                ('digits', models.PositiveSmallIntegerField(default=6, verbose_name='位数')),
                ('tolerance', models.PositiveSmallIntegerField(default=1, verbose_name='允许偏差步数')),
                ('drift', models.SmallIntegerField(default=0, verbose_name='时钟偏差步数')),
                ('last_t', models.BigIntegerField(default=-1, verbose_name='上次验证的时间步')),
                ('user', models.ForeignKey(help_text='The user that this device belongs to.', on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '动态口令设备',
                'verbose_name_plural': '动态口令设备',
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='RoleGrant',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('org_admin', '组织部管理员'), ('committee_admin', '党委管理员'), ('branch_secretary', '支部书记'), ('grid_worker', '网格员'), ('inspector', '督查员'), ('sys_admin', '系统管理员'), ('security_admin', '安全管理员'), ('audit_admin', '审计管理员')], max_length=32, verbose_name='角色')),
                ('status', models.CharField(choices=[('pending', '待批准'), ('approved', '已批准'), ('refused', '已拒绝'), ('withdrawn', '已撤回')], db_index=True, default='pending', max_length=16, verbose_name='状态')),
                ('requested_at', models.DateTimeField(verbose_name='申请时间')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='审批时间')),
                ('reason', models.CharField(blank=True, max_length=200, verbose_name='拒绝理由')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='审批人')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='申请人')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='role_grants', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '角色授权申请',
                'verbose_name_plural': '角色授权申请',
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('user', 'role'), name='uniq_pending_role_grant')],
            },
        ),
        migrations.CreateModel(
            name='UserRole',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('org_admin', '组织部管理员'), ('committee_admin', '党委管理员'), ('branch_secretary', '支部书记'), ('grid_worker', '网格员'), ('inspector', '督查员'), ('sys_admin', '系统管理员'), ('security_admin', '安全管理员'), ('audit_admin', '审计管理员')], max_length=32, verbose_name='角色')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='roles', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '用户角色',
                'constraints': [models.UniqueConstraint(fields=('user', 'role'), name='uniq_user_role')],
            },
        ),
    ]
