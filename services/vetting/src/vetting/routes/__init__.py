"""HTTP routes, one module per resource."""

from flask_smorest import Api


def register_routes(api: Api) -> None:
    from shared.web.subject_access import subject_access_blueprint
    from vetting.routes import cases, clearances, decisions, identity, reconsiderations
    from vetting.service_layer.subject_access import gather

    for blueprint in (
        cases.blp,
        decisions.blp,
        identity.blp,
        reconsiderations.blp,
        clearances.blp,
        clearances.reports,
        subject_access_blueprint(gather),
    ):
        api.register_blueprint(blueprint)
