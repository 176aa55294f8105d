# Organizations moved from the reports app to people (people 0001): the foreign keys point at the
# same table as before, so only Django's picture of them changes here.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("counts", "0003_forensic_runs"),
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="protocolcopy",
                    name="organization",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="protocol_copies",
                        to="people.organization",
                    ),
                ),
                migrations.AlterField(
                    model_name="turnoutcount",
                    name="organization",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="turnout_counts",
                        to="people.organization",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
