"""The embedded transport under a writer and a reader racing: every message arrives whole."""

from __future__ import annotations

import threading

from kombu import Exchange, Queue

from shared.config import load_settings
from shared.messaging.connection import make_connection
from tests.support import wait_for
from tests.support.backends import embedded_env


def test_a_reader_racing_a_writer_never_sees_a_partial_message(tmp_path, embedded):
    settings = load_settings("vetting", embedded_env(tmp_path / "race"))
    queue = Queue("race.q", Exchange("race", type="topic"), routing_key="race.go")
    total, received, errors = 2000, [], []

    def write() -> None:
        with make_connection(settings) as connection:
            producer = connection.Producer()
            for n in range(total):
                producer.publish(
                    {"n": n, "pad": "x" * 2000},
                    exchange="race",
                    routing_key="race.go",
                    declare=[queue],
                )

    with make_connection(settings) as reader:
        queue(reader.default_channel).declare()
        writer = threading.Thread(target=write)
        writer.start()

        def drain() -> bool:
            while True:
                try:
                    message = queue(reader.default_channel).get()
                except Exception as exc:  # noqa: BLE001 - the failure this test looks for
                    errors.append(exc)
                    return True
                if message is None:
                    return len(received) == total
                received.append(message.payload["n"])
                message.ack()

        wait_for(drain, timeout=60, interval=0.001, message="every message")
        writer.join()
    assert errors == []
    assert sorted(received) == list(range(total))
