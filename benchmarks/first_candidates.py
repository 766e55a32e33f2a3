"""The raw model's greedy answers out of a ``cadcoder eval --system`` run, to score them apart.

    .venv/bin/python benchmarks/first_candidates.py runs/eval/X/answers.jsonl runs/eval/X-raw/answers.jsonl
    .venv/bin/cadcoder score runs/eval/X-raw/answers.jsonl

With greedy decoding (``--n 1``) candidate 0 is exactly what ``cadcoder eval`` without ``--system``
would have answered, so one model run gives both numbers: the model alone, and the whole system.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(source, encoding="utf-8") as fh, open(target, "w", encoding="utf-8") as out:
        for line in fh:
            record = json.loads(line)
            candidates = record["metadata"].get("candidates") or [{"code": record["text"]}]
            out.write(
                json.dumps(record | {"text": candidates[0]["code"], "metadata": {"from": str(source)}}) + "\n"
            )
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
