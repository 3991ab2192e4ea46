from django.conf import settings

from . import permissions


def platform(request):
    user = getattr(request, "user", None)
    return {
        "institution_name": settings.SPBE_INSTITUTION_NAME,
        "is_console_user": permissions.is_console_user(user) if user is not None else False,
        "spbe_env": settings.SPBE_ENV,
        # Tourist pages offer every language; staff pages the ones staff catalogs cover.
        "language_choices": [
            (code, name) for code, name in settings.LANGUAGES
            if request.path.startswith("/lovebali/") or code in settings.CONSOLE_LANGUAGES
        ],
    }
