"""Delivery: what learners actually did (xAPI statements), held against the design."""

__all__: list[str] = []
