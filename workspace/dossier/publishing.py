"""Publishing the dossier: a frozen version, refused while the personal-data guard has something to ask."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.models import User
from workspace.core import audit
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.cycles.access import CycleAccess, require
from workspace.cycles.models import Phase
from workspace.dossier.guard import flagged_reasons, privacy_flags
from workspace.dossier.models import DossierVersion
from workspace.dossier.services import build_content, in_the_dossier, may_consolidate

MAX_NOTE = 2_000


async def publish(session: AsyncSession, access: CycleAccess, form: Form, actor: User) -> DossierVersion:
    """Freeze the dossier as a new version. A correction (any version after the first) says what it changed.

    Refused while the personal data guard flags passages nobody confirmed. The first publication moves a
    cycle in consolidation to the published phase.
    """
    require(may_consolidate(access))
    cycle = access.cycle
    note = form.text("note", max_length=MAX_NOTE)
    latest = await session.scalar(select(func.max(DossierVersion.number)).where(DossierVersion.cycle_id == cycle.id))
    if latest and not note:
        form.add_error("note", _("Say what this correction changes: readers of the earlier version need to know."))
    flags = await privacy_flags(session, cycle)
    if flags:
        form.add_error(
            "form",
            _(
                "The dossier cannot be published yet: %(count)s recommendation(s) still hold passages that look "
                "like personal data. Open each one: its authors confirm what is not personal data, and you "
                "can correct the text to remove what is (the correction is recorded and its authors are told).",
                count=len(flags),
            ),
        )
    undecided = [reason for reason in await flagged_reasons(session, cycle) if reason.decision is None]
    if undecided:
        form.add_error(
            "minority-views",
            _(
                "The dossier cannot be published yet: %(count)s minority view(s) hold passages that look like "
                "personal data. Keep each one as written or leave it out of the dossier first.",
                count=len(undecided),
            ),
        )
    if not form.is_valid:
        raise FormError(form)
    content = await build_content(session, access)
    number = (latest or 0) + 1
    content.version = number
    content.published_on = date.today().isoformat()
    version = DossierVersion(
        cycle_id=cycle.id, number=number, published_by_id=actor.id, note=note, content=content.to_dict()
    )
    session.add(version)
    by_id = {entry.id: entry.number for entry in content.entries()}
    for recommendation in await in_the_dossier(session, cycle):
        if str(recommendation.id) in by_id:
            recommendation.reference = by_id[str(recommendation.id)]
    if cycle.phase == Phase.CONSOLIDATION:
        cycle.phase = Phase.PUBLISHED
    audit.record(
        session,
        action="dossier.publish",
        actor_id=actor.id,
        cycle_id=cycle.id,
        target_kind="cycle",
        target_id=cycle.id,
        version=number,
        note=note,
    )
    return version
