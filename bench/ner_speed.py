"""NER speed, A/B in one process: thinc's BLIS against numpy matmuls, 2 against 1 BLAS thread.

Why: actor extraction is most of the indexing time, half of it in the matrix products
of spaCy's token encoder. searchkit loads the model with ``load_model`` (numpy matmuls,
one BLAS thread); this script puts the model back to each configuration in turn and
times the same articles, so the ratios hold on a noisy machine. It also checks that
the entities found are identical in every configuration.

    .venv/bin/python bench/ner_speed.py [--articles 300] [--rounds 2]

Needs ../shared/data/orangesum (skips with a message otherwise).
"""
from __future__ import annotations

import argparse
import platform
import time

from benchlib import ORANGESUM as DATA, cpu_model, orangesum_rows


def _texts(n: int) -> list[str]:
    from searchkit.extract.actors import normalize_text

    return [normalize_text(f"{d['title']}\n\n{d['text']}") for d in orangesum_rows(n)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=2, help="each configuration is timed this many times, best kept")
    args = ap.parse_args()
    if not DATA.exists():
        print(f"skipped: {DATA} not found")
        return 0
    from thinc.api import NumpyOps
    from threadpoolctl import threadpool_limits

    from searchkit.extract.actors import load_model

    nlp = load_model()
    texts = _texts(args.articles)
    model = nlp.get_pipe("ner").model
    configs = {
        "thinc BLIS, 2 BLAS threads (spaCy default)": (NumpyOps(use_blis=True), 2),
        "numpy matmul, 2 BLAS threads": (NumpyOps(use_blis=False), 2),
        "numpy matmul, 1 BLAS thread (searchkit)": (NumpyOps(use_blis=False), 1),
    }
    results: dict[str, tuple[float, float]] = {}
    reference = None
    list(nlp.pipe(texts[:20]))  # warm-up: vocabulary, caches
    for _ in range(args.rounds):
        for name, (ops, threads) in configs.items():
            for node in model.walk():
                node.ops = ops
            with threadpool_limits(limits=threads, user_api="blas"):
                wall, cpu = time.perf_counter(), time.process_time()
                docs = list(nlp.pipe(texts, batch_size=32))
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            ents = [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in docs]
            reference = reference or ents
            assert ents == reference, f"{name}: different entities"
            best = results.get(name)
            if best is None or wall < best[0]:
                results[name] = (wall, cpu)
    base_wall, base_cpu = next(iter(results.values()))
    n = len(texts)
    print(f"Command: .venv/bin/python bench/ner_speed.py --articles {n} --rounds {args.rounds}")
    print(f"Machine: {cpu_model()}, python {platform.python_version()}; "
          f"{n} OrangeSum articles (title + text), batch 32, one process, best of {args.rounds}; entities identical in all rows\n")
    print("| configuration | articles/s (wall) | CPU ms per article | speed-up vs spaCy default (wall) | CPU saved |")
    print("|---|---|---|---|---|")
    for name, (wall, cpu) in results.items():
        print(f"| {name} | {n / wall:.1f} | {1000 * cpu / n:.1f} | {base_wall / wall:.2f}x | {1 - cpu / base_cpu:.0%} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
