"""HTTP routes, one module per resource."""

from flask_smorest import Api


def register_routes(api: Api) -> None:
    from applications.routes import applications, bulk, lifecycle

    api.register_blueprint(applications.blp)
    api.register_blueprint(lifecycle.blp)
    api.register_blueprint(bulk.blp)
