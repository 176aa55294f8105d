from django.db import migrations, models


class Migration(migrations.Migration):
    """The (election, station, category, occurred_at) index, created in the database by 0004, now
    lives in IncidentReport.Meta; the shorter index it extends is dropped."""

    dependencies = [
        ("reports", "0004_scores"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="incidentreport",
                    index=models.Index(
                        fields=["election", "station", "category", "occurred_at"], name="report_station_time_idx"
                    ),
                ),
            ],
        ),
        migrations.RemoveIndex(
            model_name="incidentreport",
            name="report_station_category_idx",
        ),
    ]
