"""HTTP routes, one module per resource."""

from flask_smorest import Api


def register_routes(api: Api) -> None:
    from notifications.routes.callbacks import blp as callbacks
    from notifications.routes.notifications import blp
    from notifications.routes.recipients import recipients
    from notifications.service_layer.subject_access import gather
    from shared.web.subject_access import subject_access_blueprint

    api.register_blueprint(blp)
    api.register_blueprint(recipients)
    api.register_blueprint(callbacks)
    api.register_blueprint(subject_access_blueprint(gather))
