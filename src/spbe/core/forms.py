from django.db import models


def https_formfield(db_field, **kwargs):
    """Model form fields, with URLs assumed to be https (Django 6's default, adopted now)."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)
