"""Evaluate the ad filter: precision/recall/F1 on held-out splits, and throughput.

Run from the repo root: `.venv/bin/python bench/adfilter_eval.py`. Each corpus is split with
the same fixed seed; the model is trained on the train split only and scored on the rest.
Thresholds are the library defaults: nothing here is tuned on a test split.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from handlers.adfilter import FilterConfig, MessageFeatures, SpamModel, classify  # noqa: E402
from handlers.adfilter.corpus import Labelled, read_lines, split, starter_corpus, train  # noqa: E402

TG_SPAM = ROOT / ".." / "shared" / "corpora" / "tg-spam"


def score(test: Labelled, model: SpamModel, config: FilterConfig) -> dict[str, float]:
    """Precision, recall and F1 of the full pipeline on `test`."""
    tp = fp = fn = 0
    for text, is_spam in test:
        spam = classify(MessageFeatures(text=text), config, model).spam
        tp += spam and is_spam
        fp += spam and not is_spam
        fn += (not spam) and is_spam
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "n": len(test),
    }


def report(name: str, items: Labelled) -> None:
    """Train on the seeded train split of `items`, print scores on the held-out split."""
    train_set, test_set = split(items)
    model = train(train_set)
    r = score(test_set, model, FilterConfig())
    print(
        f"{name}: train {len(train_set)}, test {r['n']} (tp {r['tp']}, fp {r['fp']}, fn {r['fn']})"
    )
    print(f"  precision {r['precision']:.3f}  recall {r['recall']:.3f}  f1 {r['f1']:.3f}")


def throughput(texts: list[str], model: SpamModel, seconds: float = 3.0) -> float:
    """Messages per second of `classify` on one core, cycling through `texts`."""
    messages = [MessageFeatures(text=t) for t in texts]
    config = FilterConfig()
    for m in messages[:200]:  # warm caches (OpenCC, keyword automaton) outside the timing
        classify(m, config, model)
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for m in messages:
            classify(m, config, model)
        done += len(messages)
    return done / (time.perf_counter() - start)


def main() -> None:
    """Print the evaluation of both corpora and the pipeline's throughput."""
    starter = starter_corpus()
    report("starter corpus (zh+en, held-out 30%)", starter)
    tg: Labelled = []
    if TG_SPAM.is_dir():
        tg = [(t, True) for t in read_lines(TG_SPAM / "spam-samples.txt")]
        tg += [(t, False) for t in read_lines(TG_SPAM / "ham-samples.txt")]
        report("tg-spam corpus (ru+en, held-out 30%)", tg)
    else:
        print(f"tg-spam corpus not found at {TG_SPAM.resolve()}, skipped")
    texts = [t for t, _ in starter + tg]
    rate = throughput(texts, train(split(starter)[0]))
    avg = sum(map(len, texts)) / len(texts)
    print(
        f"throughput: {rate:,.0f} messages/s on one core "
        f"({len(texts)} messages, mean {avg:.0f} chars)"
    )


if __name__ == "__main__":
    main()
