using System.Globalization;
using System.Text.Json.Nodes;
using ModelZoo.Cli.Rendering;
using ModelZoo.Data;
using ModelZoo.Training;
using ModelZoo.Training.Experiments;
using Spectre.Console.Cli;
using TorchSharp;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// <c>modelzoo lr-find</c>: the learning-rate range test (<see cref="LearningRateFinder"/>) on a fresh model; writes
/// the plot, the sweep as CSV and JSON, and prints the suggested rate.
/// </summary>
public sealed class LrFindCommand(CliEnvironment env) : Command<LrFindSettings>
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <inheritdoc />
    public override int Execute(CommandContext context, LrFindSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string model = Zoo.Resolve(settings.Model!);
        string spec = settings.Data!;
        var token = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, env.Signals.Token).Token;
        TextWriter log = settings.Json ? env.Error : env.Interactive ? new AnsiTextWriter(env.Console) : env.Console.Profile.Out.Writer;
        string output = settings.Output ?? Path.Combine("lr-find", $"{model}-{DateTime.Now.ToString("yyyyMMdd-HHmmss", Inv)}");
        bool replace = OutputPaths.CheckFolder("--output", output, settings.Overwrite, 8L << 20,
            "use --overwrite to replace it or choose another folder", createParents: settings.Output is null);
        var recipe = TrainingDefaults.For(model, DataSpec.IsMnistLike(spec) ? "mnist" : "folder");
        int threads = settings.Threads ?? Environment.ProcessorCount;
        torch.set_num_threads(threads);
        var optimizer = settings.Optimizer is string o && TrainOptionParsing.TryOptimizer(o, out var kind) ? kind : recipe.Options.Optimizer;
        var options = new LearningRateFinderOptions
        {
            StartLearningRate = settings.StartLr,
            EndLearningRate = settings.EndLr,
            Steps = settings.Steps,
            DivergenceFactor = settings.Divergence,
            Optimizer = optimizer,
            Momentum = settings.Momentum,
            BatchSize = settings.BatchSize ?? recipe.Options.BatchSize,
            Seed = settings.Seed,
            Threads = threads,
        };
        options.EnsureValid();
        if (settings.ImageSize is int imageSize) ModelInputs.EnsureFits(model, imageSize, imageSize);

        var data = env.TrainData.Open(new TrainDataRequest(spec, options.BatchSize, settings.ImageSize, settings.Augment, 0, "fail", settings.Seed, threads));
        LearningRateFinderResult result;
        try
        {
            var modelOptions = new ModelOptions { NumClasses = data.ClassNames.Count, InChannels = data.Channels, Init = recipe.Init, Seed = settings.Seed };
            torch.manual_seed(settings.Seed);
            using var net = Zoo.Create(model, modelOptions);
            log.WriteLine(string.Create(Inv,
                $"lr-find {model} on {spec}: {data.Description}; {options.Optimizer.ToString().ToLowerInvariant()}, rate {options.StartLearningRate:G3} to {options.EndLearningRate:G3} over {options.Steps} steps, batch {options.BatchSize}, {threads} thread(s)"));
            var descriptor = new ModelDescriptor(model, modelOptions, data.ClassNames, data.Normalization, data.Channels, data.ImageSize, spec);
            // Progress: the sweep's own step and rate (the trainer's epoch lines would show the start rate only).
            var since = System.Diagnostics.Stopwatch.StartNew();
            int done = 0;
            var progress = new ProgressCallback(p =>
            {
                done++;
                if (since.Elapsed < TimeSpan.FromSeconds(10)) return;
                since.Restart();
                log.WriteLine(string.Create(Inv, $"step {done}/{options.Steps}: lr {options.RateAt(Math.Min(done - 1, options.Steps - 1)):G3}"));
            });
            result = LearningRateFinder.Run(net, descriptor, data.Train, options, [progress], token);
        }
        finally
        {
            data.Resources?.Dispose();
        }
        if (token.IsCancellationRequested) throw new OperationCanceledException("interrupted; nothing was written");

        string final = Path.TrimEndingDirectorySeparator(Path.GetFullPath(output));
        string staging = $"{final}.partial-{Guid.NewGuid().ToString("N")[..8]}";
        Directory.CreateDirectory(staging);
        var json = Json(model, spec, options, result, final);
        try
        {
            ExperimentPlots.LearningRateSweep(Path.Combine(staging, "lr-find.png"), $"LR range test: {model} on {spec}", result);
            using (var w = new StreamWriter(Path.Combine(staging, "lr-find.csv")))
            {
                w.WriteLine("step,lr,loss,smoothed_loss");
                foreach (var p in result.Points) w.WriteLine(string.Create(Inv, $"{p.Step},{p.LearningRate:R},{p.Loss:R},{p.SmoothedLoss:R}"));
            }
            File.WriteAllText(Path.Combine(staging, "lr-find.json"), json.ToJsonString(CliJson.Indented));
            using var replacement = FolderReplacement.Begin(final, replace);
            if (Directory.Exists(final)) Directory.Delete(final);
            Directory.Move(staging, final);
            replacement.Commit();
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }

        if (settings.Json)
        {
            env.Console.Profile.Out.Writer.WriteLine(json.ToJsonString(CliJson.Compact));
            return ExitCodes.Success;
        }
        log.WriteLine(string.Create(Inv, $"swept {result.Points.Count} steps{(result.Diverged ? " (stopped: the loss diverged)" : "")}; lowest loss at lr {result.MinimumLossLearningRate:G3}"));
        log.WriteLine(result.SuggestedLearningRate is double lr
            ? string.Create(Inv, $"suggested learning rate: {lr:G3} (steepest descent of the loss); train with --lr {lr:G3}")
            : "no suggestion: the sweep was too short to find a descent (raise --steps or --end-lr)");
        log.WriteLine($"written to {final}: lr-find.png, lr-find.csv, lr-find.json");
        return ExitCodes.Success;
    }

    private static JsonObject Json(string model, string spec, LearningRateFinderOptions o, LearningRateFinderResult r, string output) => new()
    {
        ["model"] = model,
        ["data"] = spec,
        ["optimizer"] = o.Optimizer.ToString().ToLowerInvariant(),
        ["start_lr"] = o.StartLearningRate,
        ["end_lr"] = o.EndLearningRate,
        ["steps"] = o.Steps,
        ["steps_run"] = r.Points.Count,
        ["batch_size"] = o.BatchSize,
        ["diverged"] = r.Diverged,
        ["suggested_lr"] = r.SuggestedLearningRate,
        ["min_loss_lr"] = r.MinimumLossLearningRate,
        ["output"] = output,
        ["points"] = new JsonArray(r.Points.Select(p => (JsonNode?)new JsonObject
        {
            ["step"] = p.Step, ["lr"] = p.LearningRate, ["loss"] = p.Loss, ["smoothed_loss"] = p.SmoothedLoss,
        }).ToArray()),
    };
}
