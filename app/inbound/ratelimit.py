"""Rate limits on public endpoints: per client IP and per contact, urgent messages exempt.

A flood (a script, a controlling employer hammering the bot, a forged-webhook
storm) must not crowd out the people who need us, but a person in danger who
writes fast must never be told to slow down: when a contact is over its
limit, the message is first checked for urgency and an urgent one goes
through as if nothing was limited. Everyone else gets one calm, localised
``rate_limited`` line per minute and their extra messages are not stored.

Buckets are in memory per instance, or in Redis (one atomic script) when
``REDIS_URL`` is set so that every instance shares them; if Redis fails the
in-memory buckets answer, so a Redis outage never closes the helpline.
Keys are pseudonyms (HMAC with the pepper) or IPs, never phone numbers.

An address that presented a valid Telegram secret or Twilio signature is the
provider's own (a surge of real messages all comes from a few of them) and is
not throttled per address for a while; per-person limits still apply.

``X-Forwarded-For`` is believed only when the peer is one of
``HELPLINE_TRUSTED_PROXIES`` (comma-separated addresses or networks);
otherwise a client could pick its own IP and never be limited.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, Protocol

from pydantic_settings import BaseSettings, SettingsConfigDict

from app.platform.identity import Vault
from bots.messages import InboundMessage

log = logging.getLogger("helpline.ratelimit")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
PROVIDER_TRUST_SECONDS = 600.0  # a provider's address stays trusted this long after its last valid request
MAX_PROVIDER_ADDRESSES = 1_024


class LimitSettings(BaseSettings):
    """``HELPLINE_RATE_*`` and ``HELPLINE_TRUSTED_PROXIES``; kept here so the limiter owns its knobs."""

    model_config = SettingsConfigDict(env_prefix="HELPLINE_", env_file=".env", extra="ignore")

    trusted_proxies: str = ""
    rate_contact_per_minute: float = 30
    rate_contact_burst: float = 15
    rate_ip_per_minute: float = 120  # web chat frames and connections from one address
    rate_ip_burst: float = 60
    rate_webhook_ip_per_minute: float = 12_000  # Telegram and Twilio post from a few addresses
    rate_webhook_ip_burst: float = 2_000

    @cached_property
    def proxies(self) -> tuple[Network, ...]:
        nets = []
        for part in filter(None, (p.strip() for p in self.trusted_proxies.split(","))):
            nets.append(ipaddress.ip_network(part, strict=False))
        return tuple(nets)


@dataclass(frozen=True)
class Rule:
    per_minute: float
    burst: float

    @property
    def rate(self) -> float:
        return self.per_minute / 60.0


class MemoryBuckets:
    """Token buckets in this process, the least recently used forgotten beyond ``max_keys``."""

    def __init__(self, max_keys: int = 100_000, clock: Any = time.monotonic) -> None:
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self.max_keys = max_keys
        self.clock = clock

    async def hit(self, key: str, rule: Rule) -> bool:
        now = self.clock()
        tokens, stamp = self._buckets.pop(key, (rule.burst, now))
        tokens = min(rule.burst, tokens + (now - stamp) * rule.rate)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return allowed


# KEYS[1] bucket; ARGV rate/s, burst, now. Returns 1 when a token was taken.
_LUA = """
local b = redis.call('HMGET', KEYS[1], 't', 's')
local rate, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tokens = tonumber(b[1]) or burst
local stamp = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - stamp) * rate)
local ok = 0
if tokens >= 1 then tokens = tokens - 1; ok = 1 end
redis.call('HSET', KEYS[1], 't', tokens, 's', now)
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 60)
return ok
"""


class RedisBuckets:
    """The same buckets shared by every instance; falls back to memory while Redis is away."""

    def __init__(self, redis: Any, fallback: MemoryBuckets | None = None) -> None:
        self.redis = redis
        self.fallback = fallback or MemoryBuckets()
        self._script = redis.register_script(_LUA)

    async def hit(self, key: str, rule: Rule) -> bool:
        try:
            return bool(await self._script(keys=[f"helpline:rl:{key}"], args=[rule.rate, rule.burst, time.time()]))
        except Exception as exc:  # noqa: BLE001 - a Redis outage must not close the helpline
            log.warning("rate limit store unavailable: %s", type(exc).__name__)
            return await self.fallback.hit(key, rule)


def client_ip(peer: str | None, headers: Mapping[str, str], proxies: tuple[Network, ...]) -> str:
    """The client's address: X-Forwarded-For read right to left, past our own trusted proxies only."""
    chain = [peer or "unknown"]
    forwarded = headers.get("x-forwarded-for")
    if forwarded:
        chain = [p.strip() for p in forwarded.split(",") if p.strip()] + chain
    for hop in reversed(chain):
        if not _trusted(hop, proxies):
            return hop
    return chain[0]


