"""The open course's rows of a draft's tables, worked out once per edit of each table.

:class:`socialkit.editor.draft.DesignDraft` edits one course at a time; after every edit
its live view needs that course's rows of ``courses``, ``objectives`` and ``activities``.
Each table keeps its own count of edits, so that an edit of an activity reuses the
course's row and objectives, and what was worked out from them, as they were.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from socialkit.editor.live import row_content, text, whole

__all__ = ["CourseRows"]


class CourseRows:
    """The rows of one course of a draft's tables, remembered per edit of each table.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        The draft's own tables (the same dict: a table replaced there is seen here).
        An edit changes cells in place, never a ``course_id``; adding or deleting a row
        replaces the table.
    """

    def __init__(self, tables: dict[str, pd.DataFrame]) -> None:
        self.tables = tables
        self._edits: dict[str, int] = {}
        self._views: dict[str, list] = {}
        self._at: dict[str, tuple[pd.DataFrame, str | None, np.ndarray]] = {}

    def changed(self, table: str) -> None:
        """Count an edit of a table: what was worked out from its rows is worked out again."""
        self._edits[table] = self._edits.get(table, 0) + 1

    def _positions(self, table: str, course_id: str | None) -> np.ndarray:
        """The positions of the course's rows in a table, in file order, once per table
        object and course (finding them compares every row's ``course_id``)."""
        df, known = self.tables[table], self._at.get(table)
        if known is None or known[0] is not df or known[1] != course_id:
            mask = df["course_id"].eq(course_id).fillna(False)
            known = self._at[table] = (df, course_id, np.flatnonzero(mask.to_numpy(dtype=bool)))
        return known[2]

    def _view(self, table: str, course_id: str | None) -> list:
        """[key, the course's rows, their :func:`row_content` (None until asked), the
        first row as a dict of text for ``courses``]."""
        key = (self._edits.get(table, 0), course_id)
        hit = self._views.get(table)
        if hit is None or hit[0] != key:
            df = self.tables[table]
            at = self._positions(table, course_id)
            if table == "activities":  # in sequence order: one take of the rows, not two
                seq = [whole(v) for v in df["seq"].array.take(at).tolist()]
                order = np.array([np.nan if s is None else s for s in seq], dtype="float64")
                at = at[order.argsort(kind="stable")]
            hit = self._views[table] = [key, df.take(at), None, None]
            if table == "courses" and len(at):
                cells = hit[1].iloc[0].tolist()
                hit[3] = {c: text(v) for c, v in zip(df.columns, cells, strict=True)}
        return hit

    def rows(self, table: str, course_id: str | None) -> pd.DataFrame:
        """The course's rows of a table, indexed by file row (activities in ``seq`` order);
        the same frame until the table is edited: callers must not change it."""
        return self._view(table, course_id)[1]

    def content(self, table: str, course_id: str | None) -> tuple:
        """:func:`~socialkit.editor.live.row_content` of :meth:`rows`, worked out once."""
        hit = self._view(table, course_id)
        if hit[2] is None:
            hit[2] = row_content(hit[1])
        return hit[2]

    def course(self, course_id: str | None) -> dict[str, str | None] | None:
        """The course's first row of ``courses``: column -> text (``None`` when blank);
        None when it has none. The same dict until the table is edited."""
        return self._view("courses", course_id)[3]
