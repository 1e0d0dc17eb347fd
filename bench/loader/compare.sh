#!/usr/bin/env bash
# Same-run comparison of image decode + ImageNet training augmentation at 224:
# ModelZoo (2 threads, no tensor batching) vs torchvision ImageFolder + DataLoader(num_workers=2).
# Usage: bench/loader/compare.sh [DIR] [REPEAT]   (run from the repository root)
# Uses the Debian python (/usr/bin/python3 with python3-torchvision), not a pyenv/venv python.
set -euo pipefail
DIR=${1:-../shared/datasets/imagenette-mini}
REPEAT=${2:-4}
PY=${PYTHON:-/usr/bin/python3}
dotnet build -c Release bench/ImageThroughput -v q -nologo >/dev/null
dotnet bench/ImageThroughput/bin/Release/net10.0/ImageThroughput.dll "$DIR" "$REPEAT" 2 224
"$PY" bench/loader/torchvision_loader.py "$DIR" --repeat "$REPEAT" --workers 2 --size 224
dotnet bench/ImageThroughput/bin/Release/net10.0/ImageThroughput.dll "$DIR" "$REPEAT" 2 224
