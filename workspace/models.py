"""Every model, imported once so the metadata is complete (Alembic and create_all read it)."""

from workspace.accounts.models import OidcIdentity, PasswordReset, StoredSession, User
from workspace.core.jobs.models import BackgroundJob
from workspace.core.models import AuditEntry, Base, FormSubmission
from workspace.cycles.models import Axis, Cycle, Invitation, Meeting, Membership, WorkingGroup
from workspace.discussion.models import (
    Comment,
    CommentEdit,
    Follow,
    MeetingRecommendation,
    Notification,
    NotificationPreference,
    Report,
)
from workspace.dossier.models import AuthorityAnswer, Dossier, DossierExport, DossierVersion
from workspace.recommendations.models import (
    Amendment,
    CoAuthor,
    GlossaryTerm,
    Recommendation,
    RecommendationTag,
    Revision,
    SourceDocument,
    Translation,
)
from workspace.voting.models import Ballot

metadata = Base.metadata

__all__ = [
    "Amendment",
    "AuditEntry",
    "AuthorityAnswer",
    "Axis",
    "BackgroundJob",
    "Ballot",
    "CoAuthor",
    "Comment",
    "CommentEdit",
    "Cycle",
    "Dossier",
    "DossierExport",
    "DossierVersion",
    "Follow",
    "FormSubmission",
    "GlossaryTerm",
    "Invitation",
    "Meeting",
    "MeetingRecommendation",
    "Membership",
    "Notification",
    "NotificationPreference",
    "OidcIdentity",
    "PasswordReset",
    "Recommendation",
    "RecommendationTag",
    "Report",
    "Revision",
    "SourceDocument",
    "StoredSession",
    "Translation",
    "User",
    "WorkingGroup",
    "metadata",
]
