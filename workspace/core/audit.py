"""Record an act in the audit log, inside the caller's transaction."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from workspace.core.models import AuditEntry


def record(
    session: AsyncSession,
    *,
    action: str,
    actor_id: UUID | None,
    cycle_id: UUID | None = None,
    target_kind: str | None = None,
    target_id: UUID | str | None = None,
    **details: Any,
) -> AuditEntry:
    entry = AuditEntry(
        action=action,
        actor_id=actor_id,
        cycle_id=cycle_id,
        target_kind=target_kind,
        target_id=str(target_id) if target_id is not None else None,
        details=details,
    )
    session.add(entry)
    return entry
