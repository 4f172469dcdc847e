"""Editing course designs in place: the model behind the design editor.

A :class:`DesignDraft` holds a working copy of a portfolio's tables, read as text
exactly as in the files. Edits change the rows of the course being edited and nothing
else; :meth:`DesignDraft.live` turns that course into a canonical :class:`Portfolio`
in a few milliseconds (no full validation), so that charts and checks can follow every
change. :meth:`DesignDraft.save` holds the portfolio's lock while it checks that the
files did not change on disk since they were read, validates the whole portfolio and
writes it, so that two saves at the same moment never both succeed. It writes in the
portfolio's own format: in a CSV folder only the files that changed, all or nothing,
each keeping its byte-order mark and line endings; in an ``.xlsx`` workbook only the
cells that changed, so that formatting, comments, widths, frozen panes, validations,
formulas and other sheets are kept. Rows of other courses and unknown columns are
written back as they were read.
"""

from __future__ import annotations

import os
import re
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from socialkit.contract.io import read_tables, with_defaults
from socialkit.contract.schema import REQUIRED_TABLES, TABLE_ORDER, Portfolio
from socialkit.contract.transact import portfolio_lock
from socialkit.contract.validation import validate
from socialkit.editor.course_rows import CourseRows
from socialkit.editor.live import blank_table, columns, content_view, text, whole
from socialkit.editor.saving import (
    changed_error,
    csv_styles,
    fingerprint,
    is_new_path,
    write_changes,
)
from socialkit.errors import (
    EditError,
    PortfolioBusyError,
    PortfolioWriteError,
    SocialkitError,
    unknown_course,
)

__all__ = ["ACTIVITY_FIELDS", "COURSE_FIELDS", "LIVE_VIEWS_KEPT", "DesignDraft"]

_FIXED = ("course_id", "activity_id", "seq")
#: Columns of a course the editor changes (the id is fixed once the course exists).
COURSE_FIELDS = tuple(c for c in columns("courses") if c not in _FIXED)
#: Columns of an activity the editor changes (``seq`` changes by moving the activity).
ACTIVITY_FIELDS = tuple(c for c in columns("activities") if c not in _FIXED)
_ID = re.compile(r"[A-Za-z0-9_\-]{1,64}")
_EDITED = ("courses", "objectives", "activities")
#: Seconds a save waits for another save (or a conversion) of the same portfolio.
SAVE_TIMEOUT = 10.0
#: How many live views of earlier states a draft keeps, to give back when a course
#: returns to one of them (an edit undone, a value set back, an activity added and
#: deleted again). Each is one course's few rows, but with its remembered analyses
#: about 1,300 objects the garbage collector walks on every full collection: 32 views
#: made the collections that land in an update cost 20-90 ms, eight a quarter of it.
LIVE_VIEWS_KEPT = 8


