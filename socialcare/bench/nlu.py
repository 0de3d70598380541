"""`python -m socialcare.bench.nlu`: per-message latency of the MiniLM encoder and the NLU.

Prints p50/p99 milliseconds per message, one message at a time after a warm-up, for
  (a) the encoder alone, fp32, fixed threads (TorchScript single-text path);
  (b) the encoder int8 (dynamic quantization), eager and traced (the production path);
  (c) the whole NLU pipeline of a trained model (`Agent.load(model).parse_message`),
and the cosine similarity between fp32 and int8 embeddings over varied sentences (does
quantization keep quality). Offline: nothing is downloaded. The 1-minute load average is
printed before and after: other work on the machine inflates every figure.

    python -m socialcare.bench.nlu [--model models/x.tar.gz] [--n 300] [--threads 1]

Without --model, (c) uses the newest model under SOCIALCARE_MODEL_DIR (models/), if any.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np

from bot.components.minilm.model import SentenceEncoder, cosine
from core.mlenv import offline_quiet_env
from socialcare.route import quiet_rasa_logs

# Varied customer-care messages: questions, complaints, praise, chit-chat, slang, typos,
# handles and emojis, a few languages and lengths.
SENTENCES: Sequence[str] = (
    "where is my bag? it never arrived in LHR",
    "my flight got cancelled, I want a refund",
    "thanks, the crew on AA123 was lovely!",
    "can I bring my cat in the cabin",
    "how much does an extra checked bag cost",
    "I need wheelchair assistance at the gate",
    "been on hold for 2 hours and nobody answers 🙄",
    "great, another delay. thanks a lot @AuroraAir",
    "what's the wifi like on long-haul flights",
    "can I change my booking to tomorrow",
    "hi",
    "hello there!",
    "I want to speak to a human",
    "lol ok",
    "is my flight on time",
    "my suitcase came back with a broken wheel",
    "do you have vegetarian meals",
    "what time does check-in close",
    "can my 16 year old fly alone",
    "the app keeps crashing when I try to check in",
    "refund status for booking ABC123?",
    "I was charged twice for my seat",
    "can I take a power bank on board",
    "how many miles do I need for an upgrade",
    "flight was overbooked and I got bumped, what are my rights",
    "lost my passport at the airport, help",
    "seat 14C had no recline, not happy",
    "bye",
    "you guys are the best airline ever ❤️",
    "worst service ever #NeverAgain",
    "¿dónde está mi maleta?",
    "mein Flug wurde gestrichen",
    "where do I pick up my stroller after landing",
    "i cant log in to my acount",
    "what is the baggage allowance for economy light",
    "can I bring liquids in my hand luggage",
    "my connection is too short, will I miss it?",
    "please call me back on my number",
    "is there a lounge at terminal 2",
    "do you fly to Lisbon",
    "the food was cold and the toilet was dirty",
    "can I get a receipt for my ticket",
    "how do I add my loyalty number to a booking",
    "my dog is an emotional support animal, can he fly with me",
    "DM sent",
    "still waiting for an answer to my email from last week",
    "what happens if I miss my flight",
    "ok thanks that helps",
    "not sure yet",
    "yes",
    "no",
    "can you tell me the weather in Madrid",
    "I think my bag is in Frankfurt, the tracker says so, but nobody at the desk knows "
    "anything and my kids need their clothes, we have been waiting since this morning",
)


def percentiles(samples_ms: Sequence[float]) -> Dict[str, float]:
    """p50 / p99 / mean of a list of milliseconds."""
    arr = np.asarray(samples_ms, dtype=np.float64)
    return {
        "p50": float(np.percentile(arr, 50)),
        "p99": float(np.percentile(arr, 99)),
        "mean": float(arr.mean()),
    }


def time_each(fn: Callable[[str], object], texts: Sequence[str], n: int, warmup: int) -> List[float]:
    """Milliseconds per call of fn(text), cycling through texts, after `warmup` calls."""
    for i in range(warmup):
        fn(texts[i % len(texts)])
    out: List[float] = []
    for i in range(n):
        text = texts[i % len(texts)]
        start = time.perf_counter()
        fn(text)
        out.append((time.perf_counter() - start) * 1000.0)
    return out


def _line(label: str, stats: Dict[str, float]) -> str:
    return (
        f"{label:<34} p50 {stats['p50']:7.2f} ms   p99 {stats['p99']:7.2f} ms"
        f"   mean {stats['mean']:7.2f} ms"
    )


def bench_encoders(args: argparse.Namespace) -> None:
    """(a) fp32 and (b) int8 encoder latency, then fp32-vs-int8 cosine."""
    encoders = {}
    for quantize, trace in ((False, True), (True, False), (True, True)):
        encoder = SentenceEncoder(args.model_dir, args.max_length, args.threads, quantize, trace)
        start = time.perf_counter()
        encoder.warm_up()
        load_s = time.perf_counter() - start
        samples = time_each(encoder.encode_one, SENTENCES, args.n, args.warmup)
        label = (f"encoder {'int8' if quantize else 'fp32'} {'traced' if trace else 'eager'} "
                 f"({args.threads} thread)")
        print(_line(label, percentiles(samples)) + f"   load {load_s:.1f} s", flush=True)
        encoders[quantize] = encoder

    fp32 = np.stack([encoders[False].encode_one(t) for t in SENTENCES])
    int8 = np.stack([encoders[True].encode_one(t) for t in SENTENCES])
    cos = cosine(fp32, int8)
    print(
        f"fp32 vs int8 cosine over {len(SENTENCES)} sentences: "
        f"mean {cos.mean():.4f}  min {cos.min():.4f}",
        flush=True,
    )


def bench_pipeline(model: Path, args: argparse.Namespace) -> None:
    """(c) whole NLU pipeline of a trained model, one message at a time."""
    from rasa.core.agent import Agent  # deferred on purpose: Rasa (TensorFlow) takes seconds to import

    quiet_rasa_logs()  # Rasa's debug lines carry the message text
    start = time.perf_counter()
    agent = Agent.load(str(model))
    load_s = time.perf_counter() - start
    loop = asyncio.new_event_loop()
    try:
        samples = time_each(
            lambda text: loop.run_until_complete(agent.parse_message(text)),
            SENTENCES,
            args.n,
            args.warmup,
        )
    finally:
        loop.close()
    print(_line(f"NLU pipeline ({model.name})", percentiles(samples)) + f"   load {load_s:.1f} s")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of `python -m socialcare.bench.nlu`."""
    offline_quiet_env()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="trained Rasa model (.tar.gz) for (c)")
    parser.add_argument("--n", type=int, default=300, help="timed messages per case")
    parser.add_argument("--warmup", type=int, default=30, help="untimed messages first")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--max-length", type=int, default=64, help="word pieces kept")
    parser.add_argument("--model-dir", default=None, help="encoder folder (default: packaged)")
    parser.add_argument("--skip-encoder", action="store_true", help="only run (c)")
    args = parser.parse_args(argv)

    print(f"cpus {os.cpu_count()}  load average (1 min) {_load():.2f}  n={args.n}", flush=True)
    if not args.skip_encoder:
        bench_encoders(args)
    model_dir = Path(os.environ.get("SOCIALCARE_MODEL_DIR", "models"))  # the process entry point
    model = args.model if args.model is not None else newest_model(model_dir)
    if model is not None:
        if not model.is_file():
            parser.error(f"no model at {model}")
        bench_pipeline(model, args)
    else:
        print("NLU pipeline: skipped (no trained model; pass --model models/<name>.tar.gz)")
    print(f"load average (1 min) after: {_load():.2f}")
    return 0


def _load() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def newest_model(root: Path) -> Optional[Path]:
    """The newest .tar.gz under `root` (SOCIALCARE_MODEL_DIR, default models/), test models too."""
    found = [p for p in root.rglob("*.tar.gz") if p.is_file()] if root.is_dir() else []
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


if __name__ == "__main__":
    raise SystemExit(main())
