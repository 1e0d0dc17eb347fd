#!/usr/bin/env bash
# Paired, alternating comparison of training-step throughput: ModelZoo (bench/PrecisionBench, the library's Autocast
# and ChannelsLast) against PyTorch 1.13 (torch_step.py, torch.autocast + channels_last), same model, batch, threads
# and machine, in one run. Each round runs every configuration once, in a rotated order; the report is the median
# img/s per configuration over the rounds and the ratios of those medians.
#
#   bench/precision/compare.sh MODEL BATCH ROUNDS [STEPS] [THREADS]
#   e.g. bench/precision/compare.sh resnet18 16 3 8 2
#
# Needs: dotnet build -c Release bench/PrecisionBench -o /tmp/pbout (or set PRECISION_BENCH to the dll), and
# /usr/bin/python3 with Debian's python3-torch and python3-torchvision.
set -euo pipefail
model=${1:?model}; batch=${2:?batch}; rounds=${3:?rounds}; steps=${4:-8}; threads=${5:-2}
here="$(cd "$(dirname "$0")" && pwd)"
bench=${PRECISION_BENCH:-/tmp/pbout/PrecisionBench.dll}
python=${PYTHON:-/usr/bin/python3}
# mz: ModelZoo as the trainer runs it (glibc malloc tuned, TorchRuntime.TuneAllocatorForTraining); mzd: with
# MODELZOO_MALLOC=default; pt: PyTorch as installed; ptm: PyTorch with the same malloc settings by environment
# (what preloading jemalloc/tcmalloc, Intel's advice for PyTorch on CPU, also gives).
configs=("mz fp32 nchw" "mz bf16 cl" "mz bf16 nchw" "mz fp32 cl" "pt fp32 nchw" "pt bf16 cl" "pt bf16 nchw" "pt fp32 cl" "mzd bf16 cl" "ptm bf16 cl" "ptm fp32 cl")
log=$(mktemp)
for ((r = 0; r < rounds; r++)); do
  n=${#configs[@]}
  for ((i = 0; i < n; i++)); do
    c=${configs[$(((i + r) % n))]}
    set -- $c
    case "$1" in
      mz) line=$(dotnet "$bench" "$model" "$batch" "$2" "$3" "$steps" "$threads" 2>/dev/null | tail -1) ;;
      mzd) line=$(MODELZOO_MALLOC=default dotnet "$bench" "$model" "$batch" "$2" "$3" "$steps" "$threads" 2>/dev/null | tail -1) ;;
      pt) line=$("$python" "$here/torch_step.py" "$model" "$batch" "$2" "$3" "$steps" "$threads" | tail -1) ;;
      ptm) line=$(MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=2147483647 "$python" "$here/torch_step.py" "$model" "$batch" "$2" "$3" "$steps" "$threads" | tail -1) ;;
    esac
    echo "round $((r + 1)) $1 $line" | tee -a "$log"
  done
done
"$python" - "$log" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    m = re.match(r"round \d+ (\w+) \S+ b\d+ (\w+) (\w+): .* ([\d.]+) img/s", line)
    if m: runs.setdefault(f"{m[1]} {m[2]} {m[3]}", []).append(float(m[4]))
med = {k: statistics.median(v) for k, v in runs.items()}
for k in sorted(med): print(f"median {k}: {med[k]:.1f} img/s over {len(runs[k])} runs {runs[k]}")
def ratio(a, b): return med[a] / med[b] if a in med and b in med else float('nan')
best_pt = max((k for k in med if k.startswith("pt ")), key=lambda k: med[k])
best_ptm = max((k for k in med if k.startswith("pt")), key=lambda k: med[k])
best_mz = max((k for k in med if k.startswith("mz ")), key=lambda k: med[k])
print(f"ratio ModelZoo bf16+cl / ModelZoo fp32: {ratio('mz bf16 cl', 'mz fp32 nchw'):.2f}")
print(f"ratio ModelZoo bf16+cl / PyTorch best ({best_pt}): {ratio('mz bf16 cl', best_pt):.2f}")
print(f"ratio ModelZoo best ({best_mz}) / PyTorch best ({best_pt}): {ratio(best_mz, best_pt):.2f}")
print(f"ratio ModelZoo best ({best_mz}) / PyTorch best incl. malloc-tuned ({best_ptm}): {ratio(best_mz, best_ptm):.2f}")
print(f"ratio malloc tuning: ModelZoo bf16+cl {ratio('mz bf16 cl', 'mzd bf16 cl'):.2f}, PyTorch bf16+cl {ratio('ptm bf16 cl', 'pt bf16 cl'):.2f}")
print(f"ratio ModelZoo fp32 / PyTorch fp32, both NCHW: {ratio('mz fp32 nchw', 'pt fp32 nchw'):.2f}")
print(f"ratio ModelZoo fp32 default (channels-last on CPU) / PyTorch fp32 default (NCHW): {ratio('mz fp32 cl', 'pt fp32 nchw'):.2f}")
print(f"ratio ModelZoo fp32 / PyTorch fp32, both channels-last: {ratio('mz fp32 cl', 'pt fp32 cl'):.2f}")
print(f"ratio channels-last / NCHW: ModelZoo bf16 {ratio('mz bf16 cl', 'mz bf16 nchw'):.2f}, fp32 {ratio('mz fp32 cl', 'mz fp32 nchw'):.2f}")
PY
rm -f "$log"
