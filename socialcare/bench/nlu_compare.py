"""`python -m socialcare.bench.nlu_compare`: intent accuracy and macro-F1 of NLU configs, side by side.

All configs are trained and tested on the same stratified folds of our own NLU data
(`bot/data/nlu`, fixed seed), so the comparison is paired. Each training runs as its own
`rasa train nlu` process (niced); results are appended to `results/nlu_compare.jsonl` as
each fold finishes, so an interrupted run still reports what it measured. Per config it
prints mean accuracy and macro-F1 over folds (of the classifier's top intent, ignoring the
FallbackClassifier), the share of test messages the fallback catches, and the p50 parse
time per message.

    python -m socialcare.bench.nlu_compare [--folds 3] [--configs config.diet.yml config.yml]
    python -m socialcare.bench.nlu_compare --split 0.2      # one 80/20 split instead of folds
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from core.mlenv import offline_quiet_env
from core.paths import PROJECT_ROOT
from socialcare.route import quiet_rasa_logs

FALLBACK = "nlu_fallback"


def folds(labels: Sequence[str], n_folds: int, split: Optional[float],
          seed: int) -> List[Tuple[np.ndarray, np.ndarray]]:
    """(train indices, test indices) per fold, stratified by intent, reproducible."""
    idx = np.arange(len(labels))
    if split:
        train, test = train_test_split(idx, test_size=split, stratify=labels, random_state=seed)
        return [(np.sort(train), np.sort(test))]
    splitter = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    return list(splitter.split(idx, labels))


def scores(truth: Sequence[str], predicted: Sequence[str]) -> Dict[str, float]:
    """Accuracy and macro-F1 over the intents present in `truth`."""
    labels = sorted(set(truth))
    return {
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)),
    }


def train(config: Path, data_file: Path, out_dir: Path) -> Tuple[Path, float]:
    """Train an NLU-only model in a niced subprocess; (model path, seconds)."""
    rasa = str(Path(sys.executable).with_name("rasa"))
    argv = ["nice", "-n", "10", rasa, "train", "nlu", "--config", str(config), "--nlu", str(data_file),
            "--out", str(out_dir), "--fixed-model-name", "fold"]
    start = time.perf_counter()
    subprocess.run(argv, cwd=str(PROJECT_ROOT), check=True, stdout=subprocess.DEVNULL)
    return out_dir / "fold.tar.gz", time.perf_counter() - start


def predict(model: Path, texts: Sequence[str]) -> Tuple[List[str], List[str], List[float]]:
    """(classifier top intent, final intent, parse ms) per text."""
    from rasa.core.agent import Agent  # deferred on purpose: Rasa (TensorFlow) takes seconds to import

    quiet_rasa_logs()  # Rasa's debug logs would print every test message
    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()
    top, final, times = [], [], []
    try:
        for text in texts:
            start = time.perf_counter()
            parse = loop.run_until_complete(agent.parse_message(text))
            times.append((time.perf_counter() - start) * 1000.0)
            ranking = [r["name"] for r in parse.get("intent_ranking") or [] if r.get("name") != FALLBACK]
            final.append((parse.get("intent") or {}).get("name") or "")
            top.append(ranking[0] if ranking else final[-1])
    finally:
        loop.close()
    return top, final, times


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point."""
    offline_quiet_env()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configs", nargs="+", type=Path,
                        default=[Path("config.diet.yml"), Path("config.minilm.yml"), Path("config.yml")])
    parser.add_argument("--nlu", type=Path, default=Path("bot/data/nlu"))
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--split", type=float, default=None, help="one split with this test share")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("results/nlu_compare.jsonl"))
    args = parser.parse_args(argv)

    # Deferred on purpose: Rasa's modules take seconds to import (after offline_quiet_env).
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    data = load_data(str(args.nlu))
    examples = [m for m in data.intent_examples if m.get("text")]
    labels = [m.get("intent") for m in examples]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    print(f"{len(examples)} examples, {len(set(labels))} intents, load {os.getloadavg()[0]:.2f}", flush=True)
    results: Dict[str, List[Dict[str, float]]] = {str(c): [] for c in args.configs}
    for fold_no, (train_idx, test_idx) in enumerate(folds(labels, args.folds, args.split, args.seed)):
        test_texts = [examples[i].get("text") for i in test_idx]
        truth = [labels[i] for i in test_idx]
        with tempfile.TemporaryDirectory(prefix="nlu-compare-") as tmp:
            train_file = Path(tmp) / "train.yml"
            train_file.write_text(RasaYAMLWriter().dumps(TrainingData([examples[i] for i in train_idx],
                                                                     regex_features=data.regex_features,
                                                                     lookup_tables=data.lookup_tables)))
            for config in args.configs:
                out_dir = Path(tmp) / config.stem
                model, seconds = train(config, train_file, out_dir)
                top, final, times = predict(model, test_texts)
                row = {"config": str(config), "fold": fold_no, "n_test": len(test_texts), **scores(truth, top),
                       "final_accuracy": scores(truth, final)["accuracy"],
                       "fallback_share": float(np.mean([f == FALLBACK for f in final])),
                       "train_s": round(seconds, 1), "parse_p50_ms": float(np.percentile(times, 50)),
                       "parse_p99_ms": float(np.percentile(times, 99)), "load": os.getloadavg()[0]}
                results[str(config)].append(row)
                with open(args.out, "a", encoding="utf-8") as handle:
                    handle.write(json.dumps(row) + "\n")
                print(json.dumps(row), flush=True)
    for config, rows in results.items():
        if rows:
            acc = [r["accuracy"] for r in rows]
            f1 = [r["macro_f1"] for r in rows]
            print(f"{config:<22} folds {len(rows)}  accuracy {np.mean(acc):.4f} (+-{np.std(acc):.4f})  "
                  f"macro-F1 {np.mean(f1):.4f} (+-{np.std(f1):.4f})  "
                  f"fallback {np.mean([r['fallback_share'] for r in rows]):.3f}  "
                  f"parse p50 {np.mean([r['parse_p50_ms'] for r in rows]):.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
