#!/usr/bin/env bash
# Re-measures every result in README.md and docs/results.md that a default change can move, and writes the tables.
#   bench/readme-results.sh                 build the CLI (Release), run every row of bench/readme-results/rows.tsv
#   bench/readme-results.sh seed bnn-mnist  only these rows (ids in rows.tsv)
#   bench/readme-results.sh --render        re-render the tables from bench/readme-results/recorded.tsv only
#   bench/readme-results.sh --list          the rows and their last recorded results
# MODELZOO overrides the CLI command (default: dotnet src/ModelZoo.Cli/bin/Release/net10.0/ModelZoo.Cli.dll).
# The whole set takes about 4 hours on an otherwise idle 2-vCPU VM (bench/README.md); run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  --render) exec python3 bench/readme-results/readme_results.py render ;;
  --list) exec python3 bench/readme-results/readme_results.py list ;;
esac
if [[ -z "${MODELZOO:-}" ]]; then
  dotnet build src/ModelZoo.Cli/ModelZoo.Cli.csproj -c Release -v quiet -nologo
fi
exec python3 bench/readme-results/readme_results.py run "$@"
