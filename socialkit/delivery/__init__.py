"""Delivery: what happened when a course ran, held against its design.

This layer reads xAPI statements and places them on the runs, people and activities of
a portfolio's delivery data; it may use :mod:`socialkit.base`, :mod:`socialkit.contract`
and :mod:`socialkit.analysis`.
"""

__all__: list[str] = []
