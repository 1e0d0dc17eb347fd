using System.Diagnostics;
using ModelZoo.Data;
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
    /// <summary>
    /// Runs <paramref name="variants"/> on <see cref="ExperimentOptions.Data"/> (opened through <paramref name="data"/>,
    /// <see cref="DataPipeline"/> by default, once per augmentation preset) and returns their results in the same order.
    /// </summary>
    /// <param name="variants">The arms.</param>
    /// <param name="options">Shared settings.</param>
    /// <param name="data">Opens the data; null: <see cref="DataPipeline"/>.</param>
    /// <param name="callbacks">Added to every variant's trainer (progress display).</param>
    /// <param name="onVariantStart">Called before each variant with its 0-based index.</param>
    /// <param name="onDataOpened">Called once the first variant's data is open (for a log line).</param>
    /// <param name="cancellationToken">Stops the current variant after its step; the results so far are returned.</param>
    /// <exception cref="ArgumentException">No variants, invalid options, or data without a test split.</exception>
    public static IReadOnlyList<VariantResult> Run(
        IReadOnlyList<ExperimentVariant> variants,
        ExperimentOptions options,
        IDataProvider? data = null,
        IReadOnlyList<ITrainingCallback>? callbacks = null,
        Action<int, ExperimentVariant>? onVariantStart = null,
        Action<TrainingData>? onDataOpened = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(variants);
        ArgumentNullException.ThrowIfNull(options);
        if (variants.Count == 0) throw new ArgumentException("an experiment needs at least one variant", nameof(variants));
        using var sets = new ExperimentDataSets(data ?? new DataPipeline(), options, onDataOpened);
        var results = new List<VariantResult>();
        for (int i = 0; i < variants.Count; i++)
        {
            if (cancellationToken.IsCancellationRequested) break;
            onVariantStart?.Invoke(i, variants[i]);
            results.Add(RunOne(variants[i], options, sets.For(variants[i]), callbacks ?? [], cancellationToken));
        }
        return results;
    }

    /// <summary>
    /// The init experiment's histograms at initialisation: the seed's MLP for each activation and each variant's
    /// scheme, and each variant's model's ReLU outputs on the first test batch of <see cref="ExperimentOptions.Data"/>.
    /// </summary>
    public static IReadOnlyList<ActivationHistogram> Activations(IReadOnlyList<ExperimentVariant> variants, ExperimentOptions options, IDataProvider? data = null)
    {
        ArgumentNullException.ThrowIfNull(variants);
        ArgumentNullException.ThrowIfNull(options);
        var all = new List<ActivationHistogram>();
        foreach (string activation in ActivationProbe.Activations)
            foreach (var v in variants)
                all.AddRange(ActivationProbe.Mlp(activation, v.Init, options.Seed));
        if (variants.Count == 0) return all;
        using var sets = new ExperimentDataSets(data ?? new DataPipeline(), options);
        var set = sets.For(variants[0]);
        Batch? first = null;
        foreach (var b in set.Validation.GetEpoch(0)) { first = b; break; }
        if (first is null) return all;
        using (first)
        {
            foreach (var v in variants)
            {
                using var model = CreateModel(v, options, set.Channels, set.ClassNames.Count);
                all.AddRange(ActivationProbe.Model(model, first.Images, v.Model, v.Init));
            }
        }
        return all;
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
        };
        var watch = Stopwatch.StartNew();
        using var model = CreateModel(variant, options, data.Channels, data.ClassNames.Count);
        long parameters = model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
        var descriptor = new ModelDescriptor(variant.Model, ModelOptionsFor(variant, options, data.Channels, data.ClassNames.Count),
            data.ClassNames, data.Normalization, data.Channels, data.ImageSize, data.DataSpec);
        using var trainer = new Trainer(model, training, descriptor) { ProgressInterval = 1 };
        var recorder = new StepLosses();
        trainer.Callbacks.Add(recorder);
        foreach (var c in callbacks) trainer.Callbacks.Add(c);
        var result = trainer.Fit(data.Train, data.Validation, ct);
        return new VariantResult(variant, recorder.Losses.ToList(), result.History, parameters, watch.Elapsed.TotalSeconds);
    }
}
