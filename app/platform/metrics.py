"""Prometheus metrics: counts and latencies only, never labels that identify a person."""

from prometheus_client import Counter, Histogram

INBOUND = Counter("helpline_inbound_messages_total", "Messages received from people", ["channel"])
URGENT = Counter("helpline_urgent_cases_total", "Cases marked urgent", ["channel"])
DUPLICATES = Counter("helpline_duplicate_deliveries_total", "Deliveries received more than once", ["channel"])
WEBHOOK_LATENCY = Histogram("helpline_webhook_seconds", "Webhook handling time", ["channel"])