class DesignDraft:
    """A working copy of a portfolio, edited one course at a time.

    Parameters
    ----------
    path : path-like
        A CSV folder or an ``.xlsx`` workbook. A path that does not exist yet, or an
        empty folder, starts a new portfolio (saved as CSV files, or as a workbook
        when the path ends in ``.xlsx``).
    course_id : str, optional
        The course to edit first; the first course of the portfolio when omitted.

    Raises
    ------
    PortfolioNotFoundError, PortfolioReadError
        If an existing portfolio cannot be read.
    ValidationError
        If the portfolio's own tool catalog or organisations break the data contract
        (the editor needs them to recommend tools).
    UnknownCourseError
        If ``course_id`` is not in the portfolio.
    """

    def __init__(self, path: str | os.PathLike[str], course_id: str | None = None) -> None:
        self.path = Path(path)
        self._read()
        if course_id is not None:
            self.select(course_id)

    # ------------------------------------------------------------------ reading
    def _read(self) -> None:
        self.is_new = is_new_path(self.path)
        self.save_warnings: list[str] = []
        if self.is_new:
            self._fingerprint = None
            tables: dict[str, pd.DataFrame] = {t: blank_table(t) for t in REQUIRED_TABLES}
            self.notices: tuple[str, ...] = ()
        else:
            # taken before reading: a change made meanwhile is then seen as a change
            self._fingerprint = fingerprint(self.path)
            tables, notices = read_tables(self.path)
            self.notices = tuple(notices)
        self._styles = csv_styles(self.path, tables) if not self.is_new else {}
        self.extra_sheets = self._extra_sheets()
        catalog = {t: tables[t] for t in ("tools", "organisations") if t in tables}
        empty = {t: blank_table(t) for t in REQUIRED_TABLES}
        self.catalog = validate(with_defaults({**empty, **catalog}), source=self.path)
        self._as_read = tables
        self.tables = {}
        for name, df in tables.items():
            df = df.copy()
            if name in _EDITED:
                for column in columns(name):
                    if column not in df.columns:
                        df[column] = pd.Series(dtype="str", index=df.index)
            self.tables[name] = df
        self.course_id = self.course_ids[0] if self.course_ids else None
        self.dirty = False
        self.version = 0
        self._course = CourseRows(self.tables)
        self._live: tuple[tuple, Portfolio, list[str]] | None = None
        # live views by content: the same rows give back the same Portfolio object, whose
        # analyses are remembered per object (see socialkit.base.frames.memoized)
        self._seen: OrderedDict[tuple, tuple[Portfolio, list[str]]] = OrderedDict()

    def _extra_sheets(self) -> tuple[str, ...]:
        if self.is_new or self.path.suffix.lower() != ".xlsx":
            return ()
        from python_calamine import CalamineWorkbook

        names = CalamineWorkbook.from_path(str(self.path)).sheet_names
        return tuple(n for n in names if n.strip().lower() not in TABLE_ORDER)

    def reload(self) -> None:
        """Read the files again, dropping every unsaved edit."""
        keep = self.course_id
        self._read()
        if keep in self.course_ids:
            self.course_id = keep

    # ------------------------------------------------------------------ looking
    @property
    def course_ids(self) -> list[str]:
        """Every course id of the portfolio, in file order (blank ids left out)."""
        return [c for c in self.tables["courses"]["course_id"].tolist() if text(c)]

    @property
    def organisations(self) -> list[str]:
        """The organisation names a course may name (the bundled default included)."""
        return self.catalog.organisations["organisation"].tolist()

    @property
    def tool_names(self) -> list[str]:
        """The catalog's tool names, as the catalog spells them."""
        return self.catalog.tools["tool"].tolist()

    def _course_row(self) -> int:
        if self.course_id is None:
            raise EditError("no course is open; start one with new_course(course_id, title)")
        return int(self._rows("courses").index[0])

    def course(self) -> dict[str, str | None]:
        """The open course's row: column -> text (``None`` when blank)."""
        self._course_row()
        return dict(self._course.course(self.course_id))

    def _rows(self, table: str) -> pd.DataFrame:
        """The open course's rows of a table, worked out once per edit of that table."""
        return self._course.rows(table, self.course_id)

    def objectives(self) -> pd.DataFrame:
        """The open course's objectives, in file order, indexed by file row."""
        return self._rows("objectives").copy(deep=False)

    def activities(self) -> pd.DataFrame:
        """The open course's activities in sequence order, indexed by file row."""
        return self._rows("activities").copy(deep=False)

    def activity(self, activity_id: str) -> dict[str, str | None]:
        """One activity of the open course: column -> text (``None`` when blank)."""
        row = self.tables["activities"].loc[self._activity_row(activity_id)]
        return {c: text(v) for c, v in row.items()}

    def _activity_row(self, activity_id: str) -> int:
        return self._row_of("activities", "activity_id", activity_id, "activity")

    def _objective_row(self, objective_id: str) -> int:
        return self._row_of("objectives", "objective_id", objective_id, "objective")

    def _row_of(self, table: str, column: str, value: str, what: str) -> int:
        """The file row of the open course's activity or objective with this id."""
        rows = self._rows(table)
        hit = rows.index[rows[column].eq(value).fillna(False).to_numpy()]
        if not len(hit):
            known = ", ".join(map(repr, rows[column].dropna().tolist())) or "(none)"
            raise EditError(
                f"no {what} {value!r} in course {self.course_id!r}; expected one of {known}"
            )
        return int(hit[0])

    # ------------------------------------------------------------------ editing
    def _changed(self, table: str) -> None:
        self.dirty = True
        self.version += 1
        self._course.changed(table)

    def _append(self, table: str, values: dict[str, str | None]) -> int:
        df = self.tables[table]
        row = int(df.index.max()) + 1 if len(df) else 2
        new = pd.DataFrame([values], index=[row], columns=df.columns, dtype="str")
        self.tables[table] = pd.concat([df, new.astype(df.dtypes.to_dict())])
        self._changed(table)
        return row

    def _set(self, table: str, row: int, column: str, value: object) -> None:
        df = self.tables[table]
        new = text(value)
        old = text(df.at[row, column])
        if new == old:
            return
        df.loc[row, column] = new if new is not None else float("nan")
        self._changed(table)

    def select(self, course_id: str) -> None:
        """Open another course of the portfolio (unsaved edits of others are kept)."""
        if course_id not in self.course_ids:
            raise unknown_course([course_id], self.course_ids)
        self.course_id = course_id

    def new_course(self, course_id: str, title: str) -> None:
        """Start a new course and open it.

        Raises
        ------
        EditError
            If the id is not letters, digits, ``-`` or ``_`` (at most 64), is taken,
            or the title is blank.
        """
        course_id = (course_id or "").strip()
        if not _ID.fullmatch(course_id):
            raise EditError(
                f"course id {course_id!r} is not valid; expected letters, digits, '-' or '_', "
                "at most 64 characters"
            )
        if course_id in self.course_ids:
            raise EditError(f"course id {course_id!r} is taken; expected a new id")
        if text(title) is None:
            raise EditError("a new course needs a title; expected some text, got a blank")
        self._append("courses", {"course_id": course_id, "title": title.strip()})
        self.course_id = course_id

    def set_course(self, **fields: object) -> None:
        """Change columns of the open course (see :data:`COURSE_FIELDS`); blank = undecided."""
        row = self._course_row()
        self._check_fields(fields, COURSE_FIELDS, "course")
        for column, value in fields.items():
            if column == "title" and text(value) is None:
                raise EditError("a course title cannot be blank; expected some text")
            self._set("courses", row, column, value)

    @staticmethod
    def _check_fields(fields: dict, allowed: Iterable[str], what: str) -> None:
        unknown = [f for f in fields if f not in allowed]
        if unknown:
            article = "an" if what[0] in "aeiou" else "a"
            raise EditError(
                f"cannot set {unknown[0]!r} of {article} {what}; "
                f"expected one of {', '.join(map(repr, allowed))}"
            )

    def _next_id(self, prefix: str, taken: Iterable[object]) -> str:
        used = {str(t) for t in taken}
        n = 1
        while f"{prefix}{n}" in used:
            n += 1
        return f"{prefix}{n}"

    def add_objective(self, statement: str) -> str:
        """Add an objective to the open course; return its new id (``O1``, ``O2``...)."""
        self._course_row()
        if text(statement) is None:
            raise EditError("an objective needs a statement; expected some text, got a blank")
        new_id = self._next_id("O", self.objectives()["objective_id"])
        self._append(
            "objectives",
            {"course_id": self.course_id, "objective_id": new_id, "statement": statement},
        )
        return new_id

    def set_objective(self, objective_id: str, statement: str) -> None:
        """Reword an objective of the open course."""
        if text(statement) is None:
            raise EditError("an objective's statement cannot be blank; expected some text")
        self._set("objectives", self._objective_row(objective_id), "statement", statement)

    def remove_objective(self, objective_id: str) -> None:
        """Delete an objective; the activities that served it are left unlinked."""
        row = self._objective_row(objective_id)
        self.tables["objectives"] = self.tables["objectives"].drop(index=row)
        for act_row in self.activities().index[
            self.activities()["objective_id"].eq(objective_id).fillna(False).to_numpy()
        ]:
            self._set("activities", int(act_row), "objective_id", None)
        self._changed("objectives")

    def add_activity(self, title: str = "New activity", **fields: object) -> str:
        """Add an activity at the end of the open course's sequence; return its id."""
        self._course_row()
        self._check_fields(fields, ACTIVITY_FIELDS, "activity")
        if text(title) is None:
            raise EditError("an activity needs a title; expected some text, got a blank")
        acts = self.activities()
        seqs = [s for s in acts["seq"].map(whole, na_action="ignore").dropna().tolist()]
        new_id = self._next_id("A", acts["activity_id"])
        values = {k: text(v) for k, v in fields.items()}
        self._append(
            "activities",
            {
                **values,
                "course_id": self.course_id,
                "activity_id": new_id,
                "seq": str(int(max(seqs, default=0)) + 1),
                "title": title.strip(),
            },
        )
        return new_id

    def set_activity(self, activity_id: str, **fields: object) -> None:
        """Change columns of an activity (see :data:`ACTIVITY_FIELDS`); blank = undecided."""
        row = self._activity_row(activity_id)
        self._check_fields(fields, ACTIVITY_FIELDS, "activity")
        for column, value in fields.items():
            if column == "title" and text(value) is None:
                raise EditError("an activity's title cannot be blank; expected some text")
            if column == "minutes" and text(value) is not None and whole(str(value)) is None:
                raise EditError(f"minutes {value!r} is not valid; expected a whole number >= 0")
            self._set("activities", row, column, value)

    def remove_activity(self, activity_id: str) -> None:
        """Delete an activity of the open course (the others keep their ``seq``)."""
        row = self._activity_row(activity_id)
        self.tables["activities"] = self.tables["activities"].drop(index=row)
        self._changed("activities")

    def move_activity(self, activity_id: str, by: int) -> None:
        """Move an activity earlier (``by < 0``) or later in the sequence.

        The activity swaps ``seq`` with its neighbours, so the numbering the designer
        chose (1, 2, 3 or 10, 20, 30) is kept. Moving past either end does nothing.
        """
        acts = self.activities()
        ids = acts["activity_id"].tolist()
        self._activity_row(activity_id)
        i = ids.index(activity_id)
        j = max(0, min(len(ids) - 1, i + int(by)))
        step = 1 if j > i else -1
        for k in range(i, j, step):
            a, b = int(acts.index[k]), int(acts.index[k + step])
            table = self.tables["activities"]
            seq_a, seq_b = table.at[a, "seq"], table.at[b, "seq"]
            table.loc[a, "seq"], table.loc[b, "seq"] = seq_b, seq_a
            self._changed("activities")
            acts = self.activities()

    # ------------------------------------------------------------------ analysing
    def live(self) -> tuple[Portfolio, list[str]]:
        """The open course as a canonical portfolio, and what a save would refuse.

        Built straight from the working rows (vocabulary values normalised, tools spelt
        as in the catalog), in a few milliseconds, for feedback after every edit. The
        catalog and context frames are the same objects on every call. Values that the
        data contract rejects count as undecided here and are listed as problems;
        :meth:`save` still validates the whole portfolio. A course whose rows come back
        to a state of the last :data:`LIVE_VIEWS_KEPT` (an edit undone, an activity
        added and deleted) gets the same portfolio object again, so that its analyses,
        remembered per object, are not worked out twice.

        Returns
        -------
        portfolio : Portfolio
            The open course only (empty when no course is open).
        problems : list of str
            One sentence per value a save would reject, in the open course.
        """
        key = (self.version, self.course_id)
        if self._live is not None and self._live[0] == key:
            return self._live[1], self._live[2]
        if self.course_id is None:
            portfolio, problems = self.catalog, []
        else:
            row, course = self._course_row(), self._course.course(self.course_id)
            objectives = self._course.content("objectives", self.course_id)
            activities = self._course.content("activities", self.course_id)
            content = (row, tuple(course.items()), objectives, activities)
            seen = self._seen.get(content)
            if seen is None:
                seen = self._seen[content] = content_view(
                    self.catalog,
                    course=course,
                    row=row,
                    objectives=objectives,
                    activities=activities,
                )
                if len(self._seen) > LIVE_VIEWS_KEPT:
                    self._seen.popitem(last=False)
            else:
                self._seen.move_to_end(content)
            portfolio, problems = seen[0], list(seen[1])
        self._live = (key, portfolio, problems)
        return portfolio, problems

    # ------------------------------------------------------------------ saving
    def check(self) -> Portfolio:
        """Validate the whole working portfolio (raises :class:`ValidationError`)."""
        tables = {n: df for n, df in self.tables.items()}
        return validate(with_defaults(tables), source=self.path, notices=self.notices)

    def _to_write(self, table: str) -> pd.DataFrame:
        """A table as it will be written: the contract columns the editor added to it are
        left out while they are still blank everywhere, so the file keeps its shape."""
        df = self.tables[table]
        read = self._as_read.get(table)
        if read is None:
            return df
        unused = [c for c in df.columns if c not in read.columns and df[c].isna().all()]
        return df.drop(columns=unused)

    def changed_on_disk(self) -> bool:
        """Whether the files differ from what was read (a new portfolio: whether any appeared)."""
        if self.is_new:
            return not is_new_path(self.path)
        return fingerprint(self.path) != self._fingerprint

    def _write(self) -> None:
        """Check for changes on disk, validate and write; call it holding the lock."""
        if self.changed_on_disk():
            raise changed_error(self.path)
        self.check()
        tables = {n: self._to_write(n) for n in self.tables}
        out, warned = write_changes(
            self.path, tables, self._as_read, is_new=self.is_new, styles=self._styles
        )
        self.save_warnings = warned
        self.is_new = False
        self._fingerprint = fingerprint(self.path)
        kept = {n: df for n, df in self._as_read.items() if n not in out}
        self._as_read = {n: df.copy() for n, df in out.items()} | kept
        self.extra_sheets = self._extra_sheets()
        self.dirty = False

    def save(self) -> Path:
        """Validate, then write the portfolio back in its own format, all or nothing.

        The portfolio's lock is held from the check for changes on disk to the end of the
        write, so a second save at the same moment waits, then finds the files changed.
        Cells of a CSV folder that Excel would run as formulas are written as they are
        and listed in :attr:`save_warnings`.

        Returns
        -------
        pathlib.Path
            The folder or workbook written.

        Raises
        ------
        DesignChangedError
            If the files changed on disk since they were read (someone else saved):
            nothing is written and the edits are kept, so the user can compare and decide.
        ValidationError
            If the working portfolio breaks the data contract: nothing is written.
        PortfolioBusyError
            If another save kept the portfolio locked for more than 10 seconds.
        PortfolioWriteError
            If the workbook cannot hold a value or has parts saving would lose, or
            writing fails (a full disk, a read-only folder): nothing is written.
        """
        if self.is_new and not self.path.exists():
            self.check()  # before the lock, which would make the new folder
        try:
            with portfolio_lock(self.path, timeout=SAVE_TIMEOUT):
                self._write()
        except PortfolioBusyError as exc:
            raise PortfolioBusyError(
                f"{exc}; your edits are still in the form".replace("nothing was done, ", "")
            ) from None
        except SocialkitError:
            raise
        except OSError as exc:
            raise PortfolioWriteError(
                f"cannot save {str(self.path)!r}: {exc.strerror or exc}; nothing was written "
                "and your edits are still in the form"
            ) from None
        return self.path
