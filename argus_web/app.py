"""The Litestar application: routes, errors, OpenAPI, dishka."""

from __future__ import annotations

from dishka import AsyncContainer, Provider
from dishka.integrations.litestar import setup_dishka
from litestar import Litestar
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from argus_web.api.dashboard import dashboard_router, health_router
from argus_web.api.issues import issues_router
from argus_web.api.teams import members_router, teams_router
from argus_web.auth.routes import account_router, auth_router
from argus_web.container import make_container
from argus_web.errors import EXCEPTION_HANDLERS
from argus_web.settings import Settings, settings_from_env
from argus_web.static import dashboard_files, dashboard_index

VERSION = "0.1.0"


def create_app(
    settings: Settings | None = None,
    *overrides: Provider,
    container: AsyncContainer | None = None,
) -> Litestar:
    """The web app for ``settings`` (read from the environment by default)."""
    settings = settings or settings_from_env()
    container = container or make_container(settings, *overrides)
    app = Litestar(
        route_handlers=[
            health_router,
            auth_router,
            account_router,
            issues_router,
            teams_router,
            members_router,
            dashboard_router,
            dashboard_index,
            dashboard_files,
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(
            title="Argus",
            version=VERSION,
            description="Slack-first production-issue tracker. Send "
            "'Authorization: Bearer <token>' (a session token or a personal API token).",
            path="/schema",
            render_plugins=[ScalarRenderPlugin()],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
                }
            ),
        ),
        on_shutdown=[container.close],
        debug=False,
    )
    setup_dishka(container, app)
    return app
