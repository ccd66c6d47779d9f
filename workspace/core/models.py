"""The declarative base every model uses, and the audit log every domain writes to."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any
from uuid import UUID

from advanced_alchemy.base import DefaultBase, UUIDv7AuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

Base = UUIDv7AuditBase
KeyedBase = DefaultBase


def enum_column(enum_class: type[enum.Enum], *, length: int = 32, **kwargs: Any) -> Any:
    """A portable enum column: stored as its value in a VARCHAR, no database enum type to migrate."""
    return mapped_column(
        Enum(
            enum_class,
            native_enum=False,
            create_constraint=False,
            length=length,
            values_callable=lambda members: [member.value for member in members],
        ),
        **kwargs,
    )


class AuditEntry(Base):
    """One act worth remembering: a phase change, a moderation, a facilitator's correction."""

    __tablename__ = "audit_entry"

    actor_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    cycle_id: Mapped[UUID | None] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_kind: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class FormSubmission(KeyedBase):
    """A form that was sent: the one-time token it carried (hashed) and where what it made can be seen.

    A person whose answer was lost (a dropped connection, a killed process) sends the same form again;
    its token is found here and they are sent to what the first sending made, instead of making it twice."""

    __tablename__ = "form_submission"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    location: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
