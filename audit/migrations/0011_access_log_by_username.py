"""The access log's search by user name uses an index: it matches in any case
(``iexact``: upper(username)) and lists newest first. Without it the search read the
log from its newest record backwards until it had a page: seconds for someone who
seldom reads, on a log of millions. Built without locking the log."""

import django.db.models.functions.text
from django.db import migrations, models

from kernel.migration_operations import AddIndexWithoutLocking


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("audit", "0010_access_log_by_case_number"),
    ]

    operations = [
        AddIndexWithoutLocking(
            model_name="accesslog",
            index=models.Index(
                django.db.models.functions.text.Upper("username"),
                models.OrderBy(models.F("at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                name="access_log_by_username",
            ),
        ),
    ]
