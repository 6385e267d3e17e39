"""HTTP routes, one module per resource."""

from flask_smorest import Api


def register_routes(api: Api) -> None:
    from notifications.routes.callbacks import blp as callbacks
    from notifications.routes.notifications import blp
    from notifications.routes.recipients import recipients

    api.register_blueprint(blp)
    api.register_blueprint(recipients)
    api.register_blueprint(callbacks)
