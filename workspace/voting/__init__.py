"""Ballots, rules, tallies and the cross-border double majority."""
