"""Move backup codes out of django-otp's StaticToken, where they were kept in clear text.

Each user's unused codes are hashed into one BackupCodeDevice; the clear-text rows and
their StaticDevices are then deleted. A session verified with an old StaticDevice asks
for the second factor again. The hash is written here with Django's PBKDF2 hasher
directly (the format accounts.backup_codes checks), so this migration keeps working
when that module changes.
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import migrations

HASH_ITERATIONS = 100_000


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def hash_static_tokens(apps, schema_editor):
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    StaticToken = apps.get_model("otp_static", "StaticToken")
    BackupCodeDevice = apps.get_model("accounts", "BackupCodeDevice")
    BackupCode = apps.get_model("accounts", "BackupCode")
    hasher = PBKDF2PasswordHasher()
    tokens = StaticToken.objects.select_related("device").order_by("device__user_id", "pk")
    for token in tokens.iterator():
        device, _ = BackupCodeDevice.objects.get_or_create(
            user_id=token.device.user_id,
            defaults={"name": "Reservecodes", "confirmed": token.device.confirmed},
        )
        code = _normalise(token.token)
        BackupCode.objects.create(
            device=device, code_hash=hasher.encode(code, hasher.salt(), HASH_ITERATIONS)
        )
    StaticToken.objects.all().delete()
    StaticDevice.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_backup_codes_hashed"),
        ("otp_static", "0003_add_timestamps"),
    ]

    # No way back: the clear-text codes are gone, which is the point.
    operations = [migrations.RunPython(hash_static_tokens, migrations.RunPython.noop)]
