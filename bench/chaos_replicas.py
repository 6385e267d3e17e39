"""The replicas run of bench/chaos.py (`--replicas N`): every service with two web masters
sharing their port, N consumers, two relays, two check runners and two senders, as a cluster
runs them, and on top of the usual faults, whole replicas lost for good (SIGKILLed and not
restarted, as pods on a node that died): the siblings must carry the flow with nothing lost or
doubled. The relay's loss is timed: from the kill until its sibling publishes the first event
committed after it (relays share the outbox through FOR UPDATE SKIP LOCKED, so the sibling
is already active: there is no lease to wait out)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import psycopg
from chaos_faults import Faults

# Per role, as the cluster runs them; consumers as many as --replicas says.
REPLICAS = {"web": 2, "relay": 2, "check-runner": 2, "send": 2}


def replicas_for(consumers: int) -> dict[str, int]:
    return {**REPLICAS, "consume": consumers}


class ReplicaFaults(Faults):
    """The usual faults, then a replica of each role lost for good."""

    def __init__(
        self, *args: object, databases: Mapping[str, str], consumers: int, **kwargs: object
    ):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.databases = databases
        self.consumers = consumers
        self.relay_takeover_s: float | None = None

    def plan(self) -> list[tuple[str, Callable[[], str]]]:
        return [
            *super().plan(),
            ("web_replica_lost", lambda: self.lose("applications-web@2")),
            ("consumer_replica_lost", lambda: self.lose(f"vetting-consume@{self.consumers}")),
            ("relay_replica_lost", self.lose_relay),
            ("check_runner_replica_lost", lambda: self.lose("vetting-check-runner@2")),
            ("sender_replica_lost", lambda: self.lose("notifications-send@2")),
        ]

    def lose(self, name: str) -> str:
        pid = self.stack.processes[name].pid
        self.stack.retire(name)
        return f"{name} (pid {pid}) killed and not restarted"

    def lose_relay(self) -> str:
        """vetting's first relay lost; how long until its sibling publishes what comes next."""
        url = self.databases["vetting"]
        with psycopg.connect(url, autocommit=True) as conn:
            (killed_at,) = conn.execute("SELECT clock_timestamp()").fetchone()  # type: ignore[misc]
            self.stack.retire("vetting-relay")
            started = time.monotonic()
            while time.monotonic() - started < 60:
                (first,) = conn.execute(
                    "SELECT min(published_at) FROM outbox "
                    "WHERE created_at > %s AND published_at IS NOT NULL",
                    (killed_at,),
                ).fetchone()  # type: ignore[misc]
                if first is not None:
                    self.relay_takeover_s = round((first - killed_at).total_seconds(), 3)
                    return (
                        "vetting-relay killed and not restarted; vetting-relay@2 published the "
                        f"first event committed after it {self.relay_takeover_s}s later"
                    )
                time.sleep(0.05)
        raise RuntimeError("no event committed after the relay's loss was published in 60 s")
