"""Which courses a report batch makes, and what the overview says of every course.

A course is made again when it was asked for and its fingerprint (its data, the tool
catalog and the notebook: see :mod:`socialkit.reports.fingerprints`) differs from the
one in the state file, its last report failed or its page is gone, or always with
``force``. A course left out of this run keeps the overview's account of what the
output folder holds for it; a course that breaks the data contract is listed, not made.
"""

from __future__ import annotations

import dataclasses

from socialkit.contract.schema import Portfolio
from socialkit.errors import format_issues
from socialkit.reports.batch import Batch
from socialkit.reports.export import course_href, course_slug
from socialkit.reports.fingerprints import course_fingerprints, statements_digest
from socialkit.reports.options import ReportOptions
from socialkit.reports.outdir import OVERVIEW_FAILED, check_files

__all__ = ["Plan", "invalid_course_rows", "plan_batch"]


@dataclasses.dataclass(frozen=True)
class Plan:
    """What a batch is to do.

    Attributes
    ----------
    todo : list of (str, str)
        The courses to execute: course id and fingerprint.
    index_rows : list of dict
        The overview's row per course, valid ones first, then every invalid course.
    courses : list of str
        The courses of the batch's result: the valid ones asked for, then every
        invalid course.
    unchanged : int
        How many of the courses asked for are current and are not executed.
    """

    todo: list[tuple[str, str]]
    index_rows: list[dict]
    courses: list[str]
    unchanged: int


def plan_batch(batch: Batch, options: ReportOptions) -> Plan:
    """Plan the batch: what to execute, and the overview's rows.

    Raises
    ------
    ReportWriteError
        If a folder stands where the batch will write a page or a notebook.
    """
    todo, index_rows = _plan_courses(batch, force=options.force)
    index_rows += batch.invalid_rows  # every invalid course, selected or not: it needs fixing
    check_files(
        [batch.failed_notebook(OVERVIEW_FAILED)]
        + [batch.course_page(cid) for cid, _ in todo]
        + [batch.failed_notebook(course_slug(cid)) for cid, _ in todo]
    )
    batch.total = len(todo)
    return Plan(
        todo=todo,
        index_rows=index_rows,
        courses=batch.selected + [row["course_id"] for row in batch.invalid_rows],
        unchanged=len(batch.selected) - len(todo),
    )


def _plan_courses(batch: Batch, *, force: bool) -> tuple[list, list[dict]]:
    """Which courses to execute (id, fingerprint), and the overview's row per course."""
    p = batch.portfolio
    digest = statements_digest(batch.source) if len(p.runs) else b""
    fingerprints = course_fingerprints(p, batch.notebook.read_bytes(), statements=digest)
    todo, index_rows = [], []
    wanted = set(batch.selected)
    for cid in p.course_ids:
        old = batch.manifest.get(cid, {})
        current = (
            old.get("fingerprint") == fingerprints[cid]
            and old.get("status") == "made"
            and batch.has_page(cid)
        )
        row = {"course_id": cid, "title": str(batch.titles[cid]), "error": None, "notebook": None}
        if cid in wanted and (force or not current):
            todo.append((cid, fingerprints[cid]))
            row.update(status="not run", href=None)
        elif current:
            row.update(status="unchanged", href=course_href(cid))
        else:  # not selected this time: say what the folder holds for it
            row.update(_previous(batch, cid, old, fingerprints[cid]))
        index_rows.append(row)
    return todo, index_rows


def _previous(batch: Batch, cid: str, old: dict, fingerprint: str) -> dict:
    """Index row fields of a course left out of this run."""
    if old.get("status") == "failed" and old.get("fingerprint") == fingerprint:
        kept = batch.failed_notebook(course_slug(cid))
        kept_ok = kept.is_file() and not kept.is_symlink()
        return {
            "status": "failed",
            "href": None,
            "error": old.get("error"),
            "notebook": kept.relative_to(batch.out).as_posix() if kept_ok else None,
        }
    if batch.has_page(cid):
        return {"status": "outdated", "href": course_href(cid)}
    return {"status": "missing", "href": None}


def invalid_course_rows(p: Portfolio) -> list[dict]:
    """The overview's row for each course left out because it breaks the data contract."""
    rows = []
    firsts = format_issues(p.invalid.drop_duplicates("course_id"))  # same order
    for (cid, title, n), first in zip(
        p.invalid_courses.itertuples(index=False), firsts, strict=True
    ):
        more = f" (and {n - 1} more)" if n > 1 else ""
        error = f"{n} error{'s' if n != 1 else ''} against the data contract: {first}{more}"
        rows.append(
            {
                "course_id": cid,
                "title": title if isinstance(title, str) else cid,
                "status": "invalid",
                "error": error,
                "href": None,
                "notebook": None,
            }
        )
    return rows
