"""Users, profiles, invitations, sessions and sign-in."""
