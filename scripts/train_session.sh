#!/usr/bin/env bash
# One training session of cadcoder-mini v3 (issue 13): resume from the committed weights in
# training/checkpoints/cadcoder-mini-v3/ (model/ or best/, whichever scored higher on the synthetic
# validation set), train for MINUTES (or the recipe's max_steps) at nice 19 on one torch thread, export
# a checkpoint every save_steps and when the time is up (or when the stop file appears), evaluate every
# second checkpoint and the last, keep the best evaluated one in best/, append to the learning curve
# and rewrite the model card's table. Commit the folder afterwards:
#   scripts/train_session.sh 40 > runs/v3/session.log 2>&1 &
#   V3_UNTIL=00:15 scripts/train_session.sh 0 > runs/v3/session.log 2>&1 &   # end by a clock time instead
#   scripts/train_session.sh 40 -o optim.max_steps=900     # extra arguments go to training.session
#   touch training/checkpoints/STOP-cadcoder-mini-v3      # stop early, cleanly (remove it afterwards)
#   git add training/checkpoints/cadcoder-mini-v3 && git commit -m "cadcoder-mini v3: session N" -- training/checkpoints/cadcoder-mini-v3
# Data and the synthetic validation set are regenerated deterministically when missing (a larger
# V3_SAMPLES extends the training set); the first session starts its vision tower from the shipped
# cadcoder-mini (same tower architecture, trained on our synthetic idioms only).
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-40}
shift || true  # the rest goes to training.session, e.g. -o optim.max_steps=900 (a shorter session's cosine)
SAMPLES=${V3_SAMPLES:-20000}
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false
PY=.venv/bin/python
mkdir -p runs/v3
nice -n 19 "$PY" -m training datagen --out runs/v3/data --n "$SAMPLES" --seed 31 --workers 1 \
    --builder inprocess --image-size 96 --grid 150 --augment 0.3 --shard-size 500 --json
if [ ! -f runs/v3/valbench/test100.jsonl ]; then
    nice -n 19 "$PY" -m training datagen --out runs/v3/valdata --n 40 --seed 9031 --workers 1 \
        --builder inprocess --verify-fraction 0 --image-size 448 --grid 150 --shard-size 40 --json
    nice -n 19 "$PY" -m training.synth.valset --shards runs/v3/valdata --out runs/v3/valbench
fi
# V3_UNTIL=HH:MM (UTC) sets the budget when training starts, i.e. after the data is made: the
# session ends by then whatever datagen took (MINUTES is ignored).
if [ -n "${V3_UNTIL:-}" ]; then
    UNTIL=$(date -u -d "$V3_UNTIL" +%s)
    [ "$UNTIL" -gt "$(date -u +%s)" ] || UNTIL=$((UNTIL + 86400))  # 00:15 said at 22:30: tomorrow's
    MINUTES=$(( (UNTIL - $(date -u +%s)) / 60 ))
    echo "training until $V3_UNTIL UTC: $MINUTES minutes"
fi
rm -f training/checkpoints/STOP-cadcoder-mini-v3
exec nice -n 19 "$PY" -m training.session training/configs/cadcoder_mini_v3_cpu.yaml \
    --committed training/checkpoints/cadcoder-mini-v3 --minutes "$MINUTES" \
    --valset runs/v3/valbench --val-limit 24 --eval-every "${V3_EVAL_EVERY:-2}" --max-new-tokens 512 \
    --seed-vision-from resources/models/cadcoder-mini "$@"
