"""The access log's search by case number uses an index: it matches in any case
(``iexact``: upper(case_number)) and lists newest first, which neither index on the
column did (the search read the log from its newest record backwards, seconds on a
log of millions). The two unused indexes go: one index fewer to write per record.
Built without locking the log (every page that shows person data writes to it)."""

import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models

from kernel.migration_operations import AddIndexWithoutLocking


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("accounts", "0009_user_by_name"),
        ("audit", "0009_access_log_actions_of_all_account_events"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="accesslog",
            name="case_number",
            field=models.CharField(blank=True, max_length=20, verbose_name="casusnummer"),
        ),
        AddIndexWithoutLocking(
            model_name="accesslog",
            index=models.Index(
                django.db.models.functions.text.Upper("case_number"),
                models.OrderBy(models.F("at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                name="access_log_by_case_number",
            ),
        ),
    ]
