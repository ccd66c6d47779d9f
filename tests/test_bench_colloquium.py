"""The colloquium benchmark's module loads and reads its options (its figures come from `make bench-colloquium`)."""

from __future__ import annotations

from bench import colloquium


def test_the_full_run_is_the_colloquium_hour_of_the_issue() -> None:
    sizes = colloquium.parse_args([])
    assert (sizes.backend, sizes.members, sizes.streams, sizes.readers, sizes.commenters) == (
        "sqlite",
        300,
        150,
        30,
        10,
    )
    assert (sizes.population, sizes.recommendations_published, sizes.comments, sizes.ballots) == (
        400,
        300,
        20_000,
        5_000,
    )


def test_quick_shrinks_the_run_but_an_option_given_wins() -> None:
    sizes = colloquium.parse_args(["--quick", "--streams", "40", "--members=300", "--backend", "postgresql"])
    assert (sizes.readers, sizes.duration) == (5, 20.0)
    assert (sizes.streams, sizes.members) == (40, 300)
    assert sizes.backend == "postgresql"
