"""The versioned HTTP API at /api/v1 (OpenAPI at /api/v1/openapi.json).

Each module contributes one ninja Router from its ``api.py``.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI

from spbe.assistant.api import router as assistant_router
from spbe.audit.api import router as audit_router
from spbe.core.api import router as core_router
from spbe.esign.api import router as esign_router
from spbe.evaluation.api import router as evaluation_router
from spbe.core.apiutils import SessionAuth, TokenAuth, install_error_handlers
from spbe.core.ratelimit import SharedRateThrottle
from spbe.inventory.api import router as inventory_router
from spbe.levy.api import router as levy_router
from spbe.security.api import router as security_router
from spbe.webscan.api import router as webscan_router

class PlatformAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI document declares, for every operation, the errors it can
    answer with (the one error body), so clients and schemathesis know every status code."""

    def get_openapi_schema(self, *args, **kwargs):
        from spbe.core.apiutils import declare_error_responses

        return declare_error_responses(super().get_openapi_schema(*args, **kwargs))


api = PlatformAPI(
    title="SPBE Platform API",
    version="1",
    description=str(_("API of the SPBE platform. Authenticate with a session or `Authorization: Bearer <token>`.")),
    urls_namespace="api-v1",
    auth=[TokenAuth(), SessionAuth()],
    throttle=[SharedRateThrottle(settings.SPBE_API_ANON_RATE, "anon"), SharedRateThrottle(settings.SPBE_API_AUTH_RATE, "auth")],
    openapi_url="/openapi.json",
    docs_url="/docs",
)
install_error_handlers(api)

api.add_router("/", core_router)
api.add_router("/inventory", inventory_router)
api.add_router("/audit", audit_router)
api.add_router("/evaluation", evaluation_router)
api.add_router("/webscan", webscan_router)
api.add_router("/levy", levy_router)
api.add_router("/esign", esign_router)
api.add_router("/security", security_router)
api.add_router("/assistant", assistant_router)
