"""Rules that flag rows and write a sentence for each: what the checklist and the warnings share.

A rule is a boolean mask over the rows of one table, a sort key (a question, a warning
code) and a sentence: a constant, or a function writing it from the flagged rows only.
Rules pay for the rows they flag and little else: an empty mask costs nothing, and
sentences are joined by Arrow on the flagged rows, which costs far less per call than
pandas string arithmetic on Arrow-backed columns. The findings of all the rules are
then put together and sorted once.

Everything stays vectorised over the whole portfolio: no Python loop over rows.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa

from socialkit.analysis.positions import activity_courses, course_index, fit_rows, positions
from socialkit.analysis.sentences import column, in_prose, join, text
from socialkit.analysis.tool_fit import ACTIVITY_COLUMNS, fit_parts
from socialkit.base.frames import cached
from socialkit.contract.schema import Portfolio

__all__ = [
    "ArrayTable",
    "CodedTable",
    "Flagged",
    "Rule",
    "Table",
    "collect",
    "column",
    "count",
    "flags",
    "in_prose",
    "join",
    "rule_tables",
    "text",
]

_STR = pa.large_string()


class Table:
    """One table that rules flag rows of, with what their sentences and sorting need.

    Columns are turned into Arrow arrays once, when a sentence first asks for them.

    Parameters
    ----------
    frame : pandas.DataFrame
        With ``course_id``; ``seq`` (the activity's place, for sorting) when its rows are
        activities, and ``activity_id`` and ``title`` for :attr:`label`.
    course_ids : list of str or pandas.Index
        The portfolio's course ids, in the order findings are sorted by (an index is
        hashed once for all the tables that share it, a list on every lookup).
    course : numpy.ndarray, optional
        :attr:`course`, when the caller knows it already (finding it hashes every
        ``course_id`` of the table).
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        course_ids: list[str] | pd.Index,
        *,
        course: np.ndarray | None = None,
    ) -> None:
        self.frame = frame
        self._course_ids = course_ids
        self._columns: dict[str, pa.Array] = {}
        if course is not None:
            self.__dict__["course"] = course  # the cached property's value

    def __len__(self) -> int:
        return len(self.frame)

    def __contains__(self, name: str) -> bool:
        return name in self.frame

    def __getitem__(self, name: str) -> pa.Array:
        found = self._columns.get(name)
        if found is None:
            found = self._columns[name] = column(self._column(name))
        return found

    def _column(self, name: str) -> pd.Series | pa.Array | np.ndarray:
        """Column ``name`` as the table holds it, before it is made an Arrow array."""
        return self.frame[name]

    def values(self, name: str) -> np.ndarray:
        """Column ``name`` as a numpy array (for numbers and flags, not sentences)."""
        return self.frame[name].to_numpy()

    def at(self, name: str, rows: np.ndarray) -> pa.Array:
        """Column ``name`` at ``rows`` only, as an Arrow array."""
        return self[name].take(rows)

    def rows_frame(self, names: list[str], rows: np.ndarray) -> pd.DataFrame:
        """Columns ``names`` at ``rows`` only, on a fresh RangeIndex."""
        return self.frame[names].take(rows).reset_index(drop=True)

    @functools.cached_property
    def course(self) -> np.ndarray:
        """Each row's course position in ``course_ids`` (-1 if absent)."""
        return positions(self.frame["course_id"], self._course_ids)

    @functools.cached_property
    def seq(self) -> np.ndarray | None:
        """Each row's ``seq`` as floats, or None for a table of courses or objectives."""
        if "seq" not in self.frame:
            return None
        return self.frame["seq"].to_numpy(dtype="float64", na_value=np.nan)

    @functools.cached_property
    def label(self) -> pa.Array:
        """``activity 'a3' ("Title")`` for each row, for sentences."""
        return join("activity '", self["activity_id"], "' (\"", self["title"], '")')


