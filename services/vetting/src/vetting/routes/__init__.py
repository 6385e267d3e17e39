"""HTTP routes, one module per resource."""

from flask_smorest import Api


def register_routes(api: Api) -> None:
    from vetting.routes import cases, clearances, decisions

    for blueprint in (cases.blp, decisions.blp, clearances.blp, clearances.reports):
        api.register_blueprint(blueprint)
