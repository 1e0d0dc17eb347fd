#!/usr/bin/env python3
"""Re-measures the results in README.md and docs/results.md that a default change can move, and writes the tables.

usage: readme_results.py run [ID ...]     run these rows of rows.tsv (all when none), record, render
       readme_results.py render           render docs/readme-results.md, README.md's and results.md's tables
       readme_results.py list             the rows, with their last recorded result

Each run is the row's command with `modelzoo` replaced by $MODELZOO (default: the Release build's dll through
`dotnet`), plus `--json -o RUN`, from the repository root. Its summary gives the final and best validation accuracy
(the test split for MNIST-family data), the median seconds per epoch; the CPU time is the child's rusage. The
result replaces the row's line in recorded.tsv, dated, with the commit and a description of the machine, and the
tables are rendered from recorded.tsv: the README table between the `readme-results:readme` markers of README.md,
the full table between the `readme-results:all` markers of docs/results.md, and both in docs/readme-results.md
(which a test compares with README.md and docs/results.md). Standard library only.
"""
import datetime
import json
import os
import re
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
ROWS = os.path.join(HERE, "rows.tsv")
RECORDED = os.path.join(HERE, "recorded.tsv")
OUTPUT = os.path.join(ROOT, "docs", "readme-results.md")
README = os.path.join(ROOT, "README.md")
RESULTS = os.path.join(ROOT, "docs", "results.md")
RECORDED_FIELDS = ["id", "final", "best", "best_epoch", "epochs", "sec_per_epoch", "cpu_minutes", "date", "commit", "machine"]


def read_tsv(path, fields):
    header, rows = [], []
    with open(path, encoding="utf-8") as f:
        for line in f.read().splitlines():
            if line.startswith("#"):
                header.append(line)
            elif line.strip():
                cells = line.split("\t")
                if len(cells) != len(fields):
                    sys.exit(f"{path}: expected {len(fields)} tab-separated cells, got {len(cells)}: {line!r}")
                rows.append(dict(zip(fields, cells)))
    return header, rows


def rows():
    return read_tsv(ROWS, ["id", "readme", "model", "data", "reference", "note", "command"])[1]


def recorded():
    header, found = read_tsv(RECORDED, RECORDED_FIELDS)
    return header, {r["id"]: r for r in found}


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout if os.path.exists("/usr/bin/lscpu") else ""
    caches = "cache sizes visible" if re.search(r"cache", lscpu, re.I) else "cpuid cache leaves hidden"
    load = os.getloadavg()[0]
    return f"{os.cpu_count()} vCPUs, {cpu}, {caches}, load {load:.1f} at start"


def commit():
    r = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return r.stdout.strip() or "unknown"


def run(row):
    cli = os.environ.get("MODELZOO", "dotnet src/ModelZoo.Cli/bin/Release/net10.0/ModelZoo.Cli.dll")
    words = shlex.split(row["command"])
    if words[0] != "modelzoo":
        sys.exit(f"row {row['id']}: the command must start with modelzoo")
    out_dir = tempfile.mkdtemp(prefix=f"readme-results-{row['id']}-")
    argv = shlex.split(cli) + words[1:] + ["--json", "-o", os.path.join(out_dir, "run")]
    print(f"[{row['id']}] {' '.join(argv)}", flush=True)
    started_machine, started_commit = machine(), commit()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"[{row['id']}] exited {done.returncode}")
    summary = json.loads([l for l in done.stdout.splitlines() if l.startswith("{")][-1])
    history = summary["history"]
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result = {
        "id": row["id"],
        "final": f"{100 * history[-1]['val_acc']:.2f}",
        "best": f"{100 * summary['best_val_acc']:.2f}" if summary.get("best_val_acc") is not None else "-",
        "best_epoch": str(summary["best_epoch"]) if summary.get("best_epoch") is not None else "-",
        "epochs": str(summary["epochs"]),
        "sec_per_epoch": f"{statistics.median(h['seconds'] for h in history):.1f}",
        "cpu_minutes": f"{cpu / 60:.1f}",
        "date": datetime.date.today().isoformat(),
        "commit": started_commit,
        "machine": started_machine,
    }
    print(f"[{row['id']}] final {result['final']} %, best {result['best']} % at epoch {result['best_epoch']}, "
          f"{result['sec_per_epoch']} s per epoch, {result['cpu_minutes']} CPU-minutes", flush=True)
    return result


def write_recorded(header, by_id, order):
    with open(RECORDED, "w", encoding="utf-8") as f:
        for line in header:
            f.write(line + "\n")
        for rid in order:
            if rid in by_id:
                f.write("\t".join(by_id[rid][k].replace("\t", " ") for k in RECORDED_FIELDS) + "\n")