class ArrayTable(Table):
    """A :class:`Table` held as its columns' arrays, its :attr:`Table.frame` built only
    when asked for.

    The tables a few rules make on the fly (one row per cause) are read by their
    sentences as Arrow arrays, and sorted on ``seq`` and their courses: building a
    frame of them first, then turning its columns back into arrays, costs more than the
    rest of the rule on the rows of one course.

    Parameters
    ----------
    values : dict
        Each column's values in order: strings as Arrow arrays (as :meth:`Table.__getitem__`
        gives them; the frame holds them as ``str``), other columns as numpy or pandas
        arrays of the frame's dtype.
    course_ids, course
        As for :class:`Table` (``course`` is required: the rows have no frame to find it
        from).
    """

    def __init__(
        self,
        values: dict[str, pa.Array | np.ndarray | pd.api.extensions.ExtensionArray],
        course_ids: list[str] | pd.Index,
        *,
        course: np.ndarray,
    ) -> None:
        self._values, self._course_ids = values, course_ids
        self._columns = {n: v for n, v in values.items() if isinstance(v, pa.Array)}
        self.__dict__["course"] = course  # the cached property's value

    def __len__(self) -> int:
        return len(self.__dict__["course"])

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def _column(self, name: str) -> pa.Array | np.ndarray | pd.api.extensions.ExtensionArray:
        return self._values[name]

    def values(self, name: str) -> np.ndarray:
        return np.asarray(self._values[name])

    @functools.cached_property
    def frame(self) -> pd.DataFrame:  # type: ignore[override]
        """The columns as a frame, on a fresh RangeIndex."""
        columns = {n: text(v) if isinstance(v, pa.Array) else v for n, v in self._values.items()}
        return pd.DataFrame(columns, index=pd.RangeIndex(len(self)))

    @functools.cached_property
    def seq(self) -> np.ndarray | None:
        if "seq" not in self._values:
            return None
        seq = self._values["seq"]
        if isinstance(seq, np.ndarray):
            return seq.astype("float64")
        return seq.to_numpy(dtype="float64", na_value=np.nan)


class _CodedFrame:
    """The columns of a :class:`CodedTable` as pandas Series, each built on first use."""

    def __init__(
        self, source: pd.DataFrame, names: list[str], rows: np.ndarray, facts: pd.DataFrame, codes
    ) -> None:
        # the source's own frame and the names of its columns taken, not a selection of
        # them: selecting a list of columns copies a frame's blocks, on every portfolio
        self.source, self.rows, self.facts, self.codes = source, rows, facts, codes
        self.names = dict.fromkeys(names)
        self.columns = [*names, *(c for c in facts.columns if c not in self.names)]
        self._series: dict[str, pd.Series] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def __contains__(self, name: str) -> bool:
        return name in self.names or name in self.facts

    def __getitem__(self, name: str) -> pd.Series:
        found = self._series.get(name)
        if found is None:
            if name in self.names:
                found = self.source[name].take(self.rows)
            else:
                found = self.facts[name].take(self.codes)
            found = self._series[name] = found.reset_index(drop=True)
        return found


