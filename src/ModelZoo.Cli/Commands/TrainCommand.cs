using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelZoo.Cli.Rendering;
using ModelZoo.Data;
using ModelZoo.Training;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;

namespace ModelZoo.Cli.Commands;

/// <summary><c>modelzoo train</c>: a thin shell over <see cref="Trainer"/>.</summary>
public sealed class TrainCommand(CliEnvironment env) : Command<TrainSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, TrainSettings settings, CancellationToken cancellationToken)
    {
        var console = env.Console;
        // Logs: stderr under --json; through Spectre on a terminal (so lines sit above the live display);
        // straight to stdout otherwise, so CI logs are not wrapped at the console width.
        TextWriter log = settings.Json ? env.Error : env.Interactive ? new AnsiTextWriter(console) : console.Profile.Out.Writer;

        if (settings.Device is not null) DeviceSelector.Resolve(settings.Device);

        // 1. What to train: from the options, or from the run being resumed.
        CheckpointInfo? resumeInfo = null;
        TrainingOptions? resumeOptions = null;
        string? resumePath = null;
        if (settings.Resume is not null)
        {
            resumePath = Checkpoint.ResolvePath(settings.Resume);
            resumeInfo = Checkpoint.ReadInfo(resumePath);
            resumeOptions = Checkpoint.ReadTrainingOptions(resumePath);
        }
        string modelName = settings.Model is not null ? Zoo.Resolve(settings.Model) : resumeInfo!.ModelName;
        if (resumeInfo is not null && !string.Equals(modelName, resumeInfo.ModelName, StringComparison.Ordinal))
            throw new CheckpointException(resumePath!, $"holds model '{resumeInfo.ModelName}', not '{modelName}'");
        string dataSpec = settings.Data ?? resumeInfo!.DataSpec;

        // 2. Options: recipe defaults < resumed run < command line.
        int threads = settings.Threads ?? resumeOptions?.Threads ?? Environment.ProcessorCount;
        var recipe = TrainingDefaults.For(modelName, DataSpec.IsMnistLike(dataSpec) ? "mnist" : "folder");
        var options = Apply(settings, resumeOptions ?? recipe.Options) with { Threads = threads };
        options.EnsureValid();
        DeviceSelector.Resolve(options.Device);

        // A resumed run keeps its data options (recorded in config.json) unless given again.
        var recorded = resumePath is not null ? RecordedExtras(RunDirOf(resumePath)) : null;
        string? augment = settings.Augment ?? recorded?.Augment ?? (recipe.Augment == "none" ? "none" : null);
        double valSplit = settings.ValidationSplit ?? recorded?.ValSplit ?? 0.0;
        string onBadImage = settings.OnBadImage ?? recorded?.OnBadImage ?? "fail";
        var data = env.TrainData.Open(new TrainDataRequest(dataSpec, options.BatchSize,
            settings.ImageSize ?? resumeInfo?.ImageSize, augment, valSplit, onBadImage, options.Seed, threads, settings.Workers));
        try
        {
            var modelOptions = resumeInfo?.ModelOptions ?? new ModelOptions
            {
                NumClasses = data.ClassNames.Count,
                InChannels = data.Channels,
                Dropout = settings.Dropout,
                Init = settings.Init is not null && TrainOptionParsing.TryInit(settings.Init, out var init) ? init : recipe.Init,
                Seed = options.Seed,
            };
            string runDir = settings.Output ?? (resumePath is not null ? RunDirOf(resumePath)
                : Path.Combine("runs", $"{modelName}-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}"));

            // Seed the global generator too: weight init that draws from it is then reproducible as well.
            torch.manual_seed(options.Seed);
            using var model = Zoo.Create(modelName, modelOptions);
            var descriptor = new ModelDescriptor(modelName, modelOptions, data.ClassNames, data.Normalization, data.Channels, data.ImageSize, dataSpec);
            using var trainer = new Trainer(model, options, descriptor, runDir);
            trainer.ConfigExtras["augment"] = augment ?? recipe.Augment;
            trainer.ConfigExtras["valSplit"] = valSplit;
            trainer.ConfigExtras["onBadImage"] = onBadImage;
            trainer.ConfigExtras["recipe"] = recipe.Source;
            trainer.ConfigExtras["commandLine"] = string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
            // Summarise before Resume: nothing may touch the restored generator state before Fit.
            log.WriteLine($"model {modelName}: {ModelStats.Describe(model, data.Channels, data.ImageSize)}");
            if (resumePath is not null) trainer.Resume(resumePath);
            log.WriteLine($"data {dataSpec}: {data.Description}; input {data.Channels}x{data.ImageSize}x{data.ImageSize}");
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"optimizer {options.Optimizer.ToString().ToLowerInvariant()} lr {options.LearningRate:G4} wd {options.WeightDecay:G3} schedule {options.Schedule.ToString().ToLowerInvariant()} batch {options.BatchSize} epochs {options.Epochs} device {options.Device} threads {threads}"));
            if (TorchRuntime.OneDnnDisabledReason is string oneDnnOff)
                log.WriteLine($"note: oneDNN convolutions are off ({oneDnnOff}); libtorch's own kernels are used. Set {TorchRuntime.OneDnnEnvironmentVariable}=on to override.");
            log.WriteLine($"run folder {Path.GetFullPath(runDir)}" + (resumePath is not null ? $" (resuming at epoch {trainer.EpochsCompleted}, step {trainer.Step})" : ""));

            // curves.png: drawn by the CLI (the training library has no plotting dependency), after metrics.jsonl is written.
            trainer.Callbacks.Add(new TrainingCurvePlot(Path.Combine(runDir, "curves.png"), Path.Combine(runDir, "metrics.jsonl")));
            TrainingResult result;
            if (env.Interactive && !settings.Json)
            {
                var view = new LiveProgressView(console);
                trainer.Callbacks.Add(view);
                result = view.Run(() => trainer.Fit(data.Train, data.Validation, env.Signals.Token));
            }
            else
            {
                var plain = new PlainProgressWriter(log);
                trainer.Callbacks.Add(plain);
                result = trainer.Fit(data.Train, data.Validation, env.Signals.Token);
            }

            if (settings.Json) console.Profile.Out.Writer.WriteLine(Summary(result, runDir, modelName).ToJsonString());
            else
            {
                string how = result.Status switch
                {
                    TrainingStatus.Completed => "finished",
                    TrainingStatus.EarlyStopped => "stopped early",
                    _ => "interrupted",
                };
                log.WriteLine($"training {how} after {result.EpochsCompleted} epochs ({result.Step} steps)" +
                    (result.BestValidationAccuracy is double b ? string.Create(CultureInfo.InvariantCulture, $"; best val acc {b:P2} at epoch {result.BestEpoch}") : ""));
                if (result.Status == TrainingStatus.Interrupted) log.WriteLine($"resume with: modelzoo train --resume {runDir}");
                if (result.LastCheckpoint is not null) log.WriteLine($"checkpoints: {result.LastCheckpoint}" + (result.BestCheckpoint is not null ? $", {result.BestCheckpoint}" : ""));
            }
            return result.Status == TrainingStatus.Interrupted ? env.Signals.InterruptedExitCode : ExitCodes.Success;
        }
        finally
        {
            data.Resources?.Dispose();
        }
    }

    private static TrainingOptions Apply(TrainSettings s, TrainingOptions o)
    {
        if (s.Epochs is int e) o = o with { Epochs = e };
        if (s.BatchSize is int b) o = o with { BatchSize = b };
        if (s.Optimizer is not null && TrainOptionParsing.TryOptimizer(s.Optimizer, out var opt)) o = o with { Optimizer = opt };
        if (s.LearningRate is double lr) o = o with { LearningRate = lr };
        if (s.WeightDecay is double wd) o = o with { WeightDecay = wd };
        if (s.Momentum is double m) o = o with { Momentum = m };
        if (s.Schedule is not null && TrainOptionParsing.TrySchedule(s.Schedule, out var sch)) o = o with { Schedule = sch };
        if (s.WarmupEpochs is double w) o = o with { WarmupEpochs = w };
        if (s.LabelSmoothing is double ls) o = o with { LabelSmoothing = ls };
        if (s.Seed is long seed) o = o with { Seed = seed };
        if (s.Device is not null) o = o with { Device = s.Device };
        if (s.EarlyStop is int p) o = o with { EarlyStopPatience = p };
        if (s.MaxSteps is int ms) o = o with { MaxStepsPerEpoch = ms };
        if (s.NoTensorBoard) o = o with { TensorBoard = false };
        return o;
    }

    private static string RunDirOf(string checkpointPath)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(checkpointPath))!;
        return Path.GetFileName(dir) == "checkpoints" ? Path.GetDirectoryName(dir)! : dir;
    }

    private static (string? Augment, double? ValSplit, string? OnBadImage)? RecordedExtras(string runDir)
    {
        string path = Path.Combine(runDir, "config.json");
        if (!File.Exists(path)) return null;
        try
        {
            var extras = JsonNode.Parse(File.ReadAllText(path))?["extras"];
            if (extras is null) return null;
            string? augment = extras["augment"]?.GetValue<string>();
            return (augment is null or "mnist" or "imagenet" ? null : augment, extras["valSplit"]?.GetValue<double>(), extras["onBadImage"]?.GetValue<string>());
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or IOException)
        {
            return null;
        }
    }

    private static JsonObject Summary(TrainingResult r, string runDir, string model)
    {
        var history = new JsonArray();
        foreach (var m in r.History) history.Add(JsonNode.Parse(MetricsJsonlWriter.Format(m)));
        return new JsonObject
        {
            ["status"] = r.Status.ToString().ToLowerInvariant(),
            ["model"] = model,
            ["runDirectory"] = Path.GetFullPath(runDir),
            ["epochs"] = r.EpochsCompleted,
            ["steps"] = r.Step,
            ["bestEpoch"] = r.BestEpoch,
            ["bestValAcc"] = r.BestValidationAccuracy,
            ["lastCheckpoint"] = r.LastCheckpoint,
            ["bestCheckpoint"] = r.BestCheckpoint,
            ["history"] = history,
        };
    }
}
