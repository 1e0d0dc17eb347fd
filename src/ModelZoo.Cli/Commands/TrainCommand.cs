using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelZoo.Cli.Rendering;
using ModelZoo.Data;
using ModelZoo.Data.Folders;
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
        ArgumentNullException.ThrowIfNull(settings);
        try
        {
            return Train(settings);
        }
        catch (ModelZoo.Data.Imaging.BadImageException e) when (!string.Equals(settings.OnBadImage, "skip", StringComparison.OrdinalIgnoreCase))
        {
            throw CliException.Failure($"{e.Message}; use --on-bad-image skip to leave undecodable files out (up to --max-bad-fraction, default 1%)");
        }
        catch (ImageFolderException e) when (e.Message.Contains("limit", StringComparison.Ordinal))
        {
            throw CliException.Failure($"{e.Message}; raise --max-bad-fraction to tolerate more");
        }
    }

    private int Train(TrainSettings settings)
    {
        // Data-parallel: one process per rank under mpirun/mpiexec/srun (or --distributed mpi). Only rank 0 prints,
        // checks and writes the run folder; every rank trains on its shard and the gradients are averaged.
        bool useMpi = settings.Distributed == "mpi" || (settings.Distributed is null or "auto" && MpiProcessGroup.IsLaunchedByMpi);
        using var mpi = useMpi ? MpiProcessGroup.Create() : null;
        IProcessGroup group = mpi ?? (IProcessGroup)SingleProcessGroup.Instance;
        bool primary = group.IsPrimary;

        var console = env.Console;
        // Logs: stderr under --json; through Spectre on a terminal (so lines sit above the live display);
        // straight to stdout otherwise, so CI logs are not wrapped at the console width.
        TextWriter log = !primary ? TextWriter.Null
            : settings.Json || settings.PrintConfig ? env.Error : env.Interactive ? new AnsiTextWriter(console) : console.Profile.Out.Writer;

        // What to train: the library composes the spec (built-in recipe < --config < resumed run < command line),
        // checks it, applies its policy (batch size, lr scaling, memory format) and wires data, model and run folder.
        var layers = new List<RunSpecLayer>();
        if (settings.Config is string config) layers.Add(RecipeFiles.Load(config));
        var commandLine = CommandLineLayer.From(settings, env.Arguments);
        // --pretrained NAME|URL|FILE: a download shows its progress here; a URL (checked against --sha256) becomes its
        // cached file, a name stays a name (recorded as typed; the library finds the file in the cache).
        if (settings.Pretrained is string pretrained && !settings.PrintConfig)
        {
            string file = WeightsSource.Resolve("--pretrained", pretrained, settings.Sha256, env, settings.Model, quiet: !primary);
            if (WeightsSource.Known(pretrained) is null) commandLine = commandLine.With("pretrained", file);
        }
        else if (settings.Sha256 is not null && settings.Pretrained is null)
            throw CliException.Usage("--sha256 checks a --pretrained URL or file; give --pretrained");
        layers.Add(commandLine);
        if (group.WorldSize > 1 && settings.Output is null && settings.Resume is null)
            throw CliException.Usage("under mpirun give --output DIR: the ranks must agree on the run folder");
        if (settings.Overwrite && settings.Resume is not null && settings.Output is not null
            && PathsEqual(settings.Output, RunConfiguration.RunDirectoryOf(settings.Resume)))
            throw CliException.Usage("--overwrite replaces a folder with a new run; --resume continues the run in its own folder");
        var request = new TrainingRequest
        {
            Layers = layers,
            Resume = settings.Resume,
            RunDirectory = settings.Output,
            Overwrite = settings.Overwrite,
            ScaleLearningRate = !settings.NoLrScale,
            ProcessGroup = group,
            Data = env.TrainData,
            CommandLine = string.Join(' ', env.Arguments),
            Log = log.WriteLine,
        };
        if (settings.PrintConfig)
        {
            var plan = TrainingSession.MakePlan(request);
            foreach (var note in plan.Notes) log.WriteLine(note);
            console.Profile.Out.Writer.WriteLine(plan.ToRecipeJson());
            return ExitCodes.Success;
        }

        TrainingSession session;
        try
        {
            session = TrainingSession.Prepare(request);
        }
        catch (OutputPathException e)
        {
            throw OutputPaths.ToCli("--output", e, $"use --resume {e.Path} to continue that run or --overwrite to replace it");
        }
        using (session)
        {
            var trainer = session.Trainer;
            var options = trainer.Options;
            var data = session.Data;
            string modelName = session.Plan.Spec.Model!;
            string dataSpec = session.Plan.Spec.Data!;
            string? runDir = session.RunDirectory;
            // Progress is read every step and shown by time (--progress-interval), not every 10 batches.
            trainer.ProgressInterval = 1;
            foreach (var note in session.Plan.Notes) log.WriteLine(note);
            if (session.Pretrained is { } loaded)
                log.WriteLine($"pretrained {session.Plan.Spec.Pretrained}: {loaded.Loaded.Count} tensors loaded" +
                    (loaded.Reinitialized.Count > 0 ? $"; new head for {data.ClassNames.Count} classes ({string.Join(", ", loaded.Reinitialized)})" : "") +
                    (loaded.Adapted.Count > 0 ? $"; adapted to {data.Channels} input channel(s): {string.Join(", ", loaded.Adapted)}" : ""));
            log.WriteLine($"model {modelName}: {ModelStats.Describe(session.Summary)}");
            if (session.AllReduce is not null)
                log.WriteLine($"data-parallel: {group.WorldSize} processes ({mpi!.Library}), batch {options.BatchSize} per process, effective batch {options.BatchSize * group.WorldSize}; gradients averaged every step; rank 0 writes the run folder");
            log.WriteLine($"data {dataSpec}: {data.Description}; input {data.Channels}x{data.ImageSize}x{data.ImageSize}");
            foreach (var warning in session.Warnings) log.WriteLine($"warning: {warning}");
            if (Recipes(options) is string techniques) log.WriteLine(techniques);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"optimizer {options.Optimizer.ToString().ToLowerInvariant()} lr {options.LearningRate:G4}{(options.BackboneLearningRate is double blr ? $" (backbone {blr:G4})" : "")} wd {options.WeightDecay:G3} schedule {options.Schedule.ToString().ToLowerInvariant()} batch {options.BatchSize} epochs {options.Epochs} device {options.Device} threads {options.Threads}"));
            if (modelName == "deepcnn" && (trainer.Configuration.ModelOptions.Dropout ?? 0.5) > 0)
                log.WriteLine("note: deepcnn applies dropout to its logits, as in the book, so training accuracy reads far below validation accuracy (about 50 % against 98 %); validation accuracy is the measure");
            if (options.Precision != ComputePrecision.Fp32 || options.ChannelsLast)
                log.WriteLine($"precision {PrecisionSupport.Name(options.Precision)} (float32 master weights{(options.Precision == ComputePrecision.Fp16 ? ", dynamic loss scaling" : "")}), memory format {(options.ChannelsLast ? "channels-last" : "NCHW")}");
            var capability = PrecisionSupport.Check(options.Precision, trainer.Device.type);
            if (!capability.IsFast) log.WriteLine($"warning: {PrecisionSupport.Name(options.Precision)} will be slower than fp32 here: {capability.Reason}; it still computes correctly");
            if (TorchRuntime.OneDnnDisabledReason is string oneDnnOff)
                log.WriteLine($"note: oneDNN convolutions are off ({oneDnnOff}); libtorch's own kernels are used. Set {TorchRuntime.OneDnnEnvironmentVariable}=on to override.");
            if (runDir is not null)
                log.WriteLine($"run folder {Path.GetFullPath(runDir)}" + (session.Plan.Resumed is not null ? $" (resuming at epoch {trainer.EpochsCompleted}, step {trainer.Step})" : "")
                    + (session.ReplacesFolder ? " (replacing the run there; it is kept aside until the first checkpoint)" : ""));

            // curves.png: drawn by the CLI (the training library has no plotting dependency), after metrics.jsonl is written.
            if (primary && runDir is not null)
                trainer.Callbacks.Add(new TrainingCurvePlot(Path.Combine(runDir, "curves.png"), Path.Combine(runDir, "metrics.jsonl"), $"{modelName} on {dataSpec}"));
            TrainingResult result;
            if (!primary)
            {
                result = session.Run(env.Signals.Token);
            }
            else if (env.Interactive && !settings.Json)
            {
                var view = new LiveProgressView(console, settings.ProgressInterval is double li ? TimeSpan.FromSeconds(li) : null);
                trainer.Callbacks.Add(view);
                result = view.Run(() => session.Run(env.Signals.Token));
            }
            else
            {
                var plain = new PlainProgressWriter(log, settings.ProgressInterval is double pi ? TimeSpan.FromSeconds(pi) : null);
                trainer.Callbacks.Add(plain);
                result = session.Run(env.Signals.Token);
            }

            string shownDir = runDir ?? "";
            if (!primary) { }
            else if (settings.Json) console.Profile.Out.Writer.WriteLine(Summary(result, shownDir, modelName).ToJsonString());
            else
            {
                string how = result.Status switch
                {
                    TrainingStatus.Completed => "finished",
                    TrainingStatus.EarlyStopped => "stopped early",
                    _ => "interrupted",
                };
                log.WriteLine($"training {how} after {ProgressFormat.Count(result.EpochsCompleted, "epoch")} ({ProgressFormat.Count(result.Step, "step")})" +
                    (result.BestValidationAccuracy is double b ? string.Create(CultureInfo.InvariantCulture, $"; best val acc {b:P2} at epoch {result.BestEpoch}") : ""));
                if (result.Status == TrainingStatus.Interrupted)
                    log.WriteLine($"resume with: {(group.WorldSize > 1 ? $"mpirun -np {group.WorldSize} " : "")}{CliInvocation.Current} train --resume {shownDir}");
                if (result.LastCheckpoint is not null) log.WriteLine($"checkpoints: {result.LastCheckpoint}" + (result.BestCheckpoint is not null ? $", {result.BestCheckpoint}" : ""));
                if (session.AllReduce is { } allReduce)
                {
                    string share = result.History.Count > 0
                        ? string.Create(CultureInfo.InvariantCulture, $", {100 * allReduce.Elapsed.TotalSeconds / Math.Max(1e-9, result.History.Sum(h => h.Seconds)):0.0} % of the epochs' time on rank 0")
                        : "";
                    log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"all-reduce: {allReduce.Elapsed.TotalSeconds:0.00} s in {allReduce.Calls} calls ({allReduce.BytesPerStep / 1e6:0.00} MB per step){share}"));
                }
            }
            return result.Status == TrainingStatus.Interrupted ? env.Signals.InterruptedExitCode : ExitCodes.Success;
        }
    }

    private static bool PathsEqual(string a, string b) => string.Equals(
        Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)),
        OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    /// <summary>One banner line for the issue-17 techniques in use, or null when none is.</summary>
    private static string? Recipes(TrainingOptions o)
    {
        var parts = new List<string>();
        if (o.ClipGradNorm is double n) parts.Add(string.Create(CultureInfo.InvariantCulture, $"clip-grad {n:G4}"));
        if (o.ClipGradValue is double v) parts.Add(string.Create(CultureInfo.InvariantCulture, $"clip-grad-value {v:G4}"));
        if (o.AccumulationSteps > 1) parts.Add($"accum-steps {o.AccumulationSteps} (effective batch {LearningRateScaling.EffectiveBatch(o)})");
        if (o.NoDecayNormAndBias) parts.Add("no decay on norm/bias");
        if (o.EmaDecay is double e) parts.Add(string.Create(CultureInfo.InvariantCulture, $"ema {e:G6}{(o.EmaWarmup ? " with warm-up" : "")}"));
        if (o.MixesBatches) parts.Add(string.Create(CultureInfo.InvariantCulture, $"mixup {o.MixupAlpha:G3} cutmix {o.CutMixAlpha:G3} prob {o.MixProbability:G3} switch {o.MixSwitchProbability:G3}"));
        return parts.Count == 0 ? null : "recipe: " + string.Join(", ", parts);
    }

    private static JsonObject Summary(TrainingResult r, string runDir, string model)
    {
        var history = new JsonArray();
        foreach (var m in r.History) history.Add(JsonNode.Parse(MetricsJsonlWriter.Format(m)));
        return new JsonObject
        {
            ["status"] = r.Status.ToString().ToLowerInvariant(),
            ["model"] = model,
            ["run_directory"] = Path.GetFullPath(runDir),
            ["epochs"] = r.EpochsCompleted,
            ["steps"] = r.Step,
            ["best_epoch"] = r.BestEpoch,
            ["best_val_acc"] = r.BestValidationAccuracy,
            ["last_checkpoint"] = r.LastCheckpoint,
            ["best_checkpoint"] = r.BestCheckpoint,
            ["history"] = history,
        };
    }
}
