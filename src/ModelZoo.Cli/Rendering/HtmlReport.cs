using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using ModelZoo.Data.Folders;

namespace ModelZoo.Cli.Rendering;

/// <summary>
/// The HTML of <c>modelzoo report</c>: one self-contained page (inline CSS, images as <c>data:</c> URIs, no script,
/// no link to anything outside it) for a run folder (config.json, metrics.jsonl, and its <c>evaluation/</c> when
/// there is one), an <c>evaluate</c> output folder (report.json) or an <c>experiment</c> output folder
/// (experiment.json). Class names are the human ones (<see cref="ClassNames"/>).
/// </summary>
public static class HtmlReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>What a folder holds, as far as the report is concerned.</summary>
    /// <param name="Config">config.json of a run, if any.</param>
    /// <param name="Metrics">metrics.jsonl of a run, if any.</param>
    /// <param name="Evaluation">The folder holding report.json (the folder itself or its <c>evaluation/</c>), if any.</param>
    /// <param name="Experiment">experiment.json, if any.</param>
    public sealed record Contents(string? Config, string? Metrics, string? Evaluation, string? Experiment)
    {
        /// <summary>Whether there is anything to report.</summary>
        public bool IsEmpty => Config is null && Metrics is null && Evaluation is null && Experiment is null;

        /// <summary>"run", "evaluation" or "experiment".</summary>
        public string Kind => Experiment is not null ? "experiment" : Config is not null || Metrics is not null ? "run" : "evaluation";
    }

    /// <summary>Finds the report's inputs in <paramref name="folder"/>.</summary>
    public static Contents Find(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        string? F(params string[] parts) => File.Exists(Path.Combine([folder, .. parts])) ? Path.Combine([folder, .. parts]) : null;
        string? evaluation = F("report.json") is not null ? folder : F("evaluation", "report.json") is not null ? Path.Combine(folder, "evaluation") : null;
        return new Contents(F("config.json"), F("metrics.jsonl"), evaluation, F("experiment.json"));
    }

    /// <summary>The page for <paramref name="folder"/>.</summary>
    /// <exception cref="JsonException">A JSON file of the folder is malformed.</exception>
    public static string Build(string folder, Contents contents)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(contents);
        // Numbers in the page are written the same way whatever the machine's culture.
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = Inv;
        try { return BuildInvariant(folder, contents); }
        finally { CultureInfo.CurrentCulture = culture; }
    }

    private static string BuildInvariant(string folder, Contents contents)
    {
        var html = new StringBuilder();
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>ModelZoo report: ").Append(E(name)).Append("</title><style>").Append(Css).Append("</style></head><body>\n");
        html.Append("<h1>ModelZoo report: ").Append(E(name)).Append("</h1>\n<p class=\"meta\">")
            .Append(E(contents.Kind)).Append(" folder <code>").Append(E(Path.GetFullPath(folder))).Append("</code>, generated ")
            .Append(E(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", Inv))).Append(" by modelzoo ").Append(E(CliVersion.Tool)).Append("</p>\n");

        JsonDocument? config = contents.Config is not null ? JsonDocument.Parse(File.ReadAllText(contents.Config)) : null;
        var metrics = contents.Metrics is not null ? ReadMetrics(contents.Metrics) : [];
        using (config)
        {
            if (contents.Experiment is not null) Experiment(html, contents.Experiment);
            if (config is not null || metrics.Count > 0) RunSummary(html, config?.RootElement, metrics);
            if (config is not null) ModelCardSection(html, config.RootElement);
            if (metrics.Count > 0) Curves(html, metrics);
            if (contents.Evaluation is not null) Evaluation(html, contents.Evaluation, config?.RootElement);
            else if (contents.Kind == "run")
                html.Append("<h2>Evaluation</h2><p class=\"note\">No evaluation in this run folder yet: <code>modelzoo evaluate --checkpoint ")
                    .Append(E(folder)).Append("</code> writes one (per-class metrics, confusion matrix, misclassified examples, top losses); run <code>modelzoo report</code> again afterwards.</p>\n");
            if (metrics.Count > 0) Timing(html, metrics);
        }
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static void RunSummary(StringBuilder html, JsonElement? config, List<JsonElement> metrics)
    {
        html.Append("<h2>Run summary</h2>\n<table class=\"kv\">");
        if (config is JsonElement c)
        {
            Row(html, "model", Str(c, "model"));
            Row(html, "data", Str(c, "data"));
            if (c.TryGetProperty("classes", out var classes) && classes.ValueKind == JsonValueKind.Array)
            {
                var ids = classes.EnumerateArray().Select(x => x.GetString() ?? "").ToList();
                var names = SafeNames(ids, Str(c, "data"));
                Row(html, "classes", $"{ids.Count}: " + string.Join(", ", names.Take(20)) + (ids.Count > 20 ? ", ..." : ""));
            }
            if (c.TryGetProperty("channels", out var ch) && c.TryGetProperty("imageSize", out var size)) Row(html, "input", $"{ch}x{size}x{size}");
        }
        if (metrics.Count > 0)
        {
            var last = metrics[^1];
            Row(html, "epochs run", last.GetProperty("epoch").ToString());
            Row(html, "steps", last.GetProperty("step").ToString());
            var best = metrics.Where(m => Num(m, "val_acc") is not null).OrderByDescending(m => Num(m, "val_acc")).FirstOrDefault();
            if (best.ValueKind == JsonValueKind.Object)
                Row(html, "best validation accuracy", $"{Num(best, "val_acc")!.Value * 100:0.00} % at epoch {best.GetProperty("epoch")}");
            Row(html, "final training loss", $"{Num(last, "train_loss"):0.0000}");
            if (Num(last, "val_loss") is double vl) Row(html, "final validation loss", $"{vl:0.0000}");
        }
        html.Append("</table>\n");
        if (config is JsonElement cfg)
        {
            html.Append("<details><summary>Configuration (config.json)</summary>\n<table class=\"kv small\">");
            foreach (var (key, value) in Flatten(cfg, "")) if (key != "classes") Row(html, key, value);
            html.Append("</table></details>\n");
        }
    }

    private static void ModelCardSection(StringBuilder html, JsonElement config)
    {
        string? model = Str(config, "model");
        if (model is null) return;
        html.Append("<h2>Model card</h2>\n");
        ModelCard card;
        try { card = Zoo.Card(model); }
        catch (UnknownModelException) { html.Append("<p class=\"note\">").Append(E(model)).Append(" is not a zoo model; no card.</p>\n"); return; }
        html.Append("<table class=\"kv\">");
        Row(html, "name", card.Name);
        Row(html, "family", card.Family);
        Row(html, "summary", card.Summary);
        Row(html, "paper", card.Paper);
        Row(html, "default input", $"{card.DefaultInput.Channels}x{card.DefaultInput.Height}x{card.DefaultInput.Width}, {card.DefaultClasses} classes");
        Row(html, "parameters (card defaults)", card.Parameters.ToString("N0", Inv));
        Row(html, "MACs (card defaults)", card.Macs.ToString("N0", Inv));
        if (card.ReferenceTop1 is double top1) Row(html, "reference top-1", $"{top1:0.0} % ({card.ReferenceSource})");
        html.Append("</table>\n");
    }

    private static void Curves(StringBuilder html, List<JsonElement> metrics)
    {
        double[] epochs = metrics.Select(m => m.GetProperty("epoch").GetDouble()).ToArray();
        html.Append("<h2>Learning curves</h2>\n<div class=\"row\">");
        Image(html, Chart("loss", "epoch", "loss", epochs, ("train loss", metrics.Select(m => Num(m, "train_loss")).ToArray()), ("validation loss", metrics.Select(m => Num(m, "val_loss")).ToArray())), "loss per epoch");
        Image(html, Chart("accuracy", "epoch", "accuracy", epochs, ("train accuracy", metrics.Select(m => Num(m, "train_acc")).ToArray()), ("validation accuracy", metrics.Select(m => Num(m, "val_acc")).ToArray()), ("validation top-5", metrics.Select(m => Num(m, "val_top5")).ToArray())), "accuracy per epoch");
        Image(html, Chart("learning rate", "epoch", "lr (end of epoch)", epochs, ("lr", metrics.Select(m => Num(m, "lr")).ToArray())), "learning rate per epoch");
        html.Append("</div>\n");
    }

    private static void Evaluation(StringBuilder html, string folder, JsonElement? config)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json")));
        var r = doc.RootElement;
        var classes = r.TryGetProperty("classes", out var cl) ? cl.EnumerateArray().ToList() : [];
        var ids = classes.Select(c => c.GetProperty("name").GetString() ?? "").ToList();
        string? data = Str(r, "data") ?? (config is JsonElement c ? Str(c, "data") : null);
        var names = classes.Count > 0 && classes.All(c => c.TryGetProperty("display_name", out _))
            ? classes.Select(c => c.GetProperty("display_name").GetString() ?? "").ToList()
            : SafeNames(ids, data).ToList();
        string NameOf(string id) { int i = ids.IndexOf(id); return i >= 0 ? names[i] : id; }

        html.Append("<h2>Evaluation</h2>\n<table class=\"kv\">");
        Row(html, "data", data);
        Row(html, "images", Num(r, "samples")?.ToString("N0", Inv));
        Row(html, "top-1", Num(r, "top1") is double t1 ? $"{t1 * 100:0.00} %" : null);
        Row(html, $"top-{(Num(r, "k") ?? 5):0}", Num(r, "top5") is double t5 ? $"{t5 * 100:0.00} %" : null);
        Row(html, "loss", Num(r, "loss") is double l ? l.ToString("0.0000", Inv) : null);
        html.Append("</table>\n");

        html.Append("<h3>Per-class precision, recall and F1</h3>\n<table class=\"grid\"><tr><th>class</th><th>id</th><th>support</th><th>precision</th><th>recall</th><th>F1</th></tr>");
        for (int i = 0; i < classes.Count; i++)
        {
            var m = classes[i];
            double p = Num(m, "precision") ?? 0, rec = Num(m, "recall") ?? 0;
            double f1 = Num(m, "f1") ?? (p + rec == 0 ? 0 : 2 * p * rec / (p + rec));
            html.Append("<tr><td>").Append(E(names[i])).Append("</td><td><code>").Append(E(ids[i])).Append("</code></td><td class=\"n\">")
                .Append(Num(m, "support")?.ToString("0", Inv)).Append("</td>");
            foreach (double v in new[] { p, rec, f1 })
                html.Append("<td class=\"n bar\" style=\"--v:").Append((v * 100).ToString("0.#", Inv)).Append("%\">").Append(v.ToString("0.000", Inv)).Append("</td>");
            html.Append("</tr>");
        }
        html.Append("</table>\n");

        if (r.TryGetProperty("confusion", out var confusion) && confusion.ValueKind == JsonValueKind.Array)
        {
            var rows = confusion.EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
            html.Append("<h3>Confusion matrix</h3>\n");
            if (rows.Length > 60)
            {
                html.Append("<p class=\"note\">").Append(rows.Length).Append(" classes: too many for a readable heat map; see confusion.csv.</p>\n");
            }
            else
            {
                html.Append("<p class=\"note\">Rows: true class; columns: predicted class; shade: share of the row.</p><div class=\"scroll\"><table class=\"heat\"><tr><th>true \\ predicted</th>");
                foreach (string n in names) html.Append("<th class=\"rot\"><div>").Append(E(n)).Append("</div></th>");
                html.Append("</tr>");
                for (int t = 0; t < rows.Length; t++)
                {
                    long sum = Math.Max(1, rows[t].Sum());
                    html.Append("<tr><th>").Append(E(t < names.Count ? names[t] : t.ToString(Inv))).Append("</th>");
                    for (int p = 0; p < rows[t].Length; p++)
                    {
                        double share = (double)rows[t][p] / sum;
                        string bg = (t == p ? "rgba(31,119,180," : "rgba(214,39,40,") + share.ToString("0.###", Inv) + ")";
                        html.Append("<td style=\"background:").Append(bg).Append(share > 0.5 ? ";color:#fff" : "").Append("\" title=\"")
                            .Append(E($"true {(t < names.Count ? names[t] : "")}, predicted {(p < names.Count ? names[p] : "")}: {rows[t][p]}")).Append("\">")
                            .Append(rows[t][p]).Append("</td>");
                    }
                    html.Append("</tr>");
                }
                html.Append("</table></div>\n");
            }
        }

        html.Append("<h3>Misclassified examples (most confident mistakes)</h3>\n");
        string grid = Path.Combine(folder, "misclassified.png");
        if (File.Exists(grid)) Image(html, File.ReadAllBytes(grid), "misclassified examples: true and predicted class with confidence");
        Samples(html, r, "misclassified", NameOf, withLoss: false);
        html.Append("<h3>Top losses</h3>\n");
        string losses = Path.Combine(folder, "top-losses.png");
        if (File.Exists(losses)) Image(html, File.ReadAllBytes(losses), "the samples with the highest loss: true and predicted class with loss");
        if (r.TryGetProperty("top_losses", out _)) Samples(html, r, "top_losses", NameOf, withLoss: true);
        else html.Append("<p class=\"note\">This evaluation has no top-losses list (written by an older modelzoo); evaluate again for it.</p>\n");
    }

    private static void Samples(StringBuilder html, JsonElement r, string property, Func<string, string> nameOf, bool withLoss)
    {
        if (!r.TryGetProperty(property, out var list) || list.ValueKind != JsonValueKind.Array) return;
        var items = list.EnumerateArray().ToList();
        if (items.Count == 0) { html.Append("<p class=\"note\">none</p>\n"); return; }
        html.Append("<table class=\"grid\"><tr><th>#</th><th>sample</th><th>true</th><th>predicted</th><th>confidence</th>").Append(withLoss ? "<th>loss</th>" : "").Append("</tr>");
        int i = 0;
        foreach (var m in items)
        {
            string label = Str(m, "label_name") ?? nameOf(Str(m, "label") ?? "");
            string predicted = Str(m, "predicted_name") ?? nameOf(Str(m, "predicted") ?? "");
            // Folder data: the file name (the full path on hover) so a person can open the image; MNIST-like data: the index.
            string sample = Str(m, "file") is { Length: > 0 } file
                ? $"<td title=\"{E(file)}\"><code>{E(Path.GetFileName(file))}</code></td>"
                : $"<td class=\"n\">{Num(m, "index")?.ToString("0", Inv)}</td>";
            html.Append("<tr><td class=\"n\">").Append(++i).Append("</td>").Append(sample)
                .Append("<td>").Append(E(label)).Append("</td><td>").Append(E(predicted)).Append("</td><td class=\"n\">")
                .Append(Num(m, "confidence") is double c ? (c * 100).ToString("0.0", Inv) + " %" : "").Append("</td>");
            if (withLoss) html.Append("<td class=\"n\">").Append(Num(m, "loss")?.ToString("0.000", Inv)).Append("</td>");
            html.Append("</tr>");
        }
        html.Append("</table>\n");
    }

    private static void Timing(StringBuilder html, List<JsonElement> metrics)
    {
        double total = metrics.Sum(m => Num(m, "seconds") ?? 0);
        double? peak = metrics.Select(m => Num(m, "rss_mb")).Where(v => v is not null).Max();
        html.Append("<h2>Timing and memory</h2>\n<table class=\"kv\">");
        Row(html, "training time (sum of epochs)", $"{total:0.0} s ({total / 60:0.0} min)");
        Row(html, "images per second (last epoch)", Num(metrics[^1], "images_per_second")?.ToString("0.0", Inv));
        Row(html, "peak resident memory", peak is double p ? $"{p:0} MB" : null);
        html.Append("</table>\n<table class=\"grid\"><tr><th>epoch</th><th>seconds</th><th>images/s</th><th>RSS MB</th><th>lr</th></tr>");
        foreach (var m in metrics)
            html.Append("<tr><td class=\"n\">").Append(m.GetProperty("epoch")).Append("</td><td class=\"n\">").Append(Num(m, "seconds")?.ToString("0.0", Inv))
                .Append("</td><td class=\"n\">").Append(Num(m, "images_per_second")?.ToString("0.0", Inv)).Append("</td><td class=\"n\">")
                .Append(Num(m, "rss_mb")?.ToString("0", Inv)).Append("</td><td class=\"n\">").Append(Num(m, "lr")?.ToString("G4", Inv)).Append("</td></tr>");
        html.Append("</table>\n");
    }

    private static void Experiment(StringBuilder html, string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var x = doc.RootElement;
        string folder = Path.GetDirectoryName(path)!;
        html.Append("<h2>Experiment <code>").Append(E(Str(x, "experiment"))).Append("</code>: ").Append(E(Str(x, "title"))).Append("</h2>\n<table class=\"kv\">");
        Row(html, "variable", Str(x, "variable"));
        Row(html, "data", Str(x, "data"));
        Row(html, "epochs", Num(x, "epochs")?.ToString("0", Inv) + (Num(x, "max_steps") is double ms ? $" of at most {ms:0} steps" : ""));
        Row(html, "batch size, seed, threads", $"{Num(x, "batch_size"):0}, {Num(x, "seed"):0}, {Num(x, "threads"):0}");
        Row(html, "dropout", Num(x, "dropout")?.ToString("0.##", Inv) ?? "the models' default");
        html.Append("</table>\n<h3>Results</h3>\n<table class=\"grid\"><tr><th>variant</th><th>test accuracy</th><th>test loss</th><th>mean training loss</th><th>final training loss</th><th>steps</th><th>parameters</th><th>seconds</th></tr>");
        foreach (var v in x.GetProperty("variants").EnumerateArray())
            html.Append("<tr><td>").Append(E(Str(v, "label"))).Append("</td><td class=\"n\">").Append(Num(v, "test_accuracy") is double a ? (a * 100).ToString("0.00", Inv) + " %" : "")
                .Append("</td><td class=\"n\">").Append(Num(v, "test_loss")?.ToString("0.0000", Inv)).Append("</td><td class=\"n\">").Append(Num(v, "mean_train_loss")?.ToString("0.0000", Inv))
                .Append("</td><td class=\"n\">").Append(Num(v, "final_train_loss")?.ToString("0.0000", Inv)).Append("</td><td class=\"n\">").Append(Num(v, "steps")?.ToString("0", Inv))
                .Append("</td><td class=\"n\">").Append(Num(v, "parameters")?.ToString("N0", Inv)).Append("</td><td class=\"n\">").Append(Num(v, "seconds")?.ToString("0.0", Inv)).Append("</td></tr>");
        html.Append("</table>\n<p><b>The seed's conclusion:</b> ").Append(E(Str(x, "seed_conclusion"))).Append("</p>\n<p><b>This run ")
            .Append(x.TryGetProperty("agrees_with_seed", out var ag) && ag.ValueKind == JsonValueKind.True ? "agrees" : "differs").Append(":</b> ").Append(E(Str(x, "finding"))).Append("</p>\n");
        if (Str(x, "activations_finding") is string af)
            html.Append("<p><b>Activations at initialisation ").Append(x.GetProperty("activations_agree_with_seed").ValueKind == JsonValueKind.True ? "agree" : "differ")
                .Append(":</b> ").Append(E(af)).Append("</p>\n");
        html.Append("<h3>Figures</h3>\n");
        if (x.TryGetProperty("files", out var files))
            foreach (var f in files.EnumerateArray().Select(f => f.GetString() ?? "").Where(f => f.EndsWith(".png", StringComparison.Ordinal)))
            {
                string png = Path.Combine(folder, f);
                if (File.Exists(png)) Image(html, File.ReadAllBytes(png), f);
            }
    }

    private static IReadOnlyList<string> SafeNames(IReadOnlyList<string> ids, string? data)
    {
        try { return ClassNames.ForData(ids, data); }
        catch (ModelZoo.Data.ModelZooDataException) { return ClassNames.Display(ids); }
    }

    private static byte[] Chart(string title, string x, string y, double[] xs, params (string Label, double?[] Values)[] series)
    {
        var plot = new ScottPlot.Plot();
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        var all = new List<double>();
        foreach (var (label, values) in series)
        {
            var pts = xs.Zip(values).Where(p => p.Second is double v && double.IsFinite(v)).ToList();
            if (pts.Count == 0) continue;
            var s = plot.Add.Scatter(pts.Select(p => p.First).ToArray(), pts.Select(p => p.Second!.Value).ToArray());
            s.LegendText = label;
            all.AddRange(pts.Select(p => p.Second!.Value));
        }
        // A constant series (a constant learning rate) gets a range around its value rather than around 0.
        if (all.Count > 0 && all.Max() - all.Min() <= 1e-12 * Math.Max(1, Math.Abs(all.Max())))
        {
            double v = all[0], pad = v == 0 ? 1 : Math.Abs(v) * 0.5;
            plot.Axes.SetLimitsY(v - pad, v + pad);
        }
        plot.ShowLegend(ScottPlot.Edge.Bottom);
        return plot.GetImageBytes(520, 380, ScottPlot.ImageFormat.Png);
    }

    private static void Image(StringBuilder html, byte[] png, string alt) =>
        html.Append("<figure><img alt=\"").Append(E(alt)).Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(png))
            .Append("\"><figcaption>").Append(E(alt)).Append("</figcaption></figure>\n");

    private static void Row(StringBuilder html, string key, string? value)
    {
        if (value is null) return;
        html.Append("<tr><th>").Append(E(key)).Append("</th><td>").Append(E(value)).Append("</td></tr>");
    }

    private static IEnumerable<(string Key, string Value)> Flatten(JsonElement e, string prefix)
    {
        if (e.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in e.EnumerateObject())
                foreach (var kv in Flatten(p.Value, prefix.Length == 0 ? p.Name : $"{prefix}.{p.Name}")) yield return kv;
        }
        else if (e.ValueKind == JsonValueKind.Array)
        {
            yield return (prefix, string.Join(", ", e.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText())));
        }
        else
        {
            yield return (prefix, e.ValueKind == JsonValueKind.String ? e.GetString() ?? "" : e.GetRawText());
        }
    }

    private static List<JsonElement> ReadMetrics(string path)
    {
        var list = new List<JsonElement>();
        foreach (string line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var doc = JsonDocument.Parse(line);
            list.Add(doc.RootElement.Clone());
        }
        return list;
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static double? Num(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static string E(string? s) => WebUtility.HtmlEncode(s ?? "");

    private const string Css = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:24px auto;max-width:1140px;color:#222;line-height:1.4;padding:0 16px}
        h1{font-size:26px;margin-bottom:4px}h2{font-size:21px;border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:32px}h3{font-size:17px;margin-top:22px}
        .meta,.note{color:#666;font-size:14px}code{background:#f3f3f3;padding:1px 4px;border-radius:3px}
        table{border-collapse:collapse;margin:8px 0}th,td{padding:3px 8px;border:1px solid #ddd;font-size:14px;vertical-align:top}
        table.kv th{text-align:left;background:#f7f7f7;font-weight:600}table.small td,table.small th{font-size:12px}
        table.grid th{background:#f7f7f7}td.n{text-align:right;font-variant-numeric:tabular-nums}
        td.bar{background:linear-gradient(90deg,#cfe3f3 var(--v),transparent var(--v))}
        table.heat td{text-align:center;min-width:34px;font-size:13px}table.heat th{font-size:12px;text-align:right;background:#fafafa}
        th.rot{height:130px;white-space:nowrap;vertical-align:bottom}th.rot div{transform:rotate(-55deg);width:30px;transform-origin:left bottom;margin-left:14px}
        .scroll{overflow-x:auto}.row{display:flex;flex-wrap:wrap;gap:10px}figure{margin:8px 0}figure img{max-width:100%;border:1px solid #eee}
        figcaption{font-size:13px;color:#666}details{margin:10px 0}summary{cursor:pointer;font-weight:600}
        """;
}
