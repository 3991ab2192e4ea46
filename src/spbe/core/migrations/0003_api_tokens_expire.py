from datetime import timedelta

from django.db import migrations


def give_every_token_an_expiry(apps, schema_editor):
    """Tokens issued before expiry was mandatory now expire 90 days after they were made."""
    ApiToken = apps.get_model("core", "ApiToken")
    for token in ApiToken.objects.filter(expires_at__isnull=True):
        token.expires_at = token.created_at + timedelta(days=90)
        token.save(update_fields=["expires_at"])


class Migration(migrations.Migration):
    dependencies = [("core", "0002_institution_admin_role")]
    operations = [migrations.RunPython(give_every_token_an_expiry, migrations.RunPython.noop)]
