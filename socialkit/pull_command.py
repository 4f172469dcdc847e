"""``socialkit pull``: fetch an LRS's statements into a folder (see socialkit.delivery.lrs)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from socialkit.console import echo
from socialkit.errors import SocialkitError

__all__ = ["pull"]

EXIT_USAGE, EXIT_INTERRUPTED = 2, 130


@click.command()
@click.argument("url")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the statements files and of the pull's state.",
)
@click.option(
    "--since",
    metavar="ISO",
    help="First pull only: the statements stored after this time (e.g. 2026-01-31T09:00:00Z).",
)
@click.option(
    "--page-size",
    type=click.IntRange(min=1),
    default=500,
    show_default=True,
    help="Statements asked per request.",
)
def pull(url: str, out_dir: Path, since: str | None, page_size: int) -> None:
    """Fetch the statements of the LRS at URL into OUT, going on from the last pull there.

    URL is the LRS's xAPI address (https://lrs.example.org/xAPI/, or its /statements).
    Each page becomes a .jsonl file in OUT, which --statements and the delivery analysis
    read. Credentials come only from SOCIALKIT_LRS_USERNAME and SOCIALKIT_LRS_PASSWORD, or
    a netrc entry for the host. Exit status: 0 pulled, 2 refused credentials, no LRS at
    URL, an answer that is not xAPI, or a connection lost, 130 interrupted (what was
    written is kept: run the same pull again to go on).
    """
    from tqdm.auto import tqdm

    from socialkit.delivery.lrs import pull as do_pull

    bar = tqdm(unit=" statements", desc="statements fetched", file=sys.stderr)

    def progress(fetched: int) -> None:
        bar.update(fetched - bar.n)

    try:
        try:
            result = do_pull(url, out_dir, since=since, page_size=page_size, progress=progress)
        finally:  # before any message, so that it starts on a line of its own
            bar.close()
    except SocialkitError as exc:
        echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:  # every page written is in place, and its state with it
        echo(
            f"interrupted: what was pulled into {out_dir} is kept; run the same pull again "
            "to go on",
            err=True,
        )
        sys.exit(EXIT_INTERRUPTED)
    skipped = result.fetched - result.written
    again = f" ({skipped} already there)" if skipped else ""
    echo(
        f"pulled {result.written} new statement(s){again} into {len(result.files)} file(s) "
        f"in {result.out_dir}; last stored: {result.stored or 'none yet'}"
    )
