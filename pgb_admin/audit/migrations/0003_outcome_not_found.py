# A search that found nothing (a BSN lookup) has its own outcome. Choices only: no SQL.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only"),
    ]

    operations = [
        migrations.AlterField(
            model_name="accessevent",
            name="outcome",
            field=models.CharField(
                choices=[("ok", "done"), ("refused", "refused"), ("not_found", "nothing found")],
                default="ok",
                max_length=10,
                verbose_name="outcome",
            ),
        ),
    ]
