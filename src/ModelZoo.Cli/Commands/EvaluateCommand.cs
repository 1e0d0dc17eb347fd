using System.Globalization;
using System.Text.Json.Nodes;
using ModelZoo.Cli.Rendering;
using ModelZoo.Data;
using ModelZoo.Data.Folders;
using ModelZoo.Data.Transforms;
using ModelZoo.Evaluation;
using ModelZoo.Training;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Cli.Commands;

/// <summary><c>modelzoo evaluate</c>: top-1/top-5, loss, per-class precision/recall, confusion matrix and misclassified examples.</summary>
public sealed class EvaluateCommand(CliEnvironment env) : Command<EvaluateSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, EvaluateSettings settings, CancellationToken cancellationToken)
    {
        var token = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, env.Signals.Token).Token;
        int threads = settings.ThreadsOrDefault;
        var device = DeviceSelector.Resolve(settings.Device ?? "cpu");
        torch.set_num_threads(threads);
        // Under mpirun each process evaluates its shard and the counts are summed; only rank 0 prints and writes.
        using var mpi = MpiProcessGroup.IsLaunchedByMpi ? MpiProcessGroup.Create() : null;
        IProcessGroup group = mpi ?? (IProcessGroup)SingleProcessGroup.Instance;
        TextWriter log = !group.IsPrimary ? TextWriter.Null : settings.Json ? env.Error : new AnsiTextWriter(env.Console);

        var paths = (settings.Weights is null ? settings.Checkpoints : [PretrainedCheckpoint.For(settings.Weights, env, token)]).Select(Checkpoint.ResolveBestPath).ToList();
        // The output folder is checked before any work. The default (<run>/evaluation) belongs to the run and is
        // replaced; an explicit --output that is not empty needs --overwrite.
        // A checkpoint outside a run folder (an imported one) gets <name>-evaluation next to it, not replaced unasked.
        string full = Path.GetFullPath(paths[0]);
        string ckptDir = Path.GetDirectoryName(full)!;
        bool inRun = Path.GetFileName(ckptDir) == "checkpoints";
        string output = settings.Output ?? (settings.Weights is not null ? $"{settings.Weights}-evaluation" : inRun ? Path.Combine(Path.GetDirectoryName(ckptDir)!, "evaluation")
            : Path.Combine(ckptDir, Path.GetFileNameWithoutExtension(full) + "-evaluation"));
        bool replace = group.IsPrimary && OutputPaths.CheckFolder("--output", output, settings.Overwrite || (settings.Output is null && inRun), 16L << 20,
            "use --overwrite to replace it or choose another folder");
        var infos = paths.Select(Checkpoint.ReadInfo).ToList();
        var first = infos[0];
        foreach (var info in infos) ModelInputs.EnsureFits(info.ModelName, info.ImageSize, info.ImageSize);
        for (int i = 1; i < infos.Count; i++)
        {
            if (!infos[i].ClassNames.SequenceEqual(first.ClassNames, StringComparer.Ordinal))
                throw new CheckpointException(paths[i], $"its classes differ from those of {paths[0]}; an ensemble needs the same classes in the same order");
            if (infos[i].Channels != first.Channels)
                throw new CheckpointException(paths[i], $"expects {infos[i].Channels}-channel input but {paths[0]} expects {first.Channels}");
        }

        string spec = settings.Data ?? first.DataSpec;
        var split = DataSpec.Resolve(spec, new DataOptions(ValSplit: settings.ValidationSplit, Seed: settings.Seed,
            Folder: new ImageFolderOptions { Channels = first.Channels }));
        if (split.Validation.Channels != first.Channels)
            throw new ModelZooDataException($"data '{spec}' has {split.Validation.Channels}-channel images but the checkpoint expects {first.Channels}", spec);
        if (!split.ClassNames.SequenceEqual(first.ClassNames, StringComparer.Ordinal))
            throw new ModelZooDataException($"data '{spec}' has classes [{string.Join(", ", split.ClassNames.Take(12))}] but the checkpoint was trained on [{string.Join(", ", first.ClassNames.Take(12))}]", spec);

        bool small = split.Kind == DataKind.MnistLike;
        var dataset = split.Validation;
        using var scope = NewDisposeScope();
        var models = new List<nn.Module<Tensor, Tensor>>();
        for (int i = 0; i < paths.Count; i++)
        {
            var (model, _) = Checkpoint.LoadModel(paths[i], settings.Ema);
            models.Add(model.to(device));
        }
        // Each member sees its own image size and normalisation only if they match; ensembles need one pipeline.
        if (infos.Any(i => i.ImageSize != first.ImageSize))
            throw new CheckpointException(paths[infos.FindIndex(i => i.ImageSize != first.ImageSize)], $"was trained at a different image size than {paths[0]} ({first.ImageSize})");

        var loader = new DataLoader(dataset, new DataLoaderOptions(BatchSize: settings.BatchSize, Shuffle: false, DropLast: false,
            Seed: settings.Seed, Workers: threads, Rank: group.Rank, WorldSize: group.WorldSize,
            Transform: TransformPresets.Eval(first.ImageSize, first.Normalization, small)));
        log.WriteLine($"evaluating {string.Join(" + ", infos.Select(i => i.ModelName))} on {split.Description} ({dataset.Count:N0} images)"
            + (group.WorldSize > 1 ? $", sharded over {group.WorldSize} processes" : ""));
        var precision = settings.PrecisionOrDefault;
        var report = Evaluator.Evaluate(models, loader, first.ClassNames, new EvaluationOptions
        {
            TopK = 5, MaxMisclassified = 64, ProcessGroup = group, Precision = precision, Device = device,
            ChannelsLast = settings.ChannelsLastChoice ?? ChannelsLast.PreferredForInference(precision, device.type),
        }, token);
        foreach (var m in models) m.Dispose();
        if (!group.IsPrimary) return ExitCodes.Success;
        // Human names (classes.txt/classes.json beside a folder, the ImageNet WordNet map) for everything shown.
        var names = ClassNames.ForData(first.ClassNames, spec);

        // Written into a staging folder next to the output, then swapped in: nothing half-written, nothing mixed with
        // an older report.
        string final = Path.TrimEndingDirectorySeparator(Path.GetFullPath(output));
        string csv = Path.Combine(final, "confusion.csv");
        string png = Path.Combine(final, "misclassified.png");
        string lossesPng = Path.Combine(final, "top-losses.png");
        var json = ToJson(report, names, paths, spec, csv, png, lossesPng);
        OutputFolder.Publish(final, replace, staging =>
        {
            using (var w = new StreamWriter(Path.Combine(staging, "confusion.csv"))) report.WriteConfusionCsv(w);
            MisclassifiedGrid.Write(Path.Combine(staging, "misclassified.png"), report.Misclassified.Select(m => (dataset.Get(m.Index).Image,
                $"true {names[m.Label]}", $"pred {names[m.Predicted]} {m.Confidence * 100:0}%")).ToList());
            MisclassifiedGrid.Write(Path.Combine(staging, "top-losses.png"), report.TopLosses.Select(m => (dataset.Get(m.Index).Image,
                $"true {names[m.Label]}", string.Create(CultureInfo.InvariantCulture, $"pred {names[m.Predicted]} loss {m.Loss:0.00}"))).ToList());
            File.WriteAllText(Path.Combine(staging, "report.json"), json.ToJsonString(CliJson.Indented));
        });

        if (settings.Json)
        {
            env.Console.Profile.Out.Writer.WriteLine(json.ToJsonString(CliJson.Compact));
            return ExitCodes.Success;
        }
        Render(report, names);
        env.Console.WriteLine($"confusion matrix: {csv}");
        env.Console.WriteLine($"misclassified examples: {png}");
        return ExitCodes.Success;
    }

    private void Render(EvaluationReport r, IReadOnlyList<string> names)
    {
        var c = env.Console;
        var inv = CultureInfo.InvariantCulture;
        c.WriteLine($"{(r.Models > 1 ? $"ensemble of {r.Models}: " : "")}top-1 {r.Top1 * 100:0.00} %, top-{r.K} {r.TopK * 100:0.00} %, loss {r.Loss.ToString("0.0000", inv)}, {r.Samples:N0} images");
        var perClass = new Table().Border(TableBorder.Simple).AddColumn("class")
            .AddColumn(new TableColumn("support").RightAligned()).AddColumn(new TableColumn("precision").RightAligned())
            .AddColumn(new TableColumn("recall").RightAligned()).AddColumn(new TableColumn("F1").RightAligned());
        for (int i = 0; i < r.Classes.Count; i++)
        {
            var m = r.Classes[i];
            perClass.AddRow(Markup.Escape(names[i] == m.Name ? m.Name : $"{names[i]} ({m.Name})"), m.Support.ToString(inv), m.Precision.ToString("0.000", inv), m.Recall.ToString("0.000", inv), m.F1.ToString("0.000", inv));
        }
        c.Write(perClass);
        if (r.ClassNames.Count > 20) return;
        var confusion = new Table().Border(TableBorder.Simple).Title("confusion (rows: true, columns: predicted)").AddColumn("");
        foreach (var name in names) confusion.AddColumn(new TableColumn(Markup.Escape(Short(name))).RightAligned());
        for (int t = 0; t < r.ClassNames.Count; t++)
            confusion.AddRow(new[] { Markup.Escape(Short(names[t])) }.Concat(r.Confusion[t].Select(v => v.ToString(inv))).ToArray());
        c.Write(confusion);
    }

    private static string Short(string s) => s.Length <= 10 ? s : s[..9] + "…";

    private static JsonObject ToJson(EvaluationReport r, IReadOnlyList<string> names, IReadOnlyList<string> checkpoints, string spec, string csv, string png, string lossesPng)
    {
        var classes = new JsonArray();
        for (int i = 0; i < r.Classes.Count; i++)
        {
            var m = r.Classes[i];
            classes.Add(new JsonObject { ["name"] = m.Name, ["display_name"] = names[i], ["support"] = m.Support, ["precision"] = m.Precision, ["recall"] = m.Recall, ["f1"] = m.F1 });
        }
        var confusion = new JsonArray();
        foreach (var row in r.Confusion) confusion.Add(new JsonArray(row.Select(v => (JsonNode?)v).ToArray()));
        var wrong = new JsonArray();
        foreach (var m in r.Misclassified)
            wrong.Add(new JsonObject
            {
                ["index"] = m.Index, ["file"] = m.File, ["label"] = r.ClassNames[m.Label], ["predicted"] = r.ClassNames[m.Predicted], ["confidence"] = m.Confidence,
                ["label_name"] = names[m.Label], ["predicted_name"] = names[m.Predicted],
            });
        var losses = new JsonArray();
        foreach (var m in r.TopLosses)
            losses.Add(new JsonObject
            {
                ["index"] = m.Index, ["file"] = m.File, ["label"] = r.ClassNames[m.Label], ["predicted"] = r.ClassNames[m.Predicted], ["confidence"] = m.Confidence,
                ["loss"] = m.Loss, ["label_name"] = names[m.Label], ["predicted_name"] = names[m.Predicted],
            });
        return new JsonObject
        {
            ["checkpoints"] = new JsonArray(checkpoints.Select(p => (JsonNode?)p).ToArray()),
            ["data"] = spec,
            ["samples"] = r.Samples,
            ["top1"] = r.Top1,
            ["top5"] = r.TopK,
            ["k"] = r.K,
            ["loss"] = r.Loss,
            ["classes"] = classes,
            ["confusion"] = confusion,
            ["misclassified"] = wrong,
            ["top_losses"] = losses,
            ["class_names"] = new JsonArray(names.Select(n => (JsonNode?)n).ToArray()),
            ["confusion_csv"] = csv,
            ["misclassified_png"] = png,
            ["top_losses_png"] = lossesPng,
        };
    }
}