class CodedTable(Table):
    """A long table kept as two short parts: rows of another table, and codes into a
    small frame of facts (one row per distinct combination the facts depend on).

    Its columns are ``columns`` of ``source`` (at ``rows``) and those of ``facts`` that
    ``columns`` lacks (at ``codes``). A rule's sentence takes its columns at the flagged
    rows only, so the long table is never copied as a whole: a column of ``source``
    comes from its Arrow columns (shared with the rules of that table), a fact from the
    few distinct values.

    Parameters
    ----------
    source : Table
        The other table.
    rows : numpy.ndarray
        For each row, its row in ``source``.
    facts : pandas.DataFrame
        One row per distinct combination.
    codes : numpy.ndarray
        For each row, its row in ``facts``.
    columns : list of str
        The columns of ``source`` the table has.
    course_ids, course
        As for :class:`Table`.
    """

    def __init__(
        self,
        source: Table,
        rows: np.ndarray,
        facts: pd.DataFrame,
        codes: np.ndarray,
        *,
        columns: list[str],
        course_ids: list[str] | pd.Index,
        course: np.ndarray | None = None,
    ) -> None:
        frame = _CodedFrame(source.frame, columns, rows, facts, codes)
        super().__init__(frame, course_ids, course=course)  # type: ignore[arg-type]
        self._source, self._rows, self._facts, self._codes = source, rows, facts, codes
        self._fact_columns: dict[str, pa.Array] = {}
        self._none_taken: dict[tuple[str, ...], dict] = {}
        self._arrays: dict[str, pd.api.extensions.ExtensionArray] = {}

    def __getitem__(self, name: str) -> pa.Array:
        found = self._columns.get(name)
        if found is None:
            found = self._columns[name] = self.at(name, np.arange(len(self)))
        return found

    @functools.cached_property
    def _dtypes(self) -> dict[str, object]:
        # looked up once: selecting a column of a frame costs more than taking a few rows
        # (as plain dicts: looking a name up in a Series of dtypes costs as much again)
        source, facts = (
            dict(zip(f.columns, f.dtypes.tolist(), strict=True))
            for f in (self.frame.source, self._facts)
        )
        return {n: source[n] if n in self.frame.names else facts[n] for n in self.frame.columns}

    @functools.cached_property
    def seq(self) -> np.ndarray | None:
        if "seq" in self.frame.names and self._source.seq is not None:
            return self._source.seq[self._rows]  # the source's, shared with its rules
        if "seq" not in self.frame:
            return None
        return self.frame["seq"].to_numpy(dtype="float64", na_value=np.nan)

    @property
    def facts(self) -> pd.DataFrame:
        """The small frame of facts, one row per distinct combination."""
        return self._facts

    def spread(self, values: pd.Series | np.ndarray) -> np.ndarray:
        """A boolean column of :attr:`facts` (missing as False), at every row."""
        return flags(values)[self._codes]

    def at(self, name: str, rows: np.ndarray) -> pa.Array:
        if name in self.frame.names:
            return self._source[name].take(self._rows[rows])
        fact = self._fact_columns.get(name)
        if fact is None:
            fact = self._fact_columns[name] = column(self._facts[name])
        return fact.take(self._codes[rows])

    def taken(
        self, names: list[str], rows: np.ndarray
    ) -> dict[str, pa.Array | pd.api.extensions.ExtensionArray]:
        """Columns ``names`` at ``rows``: ``str`` columns as Arrow arrays (as :meth:`at`
        gives them), the others as pandas arrays of their dtype."""
        # strings from the Arrow columns: taking a few rows of a column read in many
        # chunks would first join all its chunks, on every call
        dtypes, out = self._dtypes, {}
        if not len(rows):  # a rule flagging nothing (the common case in one course)
            # the same few columns without rows, for every such rule: made once per table
            key = tuple(names)
            nothing = self._none_taken.get(key)
            if nothing is None:
                nothing = self._none_taken[key] = {n: self._nothing(n, dtypes[n]) for n in names}
            return dict(nothing)
        for n in names:
            if dtypes[n] == "str":
                out[n] = self.at(n, rows)
            elif n in self.frame.names:
                out[n] = self._array(n).take(self._rows[rows])
            else:  # one of the facts
                out[n] = self._array(n).take(self._codes[rows])
        return out

    def _array(self, name: str) -> pd.api.extensions.ExtensionArray:
        """The pandas array of column ``name`` (of the source or of the facts), read once
        for the several rules that take rows of it."""
        found = self._arrays.get(name)
        if found is None:
            frame = self.frame.source if name in self.frame.names else self._facts
            found = self._arrays[name] = frame[name].array
        return found

    def _nothing(self, name: str, dtype: object) -> pa.Array | pd.api.extensions.ExtensionArray:
        """Column ``name`` without rows, as :meth:`taken` gives it: the column itself is
        not read (a ``str`` column would first be made an Arrow array)."""
        if dtype == "str":
            return pa.array([], _STR)
        source = self.frame.source[name] if name in self.frame.names else self._facts[name]
        return source.array[:0]

    def rows_frame(self, names: list[str], rows: np.ndarray) -> pd.DataFrame:
        # the columns are gathered as arrays, not Series: a frame made of Series first
        # aligns each on its index, which costs more than the take itself on few rows
        if not len(rows):  # a rule flagging nothing (the common case in one course)
            return _empty_frame(tuple((n, self._dtypes[n]) for n in names))
        out = {
            n: text(v) if isinstance(v, pa.Array) else v for n, v in self.taken(names, rows).items()
        }
        index = pd.RangeIndex(len(rows))
        return pd.DataFrame(out, index=index, columns=names) if out else pd.DataFrame(index=index)


#: Empty frames met so far, per (column, dtype) pairs: building one costs about 1 ms.
_EMPTY_FRAMES: dict[tuple, pd.DataFrame] = {}


def _empty_frame(columns: tuple[tuple[str, object], ...]) -> pd.DataFrame:
    """A frame without rows with these columns and dtypes, on an empty RangeIndex (a copy
    of one made once per signature)."""
    frame = _EMPTY_FRAMES.get(columns)
    if frame is None:
        frame = _EMPTY_FRAMES[columns] = pd.DataFrame(
            {n: pd.array([], dtype=dtype) for n, dtype in columns}, index=pd.RangeIndex(0)
        )
    return frame.copy()


class Flagged:
    """The rows of a :class:`Table` that a rule flags, as a sentence function sees them."""

    def __init__(self, table: Table, rows: np.ndarray) -> None:
        self.table, self.rows = table, rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, name: str) -> pa.Array:
        return self.table.at(name, self.rows)

    @property
    def label(self) -> pa.Array:
        """:attr:`Table.label` of the flagged rows, written for those rows only (a rule
        flags few of a long table's rows: labelling them all first costs far more)."""
        return join("activity '", self["activity_id"], "' (\"", self["title"], '")')

    def mask(self, values: pd.Series) -> np.ndarray:
        """A boolean column of the table (missing as False), at the flagged rows."""
        return values.to_numpy(dtype=bool, na_value=False)[self.rows]


