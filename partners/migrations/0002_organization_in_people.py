# Organizations moved from the reports app to people (people 0001): the foreign key points at the
# same table as before, so only Django's picture of it changes here.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("partners", "0001_partners_and_keys"),
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="partner",
                    name="organization",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="partners",
                        to="people.organization",
                        verbose_name="registered by organization",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
