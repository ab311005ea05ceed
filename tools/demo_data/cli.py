"""The command: `python -m tools.demo_data --items N` fills the database of the settings
(TRACKER_DATABASE_URL, as for `tracker`) with demo data."""

from __future__ import annotations

from typing import Annotated

import typer

from tools.demo_data.writer import DemoRefused, generate

app = typer.Typer(add_completion=False)


@app.command()
def demo_data(
    items: Annotated[int, typer.Option(min=0, help="How many demo items to add.")],
    events_per_item: Annotated[
        int, typer.Option(min=1, help="Events per item on average (at least the created one).")
    ] = 3,
    force: Annotated[
        bool, typer.Option(help="Add demo items even beside items that are not demo data.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of the generator (same seed, same data).")] = 1,
) -> None:
    """Fill the database with synthetic demo items, sources, actors and histories, in bulk."""
    from service.db import get_engine

    def progress(done: int) -> None:
        if done % 100_000 == 0 and done < items:
            typer.echo(f"  {done} items written", err=True)

    try:
        report = generate(
            get_engine(),
            items=items,
            events_per_item=events_per_item,
            force=force,
            seed=seed,
            progress=progress,
        )
    except DemoRefused as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(str(report))
