"""Prometheus metrics: counts and latencies only, never labels that identify a person."""

from prometheus_client import Counter, Histogram

INBOUND = Counter("helpline_inbound_messages_total", "Messages received from people", ["channel"])
URGENT = Counter("helpline_urgent_cases_total", "Cases marked urgent", ["channel"])
DUPLICATES = Counter("helpline_duplicate_deliveries_total", "Deliveries received more than once", ["channel"])
WEBHOOK_LATENCY = Histogram("helpline_webhook_seconds", "Webhook handling time", ["channel"])
NLU_LATENCY = Histogram("helpline_nlu_seconds", "Time to classify one message", buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, 1))
