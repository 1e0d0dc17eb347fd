#!/usr/bin/env bash
# 1 process vs 2 MPI processes (1 thread each) on this machine, alternating, ROUNDS rounds; prints images/s of the
# last epoch (metrics.jsonl) and rank 0's all-reduce share. Usage: bench/distributed/scaling.sh [ROUNDS]
# Needs: openmpi-bin, a Release build (dotnet build ModelZoo.sln -c Release), ../shared/datasets/imagenette-mini.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
cli=src/ModelZoo.Cli/bin/Release/net10.0/ModelZoo.Cli.dll
out=$(mktemp -d)
mpi=(mpirun --oversubscribe --bind-to none)
[ "$(id -u)" -eq 0 ] && mpi+=(--allow-run-as-root)
run() { # name nproc batch args...
  local name=$1 np=$2 batch=$3; shift 3
  local dir="$out/$name-np$np-$RANDOM"
  if [ "$np" -eq 1 ]; then dotnet "$cli" train "$@" --batch-size "$batch" --threads 1 --no-tensorboard --output "$dir" > "$dir.log" 2>&1
  else "${mpi[@]}" -np "$np" dotnet "$cli" train "$@" --batch-size "$batch" --threads 1 --no-tensorboard --output "$dir" > "$dir.log" 2>&1; fi
  local ips share
  ips=$(tail -1 "$dir/metrics.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["images_per_second"])')
  share=$(grep -o '[0-9.]* % of the epochs' "$dir.log" | cut -d' ' -f1 || true)
  echo "$name np=$np images/s=$ips all-reduce=${share:-0}%"
}
for r in $(seq "$rounds"); do
  echo "# round $r"
  run deepcnn 1 100 --model deepcnn --data mnist-sample --epochs 1 --max-steps 40 --dropout 0 --lr 0.001
  run deepcnn 2 50 --model deepcnn --data mnist-sample --epochs 1 --max-steps 40 --dropout 0 --lr 0.001
  run resnet18 1 16 --model resnet18 --data ../shared/datasets/imagenette-mini --image-size 112 --epochs 1 --max-steps 10 --lr 0.01 --workers 1
  run resnet18 2 8 --model resnet18 --data ../shared/datasets/imagenette-mini --image-size 112 --epochs 1 --max-steps 10 --lr 0.01 --workers 1
done
rm -rf "$out"
