"""Near-duplicate grouping measured on OrangeSum's 36k articles, no index needed.

Gold: ``list_of_duplicates.txt`` (2,032 groups of articles that share a title). Pairs
are counted: precision = predicted pairs that are gold pairs / predicted pairs,
recall = gold pairs found / gold pairs (transitive groups: every pair inside a group).
Same-title is not the same as same-text (a recurring headline such as a weather
bulletin has new text each time; a re-published story may get a new title), so the
script also writes the predicted pairs whose titles differ, for judging by hand
(``--sample``), and the raw peer measured the same way: exact duplicates (the same
text after lower-casing and keeping only words).

    python bench/dedup_eval.py                         # the shipped parameters
    python bench/dedup_eval.py --grid                  # shingle sizes x thresholds
    python bench/dedup_eval.py --sample 30 --seed 7    # different-title pairs to judge
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import itertools
import json
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchlib import ORANGESUM, cpu_model  # noqa: E402

from searchkit.dedup import DEFAULT, DedupParams, find_groups, signature  # noqa: E402

GOLD = ORANGESUM.parent / "list_of_duplicates.txt"
CACHE = Path("/tmp/searchkit-dedup-eval")


def load() -> tuple[list[str], list[str], list[str]]:
    ids, titles, texts = [], [], []
    with gzip.open(ORANGESUM, "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            ids.append(str(row["id"]))
            titles.append(row.get("title") or "")
            texts.append(row.get("text") or "")
    return ids, titles, texts


def gold_pairs(ids: list[str], max_group: int = 0) -> set[tuple[int, int]]:
    """Same-title pairs; with ``max_group``, only from groups of at most that many
    articles (the big ones are recurring headlines over new texts)."""
    where = {i: n for n, i in enumerate(ids)}
    pairs: set[tuple[int, int]] = set()
    for line in GOLD.read_text("utf-8").split():
        members = sorted(where[m.removesuffix(".json")] for m in line.split(",") if m.removesuffix(".json") in where)
        if max_group and len(members) > max_group:
            continue
        pairs.update(itertools.combinations(members, 2))
    return pairs


def pairs_of(labels: np.ndarray) -> set[tuple[int, int]]:
    groups: dict[int, list[int]] = {}
    for i, g in enumerate(labels.tolist()):
        if g >= 0:
            groups.setdefault(g, []).append(i)
    return {p for members in groups.values() for p in itertools.combinations(sorted(members), 2)}


def signatures(texts: list[str], params: DedupParams) -> tuple[np.ndarray, float]:
    path = CACHE / f"{params.key()}-n{len(texts)}.npy"
    if path.exists():
        return np.load(path), float("nan")
    started = time.perf_counter()
    sigs = np.zeros((len(texts), params.num_perm), dtype=np.uint32)
    for n, text in enumerate(texts):
        s = signature(text, params)
        if s is not None:
            sigs[n] = s
    took = time.perf_counter() - started
    CACHE.mkdir(exist_ok=True)
    np.save(path, sigs)
    return sigs, took


def exact_labels(texts: list[str]) -> np.ndarray:
    first: dict[str, int] = {}
    labels = np.full(len(texts), -1, dtype=np.int64)
    for n, t in enumerate(texts):
        words = " ".join(re.findall(r"\w+", t.lower()))
        if not words:
            continue
        key = hashlib.blake2b(words.encode(), digest_size=16).hexdigest()
        if key in first:
            labels[n] = first[key]
            labels[first[key]] = first[key]
        else:
            first[key] = n
    return labels


def datasketch_groups(signatures: np.ndarray, params: DedupParams) -> np.ndarray:
    """The same grouping with datasketch's MinHashLSH (one Python call per article):
    the reference that searchkit.dedup.find_groups's numpy banding must equal."""
    from datasketch import MinHash, MinHashLSH

    n = len(signatures)
    lsh = MinHashLSH(threshold=params.threshold, num_perm=signatures.shape[1])
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    need = int(np.ceil(params.threshold * signatures.shape[1]))
    for i in np.flatnonzero(signatures.any(axis=1)).tolist():
        m = MinHash(hashvalues=signatures[i].astype(np.uint64), scheme="affine32")
        for j in lsh.query(m):
            if np.count_nonzero(signatures[i] == signatures[j]) >= need:
                a, b = root(i), root(j)
                parent[max(a, b)] = min(a, b)
        lsh.insert(i, m, check_duplication=False)
    roots = np.array([root(i) for i in range(n)])
    sizes = np.bincount(roots, minlength=n)
    return np.where(sizes[roots] > 1, roots, -1)


