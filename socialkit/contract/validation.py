"""Validation of raw tables against the data contract of :mod:`socialkit.contract.schema`.

Every failure is collected before :class:`~socialkit.errors.ValidationError` is raised.
Column-level rules (:mod:`socialkit.contract.column_rules`) run on each column's distinct
values; rules that span rows or tables (uniqueness, references) are
vectorised pandas on top. The result is a :class:`~socialkit.contract.schema.Portfolio` of
canonical tables.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import numpy as np
import pandas as pd

from socialkit.contract.column_rules import column_issues
from socialkit.contract.delivery_tables import (
    canonical_people,
    canonical_runs,
    run_issues,
    xapi_id_issues,
)
from socialkit.contract.distinct import Distinct, has_repeats, pairs_found
from socialkit.contract.issues import (
    COURSE_TABLES,
    ISSUE_CODES,
    course_of,
    duplicate_issues,
    frame_issues,
    issue_frame,
    missing_column_issues,
)
from socialkit.contract.schema import (
    DEFAULT_ORGANISATION,
    DELIVERY_TABLES,
    ISSUE_COLUMNS,
    TABLE_ORDER,
    TABLES,
    Portfolio,
    absent_decisions,
)
from socialkit.contract.tool_names import (
    closest_tools,
    name_entries,
    name_key,
    resolve_tools,
    suite_lookup,
)
from socialkit.contract.vocab import (
    BOOLEAN,
    DIRECTIONS,
    HOSTING,
    IN_CLASS_REASONS,
    LEARNING_TYPES,
    MODES,
    ONBOARDING,
    STATUS,
    TIMINGS,
    TOOL_TYPES,
    match_key,
)
from socialkit.errors import ValidationError

__all__ = ["COURSE_TABLES", "ISSUE_CODES", "validate"]


def _ensure_columns(df: pd.DataFrame, table: str) -> pd.DataFrame:
    missing = [s.name for s in TABLES[table] if s.name not in df.columns]
    if missing:
        df = df.assign(**{m: pd.Series(pd.NA, index=df.index, dtype="str") for m in missing})
    return df


def _whole_number(s: pd.Series) -> pd.Series:
    """Whole numbers written as plain digits, else missing."""
    t = s.str.strip()
    return pd.to_numeric(t.where(t.str.fullmatch(r"[0-9]{1,15}").fillna(False)), errors="coerce")


def _host_names(values: pd.Series) -> pd.Series:
    """Host names as firewall lists write them, reduced to the name: lower case, without a
    scheme, path or port (``https://www.linkedin.com/feed`` is ``www.linkedin.com``), a
    wildcard or leading dot (``*.slack.com`` and ``.slack.com`` are ``slack.com``, which
    blocks its subdomains anyway) or the trailing dot of a fully qualified name."""
    out = values.str.lower().str.replace(r"^[a-z][a-z0-9+.\-]*://", "", regex=True)
    out = out.str.replace(r"[/?#].*$", "", regex=True).str.replace(r":\d*$", "", regex=True)
    return out.str.replace(r"^(\*?\.)+", "", regex=True).str.rstrip(".")


def _split_list(s: pd.Series, mapper=None) -> pd.Series:
    """``'a; b'`` -> ``('a', 'b')``, mapping each item; blank -> ``()``."""
    items = s.str.split(";").explode().astype("str").str.strip()
    items = items[items.notna() & (items != "")]
    if mapper is not None:
        items = mapper(items)
    # gathered in plain Python: the tables with list cells are short, and a groupby
    # costs more than the whole gathering there
    cells: dict = {}
    for row, item in zip(items.index, items, strict=True):
        cells.setdefault(row, []).append(item)
    return pd.Series(
        [tuple(cells.get(row, ())) for row in s.index], index=s.index, dtype="object", name=s.name
    )


_UNIQUE_NAMES = (
    "expected tool names and aliases unique across the catalog "
    "(matched case-insensitively, spaces, '_' and '-' alike)"
)


def _name_clash_issues(names: pd.DataFrame) -> pd.DataFrame:
    """A name or alias whose key an earlier name or alias of another tool already has.

    ``names`` is :func:`~socialkit.contract.tool_names.name_entries` of the tools table: in row
    order,
    each row's name before its aliases, so the later of two clashing names is reported.
    A tool name repeating an earlier tool name is a ``duplicate``, as any repeated key;
    any other clash involves an alias and is a ``name-clash``, as is a name or alias
    ``none``, which an activity writes for no tool.
    """
    reserved = names["key"].eq("none")
    rows = [
        {
            "table": "tools",
            "row": row,
            "column": column,
            "value": value,
            "message": f"{'tool name' if column == 'tool' else 'alias'} {value!r} is what an "
            "activity writes for no tool; expected another name",
            "code": "name-clash",
        }
        for row, column, value in zip(
            names["row"][reserved], names["column"][reserved], names["value"][reserved], strict=True
        )
    ]
    dup = names.duplicated("key", keep="first") & ~reserved
    if not dup.any():
        return issue_frame(rows)
    first = names.drop_duplicates("key").set_index("key")
    bad = names[dup]
    for row, column, value, key in zip(
        bad["row"], bad["column"], bad["value"], bad["key"], strict=True
    ):
        was = first.loc[key]
        if column == "tool" and was["column"] == "tool":
            message = (
                f"duplicate tool name; first used at row {was['row']}; expected each to be unique"
            )
            code = "duplicate"
        else:
            what = "tool name" if column == "tool" else "alias"
            used = "the name" if was["column"] == "tool" else "an alias"
            message = (
                f"{what} {value!r} is already {used} of {was['tool']!r} "
                f"(row {was['row']}, column {was['column']!r}); {_UNIQUE_NAMES}"
            )
            code = "name-clash"
        rows.append(
            {
                "table": "tools",
                "row": row,
                "column": column,
                "value": value,
                "message": message,
                "code": code,
            }
        )
    return issue_frame(rows)


def _platform_notices(
    g: pd.DataFrame, lookup: dict[str, str], suites: dict[str, tuple[str, ...]], t: pd.DataFrame
) -> tuple[str, ...]:
    """A notice for each platform that names neither a tool nor a suite of the catalog."""
    items = g["platforms"].str.split(";").explode().astype("str").str.strip()
    items = items[items.notna() & (items != "")]
    if not len(items):
        return ()
    keys = match_key(items)
    unknown = items[~keys.isin(set(lookup)) & ~keys.isin(set(suites))]
    out = []
    for row, value in zip(unknown.index, unknown, strict=True):
        near = closest_tools(value, t)
        hint = (
            "closest catalog tools: " + ", ".join(map(repr, near))
            if near
            else "no catalog tool has a similar name"
        )
        out.append(
            f"organisations, row {row}, column 'platforms': {value!r} is neither a tool nor "
            f"a suite of the catalog ({hint}); it is kept as written, so only activities "
            "naming it the same way use that platform, and its fit is unknown"
        )
    return tuple(out)


def _platforms(
    cells: pd.Series, lookup: dict[str, str], suites: dict[str, tuple[str, ...]]
) -> pd.Series:
    """Each organisation's platforms as a tuple of catalog names: a name or alias is
    spelt as the catalog names the tool, a suite (or a common name of one) stands for
    every tool of it, any other name is kept as written; no tool twice."""

    def expand(items: tuple[str, ...]) -> tuple[str, ...]:
        out: list[str] = []
        for item in items:
            key = name_key(item)
            found = ([lookup[key]] if key in lookup else []) + list(suites.get(key, ()))
            out += found or [item]
        return tuple(dict.fromkeys(out))

    return _split_list(cells).map(expand)


def validate(
    tables: dict[str, pd.DataFrame],
    *,
    source: Path | None = None,
    notices: tuple[str, ...] = (),
    partial: bool = False,
) -> Portfolio:
    """Check raw tables against the data contract and return the canonical portfolio.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Raw string tables keyed by table name; each frame's index is the row number
        the user sees. ``tools`` and ``organisations`` must be present (the reader
        fills them from the bundled catalog and context when a portfolio has none);
        the delivery tables ``runs`` and ``people`` may be absent (see
        :mod:`socialkit.contract.delivery_tables` for their rules).
    source : pathlib.Path, optional
        Where the tables came from, kept on the result.
    notices : tuple of str
        Reader remarks, kept on the result.
    partial : bool, default False
        Leave out the courses that have issues instead of raising: the result holds
        the valid courses, and their issues in :attr:`Portfolio.invalid`. Issues that
        belong to no one course (see :data:`COURSE_TABLES`) still raise.

    Returns
    -------
    Portfolio

    Raises
    ------
    ValidationError
        Listing every failure found, each with table, row, column, value, message
        and the ``course_id`` it belongs to (missing when portfolio-wide).
    """
    given = tuple(notices)
    issues = []
    raw = {name: df for name, df in tables.items()}
    present, cols = {}, {}
    for name in TABLE_ORDER:
        df = raw.get(name)
        if df is None and name in DELIVERY_TABLES:  # optional: checked as an empty table
            df = pd.DataFrame({s.name: pd.Series(dtype="str") for s in TABLES[name]})
        issues.append(missing_column_issues(name, df))
        found_here, columns = column_issues(name, df)
        issues.append(found_here)
        present[name], cols[name] = _trimmed(_ensure_columns(df, name), name, columns)
    c, a, t, g = (present[n] for n in ("courses", "activities", "tools", "organisations"))
    cc, oc, ac = (cols[n] for n in ("courses", "objectives", "activities"))

    # uniqueness (tool names case-insensitively, seq by its numeric value); the codes
    # of the distinct values tell at once whether a key repeats at all, and only then
    # are the repeats described
    seq_num = ac["seq"].derive(_whole_number)
    for table, keys, key_cols in (
        ("courses", ["course_id"], [cc["course_id"]]),
        ("objectives", ["course_id", "objective_id"], [oc["course_id"], oc["objective_id"]]),
        ("activities", ["course_id", "activity_id"], [ac["course_id"], ac["activity_id"]]),
        ("activities", ["course_id", "seq"], [ac["course_id"], seq_num]),
        ("organisations", ["organisation"], [cols["organisations"]["organisation"]]),
    ):
        if not has_repeats(*key_cols):
            continue
        key_frame = None
        if keys[-1] == "seq":  # seq compared by its numeric value
            key_frame = pd.DataFrame({"course_id": a["course_id"], "seq": seq_num.column()})
        issues.append(duplicate_issues(table, present[table], keys, key_frame=key_frame))

    # references
    for name in ("objectives", "activities"):
        course = cols[name]["course_id"]
        mask = ~course.missing() & ~course.isin(cc["course_id"].values).to_numpy()
        issues.append(
            frame_issues(
                name,
                raw[name],
                pd.Series(mask, index=present[name].index),
                "course_id",
                "unknown course; expected a course_id of the courses table",
                "unknown-course",
            )
        )
    mask = (
        ~ac["objective_id"].missing()
        & ~pairs_found([ac["course_id"], ac["objective_id"]], [oc["course_id"], oc["objective_id"]])
        & ac["course_id"].isin(cc["course_id"].values).to_numpy()
    )
    issues.append(
        frame_issues(
            "activities",
            raw["activities"],
            pd.Series(mask, index=a.index),
            "objective_id",
            "no such objective in this course; expected an objective_id "
            "of the same course in the objectives table, or blank",
            "unknown-objective",
        )
    )
    org_names = set(g["organisation"].dropna())
    mask = c["organisation"].notna() & ~cc["organisation"].isin(g["organisation"])
    issues.append(
        frame_issues(
            "courses",
            raw["courses"],
            mask,
            "organisation",
            "unknown organisation; expected one of " + ", ".join(map(repr, sorted(org_names))),
            "unknown-organisation",
        )
    )
    issues += run_issues(present["runs"], present["people"], raw, c["course_id"])
    issues.append(xapi_id_issues(a, raw["activities"]))
    names = name_entries(t)
    issues.append(_name_clash_issues(names))
    tool_names = names.drop_duplicates("key")
    lookup = dict(zip(tool_names["key"], tool_names["tool"], strict=True))
    suites = suite_lookup(t)
    notices = (*given, *_platform_notices(g, lookup, suites, t))
    canonical = functools.partial(
        _canonical, t=t, g=g, lookup=lookup, suites=suites, raw=raw, source=source, notices=notices
    )

    issues = [i for i in issues if len(i)]
    if not issues:
        return canonical(present, cols)
    found = pd.concat(issues, ignore_index=True)
    order = {n: i for i, n in enumerate(TABLE_ORDER)}
    found = (
        found.assign(_t=found["table"].map(order), course_id=course_of(found, present))
        .sort_values(["_t", "row", "column"], kind="stable", na_position="first")
        .drop(columns="_t")
        .reset_index(drop=True)
    )[ISSUE_COLUMNS]
    if not partial or found["course_id"].isna().any():
        raise ValidationError(found, notices)
    # every rule is about one course's rows, or about the shared tables: the rows of
    # the other courses are valid as they are, and need no second validation
    bad = pd.Series(list(set(found["course_id"])), dtype="str")
    for table in COURSE_TABLES:
        keep = ~cols[table]["course_id"].isin(bad).to_numpy()
        present[table] = present[table][keep]
        cols[table] = {name: col.subset(keep) for name, col in cols[table].items()}
    return dataclasses.replace(canonical(present, cols), invalid=found)


def _trimmed(
    df: pd.DataFrame, table: str, columns: dict[str, Distinct]
) -> tuple[pd.DataFrame, dict[str, Distinct]]:
    """Trim the contract columns of ``df``; a cell of white space only becomes missing.

    Only the columns with such a value change, and they are trimmed on their distinct
    values. Returns the trimmed table and each contract column of it, factorized.
    """
    out = df.copy(deep=False)
    trimmed = {}
    for spec in TABLES[table]:
        col = columns.get(spec.name)
        if col is None:  # a column the table lacks, all missing (see _ensure_columns)
            trimmed[spec.name] = Distinct.of(df[spec.name])
            continue
        stripped = col.stripped()
        if stripped is not None:
            col = stripped
            out[spec.name] = col.column()
        trimmed[spec.name] = col
    return out, trimmed


def _canonical(present, cols, *, t, g, lookup, suites, raw, source, notices) -> Portfolio:
    keep = {n: [s.name for s in TABLES[n]] for n in TABLES}
    c, o, a = (present[n] for n in ("courses", "objectives", "activities"))

    def with_row(df: pd.DataFrame, table: str) -> pd.DataFrame:
        out = df[keep[table]].copy()
        out.insert(len(out.columns), "row", df.index.astype("int64"))
        return out.reset_index(drop=True)

    courses = with_row(c, "courses")
    courses["organisation"] = courses["organisation"].fillna(DEFAULT_ORGANISATION)
    courses["status"] = STATUS.normalise(courses["status"]).fillna("draft")

    # the long activity columns are worked out on their distinct values
    ac = cols["activities"]
    acts = with_row(a, "activities")
    acts["seq"] = ac["seq"].map(_whole_number).astype("int64").array
    acts["minutes"] = ac["minutes"].map(_whole_number).astype("Int64").array
    # a column whose values are all canonical already (as the editor writes them) is kept
    # as it is: spreading the same values to every row again costs a take a column
    vocabs = (TIMINGS, DIRECTIONS, TOOL_TYPES, IN_CLASS_REASONS, LEARNING_TYPES)
    spelt = {vocab.name: vocab.normalise for vocab in vocabs}
    # a name or alias of the catalog is spelt as the catalog names the tool; any other
    # name is kept as written (trimmed): the unknown-tool warning is about it
    spelt["tool"] = lambda u: resolve_tools(u, lookup).fillna(u)
    for name, func in spelt.items():
        mapped = ac[name].map_changed(func)
        if mapped is not None:
            acts[name] = mapped.astype("str").array
    acts["xapi_ids"] = _id_tuples(ac["xapi_ids"])
    org_of = courses.set_index("course_id")["organisation"]
    acts["organisation"] = ac["course_id"].map(lambda u: u.map(org_of)).astype("str").array

    tools = with_row(t, "tools")
    tools["tool_types"] = _split_list(tools["tool_types"], TOOL_TYPES.normalise)
    tools["directions"] = _split_list(tools["directions"], DIRECTIONS.normalise)
    tools["modes"] = _split_list(tools["modes"], MODES.normalise)
    tools["aliases"] = _split_list(tools["aliases"])
    tools["hosting"] = HOSTING.normalise(tools["hosting"])
    tools["onboarding"] = ONBOARDING.normalise(tools["onboarding"])
    tools["domains"] = _split_list(tools["domains"], _host_names)

    orgs = with_row(g, "organisations")
    orgs["platforms"] = _platforms(orgs["platforms"], lookup, suites)
    orgs["blocked_domains"] = _split_list(orgs["blocked_domains"], _host_names)
    orgs["prefers_internal"] = BOOLEAN.normalise(orgs["prefers_internal"]).eq("true")

    return Portfolio(
        courses=courses,
        objectives=with_row(o, "objectives"),
        activities=acts,
        tools=tools,
        organisations=orgs,
        raw=raw,
        source=source,
        notices=(*notices, *_absent_notice(absent_decisions(raw))),
        runs=canonical_runs(present["runs"]),
        people=canonical_people(present["people"]),
    )


def _id_tuples(col: Distinct) -> np.ndarray:
    """Each activity's ``xapi_ids`` as a tuple of str (``()`` when blank), worked out on
    the column's distinct values."""
    values = col.values.astype("str")
    cells = np.empty(len(values), dtype="object")
    for i, cell in enumerate(values):  # the few distinct cells
        items = () if pd.isna(cell) else (item.strip() for item in cell.split(";"))
        cells[i] = tuple(dict.fromkeys(item for item in items if item))
    return cells[col.codes]


def _absent_notice(columns: tuple[str, ...]) -> tuple[str, ...]:
    """The one notice about the decision columns the activities table lacks, if any."""
    if not columns:
        return ()
    names = columns[0] if len(columns) == 1 else f"{', '.join(columns[:-1])} or {columns[-1]}"
    return (
        f"activities: no {names} column, so no activity has decided "
        f"{'it' if len(columns) == 1 else 'them'} yet; the checklist counts this once per "
        "course, and no warning repeats it for every activity",
    )
