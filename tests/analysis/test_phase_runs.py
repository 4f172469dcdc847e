"""The activities to move so that a course's phases run in order, against a plain search."""

from __future__ import annotations

import numpy as np
import pytest

from socialkit.analysis.phase_runs import phase_moves


def _by_search(course: np.ndarray, phase: np.ndarray) -> list[tuple[int, int, bool, int]]:
    """Per course: the longest runs in phase order by dynamic programming, the earliest kept
    (picking, in order, each activity that can still start a longest rest), the others
    moved with the first activity they conflict with."""
    out = []
    starts = np.flatnonzero(np.r_[True, course[1:] != course[:-1]]).tolist()
    for start, end in zip(starts, [*starts[1:], len(course)], strict=True):
        ph = phase[start:end].tolist()
        n = len(ph)
        longest = [0] * n
        for i in range(n - 1, -1, -1):
            longest[i] = 1 + max([0, *(longest[j] for j in range(i + 1, n) if ph[j] >= ph[i])])
        keep, need, last = [False] * n, max(longest), 0
        for i in range(n):
            if need and longest[i] == need and ph[i] >= last:
                keep[i], need, last = True, need - 1, ph[i]
        for i in range(n):
            if keep[i]:
                continue
            earlier = [j for j in range(i) if ph[j] > ph[i]]
            later = [j for j in range(i + 1, n) if ph[j] < ph[i]]
            conflicts, after = (earlier, True) if earlier else (later, False)
            out.append((start + i, start + conflicts[0], after, len(conflicts) - 1))
    return out


def _moves(course: np.ndarray, phase: np.ndarray) -> list[tuple[int, int, bool, int]]:
    m = phase_moves(course, phase)
    return list(
        zip(m.row.tolist(), m.other.tolist(), m.after.tolist(), m.more.tolist(), strict=True)
    )


@pytest.mark.parametrize("seed", range(4))
def test_phase_moves_match_a_plain_search(seed):
    rng = np.random.default_rng(seed)
    for _ in range(150):
        sizes = rng.integers(1, rng.choice([3, 8, 25]), rng.integers(1, 6))
        course = np.repeat(np.arange(len(sizes)), sizes)
        phase = rng.integers(0, 3, len(course))
        if rng.random() < 0.3:  # mostly one or two phases
            phase = np.minimum(2, rng.poisson(rng.random() * 2, len(course)))
        assert _moves(course, phase) == _by_search(course, phase)


def test_phase_moves_by_hand():
    # one after-class task put first: only it moves, conflicting with the 3 after it
    assert _moves(np.zeros(4, int), np.array([2, 0, 1, 1])) == [(0, 1, False, 2)]
    # two runs as long: the earlier stays (in class, after class), the later moves, each
    # conflicting with the first in-class activity and one more
    assert _moves(np.zeros(4, int), np.array([1, 2, 0, 0])) == [(2, 0, True, 1), (3, 0, True, 1)]
    assert _moves(np.zeros(0, int), np.zeros(0, int)) == []
