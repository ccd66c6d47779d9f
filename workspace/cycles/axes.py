"""Work axes after the cycle is made: a facilitator adds an axis or renames one (its names and
descriptions in the three languages), until the dossier is published; each act is in the audit log.

An axis's code (F, P, G…) is fixed once made: recommendations' references (P3) and addresses use it."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.models import User
from workspace.core import audit
from workspace.core.forms import MAX_TEXT, Form, FormError
from workspace.core.i18n import gettext as _
from workspace.cycles.access import CycleAccess, require
from workspace.cycles.models import Axis

MAX_NAME = 120
_CODE = re.compile(r"[A-Z]{1,4}")


def may_change(access: CycleAccess) -> bool:
    """Facilitators shape the axes until the dossier is published; after that the published dossier and
    its answers name them as they were."""
    return access.is_facilitator and not access.cycle.phase.is_public


WORDS = ("name_fr", "name_nl", "name_en", "description_fr", "description_nl", "description_en")


def _read_words(form: Form) -> dict[str, str]:
    return {
        "name_fr": form.text("name_fr", required=True, max_length=MAX_NAME),
        "name_nl": form.text("name_nl", required=True, max_length=MAX_NAME),
        "name_en": form.text("name_en", max_length=MAX_NAME),
        "description_fr": form.text("description_fr", max_length=MAX_TEXT),
        "description_nl": form.text("description_nl", max_length=MAX_TEXT),
        "description_en": form.text("description_en", max_length=MAX_TEXT),
    }


async def add_axis(session: AsyncSession, access: CycleAccess, form: Form, actor: User) -> Axis:
    require(may_change(access))
    code = form.text("code", required=True, max_length=8).upper()
    if code and not _CODE.fullmatch(code):
        form.add_error("code", _("A code is one to four letters, for example M for a fourth axis."))
    elif code and any(axis.code.upper() == code for axis in access.cycle.axes):
        form.add_error("code", _("Another axis of this cycle has this code."))
    words = _read_words(form)
    if not form.is_valid:
        raise FormError(form)
    last = await session.scalar(select(func.max(Axis.position)).where(Axis.cycle_id == access.cycle.id))
    axis = Axis(cycle_id=access.cycle.id, code=code, position=(last if last is not None else -1) + 1, **words)
    session.add(axis)
    await session.flush()
    audit.record(
        session,
        action="axis.create",
        actor_id=actor.id,
        cycle_id=access.cycle.id,
        target_kind="axis",
        target_id=axis.id,
        title=axis.name_fr,
        code=axis.code,
    )
    return axis


async def rename_axis(session: AsyncSession, access: CycleAccess, axis: Axis, form: Form, actor: User) -> Axis:
    require(may_change(access))
    form.values.setdefault("code", axis.code)
    words = _read_words(form)
    if not form.is_valid:
        raise FormError(form)
    previous = axis.name_fr
    for name, value in words.items():
        setattr(axis, name, value)
    audit.record(
        session,
        action="axis.rename",
        actor_id=actor.id,
        cycle_id=access.cycle.id,
        target_kind="axis",
        target_id=axis.id,
        title=axis.name_fr,
        code=axis.code,
        previous_name=previous if previous != axis.name_fr else "",
    )
    return axis
