"""The handler map: what a service consumes, declared once and bound to its collaborators."""

import pytest

from shared.handlers import HandlerMap, handler_name


def test_the_event_types_are_read_from_the_declarations_without_binding():
    handlers = HandlerMap()

    @handlers.on("a.one", "a.two")
    def first(uow, event, deps):
        pass

    @handlers.on("a.two")
    def second(uow, event, deps):
        pass

    assert handlers.event_types == {"a.one", "a.two"}


def test_a_bound_handler_gets_the_collaborators_and_keeps_its_inbox_key():
    handlers = HandlerMap()
    seen = []

    @handlers.on("a.one", name="old.module.handler")
    def moved(uow, event, deps):
        seen.append((uow, event, deps))

    @handlers.on("a.one")
    def fresh(uow, event, deps):
        seen.append(("fresh", deps))

    bound = handlers.bind("deps")
    assert [handler_name(h) for h in bound["a.one"]] == [
        "old.module.handler",
        f"{__name__}.test_a_bound_handler_gets_the_collaborators_and_keeps_its_inbox_key"
        ".<locals>.fresh",
    ]
    for handler in bound["a.one"]:
        handler("uow", "event")
    assert seen == [("uow", "event", "deps"), ("fresh", "deps")]


def test_a_handler_declares_at_least_one_event_type():
    with pytest.raises(ValueError):
        HandlerMap().on()
