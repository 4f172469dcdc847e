"""Delivery: what learners did, from xAPI statements, held against each course's plan."""

__all__: list[str] = []
