"""Monitors of four kinds: the quarter column becomes the period's code, a kind is added
(every existing run is a kwartaalmonitor), and versions and codes are checked per kind."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0003_notification_preferences"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="monitor", name="monitor_version_unique"),
        migrations.RemoveConstraint(model_name="monitor", name="monitor_quarter_valid"),
        migrations.RenameField(model_name="monitor", old_name="quarter", new_name="period_code"),
        migrations.AlterField(
            model_name="monitor",
            name="period_code",
            field=models.CharField(max_length=7, verbose_name="periode"),
        ),
        migrations.AddField(
            model_name="monitor",
            name="kind",
            field=models.CharField(
                choices=[
                    ("maand", "Maandmonitor"),
                    ("kwartaal", "Kwartaalmonitor"),
                    ("halfjaar", "Halfjaarmonitor"),
                    ("effect", "Effectmonitor"),
                ],
                default="kwartaal",
                max_length=10,
                verbose_name="soort",
            ),
        ),
        migrations.AlterModelOptions(
            name="monitor",
            options={
                "ordering": ["kind", "-period_code", "-version"],
                "permissions": [
                    ("read_monitor", "Mag de kwartaalmonitor lezen"),
                    ("start_monitor", "Mag een kwartaalmonitor laten maken"),
                    ("view_dashboard", "Mag het dashboard van het programmateam zien"),
                ],
                "verbose_name": "monitor",
                "verbose_name_plural": "monitors",
            },
        ),
        migrations.AddConstraint(
            model_name="monitor",
            constraint=models.UniqueConstraint(
                fields=("kind", "period_code", "version"), name="monitor_version_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="monitor",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("kind", "maand"), ("period_code__regex", "^[0-9]{4}-(0[1-9]|1[0-2])$")
                    ),
                    models.Q(("kind", "kwartaal"), ("period_code__regex", "^[0-9]{4}-Q[1-4]$")),
                    models.Q(("kind", "halfjaar"), ("period_code__regex", "^[0-9]{4}-H[12]$")),
                    models.Q(("kind", "effect"), ("period_code__regex", "^[0-9]{4}$")),
                    _connector="OR",
                ),
                name="monitor_period_valid",
            ),
        ),
    ]
