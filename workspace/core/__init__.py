"""Plumbing every domain uses: database, security, languages, markdown, audit."""
