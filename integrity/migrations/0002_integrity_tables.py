# The integrity models' tables take their app's name (reports_scorerun becomes integrity_scorerun,
# and so on; rows and keys are kept), the score checks named after the app are renamed with them, and
# their content types move too, so that permissions and the admin's history stay attached.

from django.db import migrations, models

from core.contenttypes import content_types_mover

MODELS = ["scorerun", "districtscore", "districtscorehistory", "stationindicator"]


class Migration(migrations.Migration):

    dependencies = [
        ("integrity", "0001_initial"),
        ("reports", "0009_people_and_scores_moved"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [
        *[migrations.AlterModelTable(name=model, table=None) for model in MODELS],
        migrations.RemoveConstraint(model_name='districtscorehistory', name='reports_districtscorehistory_band_valid'),
        migrations.AddConstraint(
            model_name='districtscorehistory',
            constraint=models.CheckConstraint(condition=models.Q(('band__in', ['', 'A', 'B', 'C', 'D'])), name='integrity_districtscorehistory_band_valid'),
        ),
        migrations.RemoveConstraint(model_name='districtscorehistory', name='reports_districtscorehistory_band_range_valid'),
        migrations.AddConstraint(
            model_name='districtscorehistory',
            constraint=models.CheckConstraint(condition=models.Q(('band_low__in', ['', 'A', 'B', 'C', 'D']), ('band_high__in', ['', 'A', 'B', 'C', 'D'])), name='integrity_districtscorehistory_band_range_valid'),
        ),
        migrations.RemoveConstraint(model_name='districtscorehistory', name='reports_districtscorehistory_coverage_valid'),
        migrations.AddConstraint(
            model_name='districtscorehistory',
            constraint=models.CheckConstraint(condition=models.Q(('coverage__in', ['A', 'B', 'C', 'insufficient'])), name='integrity_districtscorehistory_coverage_valid'),
        ),
        migrations.RemoveConstraint(model_name='districtscorehistory', name='reports_districtscorehistory_score_range'),
        migrations.AddConstraint(
            model_name='districtscorehistory',
            constraint=models.CheckConstraint(condition=models.Q(('score__isnull', True), models.Q(('score__gte', 0), ('score__lte', 100)), _connector='OR'), name='integrity_districtscorehistory_score_range'),
        ),
        migrations.RemoveConstraint(model_name='districtscorehistory', name='reports_districtscorehistory_score_iff_coverage'),
        migrations.AddConstraint(
            model_name='districtscorehistory',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('coverage', 'insufficient'), ('score__isnull', True)), models.Q(models.Q(('coverage', 'insufficient'), _negated=True), ('score__isnull', False)), _connector='OR'), name='integrity_districtscorehistory_score_iff_coverage'),
        ),
        migrations.RemoveConstraint(model_name='districtscore', name='reports_districtscore_band_valid'),
        migrations.AddConstraint(
            model_name='districtscore',
            constraint=models.CheckConstraint(condition=models.Q(('band__in', ['', 'A', 'B', 'C', 'D'])), name='integrity_districtscore_band_valid'),
        ),
        migrations.RemoveConstraint(model_name='districtscore', name='reports_districtscore_band_range_valid'),
        migrations.AddConstraint(
            model_name='districtscore',
            constraint=models.CheckConstraint(condition=models.Q(('band_low__in', ['', 'A', 'B', 'C', 'D']), ('band_high__in', ['', 'A', 'B', 'C', 'D'])), name='integrity_districtscore_band_range_valid'),
        ),
        migrations.RemoveConstraint(model_name='districtscore', name='reports_districtscore_coverage_valid'),
        migrations.AddConstraint(
            model_name='districtscore',
            constraint=models.CheckConstraint(condition=models.Q(('coverage__in', ['A', 'B', 'C', 'insufficient'])), name='integrity_districtscore_coverage_valid'),
        ),
        migrations.RemoveConstraint(model_name='districtscore', name='reports_districtscore_score_range'),
        migrations.AddConstraint(
            model_name='districtscore',
            constraint=models.CheckConstraint(condition=models.Q(('score__isnull', True), models.Q(('score__gte', 0), ('score__lte', 100)), _connector='OR'), name='integrity_districtscore_score_range'),
        ),
        migrations.RemoveConstraint(model_name='districtscore', name='reports_districtscore_score_iff_coverage'),
        migrations.AddConstraint(
            model_name='districtscore',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('coverage', 'insufficient'), ('score__isnull', True)), models.Q(models.Q(('coverage', 'insufficient'), _negated=True), ('score__isnull', False)), _connector='OR'), name='integrity_districtscore_score_iff_coverage'),
        ),
        migrations.RunPython(*content_types_mover("reports", "integrity", MODELS)),
    ]
