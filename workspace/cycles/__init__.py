"""Cycles (one year, one theme), their phases, axes, working groups, memberships and meetings."""
