# Organizations, memberships, assignments and observer tokens now belong to people/, the integrity
# scores to integrity/ (their 0001 migrations). Nothing happens to the database here: the reports'
# foreign keys are pointed at people.Organization, and the moved models leave the reports app's state.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0008_verified_changed_index"),
        ("people", "0001_initial"),
        ("integrity", "0001_initial"),
        ("counts", "0004_organization_in_people"),
        ("partners", "0002_organization_in_people"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="incidentreport",
                    name="organization",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reports",
                        to="people.organization",
                    ),
                ),
                migrations.AlterField(
                    model_name="checkin",
                    name="organization",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="checkins",
                        to="people.organization",
                    ),
                ),
                migrations.DeleteModel(name="StationIndicator"),
                migrations.DeleteModel(name="DistrictScoreHistory"),
                migrations.DeleteModel(name="DistrictScore"),
                migrations.DeleteModel(name="ScoreRun"),
                migrations.DeleteModel(name="ObserverToken"),
                migrations.DeleteModel(name="Assignment"),
                migrations.DeleteModel(name="Membership"),
                migrations.DeleteModel(name="Organization"),
            ],
            database_operations=[],
        ),
    ]
