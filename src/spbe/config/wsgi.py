import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spbe.config.settings")
application = get_wsgi_application()

from spbe.core.health import start_warmups  # noqa: E402  (after Django is set up)

start_warmups()  # the assistant's index and model load now, not on the first tourist's question
