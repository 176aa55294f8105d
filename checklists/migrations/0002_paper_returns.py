# Paper returns and their double entry; submissions say whether they came by phone or on paper.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0001_initial"),
        ("people", "0002_people_tables"),
        ("stations", "0003_election_polls_close"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="source",
            field=models.CharField(
                choices=[("phone", "Phone"), ("paper", "Paper, entered twice")],
                default="phone",
                max_length=8,
                verbose_name="source",
            ),
        ),
        migrations.CreateModel(
            name="PaperReturn",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("answered_at", models.DateTimeField(verbose_name="answered at")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("entering", "Waiting for the second entry"),
                            ("differing", "Entries differ: to settle"),
                            ("done", "Recorded"),
                        ],
                        default="entering",
                        max_length=16,
                        verbose_name="state",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("settled_at", models.DateTimeField(blank=True, null=True, verbose_name="settled at")),
                ("settled_answers", models.JSONField(blank=True, null=True, verbose_name="settled answers")),
                (
                    "observer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="paper_returns",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="paper_returns",
                        to="people.organization",
                    ),
                ),
                (
                    "settled_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="settled_paper_returns",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "station",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="paper_returns",
                        to="stations.pollingstation",
                    ),
                ),
                (
                    "submission",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="paper_return",
                        to="checklists.submission",
                    ),
                ),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="paper_returns",
                        to="checklists.checklistversion",
                    ),
                ),
            ],
            options={
                "verbose_name": "paper return",
                "verbose_name_plural": "paper returns",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="PaperEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("answers", models.JSONField(default=dict, verbose_name="answers")),
                ("at", models.DateTimeField(auto_now_add=True, verbose_name="entered at")),
                (
                    "entered_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "paper_return",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="entries",
                        to="checklists.paperreturn",
                    ),
                ),
            ],
            options={
                "verbose_name": "paper entry",
                "verbose_name_plural": "paper entries",
                "ordering": ["paper_return", "at", "pk"],
            },
        ),
        migrations.AddConstraint(
            model_name="paperreturn",
            constraint=models.UniqueConstraint(
                fields=("version", "station", "observer"), name="paper_return_once_per_paper"
            ),
        ),
        migrations.AddConstraint(
            model_name="paperreturn",
            constraint=models.CheckConstraint(
                condition=models.Q(("state__in", ["entering", "differing", "done"])),
                name="paper_return_state_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="paperentry",
            constraint=models.UniqueConstraint(
                fields=("paper_return", "entered_by"), name="paper_entry_one_per_clerk"
            ),
        ),
    ]
