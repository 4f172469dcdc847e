"""Which activities of a course to move so that its phases run before → during → after.

The activities that stay are the longest run already in phase order (a longest
non-decreasing subsequence of the phases 0, 1, 2), the earliest one when several are as
long; the others move. With only three phases this needs no search per course: a run
in order is all the before-class activities up to some place ``a``, then the in-class
ones from ``a`` up to some place ``b``, then the after-class ones from ``b`` on, and a
longest run takes every activity of its phase in its stretch (any it left out could be
added). So each course's run comes from counting phases before and after each place,
for all the courses at once with numpy: no Python loop over courses or activities.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

__all__ = ["phase_moves"]


def _next_where(flags: np.ndarray) -> np.ndarray:
    """For each place, the first place at or after it where ``flags`` holds (``len`` if none).

    Has one more entry than ``flags``, for the place past the end.
    """
    n = len(flags)
    at = np.where(flags, np.arange(n), n)
    return np.minimum.accumulate(np.r_[at, n][::-1])[::-1]


def _suffix_max(keys: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Each place's largest key from there to the end of its group (groups contiguous)."""
    # keys are non-negative and below ``bound``: offsetting each group above the ones that
    # follow it stops the running maximum (run from the end) from leaking across groups
    bound = keys.max(initial=0) + 1
    offset = (group.max(initial=0) - group) * bound
    return np.maximum.accumulate((keys + offset)[::-1])[::-1] - offset


def phase_moves(course: np.ndarray, phase: np.ndarray) -> SimpleNamespace:
    """The activities to move, and the first activity each conflicts with.

    Parameters
    ----------
    course : numpy.ndarray
        Each activity's course number, the activities of a course next to each other.
    phase : numpy.ndarray
        Each activity's phase (0 before, 1 during, 2 after class), in the course's order.

    Returns
    -------
    types.SimpleNamespace
        ``row``: the places (into ``course``) of the activities to move, in order;
        ``other``: the place of the first activity each conflicts with: the first earlier
        one of a later phase (``after`` true), or else the first later one of an earlier
        phase; ``after``; and ``more``: how many more activities it conflicts with so.
    """
    n = len(phase)
    if not n:
        empty = np.empty(0, np.int64)
        return SimpleNamespace(row=empty, other=empty, after=np.empty(0, bool), more=empty)
    place = np.arange(n)
    first = np.r_[True, course[1:] != course[:-1]]
    group = np.cumsum(first) - 1
    starts = np.flatnonzero(first)
    ends = np.r_[starts[1:], n]
    start, end = starts[group], ends[group]
    width = int((ends - starts).max(initial=0)) + 2  # > any place within a course, its end too
    # counts[v][i]: how many activities of phase v come before place i (the portfolio's)
    counts = [np.r_[0, np.cumsum(phase == v)] for v in range(3)]

    def before(v: int, at: np.ndarray, rows: slice | np.ndarray = slice(None)) -> np.ndarray:
        """Activities of phase v in the course before ``at`` (places of ``rows``)."""
        return counts[v][at] - counts[v][start[rows]]

    def after(v: int, at: np.ndarray, rows: slice | np.ndarray = slice(None)) -> np.ndarray:
        """Activities of phase v in the course from ``at`` on (places of ``rows``)."""
        return counts[v][end[rows]] - counts[v][at]

    # the run in order whose first in-class or after-class activity is at ``a`` and first
    # after-class one at ``b`` (a <= b) keeps before(0, a) + (in-class in [a, b)) +
    # after(2, b) activities. Of the longest runs, the earliest (the one that, read in
    # order, takes an activity first where they differ) has the smallest a, then the
    # smallest b. Keys rank the size first, then the earlier place.
    def key(size: np.ndarray, at: np.ndarray, course_start: np.ndarray) -> np.ndarray:
        return size * width + (width - 1 - (at - course_start))

    def place_of(best: np.ndarray, course_start: np.ndarray) -> np.ndarray:
        return course_start + (width - 1 - best % width)

    # b is an after-class activity or the course's end; the best b after each place
    b_key = np.where(phase == 2, key(before(1, place) + after(2, place), place, start), -1)
    from_next = np.r_[_suffix_max(b_key + 1, group) - 1, -1][1:]
    best_b = np.maximum(
        np.where(place + 1 < end, from_next, -1),
        key(before(1, end), end, start),  # b at the end: every in-class activity from a on
    )
    # a is an in-class activity (then b comes after it), an after-class one (then b = a),
    # or the course's end (every before-class activity kept, nothing else)
    size = np.where(
        phase == 1,
        before(0, place) - before(1, place) + best_b // width,
        before(0, place) + after(2, place),
    )
    a_key = np.where(phase >= 1, key(size, place, start), -1)
    at_end = key(counts[0][ends] - counts[0][starts], ends, starts)
    a = place_of(np.maximum(np.maximum.reduceat(a_key, starts), at_end), starts)
    a_phase = np.where(a < ends, phase[np.minimum(a, n - 1)], -1)
    b_after_a = place_of(best_b, start)[np.minimum(a, n - 1)]
    b = np.select([a_phase == 1, a_phase == 2], [b_after_a, a], ends)
    a, b = a[group], b[group]
    stays = ((phase == 0) & (place < a)) | ((phase == 1) & (place >= a) & (place < b))
    stays |= (phase == 2) & (place >= b)
    row = np.flatnonzero(~stays)
    p, s = phase[row], start[row]
    # the first earlier activity of a later phase: the course's first of phase > p
    first_later_phase = np.where(p == 0, _next_where(phase >= 1)[s], _next_where(phase == 2)[s])
    is_after = (p < 2) & (first_later_phase < row)
    n_earlier = np.where(p == 0, before(1, row, row) + before(2, row, row), before(2, row, row))
    # else the first later activity of an earlier phase
    next_earlier_phase = np.where(
        p == 2, _next_where(phase <= 1)[row + 1], _next_where(phase == 0)[row + 1]
    )
    n_later = np.where(p == 2, after(0, row, row) + after(1, row, row), after(0, row, row))
    other = np.where(is_after, first_later_phase, next_earlier_phase)
    # an activity in order with every other could join the longest run: each one moved
    # conflicts with at least one
    more = np.where(is_after, n_earlier, n_later) - 1
    return SimpleNamespace(row=row, other=other, after=is_after, more=more.astype(np.int64))