Sentence = str | Callable[[Flagged], pa.Array]
#: (table, mask of the flagged rows, sort key, sentence)
Rule = tuple[Table, pd.Series | np.ndarray, int, Sentence]


def flags(mask: pd.Series | pd.api.extensions.ExtensionArray | np.ndarray) -> np.ndarray:
    """A rule's mask (a Series, a pandas array such as a comparison of a column's
    ``array`` gives, or a numpy array) as a numpy array of booleans, missing as False.

    Examples
    --------
    >>> flags(pd.Series([True, None, False], dtype="boolean")).tolist()
    [True, False, False]
    >>> flags(pd.array([None, True], dtype="boolean")).tolist()
    [False, True]
    """
    if isinstance(mask, pd.Series | pd.api.extensions.ExtensionArray):
        return mask.to_numpy(dtype=bool, na_value=False)
    return np.asarray(mask, dtype=bool)


def count(rules: Iterable[Rule], n_courses: int, n_keys: int) -> np.ndarray:
    """How many rows the rules flag per course and key (1 to ``n_keys``), without writing
    a sentence: shape (``n_courses``, ``n_keys``)."""
    flagged = [
        table.course[m] * n_keys + key - 1
        for table, mask, key, _ in rules
        if (m := flags(mask)).any()
    ]
    codes = np.concatenate([np.empty(0, np.int64), *flagged])
    counts = np.bincount(codes, minlength=n_courses * n_keys)
    return counts.reshape(n_courses, n_keys)


def collect(rules: Iterable[Rule], *, seq_first: bool) -> dict[str, np.ndarray | pa.Array]:
    """Every flagged row of the rules with its sentence, sorted.

    Rows come in course order, then by key then ``seq`` (or ``seq`` then key when
    ``seq_first``); rows that are not activities come before a course's activities,
    and ties keep the order of the rules, then of the rows.

    Returns
    -------
    dict
        ``course_id``, ``activity_id`` (null for rows that are not activities) and
        ``message``, Arrow arrays; ``key``, a numpy array.
    """
    course, seq, key, course_id, activity_id, message = [], [], [], [], [], []
    for table, mask, k, sentence in rules:
        rows = np.flatnonzero(flags(mask))
        if not len(rows):
            continue
        flagged = Flagged(table, rows)
        course.append(table.course[rows])
        seq.append(np.full(len(rows), -np.inf) if table.seq is None else table.seq[rows])
        key.append(np.full(len(rows), k, dtype=np.int64))
        course_id.append(flagged["course_id"])
        if "activity_id" in table:
            activity_id.append(flagged["activity_id"])
        else:
            activity_id.append(pa.nulls(len(rows), _STR))
        if callable(sentence):
            message.append(sentence(flagged))
        else:
            message.append(pa.repeat(pa.scalar(sentence, _STR), len(rows)))
    if not course:
        empty = pa.array([], _STR)
        return dict(course_id=empty, activity_id=empty, key=np.empty(0, np.int64), message=empty)
    course_, seq_, key_ = (np.concatenate(x) for x in (course, seq, key))
    seq_ = np.where(np.isnan(seq_), -np.inf, seq_)  # missing first
    order = np.lexsort((key_, seq_, course_) if seq_first else (seq_, key_, course_))
    return {
        "course_id": pa.concat_arrays(course_id).take(order),
        "activity_id": pa.concat_arrays(activity_id).take(order),
        "key": key_[order],
        "message": pa.concat_arrays(message).take(order),
    }


@cached
def rule_tables(portfolio: Portfolio) -> SimpleNamespace:
    """The tables the checklist's and the warnings' rules flag rows of: ``courses``,
    ``objectives``, ``activities`` and ``fit`` (the rows of
    :func:`~socialkit.analysis.tool_fit.tool_fit`), shared by both (remembered per
    portfolio)."""
    ids = course_index(portfolio)  # hashed once for every table's lookups
    activities = Table(portfolio.activities, ids, course=activity_courses(portfolio))
    # tool_fit's rows as its two short parts: the rules read a few facts of every row and
    # the words of flagged rows only; copying every column of every row costs more
    rows, codes, facts = fit_parts(portfolio)
    columns, course = list(ACTIVITY_COLUMNS), fit_rows(portfolio)[1]
    fit = CodedTable(activities, rows, facts, codes, columns=columns, course_ids=ids, course=course)
    return SimpleNamespace(
        courses=Table(portfolio.courses, ids),
        objectives=Table(portfolio.objectives, ids),
        activities=activities,
        fit=fit,
    )
