"""Sentence pieces of two warnings that read several columns of the flagged rows.

``out-of-phase`` names the activity, its phase, the activity it clashes with and how many
more; ``tool-misfit`` says what the activities need. Both take the rows a rule flagged
(:class:`socialkit.analysis.rules.Flagged`) and give one Arrow string per row.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from socialkit.analysis.rules import Flagged
from socialkit.analysis.sentences import join

__all__ = ["phase_clash", "serves_needs"]


def phase_clash(d: Flagged) -> pa.Array:
    """``activity 'A1' (after class) comes before activity 'A2' (before class)``, and how
    many more activities it clashes with."""
    more = d.table.values("more")[d.rows].tolist()
    later = (d.table.values("relation")[d.rows] == "after").tolist()
    others = pa.array(
        [
            f" and {m} more of {'a later' if lt else 'an earlier'} phase" if m else ""
            for m, lt in zip(more, later, strict=True)
        ],
        type=pa.large_string(),
    )
    return join(
        "activity '",
        d["activity_id"],
        "' (",
        d["timing"],
        " class) comes ",
        d["relation"],
        " activity '",
        d["other_activity_id"],
        "' (",
        d["other_timing"],
        " class)",
        others,
    )


def serves_needs(d: Flagged) -> pa.Array:
    """``community and many-to-many`` for one activity, ``what they need`` for several."""
    direction = pc.fill_null(d["direction"], pa.scalar("any direction", pa.large_string()))
    one = join(d["tool_type"], " and ", direction)
    several = pa.array(d.table.values("n")[d.rows] > 1)
    return pc.if_else(several, pa.scalar("what these activities need", pa.large_string()), one)
