"""Overlays the per-epoch curves of several `modelzoo train` runs (their metrics.jsonl) in one SVG, without plotting
libraries (Debian's python3-torch brings no matplotlib).

python3 plot_curves.py OUT.svg KEY LABEL=RUN_DIR [LABEL=RUN_DIR ...]     e.g. KEY = train_loss, val_loss, val_acc
"""
import json, sys

out, key, runs = sys.argv[1], sys.argv[2], [a.split("=", 1) for a in sys.argv[3:]]
series = []
for label, run in runs:
    rows = [json.loads(l) for l in open(f"{run}/metrics.jsonl") if l.strip()]
    series.append((label, [(r["epoch"], r[key]) for r in rows if r.get(key) is not None]))
W, H, L, R, T, B = 640, 400, 60, 20, 30, 45
xs = [x for _, s in series for x, _ in s]; ys = [y for _, s in series for _, y in s]
x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
pad = (y1 - y0) * 0.05 or 1; y0 -= pad; y1 += pad
px = lambda x: L + (x - x0) / ((x1 - x0) or 1) * (W - L - R)
py = lambda y: T + (y1 - y) / (y1 - y0) * (H - T - B)
colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
         f'<rect width="{W}" height="{H}" fill="white"/>',
         f'<line x1="{L}" y1="{H - B}" x2="{W - R}" y2="{H - B}" stroke="black"/><line x1="{L}" y1="{T}" x2="{L}" y2="{H - B}" stroke="black"/>']
for i in range(6):
    v = y0 + (y1 - y0) * i / 5
    parts.append(f'<text x="{L - 5}" y="{py(v) + 4:.1f}" text-anchor="end">{v:.3g}</text><line x1="{L}" y1="{py(v):.1f}" x2="{W - R}" y2="{py(v):.1f}" stroke="#eee"/>')
for e in sorted(set(xs))[:: max(1, len(set(xs)) // 10)]:
    parts.append(f'<text x="{px(e):.1f}" y="{H - B + 15}" text-anchor="middle">{e}</text>')
parts.append(f'<text x="{(L + W - R) / 2}" y="{H - 8}" text-anchor="middle">epoch</text><text x="{L}" y="{T - 10}">{key}</text>')
for i, (label, s) in enumerate(series):
    c = colours[i % len(colours)]
    pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in s)
    parts.append(f'<polyline fill="none" stroke="{c}" stroke-width="2" points="{pts}"/>')
    parts.append(f'<rect x="{W - R - 150}" y="{T + 5 + 18 * i}" width="12" height="12" fill="{c}"/><text x="{W - R - 132}" y="{T + 16 + 18 * i}">{label}</text>')
parts.append("</svg>")
open(out, "w").write("\n".join(parts))
