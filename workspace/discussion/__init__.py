"""Comments, reports, moderation and notifications."""