def score(pred: set[tuple[int, int]], gold: set[tuple[int, int]]) -> dict[str, float]:
    tp = len(pred & gold)
    p = tp / len(pred) if pred else 0.0
    r = tp / len(gold) if gold else 0.0
    return {"pairs": len(pred), "tp": tp, "precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def row(name: str, pred: set[tuple[int, int]], gold: set[tuple[int, int]], small: set[tuple[int, int]], extra: str = "") -> str:
    """Scored against all same-title pairs, and (recall) against the pairs of groups of
    at most 3 (no recurring headlines; precision there would count those as errors)."""
    s = score(pred, gold)
    r_small = len(pred & small) / len(small) if small else 0.0
    return f"| {name} | {s['pairs']} | {s['tp']} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {r_small:.3f} | {extra} |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--grid", action="store_true", help="try shingle sizes 2,3,5 and thresholds 0.5..0.9")
    ap.add_argument("--sample", type=int, default=0, help="print N predicted pairs with different titles")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--check", action="store_true", help="also group with datasketch's MinHashLSH and compare")
    ap.add_argument("--limit", type=int, default=0, help="only the first N articles (0: all)")
    args = ap.parse_args()

    ids, titles, texts = load()
    if args.limit:
        ids, titles, texts = ids[: args.limit], titles[: args.limit], texts[: args.limit]
    gold = gold_pairs(ids)
    small = gold_pairs(ids, max_group=3)
    print(f"{len(ids)} articles, {len(gold)} gold pairs ({len(small)} in groups of 2-3); CPU {cpu_model()}")
    print("| method | predicted pairs | in gold | precision | recall | F1 | recall, groups of 2-3 | notes |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    print(row("exact text (peer)", pairs_of(exact_labels(texts)), gold, small))

    settings = [DEFAULT]
    if args.grid:
        settings = [
            DedupParams(shingle=k, num_perm=p, threshold=t)
            for k in (2, 3, 5)
            for p in (64, 128)
            for t in (0.5, 0.6, 0.7, 0.8, 0.9)
        ]
    sigs_by_key: dict[str, np.ndarray] = {}
    last_labels = None
    for params in settings:
        full = DedupParams(shingle=params.shingle, num_perm=128, seed=params.seed)
        if full.key() not in sigs_by_key:
            sigs, took = signatures(texts, full)
            sigs_by_key[full.key()] = sigs
            if took == took:
                print(f"<!-- signatures w{params.shingle}: {took:.1f} s, {len(texts) / took:.0f} articles/s -->")
        # 64 values: the first 64 of the 128 are a MinHash with 64 permutations.
        sigs = sigs_by_key[full.key()][:, : params.num_perm]
        started = time.perf_counter()
        labels = find_groups(np.ascontiguousarray(sigs), params)
        took = time.perf_counter() - started
        print(row(f"MinHash w{params.shingle} p{params.num_perm} t{params.threshold}", pairs_of(labels), gold, small, f"grouping {took:.1f} s"), flush=True)
        last_labels = labels
        if args.check:
            started = time.perf_counter()
            ref = datasketch_groups(np.ascontiguousarray(sigs), params)
            same = pairs_of(ref) == pairs_of(labels)
            print(f"<!-- datasketch MinHashLSH: {time.perf_counter() - started:.1f} s; same groups: {same} -->", flush=True)

    if args.sample and last_labels is not None:
        diff = [(a, b) for a, b in pairs_of(last_labels) if titles[a].strip().lower() != titles[b].strip().lower()]
        print(f"\n{len(diff)} predicted pairs with different titles; a sample of {args.sample}:")
        rng = random.Random(args.seed)
        for a, b in rng.sample(diff, min(args.sample, len(diff))):
            j = float(np.mean(sigs_by_key[DedupParams(shingle=settings[-1].shingle).key()][a] == sigs_by_key[DedupParams(shingle=settings[-1].shingle).key()][b]))
            print(f"\n--- {ids[a]} / {ids[b]}  est. Jaccard {j:.2f}")
            print(f"  A: {titles[a]}\n     {texts[a][:300]}")
            print(f"  B: {titles[b]}\n     {texts[b][:300]}")


if __name__ == "__main__":
    main()
