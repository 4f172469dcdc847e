"""Validation of raw tables against the data contract of :mod:`socialkit.schema`.

Every failure is collected before :class:`~socialkit.errors.ValidationError` is raised.
Column-level rules run as `pandera <https://pandera.readthedocs.io>`_ schemas on each
column's distinct values; rules that span rows or tables (uniqueness, references) are
vectorised pandas on top. The result is a :class:`~socialkit.schema.Portfolio` of
canonical tables.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ._frames import isin, pairs_isin, per_unique
from .errors import ValidationError
from .issues import (
    COURSE_TABLES,
    ISSUE_CODES,
    course_of,
    duplicate_issues,
    frame_issues,
    issue_frame,
    missing_column_issues,
)
from .names import closest_tools, name_entries, name_key, resolve_tools, suite_lookup
from .schema import (
    DEFAULT_ORGANISATION,
    ISSUE_COLUMNS,
    TABLE_ORDER,
    TABLES,
    ColumnSpec,
    Portfolio,
    absent_decisions,
)
from .vocab import (
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

__all__ = ["COURSE_TABLES", "ISSUE_CODES", "validate"]


def _blank(s: pd.Series) -> pd.Series:
    return s.isna() | (s.str.strip() == "")


def _check_for(spec: ColumnSpec) -> pa.Check | None:
    if spec.vocab is not None and spec.is_list:
        keys = set(spec.vocab.lookup)

        def ok(s: pd.Series) -> pd.Series:
            items = match_key(s.str.split(";").explode())
            good = items.isna() | (items == "") | items.isin(keys)
            return good.groupby(level=0).all().reindex(s.index, fill_value=True)

        return pa.Check(ok, error=f"every ';'-separated item must be {spec.vocab.expected()}")
    if spec.vocab is not None:
        keys = set(spec.vocab.lookup)
        syn = f" (or a synonym: {', '.join(spec.vocab.synonyms)})" if spec.vocab.synonyms else ""
        return pa.Check(
            lambda s: _blank(s) | match_key(s).isin(keys),
            error=f"expected {spec.vocab.expected()}{syn}",
        )
    if spec.min_int is not None:
        lo, hi = spec.min_int, spec.max_int

        def is_int(s: pd.Series) -> pd.Series:
            t = s.str.strip()
            # ASCII digits only (``\d`` would take other scripts' digits), few enough
            # to stay an exact int64; the documented limit then bounds every sum
            digits = t.str.fullmatch(r"[0-9]{1,15}").fillna(False).astype(bool)
            n = pd.to_numeric(t.where(digits), errors="coerce")
            in_range = (n >= lo) & (n <= hi) if hi is not None else n >= lo
            return _blank(s) | (digits & in_range)

        return pa.Check(is_int, error=f"expected {spec.expected}")
    if spec.pattern is not None:
        return pa.Check(
            lambda s: _blank(s) | s.str.strip().str.fullmatch(spec.pattern).fillna(False),
            error=f"expected {spec.expected}",
        )
    return None


_BLANK = "is blank; a value is required"


def _code_of(spec: ColumnSpec) -> str:
    if spec.vocab is not None:
        return "not-in-vocabulary"
    return "bad-number" if spec.min_int is not None else "bad-format"


def _column_schema(spec: ColumnSpec) -> pa.DataFrameSchema:
    check = _check_for(spec)
    checks = [check] if check is not None else []
    if spec.kind == "structural":
        checks.append(pa.Check(lambda s: ~_blank(s), error=_BLANK, ignore_na=False))
    return pa.DataFrameSchema({spec.name: pa.Column(checks=checks, nullable=True)})


def _column_issues(table: str, df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Run each column's pandera checks on its distinct values, then map back to rows.

    Every rule here looks at one cell at a time, so checking each distinct value once
    finds the same failures as checking every row, at a fraction of the cost on a
    long portfolio.

    Returns
    -------
    issues : pandas.DataFrame
    untrimmed : list of str
        The columns with a value that has surrounding white space or is empty: only
        those need trimming.
    """
    found, untrimmed = [], []
    for spec in TABLES[table]:
        if spec.name not in df.columns:
            continue
        codes, uniques = pd.factorize(df[spec.name], use_na_sentinel=False)
        values = pd.Series(uniques, dtype="str")
        if ((values.str.strip() != values) | (values == "")).any():
            untrimmed.append(spec.name)
        distinct = pd.DataFrame({spec.name: values})
        try:
            _column_schema(spec).validate(distinct, lazy=True)
        except pa.errors.SchemaErrors as exc:
            fc = exc.failure_cases
        else:
            continue
        fails = pd.DataFrame({"code": fc["index"].astype("int64"), "message": fc["check"]})
        hit = np.flatnonzero(np.isin(codes, fails["code"].to_numpy()))
        bad = pd.DataFrame({"code": codes[hit], "row": df.index[hit]}).merge(fails, on="code")
        found.append(
            pd.DataFrame(
                {
                    "table": table,
                    "row": bad["row"].astype("Int64"),
                    "column": spec.name,
                    "value": distinct[spec.name].take(bad["code"]).to_numpy(),
                    "message": bad["message"].astype("str"),
                    "code": np.where(bad["message"].eq(_BLANK), "blank", _code_of(spec)),
                }
            )
        )
    return (pd.concat(found, ignore_index=True) if found else issue_frame()), untrimmed


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
    grouped = items.groupby(level=0).agg(tuple)
    return grouped.reindex(s.index).apply(lambda t: t if isinstance(t, tuple) else ())