@lru_cache(maxsize=4096)
def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    """Cached: a surge's requests come from the provider's few addresses, and parsing one costs ~40 µs."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


class Urgency(Protocol):
    """What the limiter asks before limiting anyone (the live NLU classifier)."""

    async def apredict(self, text: str) -> Any: ...


class Texts(Protocol):
    """Where the calm ``rate_limited`` line comes from (the bot's script catalogue)."""

    def get(self, key: str, language: str | None, variant: str = "chat") -> str: ...


class Limiter:
    """What the endpoints call; built once with the container.

    Its ``HELPLINE_RATE_*`` knobs are read on first use, not at start-up, as they
    always were (the limiter used to be made by the first request that needed it).
    """

    def __init__(self, buckets: MemoryBuckets | RedisBuckets, vault: Vault, urgency: Urgency, texts: Texts,
                 settings: Callable[[], LimitSettings] = LimitSettings) -> None:  # fmt: skip
        self.buckets = buckets
        self.vault = vault
        self.urgency = urgency
        self.texts = texts
        self._settings = settings
        self.notice = Rule(1, 1)  # one "please slow down" a minute, not one per message
        self._providers: OrderedDict[str, float] = OrderedDict()  # verified provider address -> until

    @cached_property
    def settings(self) -> LimitSettings:
        return self._settings()

    @cached_property
    def contact(self) -> Rule:
        return Rule(self.settings.rate_contact_per_minute, self.settings.rate_contact_burst)

    @cached_property
    def ip(self) -> Rule:
        return Rule(self.settings.rate_ip_per_minute, self.settings.rate_ip_burst)

    @cached_property
    def webhook_ip(self) -> Rule:
        return Rule(self.settings.rate_webhook_ip_per_minute, self.settings.rate_webhook_ip_burst)

    def ip_of(self, peer: str | None, headers: Mapping[str, str]) -> str:
        return client_ip(peer, headers, self.settings.proxies)

    async def allow_ip(self, ip: str, *, webhook: bool = False) -> bool:
        return await self.buckets.hit(f"ip:{'w' if webhook else 'p'}:{ip}", self.webhook_ip if webhook else self.ip)

    def trust_provider(self, ip: str, clock: Callable[[], float] = time.monotonic) -> None:
        """Remember an address that just proved to be the provider (valid secret or signature)."""
        self._providers.pop(ip, None)
        self._providers[ip] = clock() + PROVIDER_TRUST_SECONDS
        while len(self._providers) > MAX_PROVIDER_ADDRESSES:
            self._providers.popitem(last=False)

    def is_provider(self, ip: str, clock: Callable[[], float] = time.monotonic) -> bool:
        """True while the address's last proof is recent: it is not throttled per address then."""
        until = self._providers.get(ip)
        return until is not None and until > clock()

    async def admit(self, inbound: InboundMessage, ip: str | None = None) -> tuple[bool, str | None]:
        """(store it?, calm notice to send or None). Urgency is checked before anyone is limited."""
        contact_key = "c:" + self.vault.pseudonym(inbound.channel, inbound.external_id)
        within = await self.buckets.hit(contact_key, self.contact)
        if ip is not None:
            within = await self.allow_ip(ip) and within
        if within:
            return True, None
        if inbound.text and (await self.urgency.apredict(inbound.text)).urgent:
            log.warning("over the limit but urgent: let through", extra={"channel": inbound.channel})
            return True, None
        log.info("message limited", extra={"channel": inbound.channel})
        if not await self.buckets.hit("n" + contact_key, self.notice):
            return False, None
        variant = "sms" if inbound.channel == "sms" else "chat"
        return False, self.texts.get("rate_limited", inbound.language_hint, variant) or None


def build_limiter(vault: Vault, urgency: Urgency, texts: Texts, redis: Any | None = None) -> Limiter:
    """Shared buckets in Redis when the app has a connection to it, else in this process."""
    return Limiter(RedisBuckets(redis) if redis is not None else MemoryBuckets(), vault, urgency, texts)
