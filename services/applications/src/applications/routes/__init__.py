"""HTTP routes, one module per resource."""

from flask_smorest import Api


def register_routes(api: Api) -> None:
    from applications.routes.applications import blp

    api.register_blueprint(blp)
