using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Training.Experiments;

/// <summary>
/// Trains the variants of an experiment one after another with the library's <see cref="Trainer"/> (no run folder):
/// the same data, seed and settings for each, so the curves differ by the variable under study only. Every step's
/// training loss is recorded, and the test split is evaluated after every epoch. Variants run sequentially in this
/// process: torch's CPU thread pool is process-wide, so parallel variants in one process would share (and fight
/// over) the same threads.
/// </summary>
public static class ExperimentRunner
{
    /// <summary>Runs <paramref name="variants"/> and returns their results in the same order.</summary>
    /// <param name="variants">The arms.</param>
    /// <param name="options">Shared settings.</param>
    /// <param name="data">The data of a variant (called once per variant; may return the same sources).</param>
    /// <param name="callbacks">Added to every variant's trainer (progress display).</param>
    /// <param name="onVariantStart">Called before each variant with its 0-based index.</param>
    /// <param name="cancellationToken">Stops the current variant after its step; the results so far are returned.</param>
    /// <exception cref="ArgumentException">No variants, or invalid options.</exception>
    public static IReadOnlyList<VariantResult> Run(
        IReadOnlyList<ExperimentVariant> variants,
        ExperimentOptions options,
        Func<ExperimentVariant, ExperimentData> data,
        IReadOnlyList<ITrainingCallback>? callbacks = null,
        Action<int, ExperimentVariant>? onVariantStart = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(variants);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(data);
        if (variants.Count == 0) throw new ArgumentException("an experiment needs at least one variant", nameof(variants));
        var results = new List<VariantResult>();
        for (int i = 0; i < variants.Count; i++)
        {
            if (cancellationToken.IsCancellationRequested) break;
            onVariantStart?.Invoke(i, variants[i]);
            results.Add(RunOne(variants[i], options, data(variants[i]), callbacks ?? [], cancellationToken));
        }
        return results;
    }

    /// <summary>Builds the variant's model for the data (seeded: every variant with the same init starts from the same weights).</summary>
    public static nn.Module<Tensor, Tensor> CreateModel(ExperimentVariant variant, ExperimentOptions options, int channels, int classes)
    {
        ArgumentNullException.ThrowIfNull(variant);
        ArgumentNullException.ThrowIfNull(options);
        torch.manual_seed(options.Seed);
        if (variant.Model == TwoConvCnn.ModelName) return new TwoConvCnn(channels, classes, variant.Init, options.Seed);
        return Zoo.Create(variant.Model, ModelOptionsFor(variant, options, channels, classes));
    }

    private static ModelOptions ModelOptionsFor(ExperimentVariant variant, ExperimentOptions options, int channels, int classes) => new()
    {
        NumClasses = classes,
        InChannels = channels,
        Init = variant.Init,
        Seed = options.Seed,
        Dropout = options.Dropout,
    };

    private static VariantResult RunOne(ExperimentVariant variant, ExperimentOptions options, ExperimentData data, IReadOnlyList<ITrainingCallback> callbacks, CancellationToken ct)
    {
        var training = new TrainingOptions
        {
            Epochs = options.Epochs,
            BatchSize = options.BatchSize,
            Optimizer = variant.Optimizer,
            LearningRate = variant.LearningRate,
            Momentum = variant.Momentum,
            Schedule = ScheduleKind.Constant,
            WeightDecay = 0,
            Seed = options.Seed,
            Threads = options.Threads,
            Device = options.Device,
            Precision = options.Precision,
            ChannelsLast = options.ChannelsLast,
            MaxStepsPerEpoch = options.MaxStepsPerEpoch,
            TensorBoard = false,
            ProgressInterval = 1,
        };
        var watch = Stopwatch.StartNew();
        using var model = CreateModel(variant, options, data.Channels, data.ClassNames.Count);
        long parameters = model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
        var descriptor = new ModelDescriptor(variant.Model, ModelOptionsFor(variant, options, data.Channels, data.ClassNames.Count),
            data.ClassNames, data.Normalization, data.Channels, data.ImageSize, data.DataSpec);
        using var trainer = new Trainer(model, training, descriptor);
        var recorder = new StepLossRecorder(trainer.Task);
        trainer.Task = recorder;
        foreach (var c in callbacks) trainer.Callbacks.Add(c);
        var result = trainer.Fit(data.Train, data.Validation, ct);
        return new VariantResult(variant, recorder.Losses.ToList(), result.History, parameters, watch.Elapsed.TotalSeconds);
    }
}
