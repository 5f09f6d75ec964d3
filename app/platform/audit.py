"""The audit trail: who did what to which case, script or account, never a message body."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.platform.models import AuditEntry


def audit(session: AsyncSession, actor: str, action: str, target: str | None = None, **details: object) -> None:
    """Record one action in the caller's transaction (it is kept only if that commits)."""
    session.add(AuditEntry(actor=actor, action=action, target=target, details=details))
