"""The messaging backbone, measured: publishing, consuming and end to end, each beside its bare
baseline, in one run on PostgreSQL + RabbitMQ (and end to end on the embedded default too).

    .venv/bin/python bench/backbone.py [--rate 20] [--duration 20] [--backlog 10000] ...

Publishing is measured in backbone_publish.py, consuming in backbone_consume.py, end to end in
backbone_e2e.py; this runs them in order (the publishes feed the consumers) and prints the table
(backbone_table.py). Everything it measures it starts itself, under a unique name: PostgreSQL
databases `bench_bb_<run>_*`, RabbitMQ objects prefixed `benchbb<run>m.` / `benchbb<run>e.`,
processes on free ports from 18101, an in-process SMTP sink; all of it is stopped, dropped and
deleted at the end, also on failure or Ctrl-C. The last line printed is one JSON object (every
benchmark in bench/ ends so).
"""

from __future__ import annotations

import argparse
import uuid
from typing import Any

from backbone_consume import bench_consumer, bench_raw_consume
from backbone_e2e import SmtpSink, record_e2e, run_e2e
from backbone_publish import (
    HOP_QUEUE,
    bench_hop,
    bench_raw_confirm,
    bench_raw_windowed,
    bench_relay,
    bodies,
    purge,
    queue_depth,
)
from backbone_table import print_table
from harness import (
    AMQP_URL,
    DEPLOYMENT_ENV,
    GUEST_FOR_ALL,
    Resources,
    exit_with,
    log,
    run_and_report,
)
from kombu import Connection

from devstack.stack import Stack
from shared.config import load_settings
from shared.messaging.topology import SERVICES, Topology
from shared.migrations import upgrade

FIRST_PORT = 18101


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--confirm-messages", type=int, default=2000)
    parser.add_argument("--window", type=int, default=100)
    parser.add_argument("--backlog", type=int, default=10000, help="outbox rows for the relay")
    parser.add_argument(
        "--consume",
        type=int,
        default=5000,
        help="events for the raw and the trivial-handler consumer",
    )
    parser.add_argument(
        "--consume-real",
        type=int,
        default=2000,
        help="events for the consumer with vetting's real handler",
    )
    parser.add_argument("--hops", type=int, default=300)
    parser.add_argument("--rate", type=float, default=20.0, help="applications per second")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per e2e mode")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--skip-embedded", action="store_true")
    args = parser.parse_args()
    if args.backlog < args.consume + args.consume_real:
        parser.error("--backlog must cover --consume + --consume-real (the relay feeds them)")

    resources = Resources(uuid.uuid4().hex[:8], "bb", FIRST_PORT)
    return run_and_report("backbone", args, resources, measure, every_loadavg=True)


