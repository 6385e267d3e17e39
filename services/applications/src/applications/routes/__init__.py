"""HTTP routes, one module per resource."""

from flask_smorest import Api


def register_routes(api: Api) -> None:
    from applications.routes import (
        applications,
        bulk,
        erasure,
        establishments,
        lifecycle,
        volunteer,
    )
    from applications.service_layer.subject_access import gather
    from shared.web.subject_access import subject_access_blueprint

    api.register_blueprint(applications.blp)
    api.register_blueprint(lifecycle.blp)
    api.register_blueprint(bulk.blp)
    api.register_blueprint(erasure.blp)
    api.register_blueprint(volunteer.blp)
    api.register_blueprint(establishments.blp)
    api.register_blueprint(subject_access_blueprint(gather))
