"""Processing in sets: what the way in asks of the core for a batch of deliveries, and how an item opts out.

``DeliveryProcessor`` claims a set of due deliveries (all of each claimed person's, oldest first), and
hands them to a ``BatchHandler`` (``app.inbound.route``) in one transaction. The handler answers each in order with an
``Outcome``, or ``None`` for one it leaves to the one-at-a-time path (a command, media, an urgent
message, a case a human owns...). It raises ``ItemFailed`` when one message broke while it was being
handled: the processor then rolls the whole set back, records that one as failed and runs the set
again without it, so one bad message never fails or drops the others.
"""

from __future__ import annotations


class HandleAlone(Exception):  # noqa: N818 - a signal, not an error
    """Raised inside a batch by a step the batch cannot take in memory (routing, erasure): the message,
    and its sender's later ones, go through the one-at-a-time path instead."""


class ItemFailed(Exception):  # noqa: N818 - carries the index of the item that broke
    """Item ``index`` of the batch broke; the batch's writes are not to be committed."""

    def __init__(self, index: int, cause: BaseException) -> None:
        super().__init__(f"batch item {index}: {type(cause).__name__}")
        self.index = index
        self.cause = cause

    @property
    def alone(self) -> bool:
        """True when the item asked for the one-at-a-time path rather than broke."""
        return isinstance(self.cause, HandleAlone)
