# The people models' tables take their app's name (reports_organization becomes people_organization,
# and so on; rows, keys and the foreign keys pointing at them are kept), and their content types
# move with them, so that staff groups keep their permissions and the admin its history.

from django.db import migrations

from core.contenttypes import content_types_mover

MODELS = ["organization", "membership", "assignment", "observertoken"]


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0001_initial"),
        ("reports", "0009_people_and_scores_moved"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [
        *[migrations.AlterModelTable(name=model, table=None) for model in MODELS],
        migrations.RunPython(*content_types_mover("reports", "people", MODELS)),
    ]
