"""How much socialkit reads: past these limits a file is refused with a located message.

A workbook is read by its real content, never by the size it declares (its
``<dimension>`` tag or the sizes in its zip directory), and these limits keep a reader
of a 10 MB workbook well under 1 GB of memory, whatever its cells say. They are far above
any real design portfolio: 20,000 courses of 20 activities fill 400,000 rows and 13 columns.
"""

from __future__ import annotations

__all__ = ["MAX_CELLS", "MAX_COLUMNS", "MAX_ROWS", "MAX_UNPACKED_BYTES"]

#: Columns of a table, CSV or sheet (column ``ALL`` in a workbook).
MAX_COLUMNS = 1_000
#: Rows of a sheet, header included: as many as Excel itself holds.
MAX_ROWS = 1_048_576
#: Cells of a sheet's used area (from A1 to its last row and column in use).
MAX_CELLS = 10_000_000
#: Bytes a workbook's parts unpack to, counted as they are unpacked: the sheets of the
#: portfolio's tables, the shared strings, styles and the workbook's own parts.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