def _strip(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Trim the cells of some columns; a cell of white space only becomes missing."""
    out = df.copy(deep=False)
    for col in columns:
        s = df[col].str.strip()
        out[col] = s.where(s != "")
    return out


_UNIQUE_NAMES = (
    "expected tool names and aliases unique across the catalog "
    "(matched case-insensitively, spaces, '_' and '-' alike)"
)


def _name_clash_issues(names: pd.DataFrame) -> pd.DataFrame:
    """A name or alias whose key an earlier name or alias of another tool already has.

    ``names`` is :func:`~socialkit.names.name_entries` of the tools table: in row order,
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
        fills them from the bundled catalog and context when a portfolio has none).
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
    present = {}
    for name in TABLE_ORDER:
        df = raw[name]
        issues.append(missing_column_issues(name, df))
        column_issues, untrimmed = _column_issues(name, df)
        issues.append(column_issues)
        present[name] = _strip(_ensure_columns(df, name), untrimmed)
    c, o, a, t, g = (present[n] for n in TABLE_ORDER)

    # uniqueness (tool names case-insensitively, seq by its numeric value)
    seq_num = per_unique(a["seq"], _whole_number)
    issues += [
        duplicate_issues("courses", c, ["course_id"]),
        duplicate_issues("objectives", o, ["course_id", "objective_id"]),
        duplicate_issues("activities", a, ["course_id", "activity_id"]),
        duplicate_issues(
            "activities",
            a,
            ["course_id", "seq"],
            key_frame=pd.DataFrame({"course_id": a["course_id"], "seq": seq_num}),
        ),
        duplicate_issues("organisations", g, ["organisation"]),
    ]

    # references
    for name, df in (("objectives", o), ("activities", a)):
        mask = df["course_id"].notna() & ~isin(df["course_id"], c["course_id"])
        issues.append(
            frame_issues(
                name,
                raw[name],
                mask,
                "course_id",
                "unknown course; expected a course_id of the courses table",
                "unknown-course",
            )
        )
    keys = ["course_id", "objective_id"]
    mask = (
        a["objective_id"].notna()
        & ~pairs_isin(a[keys], o[keys])
        & isin(a["course_id"], c["course_id"])
    )
    issues.append(
        frame_issues(
            "activities",
            raw["activities"],
            mask,
            "objective_id",
            "no such objective in this course; expected an objective_id "
            "of the same course in the objectives table, or blank",
            "unknown-objective",
        )
    )
    org_names = set(g["organisation"].dropna())
    mask = c["organisation"].notna() & ~isin(c["organisation"], org_names)
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
    names = name_entries(t)
    issues.append(_name_clash_issues(names))
    tool_names = names.drop_duplicates("key")
    lookup = dict(zip(tool_names["key"], tool_names["tool"], strict=True))
    suites = suite_lookup(t)
    notices = (*given, *_platform_notices(g, lookup, suites, t))

    found = (
        pd.concat([i for i in issues if len(i)], ignore_index=True)
        if any(len(i) for i in issues)
        else issue_frame()
    )
    if not len(found):
        return _canonical(c, o, a, t, g, lookup, suites, raw=raw, source=source, notices=notices)
    order = {n: i for i, n in enumerate(TABLE_ORDER)}
    found = (
        found.assign(_t=found["table"].map(order), course_id=course_of(found, present))
        .sort_values(["_t", "row", "column"], kind="stable", na_position="first")
        .drop(columns="_t")
        .reset_index(drop=True)
    )[ISSUE_COLUMNS]
    if not partial or found["course_id"].isna().any():
        raise ValidationError(found, notices)
    # the inner validation notes the unknown platforms again
    return _without_invalid(raw, present, found, source=source, notices=given)


def _without_invalid(
    raw: dict[str, pd.DataFrame],
    present: dict[str, pd.DataFrame],
    found: pd.DataFrame,
    *,
    source: Path | None,
    notices: tuple[str, ...],
) -> Portfolio:
    """The portfolio of the courses without issues, with the others' issues kept."""
    bad = set(found["course_id"])
    kept = dict(raw)
    for table in COURSE_TABLES:
        kept[table] = raw[table][~present[table]["course_id"].isin(bad).to_numpy()]
    # every rule is about one course's rows, or about the shared tables, which are
    # unchanged: the remaining courses are valid
    valid = validate(kept, source=source, notices=notices)
    return dataclasses.replace(valid, raw=raw, invalid=found)


def _canonical(c, o, a, t, g, lookup, suites, *, raw, source, notices) -> Portfolio:
    keep = {n: [s.name for s in TABLES[n]] for n in TABLES}

    def with_row(df: pd.DataFrame, table: str) -> pd.DataFrame:
        out = df[keep[table]].copy()
        out.insert(len(out.columns), "row", df.index.astype("int64"))
        return out.reset_index(drop=True)

    courses = with_row(c, "courses")
    courses["organisation"] = courses["organisation"].fillna(DEFAULT_ORGANISATION)
    courses["status"] = STATUS.normalise(courses["status"]).fillna("draft")

    acts = with_row(a, "activities")
    acts["seq"] = per_unique(acts["seq"], _whole_number).astype("int64")
    acts["minutes"] = per_unique(acts["minutes"], _whole_number).astype("Int64")
    for vocab in (TIMINGS, DIRECTIONS, TOOL_TYPES, IN_CLASS_REASONS, LEARNING_TYPES):
        acts[vocab.name] = vocab.normalise(acts[vocab.name])
    # a name or alias of the catalog is spelt as the catalog names the tool; any other
    # name is kept as written (trimmed): the unknown-tool warning is about it
    acts["tool"] = per_unique(acts["tool"], lambda u: resolve_tools(u, lookup).fillna(u)).astype(
        "str"
    )
    org_of = courses.set_index("course_id")["organisation"]
    acts["organisation"] = per_unique(acts["course_id"], lambda u: u.map(org_of)).astype("str")

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
    )


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
