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

        if (settings.Device is not null) DeviceSelector.Resolve(settings.Device);

        // 1. What to train and with which options: recipe defaults < resumed run (checkpoint + config.json) < command
        // line. The merge rules are the library's (RunConfiguration.ForResume + Merge), so library code resumes alike.
        // A recipe file (--config) sits between the built-in recipe and the command line.
        var overrides = Overrides(settings);
        RecipeFile? file = settings.Config is not null ? RecipeFiles.Load(settings.Config) : null;
        RunConfiguration? resumed = settings.Resume is not null ? RunConfiguration.ForResume(settings.Resume).Merge(overrides) : null;
        string? resumePath = resumed?.ResumedFrom;
        string modelName = resumed?.Model ?? overrides.Model ?? (file?.Model is string fileModel ? Zoo.Resolve(fileModel)
            : throw new ArgumentException($"--model is required: {settings.Config} names no model"));
        string dataSpec = resumed?.Data ?? settings.Data ?? file?.Data ?? throw new ArgumentException($"--data is required: {settings.Config} names no data");
        var recipe = TrainingDefaults.For(modelName, DataSpec.IsMnistLike(dataSpec) ? "mnist" : "folder");
        var recipeOptions = file?.Apply(recipe.Options) ?? recipe.Options;
        var merged = resumed?.Training ?? overrides.Apply(recipeOptions);
        if (settings.FreezeBackbone) merged = merged with { FreezeBackbone = true };
        if (settings.NoDecayNormBias) merged = merged with { NoDecayNormAndBias = true };
        if (settings.EmaWarmup) merged = merged with { EmaWarmup = true };
        // Channels-last by default on CPU (ChannelsLast.PreferredFor, measured faster): for a new run, or when a
        // resume changes the precision, unless --channels-last/--no-channels-last says otherwise.
        if (!settings.ChannelsLast && !settings.NoChannelsLast && (resumed is null || settings.Precision is not null))
            merged = merged with { ChannelsLast = ModelZoo.ChannelsLast.PreferredFor(merged.Precision, DeviceSelector.Resolve(merged.Device).type) };
        // Linear lr scaling: a fresh run whose effective batch differs from the recipe's, without an explicit --lr.
        // Under N processes the effective batch is N x --batch-size (PyTorch DDP's convention).
        var global = merged with { BatchSize = merged.BatchSize * group.WorldSize };
        if (resumed is null && settings.LearningRate is null && !settings.NoLrScale
            && LearningRateScaling.EffectiveBatch(global) != LearningRateScaling.EffectiveBatch(recipeOptions))
        {
            var scaled = LearningRateScaling.Linear(recipeOptions, global, scaleBackbone: settings.LearningRateBackbone is null) with { BatchSize = merged.BatchSize };
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"lr scaled linearly to {scaled.LearningRate:G4} for effective batch {LearningRateScaling.EffectiveBatch(global)} (recipe: lr {recipeOptions.LearningRate:G4} at batch {LearningRateScaling.EffectiveBatch(recipeOptions)}); give --lr to set it, --no-lr-scale to keep the recipe's"));
            merged = scaled;
        }
        int threads = merged.Threads ?? Environment.ProcessorCount;
        // Progress is read every step and shown by time (--progress-interval), not every 10 batches.
        var options = merged with { Threads = threads, ProgressInterval = 1 };
        options.EnsureValid();
        DeviceSelector.Resolve(options.Device);
        var baseData = new RunDataOptions { Augment = recipe.Augment == "none" ? "none" : null };
        var dataOptions = resumed?.DataOptions ?? overrides.Apply(file?.Apply(baseData) ?? baseData);
        double? dropout = settings.Dropout ?? file?.Dropout;
        string? initName = settings.Init ?? file?.Init;
        if (initName is not null && !TrainOptionParsing.TryInit(initName, out _))
            throw new ArgumentException($"init must be normal, xavier, he or default, not '{initName}'");
        string recipeSource = file is not null ? $"{file.Path} over {recipe.Source}" : recipe.Source;
        if (settings.PrintConfig)
        {
            console.Profile.Out.Writer.WriteLine(RecipeFile.Format(modelName, dataSpec, merged, dataOptions with { Workers = null },
                resumed?.ModelOptions.Dropout ?? dropout, initName ?? (resumed?.ModelOptions.Init ?? recipe.Init).ToString().ToLowerInvariant(), resumed?.Recipe ?? recipeSource));
            return ExitCodes.Success;
        }

        // 2. The run folder, checked before any work: a non-empty folder is another run (refused unless --overwrite),
        // and a file, a missing parent, a read-only folder or a full disk is one clear error.
        string runDir = settings.Output ?? (resumePath is not null ? RunConfiguration.RunDirectoryOf(resumePath)
            : Path.Combine("runs", $"{modelName}-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}"));
        bool ownFolder = resumePath is not null && PathsEqual(runDir, RunConfiguration.RunDirectoryOf(resumePath));
        if (ownFolder && settings.Overwrite) throw CliException.Usage("--overwrite replaces a folder with a new run; --resume continues the run in its own folder");
        bool replace = primary && OutputPaths.CheckFolder("--output", runDir, overwrite: settings.Overwrite || ownFolder, RunBytes(modelName),
            $"use --resume {runDir} to continue that run or --overwrite to replace it", createParents: settings.Output is null) && !ownFolder;
        // Every rank must use rank 0's folder name (the default one has a time stamp).
        if (group.WorldSize > 1 && settings.Output is null && resumePath is null)
            throw CliException.Usage("under mpirun give --output DIR: the ranks must agree on the run folder");

        var data = env.TrainData.Open(new TrainDataRequest(dataSpec, options.BatchSize, dataOptions.ImageSize, dataOptions.Augment,
            dataOptions.ValidationSplit, dataOptions.OnBadImage == OnBadImage.Skip ? "skip" : "fail", options.Seed, threads, dataOptions.Workers,
            settings.MaxBadFraction ?? 0.01, group.Rank, group.WorldSize));
        try
        {
            var modelOptions = resumed?.ModelOptions ?? new ModelOptions
            {
                NumClasses = data.ClassNames.Count,
                InChannels = data.Channels,
                Dropout = dropout,
                Init = initName is not null && TrainOptionParsing.TryInit(initName, out var init) ? init : recipe.Init,
                Seed = options.Seed,
                TransformInput = WeightsSource.NeedsTransformInput(settings.Pretrained, modelName), // issue 25: GoogLeNet's published weights
            };

            // Seed the global generator too: weight init that draws from it is then reproducible as well.
            torch.manual_seed(options.Seed);
            using var model = Zoo.Create(modelName, modelOptions);
            if (settings.Pretrained is not null)
            {
                var loaded = ModelZoo.Weights.PretrainedWeights.LoadForFineTuning(model, modelName,
                    WeightsSource.Resolve("--pretrained", settings.Pretrained, settings.Sha256, env, modelName, quiet: !primary)); // issue 25: NAME|URL|FILE
                log.WriteLine($"pretrained {settings.Pretrained}: {loaded.Loaded.Count} tensors loaded" +
                    (loaded.Reinitialized.Count > 0 ? $"; new head for {data.ClassNames.Count} classes ({string.Join(", ", loaded.Reinitialized)})" : "") +
                    (loaded.Adapted.Count > 0 ? $"; adapted to {data.Channels} input channel(s): {string.Join(", ", loaded.Adapted)}" : ""));
            }
            var configuration = new RunConfiguration
            {
                Model = modelName,
                ModelOptions = modelOptions,
                Data = dataSpec,
                Classes = data.ClassNames,
                Normalization = data.Normalization,
                Channels = data.Channels,
                ImageSize = data.ImageSize,
                Training = options,
                DataOptions = dataOptions with { Augment = dataOptions.Augment ?? recipe.Augment },
                Recipe = recipeSource,
                CommandLine = string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
            };
            using var trainer = new Trainer(model, configuration, runDir);
            // Summarise before Resume: nothing may touch the restored generator state before Fit.
            log.WriteLine($"model {modelName}: {ModelStats.Describe(model, data.Channels, data.ImageSize)}");
            if (resumePath is not null) trainer.Resume(resumePath);
            GradientAllReduce? allReduce = null;
            if (group.WorldSize > 1)
            {
                allReduce = DataParallel.Attach(trainer, group);
                log.WriteLine($"data-parallel: {group.WorldSize} processes ({mpi!.Library}), batch {options.BatchSize} per process, effective batch {options.BatchSize * group.WorldSize}; gradients averaged every step; rank 0 writes the run folder");
            }
            log.WriteLine($"data {dataSpec}: {data.Description}; input {data.Channels}x{data.ImageSize}x{data.ImageSize}");
            foreach (var warning in TrainingWarnings.For(options, data.Train.BatchesPerEpoch, data.Validation?.SamplesPerEpoch, data.ClassNames.Count))
                log.WriteLine($"warning: {warning}");
            if (Recipes(options) is string techniques) log.WriteLine(techniques);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"optimizer {options.Optimizer.ToString().ToLowerInvariant()} lr {options.LearningRate:G4}{(options.BackboneLearningRate is double blr ? $" (backbone {blr:G4})" : "")} wd {options.WeightDecay:G3} schedule {options.Schedule.ToString().ToLowerInvariant()} batch {options.BatchSize} epochs {options.Epochs} device {options.Device} threads {threads}"));
            if (modelName == "deepcnn" && (modelOptions.Dropout ?? 0.5) > 0)
                log.WriteLine("note: deepcnn applies dropout to its logits, as in the book, so training accuracy reads far below validation accuracy (about 50 % against 98 %); validation accuracy is the measure");
            if (options.Precision != ComputePrecision.Fp32 || options.ChannelsLast)
                log.WriteLine($"precision {PrecisionSupport.Name(options.Precision)} (float32 master weights{(options.Precision == ComputePrecision.Fp16 ? ", dynamic loss scaling" : "")}), memory format {(options.ChannelsLast ? "channels-last" : "NCHW")}");
            var capability = PrecisionSupport.Check(options.Precision, trainer.Device.type);
            if (!capability.IsFast) log.WriteLine($"warning: {PrecisionSupport.Name(options.Precision)} will be slower than fp32 here: {capability.Reason}; it still computes correctly");
            if (TorchRuntime.OneDnnDisabledReason is string oneDnnOff)
                log.WriteLine($"note: oneDNN convolutions are off ({oneDnnOff}); libtorch's own kernels are used. Set {TorchRuntime.OneDnnEnvironmentVariable}=on to override.");
            log.WriteLine($"run folder {Path.GetFullPath(runDir)}" + (resumePath is not null ? $" (resuming at epoch {trainer.EpochsCompleted}, step {trainer.Step})" : "")
                + (replace ? " (replacing the run there; it is kept aside until the first checkpoint)" : ""));

            // --overwrite: the old run is moved aside now and deleted at the first checkpoint (moved back on failure).
            using var replacement = FolderReplacement.Begin(runDir, replace);
            trainer.Callbacks.Add(replacement);
            if (primary && data.BadImages is { Count: > 0 } bad) WriteBadImages(runDir, bad, log);

            // curves.png: drawn by the CLI (the training library has no plotting dependency), after metrics.jsonl is written.
            if (primary) trainer.Callbacks.Add(new TrainingCurvePlot(Path.Combine(runDir, "curves.png"), Path.Combine(runDir, "metrics.jsonl"), $"{modelName} on {dataSpec}"));
            TrainingResult result;
            if (!primary)
            {
                result = trainer.Fit(data.Train, data.Validation, env.Signals.Token);
            }
            else if (env.Interactive && !settings.Json)
            {
                var view = new LiveProgressView(console, settings.ProgressInterval is double li ? TimeSpan.FromSeconds(li) : null);
                trainer.Callbacks.Add(view);
                result = view.Run(() => trainer.Fit(data.Train, data.Validation, env.Signals.Token));
            }
            else
            {
                var plain = new PlainProgressWriter(log, settings.ProgressInterval is double pi ? TimeSpan.FromSeconds(pi) : null);
                trainer.Callbacks.Add(plain);
                result = trainer.Fit(data.Train, data.Validation, env.Signals.Token);
            }

            if (!primary) { }
            else if (settings.Json) console.Profile.Out.Writer.WriteLine(Summary(result, runDir, modelName).ToJsonString());
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
                    log.WriteLine($"resume with: {(group.WorldSize > 1 ? $"mpirun -np {group.WorldSize} " : "")}{CliInvocation.Current} train --resume {runDir}");
                if (result.LastCheckpoint is not null) log.WriteLine($"checkpoints: {result.LastCheckpoint}" + (result.BestCheckpoint is not null ? $", {result.BestCheckpoint}" : ""));
                if (allReduce is not null)
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
        finally
        {
            data.Resources?.Dispose();
        }
    }

    private static bool PathsEqual(string a, string b) => string.Equals(
        Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)),
        OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    /// <summary>About what a run writes: two checkpoints of weights plus optimiser state, and the logs.</summary>
    private static long RunBytes(string model)
    {
        long parameters = Zoo.Names.Contains(model) ? Zoo.Card(model).Parameters : 0;
        return parameters * 4 * 3 * 2 + (16L << 20);
    }

    /// <summary>bad-images.tsv in the run folder: one line per file left out, with the reason.</summary>
    private static void WriteBadImages(string runDir, IReadOnlyList<SkippedImage> bad, TextWriter log)
    {
        Directory.CreateDirectory(runDir);
        string path = Path.Combine(runDir, "bad-images.tsv");
        using (var w = new StreamWriter(path))
        {
            w.WriteLine("file\treason");
            foreach (var b in bad) w.WriteLine($"{b.Path.Replace('\t', ' ')}\t{b.Reason.Replace('\t', ' ').Replace('\n', ' ')}");
        }
        log.WriteLine($"skipped {bad.Count} bad image{(bad.Count == 1 ? "" : "s")}: listed in {path}");
    }

    private static RunOverrides Overrides(TrainSettings s) => new()
    {
        Model = s.Model is not null ? Zoo.Resolve(s.Model) : null,
        Data = s.Data,
        Epochs = s.Epochs,
        BatchSize = s.BatchSize,
        Optimizer = s.Optimizer is not null && TrainOptionParsing.TryOptimizer(s.Optimizer, out var opt) ? opt : null,
        LearningRate = s.LearningRate,
        BackboneLearningRate = s.LearningRateBackbone,
        WeightDecay = s.WeightDecay,
        Momentum = s.Momentum,
        Schedule = s.Schedule is not null && TrainOptionParsing.TrySchedule(s.Schedule, out var sch) ? sch : null,
        WarmupEpochs = s.WarmupEpochs,
        LabelSmoothing = s.LabelSmoothing,
        Seed = s.Seed,
        Device = s.Device,
        Threads = s.Threads,
        EarlyStopPatience = s.EarlyStop,
        MaxStepsPerEpoch = s.MaxSteps,
        TensorBoard = s.NoTensorBoard ? false : null,
        ClipGradNorm = s.ClipGrad,
        ClipGradValue = s.ClipGradValue,
        AccumulationSteps = s.AccumSteps,
        EmaDecay = s.Ema,
        MixupAlpha = s.Mixup,
        CutMixAlpha = s.CutMix,
        MixProbability = s.MixProb,
        MixSwitchProbability = s.MixSwitchProb,
        Augment = s.Augment,
        ValidationSplit = s.ValidationSplit,
        OnBadImage = s.OnBadImage is null ? null : string.Equals(s.OnBadImage, "skip", StringComparison.OrdinalIgnoreCase) ? OnBadImage.Skip : OnBadImage.Fail,
        ImageSize = s.ImageSize,
        Workers = s.Workers,
        Precision = s.Precision is not null && TrainOptionParsing.TryPrecision(s.Precision, out var precision) ? precision : null,
        ChannelsLast = s.ChannelsLast ? true : s.NoChannelsLast ? false : null,
    };

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
