"""Passerelle: a collaborative recommendations workspace for cross-border working groups."""
