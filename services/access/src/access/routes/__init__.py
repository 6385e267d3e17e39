"""HTTP routes, one module per resource."""

from flask_smorest import Api


def register_routes(api: Api) -> None:
    from access.routes.establishments import blp

    api.register_blueprint(blp)
