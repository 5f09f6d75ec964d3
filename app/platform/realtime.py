"""Scale-out of real-time traffic over Redis pub/sub: console events and web-chat frames.

Why Redis and not PostgreSQL LISTEN/NOTIFY: NOTIFY needs a dedicated asyncpg
connection per instance outside SQLAlchemy's pool, its payload is capped at
8 KB, and a NOTIFY inside a busy database competes with the transactions it
reports on, and LISTEN dies with the database (exactly when the fault tests
restart it). Redis is already in the deployment for the shared rate limits;
both are well under a millisecond here (docs/reliability.md). Without ``REDIS_URL``
(SQLite, one process) nothing here runs and the in-process bus is used.

Events: every instance publishes what it produced to one channel with its own
instance id; each listener delivers to its local consoles everything except
its own echo, so a console on the producing instance sees an event once.

Web chat: the socket lives on one instance, the outbox worker that sends a
frame may run on another. Each instance records in Redis which sessions it
holds (``where:<session>``, refreshed while connected); a frame for a session
held elsewhere is published to that instance's channel, and a frame for a
session nobody holds waits in a short Redis list until the page reconnects
anywhere. Nothing here stores message content longer than that buffer's TTL.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import uuid
from typing import Any

from redis import asyncio as aioredis

from app.platform.events import Event, EventBus
from bots.messages import Channel, OutboundMessage, SendError, SendResult
from bots.webchat import SendFunction, WebChatHub, render_frame

log = logging.getLogger("helpline.realtime")
EVENTS_CHANNEL = "helpline:events"
PRESENCE_TTL = 120  # seconds; refreshed every PRESENCE_TTL / 3 while a page is connected


def _chat_channel(instance: str) -> str:
    return f"helpline:webchat:{instance}"


class ClusterWebChat:
    """The ``webchat`` sender when several instances run: local sockets first, else the holder, else a buffer.

    Offers the hub's interface (connect, disconnect, forget, send, close) so the
    socket endpoint and the outbox worker do not know which one they have.
    """

    channel: Channel = "webchat"

    def __init__(self, hub: WebChatHub, redis: aioredis.Redis, instance: str) -> None:
        self.hub = hub
        self.redis = redis
        self.instance = instance
        self._ids = itertools.count(1)
        self._background: set[asyncio.Task[Any]] = set()

    def _spawn(self, coro: Any) -> None:
        """Fire-and-forget Redis housekeeping from sync callers; cancelled on close."""
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        task.add_done_callback(lambda t: t.exception() if not t.cancelled() else None)

    def is_connected(self, session_id: str) -> bool:
        return self.hub.is_connected(session_id)

    async def connect(self, session_id: str, send: SendFunction) -> None:
        await self.hub.connect(session_id, send)
        try:
            await self.redis.set(f"helpline:where:{session_id}", self.instance, ex=PRESENCE_TTL)
            await self._flush_shared_buffer(session_id)
        except aioredis.RedisError as exc:  # Redis away: the page still talks to this instance
            log.warning("web chat presence not shared: %s", type(exc).__name__)

    async def _flush_shared_buffer(self, session_id: str) -> None:
        key = f"helpline:chatbuf:{session_id}"
        async with self.redis.pipeline(transaction=True) as pipe:
            frames, _ = await pipe.lrange(key, 0, -1).delete(key).execute()  # type: ignore[attr-defined]
        texts = [f.decode() if isinstance(f, bytes) else f for f in frames]
        for n, frame in enumerate(texts):  # taken out first: a page that drops mid-flush re-buffers the rest
            if not await self.deliver(session_id, frame):  # deliver() buffered this one again
                for later in texts[n + 1:]:
                    await self._buffer(session_id, later)
                return

    def disconnect(self, session_id: str, send: SendFunction) -> None:
        self.hub.disconnect(session_id, send)
        if not self.hub.is_connected(session_id):
            self._spawn(self._release(session_id))

    async def _release(self, session_id: str) -> None:
        key = f"helpline:where:{session_id}"
        with contextlib.suppress(Exception):
            if (await self.redis.get(key)) in (self.instance, self.instance.encode()):
                await self.redis.delete(key)

    def forget(self, session_id: str) -> None:
        self.hub.forget(session_id)
        self._spawn(self.redis.delete(f"helpline:chatbuf:{session_id}"))

    async def deliver(self, session_id: str, frame: str) -> bool:
        """Push a rendered frame to this instance's sockets of the session; buffer it in Redis when none took it."""
        delivered = False
        for send in list(self.hub._connections.get(session_id, ())):
            if await self.hub._push(send, frame):
                delivered = True
            else:
                self.hub.disconnect(session_id, send)
        if not delivered:
            await self._buffer(session_id, frame)
        return delivered

    async def _buffer(self, session_id: str, frame: str) -> None:
        key = f"helpline:chatbuf:{session_id}"
        if await self.redis.llen(key) >= self.hub.buffer_size:
            raise SendError("webchat: page not connected and its buffer is full", retryable=True)
        await self.redis.rpush(key, frame)
        await self.redis.expire(key, int(self.hub.buffer_ttl))

    async def send(self, message: OutboundMessage) -> SendResult:
        # Ids carry the instance so two instances never hand a page the same id (edits target them).
        message_id = f"w{self.instance[:6]}{next(self._ids)}" if message.action == "send" else None
        frame = render_frame(message, message_id)
        session_id = message.address
        try:
            if self.hub.is_connected(session_id):
                await self.deliver(session_id, frame)
            else:
                holder = await self.redis.get(f"helpline:where:{session_id}")
                holder = holder.decode() if isinstance(holder, bytes) else holder
                payload = json.dumps({"session": session_id, "frame": frame})
                if not holder or holder == self.instance or not await self.redis.publish(_chat_channel(holder), payload):
                    await self._buffer(session_id, frame)
        except aioredis.RedisError as exc:
            raise SendError(f"webchat: redis unavailable ({type(exc).__name__})", retryable=True) from exc
        if message.action == "delete":
            return SendResult()
        return SendResult(external_message_id=message_id or (message.target_message_ids or (None,))[0])

    async def refresh_presence(self) -> None:
        for session_id in list(self.hub._connections):
            await self.redis.set(f"helpline:where:{session_id}", self.instance, ex=PRESENCE_TTL)

    async def close(self) -> None:
        for task in list(self._background):
            task.cancel()
        await self.hub.close()


