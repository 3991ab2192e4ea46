from django.conf import settings

from . import permissions
from .middleware import language_choices


def platform(request):
    user = getattr(request, "user", None)
    return {
        "institution_name": settings.SPBE_INSTITUTION_NAME,
        "is_console_user": permissions.is_console_user(user) if user is not None else False,
        "spbe_env": settings.SPBE_ENV,
        "help_email": settings.SPBE_HELP_EMAIL,
        "help_phone": settings.SPBE_HELP_PHONE,
        "language_choices": language_choices(request),
    }
