"""Delivery: what learners did, held against the plan (runs, people, xAPI statements)."""
