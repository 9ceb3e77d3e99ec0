"""The shipped starter corpus and the seeded train/test split every evaluation uses."""

from __future__ import annotations

import random
from functools import cache
from importlib import resources
from pathlib import Path

from handlers.adfilter.model import SpamModel

SEED = 20261123
TEST_FRACTION = 0.3

Labelled = list[tuple[str, bool]]


def read_lines(path: Path | str) -> list[str]:
    """Non-empty, de-duplicated lines of a UTF-8 corpus file, one message per line."""
    text = Path(path).read_text(encoding="utf-8")
    return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


def starter_corpus() -> Labelled:
    """The shipped starter corpus as (text, is_spam) pairs, spam first."""
    data = resources.files("handlers.adfilter").joinpath("data")
    spam = read_lines(Path(str(data.joinpath("spam.txt"))))
    ham = read_lines(Path(str(data.joinpath("ham.txt"))))
    return [(t, True) for t in spam] + [(t, False) for t in ham]


def split(items: Labelled, seed: int = SEED, test_fraction: float = TEST_FRACTION
          ) -> tuple[Labelled, Labelled]:
    """Stratified, seeded split into (train, test): the same input always splits the same way."""
    train: Labelled = []
    test: Labelled = []
    for label in (True, False):
        group = sorted(t for t, y in items if y is label)
        random.Random(seed).shuffle(group)  # noqa: S311 - a reproducible split, not a secret
        cut = round(len(group) * test_fraction)
        test += [(t, label) for t in group[:cut]]
        train += [(t, label) for t in group[cut:]]
    return train, test


def train(items: Labelled) -> SpamModel:
    """A fresh model trained on `items`."""
    model = SpamModel()
    for text, is_spam in items:
        model.learn(text, is_spam)
    return model


@cache
def _starter_state() -> dict[str, object]:
    return train(starter_corpus()).to_dict()


def starter_model() -> SpamModel:
    """A new model trained on the whole starter corpus; each call returns an independent copy."""
    return SpamModel.from_dict(_starter_state())
