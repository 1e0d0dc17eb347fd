#!/usr/bin/env bash
# Same-run comparison of the full training input pipeline at 224 (decode + RandomResizedCrop + flip + normalize
# + batching into tensors): ModelZoo DataLoader (2 workers) with its default JPEG decoder (libjpeg-turbo when
# Debian's libturbojpeg0 is installed) and with ImageSharp forced, vs torchvision ImageFolder +
# DataLoader(num_workers=2); alternating runs, medians of RUNS each, and the median of each run's own ratio (both
# sides measured back to back, so the least disturbed by this kind of VM's swings in speed).
# Usage: bench/loader/compare-loaders.sh [DIR] [REPEAT=30] [RUNS=3]  (30 repeats: 9,000 images, runs of a few seconds;
# with 10 the runs last about a second and the JIT warm-up of the managed decoder shows in the figures)
set -euo pipefail
DIR=${1:-../shared/datasets/imagenette-mini}
REPEAT=${2:-30}
RUNS=${3:-3}
PY=${PYTHON:-/usr/bin/python3}
dotnet build -c Release bench/LoaderBench -v q -nologo >/dev/null
bench() { dotnet bench/LoaderBench/bin/Release/net10.0/LoaderBench.dll folder --data "$DIR" --repeat "$REPEAT" --workers 2 --batch 64 --jpeg "$1" | grep -oE 'images/s: [0-9.]+' | grep -oE '[0-9.]+$'; }
ours=(); sharp=(); theirs=(); ratios=(); sharp_ratios=()
for i in $(seq "$RUNS"); do
  o=$(bench auto)
  s=$(bench imagesharp)
  t=$("$PY" bench/loader/torchvision_loader.py "$DIR" --repeat "$REPEAT" --workers 2 --batch 64 | grep -oE '[0-9]+(\.[0-9]+)? *images/s|images/s[: ]+[0-9.]+' | grep -oE '[0-9]+(\.[0-9]+)?' | head -1)
  r=$(awk -v a="$o" -v b="$t" 'BEGIN {printf "%.3f", a/b}')
  rs=$(awk -v a="$s" -v b="$t" 'BEGIN {printf "%.3f", a/b}')
  echo "run $i: modelzoo $o img/s, modelzoo with ImageSharp $s img/s, torchvision $t img/s, ratio $r (ImageSharp $rs)"
  ours+=("$o"); sharp+=("$s"); theirs+=("$t"); ratios+=("$r"); sharp_ratios+=("$rs")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mo=$(median "${ours[@]}"); ms=$(median "${sharp[@]}"); mt=$(median "${theirs[@]}")
echo "median: modelzoo $mo img/s, modelzoo with ImageSharp $ms img/s, torchvision $mt img/s, ratio of medians $(awk -v a="$mo" -v b="$mt" 'BEGIN {printf "%.2f", a/b}') (ImageSharp $(awk -v a="$ms" -v b="$mt" 'BEGIN {printf "%.2f", a/b}')), median of the runs' ratios $(median "${ratios[@]}") (ImageSharp $(median "${sharp_ratios[@]}"))"
