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


# The starter corpus grew in batches, each a (spam, ham) pair of files. Each batch is split on
# its own, so messages keep their train or test side when a later batch is added: choices made
# from the errors inside an earlier train split (bench/adfilter_misses.py) never get to see
# their own examples scored as "held out". A message already in an earlier batch is skipped.
BATCHES = (("spam.txt", "ham.txt"), ("spam-2.txt", "ham-2.txt"), ("spam-3.txt", "ham-3.txt"),
           ("spam-4.txt", "ham-4.txt"), ("spam-5.txt", "ham-5.txt"), ("spam-6.txt", "ham-6.txt"),
           ("spam-7.txt", "ham-7.txt"), ("spam-8.txt", "ham-8.txt"))


def starter_batches() -> list[Labelled]:
    """The shipped starter corpus as one list of (text, is_spam) pairs per batch, spam first."""
    data = resources.files("handlers.adfilter").joinpath("data")
    seen: set[str] = set()
    batches = []
    for spam_file, ham_file in BATCHES:
        batch: Labelled = []
        for name, label in ((spam_file, True), (ham_file, False)):
            for text in read_lines(Path(str(data.joinpath(name)))):
                if text not in seen:
                    seen.add(text)
                    batch.append((text, label))
        batches.append(batch)
    return batches


def starter_corpus() -> Labelled:
    """The whole shipped starter corpus as (text, is_spam) pairs."""
    return [item for batch in starter_batches() for item in batch]


def starter_split() -> tuple[Labelled, Labelled]:
    """(train, test) of the starter corpus: every batch split on its own with `split`."""
    train_set: Labelled = []
    test_set: Labelled = []
    for batch in starter_batches():
        batch_train, batch_test = split(batch)
        train_set += batch_train
        test_set += batch_test
    return train_set, test_set


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
