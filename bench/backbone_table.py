"""The backbone's figures as a table, each beside its baseline and its goal (the JSON line that
follows carries the same figures)."""

from __future__ import annotations

import argparse
from typing import Any

from backbone_e2e import HOPS
from harness import verdict


def fmt(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def print_table(out: dict[str, Any], args: argparse.Namespace) -> None:
    def line(name: str, value: str, note: str = "") -> None:
        print(f"  {name:<48} {value:>14}   {note}".rstrip())

    def hops(prefix: str) -> None:
        measured = out.get(f"{prefix}_hops_ms", {})
        for name, what in HOPS:
            p50, p99 = measured.get(name, (None, None))
            line(f"  {name}", f"p50 {fmt(p50, 1)} ms", f"p99 {fmt(p99, 1)} ms  {what}")
        cpu = out.get(f"{prefix}_cpu_ms_per_application", {})
        if cpu:
            top = sorted(cpu.items(), key=lambda item: -item[1])
            print(
                f"    CPU ms per application: {sum(cpu.values()):.0f} in all; "
                + ", ".join(f"{name} {ms:g}" for name, ms in top[:6])
            )
        if out.get(f"{prefix}_post_errors"):
            print(
                f"    !! {out[f'{prefix}_post_errors']} POSTs failed: "
                f"{out.get(f'{prefix}_post_error', '')[:100]}"
            )
        for name, crash in out.get(f"{prefix}_crashed", {}).items():
            print(
                f"    !! {name} died {crash['count']}x during the run (restarted): "
                f"{crash['last'][:100]}"
            )

    relay_ok = out["relay_vs_raw_confirm"] >= 3
    consumer_ok = out["consumer_per_s"] >= 500
    print()
    print("publishing  (persistent application.submitted, routed to the vetting inbox)")
    line(
        f"raw kombu, confirm_publish=True ({args.confirm_messages})",
        f"{fmt(out['raw_confirm_per_s'])} /s",
        "one confirm wait per message",
    )
    line(
        f"raw windowed confirms, window {args.window} ({args.backlog})",
        f"{fmt(out['raw_windowed_per_s'])} /s",
        "confirm_select + basic_ack",
    )
    line(
        f"our OutboxRelay.publish_once, backlog {args.backlog}",
        f"{fmt(out['relay_per_s'])} /s",
        f"{out['relay_vs_raw_confirm']:.2f}x raw confirm, "
        f"{out['relay_vs_raw_windowed']:.2f}x windowed  [goal >= 3x: {verdict(relay_ok)}]",
    )
    print(f"consuming  (vetting inbox, {args.consume} events each, prefetch 50)")
    line("raw kombu Consumer, manual ack", f"{fmt(out['raw_consume_per_s'])} /s")
    line(
        "our EventConsumer, trivial handler",
        f"{fmt(out['consumer_per_s'])} /s",
        f"{out['consumer_vs_raw_consume']:.2f}x raw  [goal >= 500/s: {verdict(consumer_ok)}]",
    )
    line(
        f"our EventConsumer, vetting's open_case ({args.consume_real})",
        f"{fmt(out['consumer_open_case_per_s'])} /s",
        "real handler: + a case row and an outbox row per event",
    )
    print(
        f"end to end  (POST returned -> SMTP DATA; {args.rate:g}/s for {args.duration:g}s; "
        "applications -> vetting -> notifications)"
    )
    line(
        "bare broker hop, confirmed publish -> delivery",
        f"p50 {fmt(out['raw_hop_p50_ms'], 2)} ms",
        f"p99 {fmt(out['raw_hop_p99_ms'], 2)} ms",
    )
    p50, p99 = out["e2e_p50_ms"], out["e2e_p99_ms"]
    ok = p50 is not None and p50 <= 50 and p99 <= 300 and out["e2e_received"] == out["e2e_sent"]
    line(
        f"PostgreSQL + RabbitMQ ({out['e2e_received']}/{out['e2e_sent']} delivered)",
        f"p50 {fmt(p50, 1)} ms",
        f"p99 {fmt(p99, 1)} ms  [goal p50 <= 50, p99 <= 300: {verdict(ok)}]",
    )
    hops("e2e")
    if "embedded_e2e_p50_ms" in out:
        p50, p99 = out["embedded_e2e_p50_ms"], out["embedded_e2e_p99_ms"]
        ok = (
            p50 is not None
            and p50 <= 300
            and (out["embedded_e2e_received"] == out["embedded_e2e_sent"])
        )
        line(
            f"embedded: SQLite + filesystem "
            f"({out['embedded_e2e_received']}/{out['embedded_e2e_sent']} delivered)",
            f"p50 {fmt(p50, 1)} ms",
            f"p99 {fmt(p99, 1)} ms  [goal p50 <= 300: {verdict(ok)}]",
        )
        hops("embedded_e2e")
    print(flush=True)
