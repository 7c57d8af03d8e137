# The ground of each access (NEN 7513 "on whose behalf"), and the actions of API
# writes and failed second-factor attempts. A new column with a default: the
# append-only triggers (UPDATE, DELETE, TRUNCATE) are untouched, and the records
# written before it keep an empty ground ("not recorded").

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_access_log_without_duplicate_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="accesslog",
            name="basis",
            field=models.CharField(
                blank=True,
                choices=[
                    ("regisseur", "Regisseur van de casus"),
                    ("buddy", "Buddy van de casus"),
                    ("stand_in", "Vervanger bij afwezigheid"),
                    ("team_member", "Lid van het interventieteam"),
                    ("programme_team", "Programmateam"),
                    ("emergency", "Noodtoegang"),
                    ("sync_client", "Synchronisatieclient (API-token)"),
                    ("privacy_officer", "Privacyfunctionaris"),
                    ("pto_r", "Lid PTO-R (besluit over uitstroom)"),
                    ("other", "Andere grond"),
                ],
                default="",
                max_length=20,
                verbose_name="grond van toegang",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="accesslog",
            name="action",
            field=models.CharField(
                choices=[
                    ("view", "Ingezien"),
                    ("export", "Geëxporteerd"),
                    ("download", "Gedownload"),
                    ("api_read", "Opgehaald via API"),
                    ("emergency", "Noodtoegang geopend"),
                    ("share", "Gedeeld op zwaarwegend belang"),
                    ("create", "Aangemaakt"),
                    ("update", "Gewijzigd"),
                    ("2fa_failed", "Tweede stap mislukt"),
                ],
                max_length=12,
                verbose_name="handeling",
            ),
        ),
    ]
