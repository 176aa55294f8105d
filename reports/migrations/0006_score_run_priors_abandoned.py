from django.db import migrations, models


class Migration(migrations.Migration):
    """Score runs keep the priors they fitted, so that one district can be scored alone against
    them, and a run that never finished (its worker killed) can be marked abandoned."""

    dependencies = [
        ("reports", "0005_report_index_in_meta"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="scorerun",
            name="score_run_status_valid",
        ),
        migrations.AddField(
            model_name="scorerun",
            name="priors",
            field=models.JSONField(default=dict, verbose_name="priors"),
        ),
        migrations.AlterField(
            model_name="scorerun",
            name="status",
            field=models.CharField(
                choices=[
                    ("running", "running"),
                    ("finished", "finished"),
                    ("superseded", "superseded by a later run"),
                    ("failed", "failed"),
                    ("abandoned", "abandoned: never finished"),
                ],
                default="running",
                max_length=16,
            ),
        ),
        migrations.AddConstraint(
            model_name="scorerun",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["running", "finished", "superseded", "failed", "abandoned"])),
                name="score_run_status_valid",
            ),
        ),
    ]
