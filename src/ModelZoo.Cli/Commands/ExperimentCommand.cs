using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ModelZoo.Cli.Rendering;
using ModelZoo.Data;
using ModelZoo.Training;
using ModelZoo.Training.Experiments;
using Spectre.Console.Cli;
using TorchSharp;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// <c>modelzoo experiment NAME</c>: one of the seed's experiments (<see cref="ExperimentCatalog"/>), run with the
/// library's trainer on shared data and seed, written as PNG plots, CSV files of the measured numbers, a markdown
/// summary and <c>experiment.json</c>. Variants run one after another (torch's threads are process-wide), under one
/// progress display.
/// </summary>
public sealed class ExperimentCommand(CliEnvironment env) : Command<ExperimentSettings>
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <inheritdoc />
    public override int Execute(CommandContext context, ExperimentSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var definition = ExperimentCatalog.Get(settings.Name);
        var token = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, env.Signals.Token).Token;
        TextWriter log = settings.Json ? env.Error : env.Interactive ? new AnsiTextWriter(env.Console) : env.Console.Profile.Out.Writer;
        string output = settings.Output ?? Path.Combine("experiments", $"{definition.Name}-{DateTime.Now.ToString("yyyyMMdd-HHmmss", Inv)}");
        bool replace = OutputPaths.CheckFolder("--output", output, settings.Overwrite, 16L << 20,
            "use --overwrite to replace it or choose another folder", createParents: settings.Output is null);
        int threads = settings.ThreadsOrDefault;
        torch.set_num_threads(threads);
        string device = settings.Device ?? "cpu";
        var precision = settings.PrecisionOrDefault;
        var options = new ExperimentOptions
        {
            Data = settings.Data,
            Epochs = settings.Epochs,
            BatchSize = settings.BatchSize,
            MaxStepsPerEpoch = settings.MaxSteps,
            Seed = settings.Seed,
            Threads = threads,
            Device = device,
            Precision = precision,
            ChannelsLast = settings.ChannelsLastChoice ?? ChannelsLast.PreferredFor(precision, DeviceSelector.Resolve(device).type),
        };
        if (settings.Dropout is double dropout) options = options with { Dropout = dropout };

        log.WriteLine(string.Create(Inv,
            $"experiment {definition.Name}: {definition.Variants.Count} variants of the {definition.Variable} ({string.Join(", ", definition.Variants.Select(v => v.Label))}); {settings.Epochs} epoch(s){(settings.MaxSteps is int ms ? $" of at most {ms} steps" : "")}, batch {settings.BatchSize}, dropout {options.Dropout:0.##}, seed {settings.Seed}, {threads} thread(s); variants run one after another"));
        IReadOnlyList<VariantResult> results = [];
        IReadOnlyList<ActivationHistogram> activations = [];
        // The library opens the data (once per augmentation preset) and runs every variant through the one Trainer.
        void Announce(int i, ExperimentVariant v) => log.WriteLine($"variant {i + 1}/{definition.Variants.Count}: {v.Label}");
        void Opened(ModelZoo.Data.TrainingData d) => log.WriteLine($"data {settings.Data}: {d.Description}");
        IReadOnlyList<VariantResult> Work(ITrainingCallback progress)
        {
            if (definition.Name == "init") activations = ExperimentRunner.Activations(definition.Variants, options, env.TrainData);
            return ExperimentRunner.Run(definition.Variants, options, env.TrainData, [progress], Announce, Opened, token);
        }
        // One progress display for the whole experiment: the live view on a terminal, plain lines otherwise.
        TimeSpan? interval = settings.ProgressInterval is double pi ? TimeSpan.FromSeconds(pi) : null;
        if (env.Interactive && !settings.Json)
        {
            var view = new LiveProgressView(env.Console, interval);
            results = view.Run(() => Work(view));
        }
        else
        {
            results = Work(new PlainProgressWriter(log, interval));
        }
        if (results.Count < definition.Variants.Count || token.IsCancellationRequested)
            throw new OperationCanceledException("interrupted before every variant finished; nothing was written");

        var verdict = ExperimentCatalog.Judge(definition, results);
        var activationVerdict = activations.Count > 0 ? ExperimentCatalog.JudgeActivations(activations.Where(a => a.Network == "mlp").ToList()) : null;
        var files = new List<string>();
        JsonObject json = null!;
        string final = OutputFolder.Publish(output, replace, staging =>
        {
            files.AddRange(WriteFiles(staging, definition, settings, options, results, activations, verdict, activationVerdict));
            json = Json(definition, settings, options, results, verdict, activationVerdict, Path.TrimEndingDirectorySeparator(Path.GetFullPath(output)), files);
            File.WriteAllText(Path.Combine(staging, "experiment.json"), json.ToJsonString(CliJson.Indented));
        });

        if (settings.Json)
        {
            env.Console.Profile.Out.Writer.WriteLine(json.ToJsonString(CliJson.Compact));
            return ExitCodes.Success;
        }
        foreach (var r in results)
            log.WriteLine(string.Create(Inv, $"{r.Variant.Label}: test accuracy {(r.TestAccuracy ?? double.NaN) * 100:0.00} %, mean training loss {r.MeanTrainLoss:0.0000}, {r.Parameters:N0} parameters, {r.Seconds:0.0} s"));
        log.WriteLine($"seed: {definition.SeedConclusion}");
        log.WriteLine($"this run ({(verdict.Agrees ? "agrees" : "differs")}): {verdict.Finding}");
        if (activationVerdict is not null) log.WriteLine($"activations ({(activationVerdict.Agrees ? "agree" : "differ")}): {activationVerdict.Finding}");
        log.WriteLine($"written to {final}: {string.Join(", ", files.Append("experiment.json"))}");
        return ExitCodes.Success;
    }

    private static List<string> WriteFiles(string dir, ExperimentDefinition d, ExperimentSettings s, ExperimentOptions o, IReadOnlyList<VariantResult> results,
        IReadOnlyList<ActivationHistogram> activations, ExperimentVerdict verdict, ExperimentVerdict? activationVerdict)
    {
        var files = new List<string>();
        string subtitle = $"{s.Data}, seed {s.Seed}";
        ExperimentPlots.StepLosses(Path.Combine(dir, "loss.png"), $"{d.Title}, {subtitle}", results);
        files.Add("loss.png");
        ExperimentPlots.TestAccuracy(Path.Combine(dir, "accuracy.png"), $"Test accuracy by {d.Variable}, {subtitle}", results);
        files.Add("accuracy.png");
        if (activations.Count > 0)
        {
            foreach (var group in activations.GroupBy(a => (a.Network, a.Activation)))
            {
                string name = group.Key.Network == "mlp" ? $"activations-mlp-{group.Key.Activation}.png" : $"activations-{group.Key.Network}.png";
                var rows = group.GroupBy(a => a.Init).Select(g => (IReadOnlyList<ActivationHistogram>)g.OrderBy(a => a.Layer).ToList()).ToList();
                string what = group.Key.Network == "mlp" ? $"5-layer MLP, 100 units, {group.Key.Activation}, 1000 N(0,1) inputs" : $"{group.Key.Network} ReLU outputs on a test batch";
                ExperimentPlots.Activations(Path.Combine(dir, name), $"Activations at initialisation: {what} (rows: init, columns: layers)", rows);
                files.Add(name);
            }
            using var a = new StreamWriter(Path.Combine(dir, "activations.csv"));
            a.WriteLine("network,activation,init,layer,layer_name,mean,std,zero_fraction,bin_low,bin_high,count");
            foreach (var h in activations)
            {
                double width = (h.High - h.Low) / h.Counts.Count;
                for (int b = 0; b < h.Counts.Count; b++)
                    a.WriteLine(string.Create(Inv, $"{h.Network},{h.Activation},{ExperimentPlots.InitLabel(h.Init)},{h.Layer},{h.LayerName},{h.Mean:G6},{h.Std:G6},{h.ZeroFraction:G6},{h.Low + b * width:G6},{h.Low + (b + 1) * width:G6},{h.Counts[b]}"));
            }
            files.Add("activations.csv");
        }
        using (var w = new StreamWriter(Path.Combine(dir, "steps.csv")))
        {
            w.WriteLine("variant,step,loss");
            foreach (var r in results)
                for (int i = 0; i < r.StepLosses.Count; i++) w.WriteLine(string.Create(Inv, $"{r.Variant.Name},{i + 1},{r.StepLosses[i]:R}"));
        }
        files.Add("steps.csv");
        using (var w = new StreamWriter(Path.Combine(dir, "epochs.csv")))
        {
            w.WriteLine("variant,epoch,train_loss,train_acc,test_loss,test_acc,seconds");
            foreach (var r in results)
                foreach (var m in r.Epochs)
                    w.WriteLine(string.Create(Inv, $"{r.Variant.Name},{m.Epoch},{m.TrainLoss:R},{m.TrainAccuracy:R},{m.ValidationLoss:R},{m.ValidationAccuracy:R},{m.Seconds:0.###}"));
        }
        files.Add("epochs.csv");
        using (var w = new StreamWriter(Path.Combine(dir, "summary.csv")))
        {
            w.WriteLine("variant,label,test_acc,test_loss,mean_train_loss,final_train_loss,steps,parameters,seconds");
            foreach (var r in results)
                w.WriteLine(string.Create(Inv, $"{r.Variant.Name},\"{r.Variant.Label}\",{r.TestAccuracy:R},{r.TestLoss:R},{r.MeanTrainLoss:R},{r.FinalTrainLoss():R},{r.StepLosses.Count},{r.Parameters},{r.Seconds:0.###}"));
        }
        files.Add("summary.csv");
        File.WriteAllText(Path.Combine(dir, "summary.md"), Markdown(d, s, o, results, verdict, activationVerdict, files));
        files.Add("summary.md");
        return files;
    }

    private static string Markdown(ExperimentDefinition d, ExperimentSettings s, ExperimentOptions o, IReadOnlyList<VariantResult> results,
        ExperimentVerdict verdict, ExperimentVerdict? activationVerdict, IReadOnlyList<string> files)
    {
        var md = new StringBuilder();
        md.AppendLine(Inv, $"# Experiment `{d.Name}`: {d.Title}");
        md.AppendLine();
        md.AppendLine(Inv, $"Data `{s.Data}`, {s.Epochs} epoch(s){(s.MaxSteps is int ms ? $" of at most {ms} steps" : "")}, batch {s.BatchSize}, dropout {o.Dropout:0.##}, seed {s.Seed} for every variant, {o.Threads} thread(s); the variants ran one after another. Command: `modelzoo experiment {d.Name} --data {s.Data} --epochs {s.Epochs}{(s.MaxSteps is int m2 ? $" --max-steps {m2}" : "")}{(s.Dropout is double dr ? $" --dropout {dr}" : "")}`.");
        md.AppendLine();
        md.AppendLine("| variant | test accuracy | test loss | mean training loss | final training loss | steps | parameters | seconds |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in results)
            md.AppendLine(Inv, $"| {r.Variant.Label} | {(r.TestAccuracy ?? double.NaN) * 100:0.00} % | {r.TestLoss ?? double.NaN:0.0000} | {r.MeanTrainLoss:0.0000} | {r.FinalTrainLoss():0.0000} | {r.StepLosses.Count} | {r.Parameters:N0} | {r.Seconds:0.0} |");
        md.AppendLine();
        md.AppendLine(Inv, $"**The seed's conclusion:** {d.SeedConclusion}");
        md.AppendLine();
        md.AppendLine(Inv, $"**This run {(verdict.Agrees ? "agrees" : "differs")}:** {verdict.Finding}.");
        if (activationVerdict is not null)
        {
            md.AppendLine();
            md.AppendLine(Inv, $"**Activations at initialisation {(activationVerdict.Agrees ? "agree" : "differ")}:** {activationVerdict.Finding}.");
        }
        md.AppendLine();
        foreach (var f in files.Where(f => f.EndsWith(".png", StringComparison.Ordinal))) md.AppendLine(Inv, $"![{f}]({f})");
        return md.ToString();
    }

    private static JsonObject Json(ExperimentDefinition d, ExperimentSettings s, ExperimentOptions o, IReadOnlyList<VariantResult> results,
        ExperimentVerdict verdict, ExperimentVerdict? activationVerdict, string output, IReadOnlyList<string> files)
    {
        var variants = new JsonArray();
        foreach (var r in results)
            variants.Add(new JsonObject
            {
                ["name"] = r.Variant.Name,
                ["label"] = r.Variant.Label,
                ["model"] = r.Variant.Model,
                ["optimizer"] = r.Variant.Optimizer.ToString().ToLowerInvariant(),
                ["lr"] = r.Variant.LearningRate,
                ["init"] = r.Variant.Init.ToString().ToLowerInvariant(),
                ["augment"] = r.Variant.Augment,
                ["test_accuracy"] = r.TestAccuracy,
                ["test_loss"] = r.TestLoss,
                ["mean_train_loss"] = r.MeanTrainLoss,
                ["final_train_loss"] = r.FinalTrainLoss(),
                ["steps"] = r.StepLosses.Count,
                ["parameters"] = r.Parameters,
                ["seconds"] = Math.Round(r.Seconds, 3),
            });
        return new JsonObject
        {
            ["experiment"] = d.Name,
            ["title"] = d.Title,
            ["variable"] = d.Variable,
            ["data"] = s.Data,
            ["epochs"] = s.Epochs,
            ["max_steps"] = s.MaxSteps,
            ["batch_size"] = s.BatchSize,
            ["seed"] = s.Seed,
            ["dropout"] = o.Dropout,
            ["threads"] = o.Threads,
            ["variants"] = variants,
            ["seed_conclusion"] = d.SeedConclusion,
            ["agrees_with_seed"] = verdict.Agrees,
            ["finding"] = verdict.Finding,
            ["activations_agree_with_seed"] = activationVerdict?.Agrees,
            ["activations_finding"] = activationVerdict?.Finding,
            ["output"] = output,
            ["files"] = new JsonArray(files.Append("experiment.json").Select(f => (JsonNode?)f).ToArray()),
        };
    }
}
