# The core app's migrations in one, made afresh from the models (Django 5.2.20, 2026-12-07).
# A database that applied every migration listed in ``replaces`` counts this one as applied; a
# database older than that must first migrate with the previous release, then with this one.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from dangjian.core import audit_triggers


def install(apps, schema_editor):
    """The chain head row, and the triggers that keep the audit trail append-only (SQLite and
    PostgreSQL, see :mod:`dangjian.core.audit_triggers`)."""
    head = apps.get_model("core", "AuditChainHead")
    head.objects.get_or_create(id=1, defaults={"seq": 0, "hash": "0" * 64})
    audit_triggers.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    audit_triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('core', '0001_initial'),
        ('core', '0002_audit_append_only'),
        ('core', '0003_audit_keyed_chain_and_guards'),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditChainHead',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ('seq', models.BigIntegerField(default=0)),
                ('hash', models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64)),
                ('mac', models.CharField(blank=True, default='', max_length=64)),
            ],
            options={
                'verbose_name': '审计链头',
            },
        ),
        migrations.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.BigIntegerField(unique=True, verbose_name='序号')),
                ('at', models.DateTimeField(db_index=True, verbose_name='时间')),
                ('actor_name', models.CharField(max_length=150, verbose_name='操作人名称')),
                ('action', models.CharField(db_index=True, max_length=64, verbose_name='操作')),
                ('object_type', models.CharField(max_length=64, verbose_name='对象类型')),
                ('object_id', models.CharField(db_index=True, max_length=128, verbose_name='对象标识')),
                ('object_repr', models.CharField(blank=True, max_length=255, verbose_name='对象')),
                ('scope_path', models.CharField(blank=True, db_index=True, max_length=255, verbose_name='所属组织路径')),
                ('before', models.JSONField(blank=True, null=True, verbose_name='变更前')),
                ('after', models.JSONField(blank=True, null=True, verbose_name='变更后')),
                ('request_id', models.CharField(db_index=True, max_length=64, verbose_name='请求标识')),
                ('client_addr', models.CharField(blank=True, max_length=64, verbose_name='客户端地址')),
                ('prev_hash', models.CharField(max_length=64, verbose_name='前一哈希')),
                ('hash', models.CharField(max_length=64, verbose_name='哈希')),
                ('actor', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                ('key_id', models.CharField(blank=True, default='', max_length=16, verbose_name='密钥编号')),
            ],
            options={
                'verbose_name': '审计记录',
                'verbose_name_plural': '审计记录',
                'ordering': ['-seq'],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
