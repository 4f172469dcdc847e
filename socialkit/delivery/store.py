"""Placed statements kept as Parquet, partitioned by course: what a distributed engine reads.

:func:`write_parquet` writes the placed statements (:class:`~socialkit.delivery.placing.Placed`)
to a folder of Parquet files in the Hive layout, one folder per course
(``course_id=syn-000001/part-0.parquet``; a course id is URI-escaped in the folder name and
read back as written). Dask, Spark, DuckDB, Polars and pyarrow read such a folder directly,
locally or from object storage; :func:`read_parquet` reads it back with pandas and
:func:`socialkit.delivery.dask_summary.dask_delivery_summary` analyses it on a Dask
cluster. The folder is written whole or not at all: to a temporary folder beside it,
renamed into place; a store written before is replaced, anything else is never written
over.

Columns (:data:`STORE_COLUMNS`): ``course_id``, ``run_id``, ``activity_id`` (text), ``id``
(the statement id, may be null), ``actor``, ``verb`` (text), ``time`` (timestamp, UTC, ns),
``phase``, ``role``, ``interaction`` (dictionary-encoded text). The positions in the
portfolio's tables (``stmt``, ``run_row``, ``activity_row``) are not kept: they mean
nothing once the portfolio changes.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from socialkit.base.files import temp_name
from socialkit.delivery.placing import DIRECTIONS, PHASES, ROLES, Placed
from socialkit.errors import DestinationNotEmptyError

__all__ = ["MARKER", "STORE_COLUMNS", "read_parquet", "write_parquet"]

#: Columns of a store, in order.
STORE_COLUMNS = (
    "course_id",
    "run_id",
    "activity_id",
    "id",
    "actor",
    "verb",
    "time",
    "phase",
    "role",
    "interaction",
)
#: The file in a store that says it is one (engines skip names starting with ``_``).
MARKER = "_socialkit_delivery.json"
_FORMAT = {"format": "socialkit placed statements", "version": 1, "partitioned_by": "course_id"}
_CATEGORIES = {"phase": PHASES, "role": ROLES, "interaction": DIRECTIONS}
_TEXT = ("course_id", "run_id", "activity_id", "id", "actor", "verb")


def _schema() -> pa.Schema:
    fields = [pa.field(c, pa.string()) for c in _TEXT]
    fields.append(pa.field("time", pa.timestamp("ns", tz="UTC")))
    fields += [pa.field(c, pa.dictionary(pa.int8(), pa.string())) for c in _CATEGORIES]
    return pa.schema(fields)


def _table(frame: pd.DataFrame) -> pa.Table:
    """The store's columns of a placed frame as Arrow (text shared, not copied, where the
    frame keeps it in Arrow already)."""
    frame = frame[list(STORE_COLUMNS)].copy()
    for c, categories in _CATEGORIES.items():
        frame[c] = pd.Categorical(frame[c], categories=categories)
    frame["time"] = frame["time"].astype("datetime64[ns, UTC]")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return table.cast(_schema()).replace_schema_metadata(None)


def _is_store(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def write_parquet(placed: Placed, folder: str | os.PathLike[str]) -> Path:
    """Write placed statements to ``folder`` as Parquet partitioned by course.

    Parameters
    ----------
    placed : Placed
        :func:`~socialkit.delivery.placing.place_statements` of the statements.
    folder : path-like
        A new or empty folder, or a store written before (then replaced whole).

    Returns
    -------
    pathlib.Path
        The folder written.

    Raises
    ------
    DestinationNotEmptyError
        If ``folder`` is a file, or a folder holding anything but a store.
    """
    folder = Path(folder)
    if folder.exists() and not (
        folder.is_dir() and (_is_store(folder) or not any(folder.iterdir()))
    ):
        raise DestinationNotEmptyError(
            f"cannot write the statements store to {str(folder)!r}: it is "
            + ("a file" if not folder.is_dir() else "a folder that holds other files")
            + "; give a new or empty folder, or a store written before"
        )
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.parent / temp_name(folder)
    try:
        table = _table(placed.frame)
        tmp.mkdir()
        if table.num_rows:
            ds.write_dataset(
                table,
                tmp,
                format="parquet",
                partitioning=ds.partitioning(
                    pa.schema([pa.field("course_id", pa.string())]), flavor="hive"
                ),
                basename_template="part-{i}.parquet",
                existing_data_behavior="error",
            )
        else:  # an empty store still has the columns
            pq.write_table(table.drop_columns(["course_id"]), tmp / "part-0.parquet")
        (tmp / MARKER).write_text(json.dumps(_FORMAT, indent=1) + "\n", encoding="utf-8")
        old = None
        if folder.exists():
            old = folder.parent / temp_name(folder, suffix=".old")
            os.replace(folder, old)
        os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return folder


def read_parquet(folder: str | os.PathLike[str]) -> pd.DataFrame:
    """A store written by :func:`write_parquet`, as one pandas frame.

    Columns :data:`STORE_COLUMNS`; ``course_id`` as text, ``phase``, ``role`` and
    ``interaction`` as categories in the order of
    :data:`~socialkit.delivery.placing.PHASES`, ``ROLES`` and ``DIRECTIONS``. Rows in
    no particular order.
    """
    dataset = ds.dataset(
        Path(folder),
        format="parquet",
        partitioning=ds.partitioning(
            pa.schema([pa.field("course_id", pa.string())]), flavor="hive"
        ),
    )
    frame = dataset.to_table().to_pandas()
    frame["course_id"] = frame["course_id"].astype("str")
    for c, categories in _CATEGORIES.items():
        frame[c] = pd.Categorical(frame[c].astype(object), categories=categories)
    return frame[list(STORE_COLUMNS)]
