"""People and how they get in: users with their profile, invitations, password resets, sessions."""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workspace.core import labels
from workspace.core.i18n import lazy_gettext as _
from workspace.core.models import Base, KeyedBase, enum_column


class Side(enum.StrEnum):
    """Side of the border."""

    FRANCE = "fr"
    WALLONIA = "wal"
    FLANDERS = "vl"


class Territory(enum.StrEnum):
    """The programme area, plus elsewhere."""

    NORD = "nord"
    PAS_DE_CALAIS = "pas_de_calais"
    AISNE = "aisne"
    ARDENNES = "ardennes"
    OISE = "oise"
    SOMME = "somme"
    MARNE = "marne"
    HAINAUT = "hainaut"
    NAMUR = "namur"
    LUXEMBOURG = "luxembourg"
    WEST_VLAANDEREN = "west_vlaanderen"
    GENT = "gent"
    OUDENAARDE = "oudenaarde"
    ELSEWHERE = "elsewhere"

    @property
    def side(self) -> Side | None:
        return TERRITORY_SIDES.get(self)


TERRITORY_SIDES: dict[Territory, Side] = {
    **dict.fromkeys(
        (
            Territory.NORD,
            Territory.PAS_DE_CALAIS,
            Territory.AISNE,
            Territory.ARDENNES,
            Territory.OISE,
            Territory.SOMME,
            Territory.MARNE,
        ),
        Side.FRANCE,
    ),
    **dict.fromkeys((Territory.HAINAUT, Territory.NAMUR, Territory.LUXEMBOURG), Side.WALLONIA),
    **dict.fromkeys((Territory.WEST_VLAANDEREN, Territory.GENT, Territory.OUDENAARDE), Side.FLANDERS),
}


class ActorKind(enum.StrEnum):
    SOCIAL_WORKER = "social_worker"
    SPECIALIST = "specialist"
    TRAINER = "trainer"
    AUTHORITY = "authority"
    ASSOCIATION = "association"


class Language(enum.StrEnum):
    FRENCH = "fr"
    DUTCH = "nl"
    ENGLISH = "en"


class User(Base):
    """A person with an account and the profile the network knows them by."""

    __tablename__ = "user_account"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(120))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    territory: Mapped[Territory] = enum_column(Territory, default=Territory.ELSEWHERE)
    side: Mapped[Side | None] = enum_column(Side, nullable=True)
    actor_kind: Mapped[ActorKind] = enum_column(ActorKind, default=ActorKind.SOCIAL_WORKER)
    language: Mapped[Language] = enum_column(Language, default=Language.FRENCH)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Sessions carry the epoch they were opened in; raising it signs the person out everywhere."""
    deleted_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    """Set when the person deleted their account: the row stays as a pseudonym for their contributions."""


class MembershipRole(enum.StrEnum):
    MEMBER = "member"
    FACILITATOR = "facilitator"
    AUTHORITY = "authority"


class PasswordReset(Base):
    __tablename__ = "password_reset"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class StoredSession(KeyedBase):
    """Server-side session data, keyed by the random id in the session cookie."""

    __tablename__ = "stored_session"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), index=True)


class OidcIdentity(Base):
    """The link between an account and the subject an OpenID Connect provider knows it by."""

    __tablename__ = "oidc_identity"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    provider: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)


labels.register(Side, {Side.FRANCE: _("France"), Side.WALLONIA: _("Wallonia"), Side.FLANDERS: _("Flanders")})
labels.register(
    Territory,
    {
        Territory.NORD: "Nord",
        Territory.PAS_DE_CALAIS: "Pas-de-Calais",
        Territory.AISNE: "Aisne",
        Territory.ARDENNES: "Ardennes",
        Territory.OISE: "Oise",
        Territory.SOMME: "Somme",
        Territory.MARNE: "Marne",
        Territory.HAINAUT: "Hainaut",
        Territory.NAMUR: "Namur",
        Territory.LUXEMBOURG: "Luxembourg",
        Territory.WEST_VLAANDEREN: "West-Vlaanderen",
        Territory.GENT: _("Oost-Vlaanderen (Gent)"),
        Territory.OUDENAARDE: _("Oost-Vlaanderen (Oudenaarde)"),
        Territory.ELSEWHERE: _("Elsewhere"),
    },
)
labels.register(
    ActorKind,
    {
        ActorKind.SOCIAL_WORKER: _("Social worker"),
        ActorKind.SPECIALIST: _("Specialist of the theme"),
        ActorKind.TRAINER: _("School or trainer"),
        ActorKind.AUTHORITY: _("Authority"),
        ActorKind.ASSOCIATION: _("Association or resident"),
    },
    name="actor",
)
labels.register(
    MembershipRole,
    {
        MembershipRole.MEMBER: _("Member"),
        MembershipRole.FACILITATOR: _("Facilitator"),
        MembershipRole.AUTHORITY: _("Authority reviewer"),
    },
    name="role",
)
