"""The way out: outbound messages queued in the deciding transaction, sent by the worker after commit."""
