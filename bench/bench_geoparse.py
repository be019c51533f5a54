"""Geoparsing accuracy and speed on GeoWebNews and LGL, scored by the shared scorer.

``python -m bench geoparse`` prints one table: recognition P/R/F1 (overlap matching), accuracy@161
km on recognised toponyms, end-to-end accuracy@161 km, and documents per second on one core: on
the first pass over a corpus (cold: every name met for the first time goes to SQLite) and in
steady state (best of three further passes, as in a long batch whose name caches are warm).
The start-up time (index opened, name keys and word lists loaded) is printed separately.

The corpora are evaluation data only (../shared/benchmarks/geoparsing/); nothing here is tuned to
single documents of them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from geomap.cli.geoparse import toponym_record

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ("geowebnews", "lgl")


def shared_dir() -> Path:
    return Path(os.environ.get("GEOMAP_SHARED_DIR", ROOT.parent / "shared"))


def predict(docs: list[dict], geoparser) -> tuple[list[dict], float]:
    """Run the geoparser on every document; return prediction lines and seconds spent."""
    lines = []
    started = time.perf_counter()
    for doc in docs:
        mentions = geoparser(doc["text"])
        lines.append({"id": doc["id"], "toponyms": [toponym_record(m) for m in mentions]})
    return lines, time.perf_counter() - started


def score(gold: Path, pred_lines: list[dict]) -> dict:
    scorer = shared_dir() / "benchmarks" / "geoparsing" / "score.py"
    with tempfile.TemporaryDirectory() as tmp:
        pred = Path(tmp) / "pred.jsonl"
        pred.write_text("".join(json.dumps(line) + "\n" for line in pred_lines))
        out = Path(tmp) / "score.json"
        subprocess.run([sys.executable, str(scorer), str(gold), str(pred), "--json", str(out)],
                       check=True, capture_output=True)
        return json.loads(out.read_text())


def main(argv: list[str]) -> None:
    from geomap.toponyms import Geoparser

    started = time.perf_counter()
    geoparser = Geoparser()
    geoparser("warm-up in Kyiv")
    startup = time.perf_counter() - started
    rows = []
    for corpus in CORPORA:
        gold = shared_dir() / "benchmarks" / "geoparsing" / f"{corpus}.jsonl"
        docs = [json.loads(line) for line in gold.read_text(encoding="utf-8").split("\n") if line.strip()]
        lines, seconds = predict(docs, geoparser)
        steady = min(predict(docs, geoparser)[1] for _ in range(3))
        result = score(gold, lines)
        rows.append((corpus, len(docs), result, len(docs) / seconds, len(docs) / steady))
    print(f"start-up (index opened, name keys and word lists loaded): {startup:.2f} s")
    print(f"{'corpus':<11} {'docs':>5} {'P':>6} {'R':>6} {'F1':>6} {'acc@161':>8} {'e2e@161':>8} "
          f"{'docs/s first':>13} {'docs/s steady':>14}")
    for corpus, n, r, cold, warm in rows:
        ov = r["overlap"]["recognition"]
        print(f"{corpus:<11} {n:>5} {ov['precision']:>6.3f} {ov['recall']:>6.3f} {ov['f1']:>6.3f} "
              f"{_acc(r):>8.3f} {_e2e(r):>8.3f} {cold:>13.0f} {warm:>14.0f}")


def _acc(r: dict) -> float:
    value = r["overlap"]["resolution"]["acc_at_k"]
    return float("nan") if value is None else value


def _e2e(r: dict) -> float:
    return r["overlap"]["end_to_end"]["acc_at_k"]


if __name__ == "__main__":
    main(sys.argv[1:])
