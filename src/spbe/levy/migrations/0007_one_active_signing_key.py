from django.db import migrations, models
from django.utils import timezone


def retire_all_but_the_newest_active_key(apps, schema_editor):
    """Before the constraint: an install that raced to two first keys keeps the newer one."""
    SigningKey = apps.get_model("levy", "SigningKey")
    for sandbox in (False, True):
        active = SigningKey.objects.filter(sandbox=sandbox, retired_at__isnull=True).order_by("-number")
        newest = active.first()
        if newest is not None:
            active.exclude(pk=newest.pk).update(retired_at=timezone.now())


class Migration(migrations.Migration):

    dependencies = [
        ("levy", "0006_partner_refund_requests"),
    ]

    operations = [
        migrations.RunPython(retire_all_but_the_newest_active_key, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="signingkey",
            constraint=models.UniqueConstraint(condition=models.Q(("retired_at__isnull", True)), fields=("sandbox",),
                                               name="levy_one_active_signing_key"),
        ),
    ]
