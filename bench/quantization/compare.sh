#!/usr/bin/env bash
# int8 QDQ vs float32 in ONNX Runtime vs PyTorch 1.13 fp32 eager, alternating processes, one round each.
# Usage: bench/quantization/compare.sh MODEL BATCH ROUNDS THREADS
#   e.g. bench/quantization/compare.sh resnet18 32 5 2
# Prints each round and the medians of ORT fp32, ORT int8 and PyTorch images/s with the median per-round ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${PYTHON:-/usr/bin/python3}   # Debian's python3-torch (PyTorch 1.13), not a pyenv shim
model=${1:-resnet18} batch=${2:-32} rounds=${3:-5} threads=${4:-2}
bench=bench/QuantBench/bin/Release/net10.0/QuantBench.dll
[ -f "$bench" ] || dotnet build -c Release bench/QuantBench >/dev/null
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
dotnet "$bench" speed --model "$model" --batch "$batch" --rounds 1 --threads "$threads" --cache "$cache" | grep '^wrote' || true
results=()
for r in $(seq 1 "$rounds"); do
  line=$(dotnet "$bench" speed --model "$model" --batch "$batch" --rounds 1 --threads "$threads" --cache "$cache" | grep '^round')
  fp32=$(echo "$line" | awk '{print $3}') int8=$(echo "$line" | awk '{print $5}')
  torch=$("$python" bench/quantization/torch_infer.py "$model" "$batch" "$threads" | awk '{print $2}')
  echo "round $r: ORT fp32 $fp32, ORT int8 $int8, PyTorch fp32 $torch img/s"
  results+=("$fp32 $int8 $torch")
done
printf '%s\n' "${results[@]}" | "$python" -c '
import statistics, sys
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
f, q, t = (statistics.median(c) for c in zip(*rows))
print(f"median ORT fp32 {f:.2f}, ORT int8 {q:.2f}, PyTorch fp32 {t:.2f} img/s; "
      f"int8/ORT fp32 {statistics.median(r[1] / r[0] for r in rows):.2f}x, int8/PyTorch {statistics.median(r[1] / r[2] for r in rows):.2f}x")
'