def measure(args: argparse.Namespace, run: str, resources: Resources, out: dict[str, Any]) -> None:
    from applications.service import definition as applications_definition
    from vetting.service import definition as vetting_definition

    # ---- micro benchmarks: one applications and one vetting database, prefix `benchbb<run>m.`
    micro_prefix = resources.broker_prefix("m", HOP_QUEUE)
    relay_db = resources.database("relay")
    consumer_db = resources.database("consumer")
    micro_env = {
        "BROKER_URL": AMQP_URL,
        "BROKER_PREFIX": micro_prefix,
        **DEPLOYMENT_ENV,
        **GUEST_FOR_ALL,
        "VAR_DIR": str(resources.subdir("micro")),
    }
    app_settings = load_settings("applications", {**micro_env, "DATABASE_URL": relay_db})
    vet_settings = load_settings("vetting", {**micro_env, "DATABASE_URL": consumer_db})
    upgrade(app_settings, applications_definition().migrations_dir)
    upgrade(vet_settings, vetting_definition().migrations_dir)
    topology = Topology(app_settings)
    vetting_inbox = topology.inbox_name("vetting")
    notifications_inbox = topology.inbox_name("notifications")

    log("building events")
    envelopes = bodies(run, max(args.backlog, args.consume, args.confirm_messages))
    with Connection(AMQP_URL) as admin:
        topology.declare_all(admin)

        log("publishing: raw confirm per message")
        out["raw_confirm_per_s"] = round(
            bench_raw_confirm(app_settings, envelopes[: args.confirm_messages])
        )
        purge(admin, vetting_inbox, notifications_inbox)

        log(f"publishing: raw windowed confirms (window {args.window})")
        out["raw_windowed_per_s"] = round(
            bench_raw_windowed(app_settings, envelopes[: args.backlog], args.window)
        )
        # The baseline's copies in the vetting inbox feed the raw consume baseline.
        purge(admin, notifications_inbox)

        log("consuming: raw kombu consumer, manual ack")
        depth = queue_depth(admin, vetting_inbox)
        if depth < args.consume:
            raise RuntimeError(f"vetting inbox holds {depth} < {args.consume}")
        out["raw_consume_per_s"] = round(
            bench_raw_consume(vetting_inbox, args.consume, vet_settings.consumer_prefetch)
        )
        purge(admin, vetting_inbox, notifications_inbox)

        log(f"publishing: our relay, backlog of {args.backlog} outbox rows")
        relay = bench_relay(app_settings, envelopes[: args.backlog])
        depth = queue_depth(admin, vetting_inbox)
        if depth != args.backlog:
            raise RuntimeError(
                f"relay: {depth} messages routed to the vetting inbox, expected {args.backlog}"
            )
        out["relay_per_s"] = round(relay["per_s"])
        out["relay_batches"] = relay["batches"]
        out["relay_batch_ms_p50"] = round(relay["batch_ms_p50"], 1)
        out["relay_vs_raw_confirm"] = round(relay["per_s"] / out["raw_confirm_per_s"], 2)
        out["relay_vs_raw_windowed"] = round(relay["per_s"] / out["raw_windowed_per_s"], 2)
        purge(admin, notifications_inbox)

        # The relay's output (valid events with unique ids) is the consumers' input: the
        # first `consume` events with the trivial handler, the next with the real one.
        log(f"consuming: our EventConsumer, trivial handler, {args.consume} events")
        consumer = bench_consumer(vet_settings, args.consume, real_handler=False)
        out["consumer_per_s"] = round(consumer["per_s"])
        out["consumer_vs_raw_consume"] = round(consumer["per_s"] / out["raw_consume_per_s"], 2)
        log(f"consuming: our EventConsumer, vetting's open_case, {args.consume_real} events")
        consumer = bench_consumer(vet_settings, args.consume_real, real_handler=True)
        out["consumer_open_case_per_s"] = round(consumer["per_s"])
        purge(admin, vetting_inbox)

    log("the bare broker hop")
    hop = bench_hop(app_settings, args.hops)
    out["raw_hop_p50_ms"] = round(hop["p50"], 2)
    out["raw_hop_p99_ms"] = round(hop["p99"], 2)

    # ---- end to end on PostgreSQL + RabbitMQ
    smtp_port = resources.port()
    sink = SmtpSink(smtp_port)
    sink.controller.start()
    resources.on_close("stop smtp", sink.controller.stop)
    e2e_prefix = resources.broker_prefix("e")
    urls = {service: resources.database(service) for service in SERVICES}
    real = resources.stack(
        Stack(
            var_dir=resources.subdir("real"),
            base_env={
                "BROKER_URL": AMQP_URL,
                "BROKER_PREFIX": e2e_prefix,
                **DEPLOYMENT_ENV,
                **GUEST_FOR_ALL,
                "SMTP_PORT": str(smtp_port),
                "SMTP_HOST": "127.0.0.1",
            },
            database_urls=urls,
            ports={service: resources.port() for service in SERVICES},
            smtp_port=smtp_port,
            web_workers=2,
        )
    )
    result = run_e2e("rabbitmq", real, urls, sink, run, args.rate, args.duration, args.warmup, 30)
    record_e2e(out, "e2e", result)

    # ---- end to end on the embedded default (SQLite + kombu's filesystem transport)
    if not args.skip_embedded:
        var_dir = resources.subdir("embedded")
        embedded = resources.stack(
            Stack(
                var_dir=var_dir,
                base_env={
                    "DATABASE_URL": "",
                    "BROKER_URL": "",
                    "BROKER_PREFIX": "",
                    "SMTP_PORT": str(smtp_port),
                    "SMTP_HOST": "127.0.0.1",
                },
                ports={service: resources.port() for service in SERVICES},
                smtp_port=smtp_port,
                web_workers=2,
            )
        )
        sqlite_urls = {service: f"sqlite:///{var_dir / (service + '.db')}" for service in SERVICES}
        result = run_e2e(
            "embedded", embedded, sqlite_urls, sink, run, args.rate, args.duration, args.warmup, 30
        )
        record_e2e(out, "embedded_e2e", result)
    out["rate_per_s"], out["duration_s"] = args.rate, args.duration
    out["backlog"], out["consume_events"] = args.backlog, args.consume
    out["consume_real_events"] = args.consume_real
    print_table(out, args)


if __name__ == "__main__":
    exit_with(main)
