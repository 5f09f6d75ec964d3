"""Sign-in throttling that slows guessing down without ever locking the rightful person out.

Two counters, each kept under a keyed hash (never an address or a typed login):

* per client address: 5 free failures, then a block that doubles with every
  further failure (2 s, 4 s ... at most 15 minutes) for that address only;
* per account: 10 free failures, then a delay that doubles (at most 5 minutes)
  for browsers that never signed in to that account. A browser that did
  carries a signed "known browser" cookie and is not slowed by the account's
  counter, so a crowd of addresses guessing at one login cannot shut out its
  owner; a person on a new browser waits minutes at worst, never a lock.

A refused-while-blocked try is not checked and not counted, so an attacker
cannot push the account counter from an address that is already blocked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.platform.audit import audit
from app.platform.identity import Vault
from app.platform.models import SignInThrottle

ADDRESS_FREE = 5
ADDRESS_MAX = timedelta(minutes=15)
ACCOUNT_FREE = 10
ACCOUNT_MAX = timedelta(minutes=5)
# Counters forget a quiet address or account after a day.
FORGET_AFTER = timedelta(hours=24)


def login_pseudonym(vault: Vault, login: str) -> str:
    """What the audit log and the counters hold instead of the text typed in the login field."""
    return "login:" + vault.fingerprint("signin-login:" + login.strip().lower())[:24]


def address_key(vault: Vault, address: str) -> str:
    return "addr:" + vault.fingerprint("signin-addr:" + address)[:40]


def account_key(vault: Vault, login: str) -> str:
    return "acct:" + vault.fingerprint("signin-login:" + login.strip().lower())[:40]


@dataclass
class Verdict:
    """Whether a try may be checked now; when not, how many seconds until it may."""

    allowed: bool
    retry_after: int = 0


def _delay(failures: int, free: int, cap: timedelta) -> timedelta | None:
    over = failures - free
    if over < 0:
        return None
    return min(timedelta(seconds=2 ** min(over + 1, 20)), cap)


async def _row(session: AsyncSession, key: str, now: datetime) -> SignInThrottle | None:
    row = await session.get(SignInThrottle, key)
    return None if row is None or now - row.last_failure_at > FORGET_AFTER else row


async def check(session: AsyncSession, vault: Vault, address: str, login: str, now: datetime, *,
                known_browser: bool) -> Verdict:  # fmt: skip
    """May this address try this login now?"""
    keys = [address_key(vault, address)] + ([] if known_browser else [account_key(vault, login)])
    waits = []
    for key in keys:
        row = await _row(session, key, now)
        if row is not None and row.blocked_until is not None and row.blocked_until > now:
            waits.append(int((row.blocked_until - now).total_seconds()) + 1)
    return Verdict(True) if not waits else Verdict(False, max(waits))


async def _bump(session: AsyncSession, key: str, now: datetime) -> SignInThrottle:
    """One more failure on ``key``, as a single upsert: concurrent tries neither lose a count nor collide."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stale = SignInThrottle.last_failure_at < now - FORGET_AFTER
    statement = insert(SignInThrottle).values(key=key, failures=1, last_failure_at=now).on_conflict_do_update(
        index_elements=["key"],
        set_={"failures": case((stale, 1), else_=SignInThrottle.failures + 1), "last_failure_at": now,
              "blocked_until": case((stale, None), else_=SignInThrottle.blocked_until)})  # fmt: skip
    await session.execute(statement)
    row = await session.get(SignInThrottle, key, populate_existing=True)
    assert row is not None
    return row


async def failed(session: AsyncSession, vault: Vault, address: str, login: str, now: datetime) -> None:
    """Count one checked failure against the address and the account; start or lengthen their delays."""
    for key, free, cap in ((address_key(vault, address), ADDRESS_FREE, ADDRESS_MAX),
                           (account_key(vault, login), ACCOUNT_FREE, ACCOUNT_MAX)):  # fmt: skip
        row = await _bump(session, key, now)
        delay = _delay(row.failures, free, cap)
        if delay is not None:
            row.blocked_until = now + delay
            if row.failures == free:
                audit(session, login_pseudonym(vault, login), "auth.throttle.started", key.split(":")[0],
                      seconds=int(delay.total_seconds()))  # fmt: skip
    await session.flush()


async def succeeded(session: AsyncSession, vault: Vault, address: str, login: str) -> None:
    """The right person got in: their address and account start afresh."""
    await clear(session, vault, login, address)


async def clear(session: AsyncSession, vault: Vault, login: str, address: str | None = None) -> int:
    """Forget an account's failures (and an address's): the admin's unlock, the CLI's reset."""
    keys = [account_key(vault, login)] + ([address_key(vault, address)] if address else [])
    result = await session.execute(delete(SignInThrottle).where(SignInThrottle.key.in_(keys)))
    return int(getattr(result, "rowcount", 0) or 0)


async def account_state(session: AsyncSession, vault: Vault, logins: list[str], now: datetime) -> dict[str, tuple[int, bool]]:
    """For the accounts page: per login, recent failures and whether new browsers are being slowed now."""
    keys = {account_key(vault, login): login for login in logins}
    rows = (await session.scalars(select(SignInThrottle).where(SignInThrottle.key.in_(list(keys))))).all()
    return {
        keys[r.key]: (r.failures, bool(r.blocked_until and r.blocked_until > now))
        for r in rows
        if now - r.last_failure_at <= FORGET_AFTER
    }


async def forget_old(session: AsyncSession, now: datetime) -> int:
    """Retention: counters of quiet addresses and accounts are deleted."""
    result = await session.execute(delete(SignInThrottle).where(SignInThrottle.last_failure_at < now - FORGET_AFTER))
    return int(getattr(result, "rowcount", 0) or 0)
