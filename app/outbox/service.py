"""Queueing outbound messages inside the caller's transaction.

A row here is written together with the state change that caused it, so a
reply or an alert is sent if and only if that change was committed.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.platform.identity import Vault
from app.platform.models import OutboxItem
from bots.messages import Button, OutboundMessage


def _aad(item_id: uuid.UUID, part: str) -> str:
    return f"outbox:{item_id}:{part}"


def serialize(message: OutboundMessage) -> str:
    data = asdict(message)
    data.pop("address")
    return json.dumps(data, ensure_ascii=False)


def deserialize(channel: str, address: str, payload: str) -> OutboundMessage:
    data = json.loads(payload)
    data["channel"] = channel
    data["buttons"] = tuple(tuple(Button(**b) for b in row) for row in data.get("buttons", ()))
    data["target_message_ids"] = tuple(data.get("target_message_ids", ()))
    return OutboundMessage(address=address, **data)


def enqueue(
    session: AsyncSession,
    vault: Vault,
    message: OutboundMessage,
    *,
    kind: str = "reply",
    case_id: uuid.UUID | None = None,
    message_id: uuid.UUID | None = None,
    not_before: datetime | None = None,
) -> OutboxItem:
    item_id = uuid.uuid4()
    item = OutboxItem(
        id=item_id,
        channel=message.channel,
        kind=kind,
        address_key=vault.pseudonym(message.channel, message.address),
        address_enc=vault.encrypt(message.address, _aad(item_id, "address")),
        payload_enc=vault.encrypt(serialize(message), _aad(item_id, "payload")),
        case_id=case_id,
        message_id=message_id,
    )
    if not_before is not None:
        item.next_attempt_at = not_before
    session.add(item)
    return item


def open_item(vault: Vault, item: OutboxItem) -> OutboundMessage:
    address = vault.decrypt(item.address_enc, _aad(item.id, "address"))
    payload = vault.decrypt(item.payload_enc, _aad(item.id, "payload"))
    return deserialize(item.channel, address, payload)
