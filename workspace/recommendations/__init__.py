"""Recommendations, their revisions, co-authors, amendments, translations and the glossary."""
