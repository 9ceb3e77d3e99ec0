"""Print what the ad filter gets wrong inside a corpus's TRAIN split, by k-fold cross-validation.

Run from the repo root: `.venv/bin/python bench/adfilter_misses.py [--corpus starter|tg-spam]`.
The train split (`corpus.split`, the same seeded split `bench/adfilter_eval.py` uses) is cut
into folds; each fold is scored by a model trained on the other folds, and every missed ad and
every flagged normal message is printed with the verdicts that spoke. This is the list rule
layers and weights are improved from: the test split is never read here, so what is learned
from these errors can still be measured honestly on the test split afterwards.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from handlers.adfilter import Decision, FilterConfig, MessageFeatures, classify  # noqa: E402
from handlers.adfilter.corpus import Labelled, read_lines, split, starter_split, train  # noqa: E402
from handlers.adfilter.wording import WordingModel  # noqa: E402

TG_SPAM = ROOT / ".." / "shared" / "corpora" / "tg-spam"
FOLDS = 5


def train_split(name: str) -> Labelled:
    """The train split of the labelled corpus called `name`; its test split is never loaded."""
    if name == "starter":
        return starter_split()[0]
    items = [(t, True) for t in read_lines(TG_SPAM / "spam-samples.txt")]
    items += [(t, False) for t in read_lines(TG_SPAM / "ham-samples.txt")]
    return split(items)[0]


def cv_errors(items: Labelled, config: FilterConfig, folds: int = FOLDS
              ) -> tuple[list[tuple[str, Decision]], list[tuple[str, Decision]], int]:
    """(missed ads, flagged ham, messages) of `folds`-fold cross-validation over `items`."""
    shuffled = items[:]
    random.Random(1).shuffle(shuffled)  # the same folds as adfilter_eval's "cv on train"
    missed, flagged = [], []
    for k in range(folds):
        rest = [x for i, x in enumerate(shuffled) if i % folds != k]
        model, wording = train(rest), WordingModel.train(rest)
        for text, is_spam in shuffled[k::folds]:
            decision = classify(MessageFeatures(text=text), config, model, wording=wording)
            if is_spam and not decision.spam:
                missed.append((text, decision))
            elif decision.spam and not is_spam:
                flagged.append((text, decision))
    return missed, flagged, len(items)


def _evidence(decision: Decision) -> str:
    parts = [f"{v.name}={'SPAM' if v.spam else f'{v.score:.2f}'}({v.details})"
             for v in decision.reasons]
    return "; ".join(parts) or "no evidence"


def main() -> None:
    """Print the cross-validated errors of the train split of one corpus."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=("starter", "tg-spam"), default="starter")
    parser.add_argument("--folds", type=int, default=FOLDS)
    args = parser.parse_args()
    train_set = train_split(args.corpus)
    missed, flagged, n = cv_errors(train_set, FilterConfig(), args.folds)
    spam = sum(y for _, y in train_set)
    print(f"{args.corpus} train split: {n} messages, {spam} ads; {args.folds}-fold cv: "
          f"{len(missed)} ads missed, {len(flagged)} normal messages flagged")
    for title, rows in (("MISSED ADS", missed), ("FLAGGED NORMAL MESSAGES", flagged)):
        print(f"\n== {title} ({len(rows)})")
        for text, decision in sorted(rows, key=lambda r: -r[1].score):
            print(f"[{decision.score:.2f}] {text}\n       {_evidence(decision)}")


if __name__ == "__main__":
    main()
