"""The shipped wording model: trained on the whole starter corpus at build time, loaded at
start. `make wording-model` rebuilds it after the corpus or the model's features change; a
test fails while the shipped file is stale."""

from __future__ import annotations

import gzip
from importlib import resources
from pathlib import Path

import orjson

from handlers.adfilter.corpus import starter_corpus
from handlers.adfilter.wording import WordingModel

FILE = "wording.json.gz"


def shipped_path() -> Path:
    """Where the package keeps the starter wording model."""
    return Path(str(resources.files("handlers.adfilter").joinpath("data", FILE)))


def load(path: Path | None = None) -> WordingModel:
    """The wording model saved at `path` (the shipped one by default)."""
    data = gzip.decompress((path or shipped_path()).read_bytes())
    return WordingModel.from_dict(orjson.loads(data))


def save(model: WordingModel, path: Path) -> None:
    """Write `model` to `path`; mtime 0 so the same model always gives the same bytes."""
    path.write_bytes(gzip.compress(orjson.dumps(model.to_dict()), mtime=0))


def build(path: Path | None = None) -> WordingModel:
    """Train the starter wording model on the whole starter corpus and ship it at `path`."""
    model = WordingModel.train(starter_corpus())
    save(model, path or shipped_path())
    return model
