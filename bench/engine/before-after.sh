#!/usr/bin/env bash
# Training throughput of two builds of the CLI, alternating, several rounds: BEFORE (a build of an older commit) and
# AFTER (this checkout's Release build). Each round trains deepcnn on mnist-sample and resnet18 on imagenette-mini
# with every default that moves speed pinned (batch, threads, precision, layout, no augmentation), reads the last
# epoch's images/s from metrics.jsonl and prints the medians and the median of the per-round after/before ratios.
#
# Usage: bench/engine/before-after.sh BEFORE_CLI_DLL [ROUNDS] [THREADS]
#   BEFORE_CLI_DLL  e.g. /tmp/before/src/ModelZoo.Cli/bin/Release/net10.0/ModelZoo.Cli.dll
#                   (git worktree add /tmp/before COMMIT && dotnet build -c Release /tmp/before/ModelZoo.sln)
set -euo pipefail
cd "$(dirname "$0")/../.."
before=$1 rounds=${2:-5} threads=${3:-2}
after=src/ModelZoo.Cli/bin/Release/net10.0/ModelZoo.Cli.dll
[ -f "$after" ] || dotnet build -c Release ModelZoo.sln >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
imagenette=../shared/datasets/imagenette-mini

# images/s of the last epoch of one run: CLI MODEL DATA EXTRA...
run() {
  local cli=$1 model=$2 data=$3; shift 3
  local out="$work/run-$RANDOM$RANDOM"
  dotnet "$cli" train --model "$model" --data "$data" --threads "$threads" --no-tensorboard --augment none \
    --precision fp32 --seed 1 -o "$out" "$@" >/dev/null 2>&1
  tail -n 1 "$out/metrics.jsonl" | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["images_per_second"])'
}

declare -A res
for r in $(seq 1 "$rounds"); do
  for side in before after; do
    cli=$before; [ $side = after ] && cli=$after
    d=$(run "$cli" deepcnn mnist-sample --epochs 2 --batch-size 100 --optimizer adam --lr 0.001)
    n=$(run "$cli" resnet18 "$imagenette" --epochs 2 --batch-size 16 --image-size 112 --optimizer adam --lr 0.001 --channels-last)
    res[$r,$side,deepcnn]=$d res[$r,$side,resnet18]=$n
    echo "round $r $side: deepcnn $d img/s, resnet18 $n img/s"
  done
done
for m in deepcnn resnet18; do
  for r in $(seq 1 "$rounds"); do echo "$m ${res[$r,before,$m]} ${res[$r,after,$m]}"; done
done | python3 -c '
import statistics, sys, collections
rows = collections.defaultdict(list)
for line in sys.stdin:
    m, b, a = line.split(); rows[m].append((float(b), float(a)))
for m, pairs in rows.items():
    b = statistics.median(p[0] for p in pairs); a = statistics.median(p[1] for p in pairs)
    ratio = statistics.median(p[1] / p[0] for p in pairs)
    print(f"{m}: before {b:.1f} img/s, after {a:.1f} img/s, median per-round ratio after/before {ratio:.3f}")
'
