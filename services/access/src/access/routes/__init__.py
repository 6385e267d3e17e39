"""HTTP routes, one module per resource."""

from flask_smorest import Api


def register_routes(api: Api) -> None:
    from access.routes.establishments import blp as establishments
    from access.routes.grants import blp as grants
    from access.routes.grants import people
    from access.routes.holders import blp as holders
    from access.routes.people import blp as find_people
    from access.routes.photos import blp as photos
    from access.routes.review_items import blp as review_items
    from access.routes.visits import blp as visits
    from access.service_layer.subject_access import gather
    from shared.web.subject_access import subject_access_blueprint

    api.register_blueprint(establishments)
    api.register_blueprint(grants)
    api.register_blueprint(people)
    api.register_blueprint(find_people)
    api.register_blueprint(holders)
    api.register_blueprint(photos)
    api.register_blueprint(review_items)
    api.register_blueprint(visits)
    api.register_blueprint(subject_access_blueprint(gather))
