"""The fault suite: every kind against every upstream fault."""
