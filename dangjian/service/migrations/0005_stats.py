# The overdue list of the 服务统计 dashboard, oldest first: a partial index over the open orders in
# submission order (benchmarks/README.md, service orders).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("service", "0004_linked"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("state__in", ["submitted", "accepted", "dispatched", "taken"])),
                fields=["submitted_at", "id"],
                name="service_order_open_by_age",
            ),
        ),
    ]