class RedisBridge:
    """One per instance: forwards local events out, remote events and chat frames in."""

    def __init__(self, url: str, bus: EventBus, hub: WebChatHub) -> None:
        self.instance = uuid.uuid4().hex
        self.redis: aioredis.Redis = aioredis.from_url(url, socket_connect_timeout=2, health_check_interval=15)
        self.bus = bus
        self.webchat = ClusterWebChat(hub, self.redis, self.instance)
        self._outgoing: asyncio.Queue[Event] = asyncio.Queue(10_000)
        self._tasks: list[asyncio.Task[None]] = []
        self._subscribed = asyncio.Event()
        self.received = 0
        self.problem = ""  # why Redis is not carrying events now ("" while it is); /readyz shows it

    @property
    def connected(self) -> bool:
        return self._subscribed.is_set()

    async def start(self) -> None:
        """Subscribe before returning, so no event published after start-up is missed.

        Redis down is not a reason to stay closed: the instance starts local-only (its own consoles and
        pages still work, rate limits fall back to memory), says so on /readyz, and the listener keeps
        retrying every second, so fan-out resumes by itself when Redis returns.
        """
        self.bus.remote = self._enqueue
        self._tasks = [asyncio.create_task(self._listen(), name="realtime-listen"),
                       asyncio.create_task(self._forward(), name="realtime-forward"),
                       asyncio.create_task(self._presence(), name="realtime-presence")]  # fmt: skip
        try:
            await asyncio.wait_for(self._subscribed.wait(), timeout=5)
        except TimeoutError:
            log.warning("Redis unreachable at start: running local-only until it answers (%s)", self.problem)

    def _enqueue(self, event: Event) -> None:
        try:
            self._outgoing.put_nowait(event)
        except asyncio.QueueFull:
            log.warning("redis bridge backlog full: event kept local", extra={"event": event.name})

    async def _forward(self) -> None:
        while True:
            event = await self._outgoing.get()
            if not self._subscribed.is_set():
                continue  # local-only while Redis is away; other consoles reload their queue anyway
            payload = json.dumps({"origin": self.instance, "name": event.name, "data": event.data}, default=str)
            try:
                await self.redis.publish(EVENTS_CHANNEL, payload)
            except aioredis.RedisError as exc:  # consoles elsewhere miss it; their queue reload covers that
                log.warning("event not forwarded: %s", type(exc).__name__)
                await asyncio.sleep(0.5)

    async def _listen(self) -> None:
        while True:
            pubsub = self.redis.pubsub()
            try:
                await pubsub.subscribe(EVENTS_CHANNEL, _chat_channel(self.instance))
                async for message in pubsub.listen():
                    if message.get("type") == "subscribe" and message.get("data") == 2:
                        self._subscribed.set()  # Redis confirmed both channels
                        self.problem = ""
                    elif message.get("type") == "message":
                        await self._handle(message["channel"], message["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - Redis restarted or not up yet: resubscribe
                if self._subscribed.is_set() or not self.problem:
                    log.warning("redis subscription lost: %s", type(exc).__name__)
                self._subscribed.clear()
                self.problem = type(exc).__name__
                await asyncio.sleep(1)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    async def _handle(self, channel: Any, data: Any) -> None:
        channel = channel.decode() if isinstance(channel, bytes) else channel
        try:
            body = json.loads(data)
        except ValueError:
            return
        if channel == EVENTS_CHANNEL:
            if body.get("origin") == self.instance:
                return  # our own echo: local consoles already have it
            self.received += 1
            self.bus.deliver_local(Event(str(body.get("name", "")), dict(body.get("data") or {})))
        else:
            with contextlib.suppress(SendError, aioredis.RedisError):
                await self.webchat.deliver(str(body["session"]), str(body["frame"]))

    async def _presence(self) -> None:
        while True:
            await asyncio.sleep(PRESENCE_TTL / 3)
            with contextlib.suppress(aioredis.RedisError):
                await self.webchat.refresh_presence()

    async def close(self) -> None:
        self.bus.remote = None
        if self._background_pending():
            await asyncio.wait(self.webchat._background, timeout=1)
        for task in [*self._tasks, *self.webchat._background]:
            task.cancel()
        for task in [*self._tasks]:
            with contextlib.suppress(BaseException):
                await task
        with contextlib.suppress(Exception):
            await self.redis.aclose()


    def _background_pending(self) -> bool:
        return bool(self.webchat._background)


async def start_bridge(url: str, bus: EventBus, hub: WebChatHub) -> RedisBridge:
    bridge = RedisBridge(url, bus, hub)
    await bridge.start()
    return bridge