def threads(command):
    m = re.search(r"--threads (\d+)", command)
    return None if m is None else int(m.group(1))


def accuracy_cell(row, rec):
    cell = f"{rec['final']} %"
    t = threads(row["command"])
    on = "" if t is None else f" on {t} thread{'' if t == 1 else 's'}"
    if row["note"] == "epoch-seconds" and rec["sec_per_epoch"] != "-":
        cell += f" ({float(rec['sec_per_epoch']):.0f} s per epoch{on})"
    elif row["note"] == "cpu-minutes" and rec["cpu_minutes"] != "-":
        cell += f" ({float(rec['cpu_minutes']):.0f} CPU-minutes{on})"
    return cell


def readme_table(all_rows, by_id):
    lines = ["| Model | Data | Epochs | Test accuracy | Reference | Command |", "| --- | --- | --- | --- | --- | --- |"]
    for row in all_rows:
        if row["readme"] != "yes":
            continue
        rec = by_id[row["id"]]
        lines.append(f"| {row['model']} | {row['data']} | {rec['epochs']} | {accuracy_cell(row, rec)} | {row['reference']} | `{row['command']}` |")
    return "\n".join(lines)


def full_table(all_rows, by_id):
    lines = ["| Run | Model | Data | Epochs | Final accuracy | Best (epoch) | s per epoch | CPU-minutes | Command | Measured |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for row in all_rows:
        rec = by_id.get(row["id"])
        if rec is None:
            continue
        best = "-" if rec["best"] == "-" else f"{rec['best']} %" + ("" if rec["best_epoch"] == "-" else f" ({rec['best_epoch']})")
        lines.append(f"| {row['id']} | {row['model']} | {row['data']} | {rec['epochs']} | {rec['final']} % | {best} | {rec['sec_per_epoch']} | "
                     f"{rec['cpu_minutes']} | `{row['command']}` | {rec['date']}, {rec['commit']}, {rec['machine']} |")
    return "\n".join(lines)


def block(name, table):
    return f"<!-- readme-results:{name} -->\n{table}\n<!-- /readme-results:{name} -->"


def replace_block(path, name, table):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    pattern = re.compile(rf"<!-- readme-results:{name} -->\n.*?\n<!-- /readme-results:{name} -->", re.S)
    if not pattern.search(text):
        sys.exit(f"{path}: no readme-results:{name} markers")
    with open(path, "w", encoding="utf-8") as f:
        f.write(pattern.sub(lambda _: block(name, table), text))


def render():
    all_rows = rows()
    _, by_id = recorded()
    missing = [r["id"] for r in all_rows if r["id"] not in by_id]
    if missing:
        sys.exit(f"no recorded result for {', '.join(missing)}: run them first")
    readme, full = readme_table(all_rows, by_id), full_table(all_rows, by_id)
    with open(OUTPUT, "w", encoding="utf-8") as f:
        f.write("# Results re-measured by `bench/readme-results.sh`\n\n"
                "Written by the script from `bench/readme-results/recorded.tsv`; do not edit by hand. README.md's results table\n"
                "and docs/results.md's re-measured table are these (a test checks). Rows recorded before the script have\n"
                "`before-script` for their commit.\n\n"
                "## README table\n\n" + block("readme", readme) + "\n\n## Every re-measured run\n\n" + block("all", full) + "\n")
    replace_block(README, "readme", readme)
    replace_block(RESULTS, "all", full)
    print(f"wrote {os.path.relpath(OUTPUT, ROOT)}, README.md and docs/results.md")


def main(argv):
    if not argv or argv[0] not in ("run", "render", "list"):
        sys.exit(__doc__)
    all_rows = rows()
    if argv[0] == "list":
        _, by_id = recorded()
        for r in all_rows:
            rec = by_id.get(r["id"], {})
            print(f"{r['id']:28} {rec.get('final', '-'):>6} %  {rec.get('date', '-')}  {r['command']}")
        return
    if argv[0] == "run":
        wanted = argv[1:] or [r["id"] for r in all_rows]
        unknown = set(wanted) - {r["id"] for r in all_rows}
        if unknown:
            sys.exit(f"unknown row(s): {', '.join(sorted(unknown))}")
        for row in all_rows:
            if row["id"] in wanted:
                result = run(row)
                header, by_id = recorded()
                by_id[row["id"]] = result
                write_recorded(header, by_id, [r["id"] for r in all_rows])
                render()
        return
    render()


if __name__ == "__main__":
    main(sys.argv[1:])
