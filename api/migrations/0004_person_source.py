"""Which sync client brought each person record in (through a case it registered), so
a token may erase only the records of its own client.

Records already there get the client that registered their case when that is
known: the API links a client's external id to a case only when the client
created it (``create_through_service``). Records without one (registered in the
web pages, or through the API without an external id) get no source: no sync
client may erase them, the programme team still can."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def sources_from_external_ids(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ExternalId = apps.get_model("api", "ExternalId")
    Person = apps.get_model("cases", "Person")
    PersonSource = apps.get_model("api", "PersonSource")
    case_type = ContentType.objects.filter(app_label="cases", model="case").first()
    if case_type is None:
        return
    creators = dict(
        ExternalId.objects.filter(content_type=case_type)
        .order_by("-created_at", "-id")  # the first link wins when the dict is built
        .values_list("object_id", "client_id")
    )
    persons = Person.objects.filter(case_id__in=list(creators)).values_list("pk", "case_id")
    PersonSource.objects.bulk_create(
        [PersonSource(person_id=pk, client_id=creators[case_id]) for pk, case_id in persons],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0003_webhook_token_no_response_body"),
        ("cases", "0002_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PersonSource",
            fields=[
                (
                    "person",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="cases.person",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "bron van een persoonsrecord",
                "verbose_name_plural": "bronnen van persoonsrecords",
            },
        ),
        migrations.RunPython(sources_from_external_ids, migrations.RunPython.noop),
    ]
