"""Prometheus metrics, one registry per app so tests and replicas never share counters."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates_received = Counter(
            "qunbot_updates_received", "Updates accepted by a webhook", ["platform"], registry=r
        )
        self.updates_rejected = Counter(
            "qunbot_updates_rejected",
            "Webhook requests refused",
            ["platform", "reason"],
            registry=r,
        )
        self.updates_processed = Counter(
            "qunbot_updates_processed", "Inbox rows finished", ["result"], registry=r
        )
        self.handler_errors = Counter(
            "qunbot_handler_errors", "Handlers that raised", ["handler"], registry=r
        )
        self.outbox_depth = Gauge(
            "qunbot_outbox_queue_depth", "Outbox actions not yet done or failed", registry=r
        )
        self.inbox_depth = Gauge(
            "qunbot_inbox_queue_depth", "Inbox updates not yet processed", registry=r
        )
        self.actions_sent = Counter(
            "qunbot_actions_sent", "Outbox actions finished", ["kind", "result"], registry=r
        )
        self.send_latency = Histogram(
            "qunbot_send_latency_seconds",
            "Platform API call latency",
            ["method"],
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=r,
        )
        self.rows_pruned = Counter(
            "qunbot_rows_pruned", "Expired rows deleted, by table", ["table"], registry=r
        )
        self.rate_limited = Counter(
            "qunbot_platform_429", "429 Too Many Requests answers from a platform", registry=r
        )
