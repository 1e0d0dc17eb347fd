using ModelZoo.Data;

namespace ModelZoo.Training.Experiments;

/// <summary>
/// The data of an experiment's variants, opened through an <see cref="IDataProvider"/> once per augmentation preset, so
/// every variant sees the same batches in the same order but for the augmentation under study. Disposing closes them.
/// </summary>
internal sealed class ExperimentDataSets(IDataProvider provider, ExperimentOptions options, Action<TrainingData>? opened = null) : IDisposable
{
    private readonly Dictionary<string, ExperimentData> _byPreset = new(StringComparer.Ordinal);
    private readonly List<TrainingData> _open = [];

    /// <summary>The data of <paramref name="variant"/> (opened on first use).</summary>
    /// <exception cref="ArgumentException">The data has no test or validation split to measure on.</exception>
    public ExperimentData For(ExperimentVariant variant)
    {
        if (_byPreset.TryGetValue(variant.Augment, out var known)) return known;
        var request = new DataRequest(options.Data)
        {
            Augment = variant.Augment,
            Seed = options.Seed,
            Threads = options.Threads ?? Environment.ProcessorCount,
        };
        var data = provider.Open(request, options.BatchSize);
        _open.Add(data);
        var validation = data.Validation ?? throw new ArgumentException($"data '{options.Data}' has no test or validation split to measure the variants on");
        if (_byPreset.Count == 0) opened?.Invoke(data);
        var result = new ExperimentData(data.Train, validation, data.ClassNames, data.Normalization, data.Channels, data.ImageSize, options.Data);
        _byPreset[variant.Augment] = result;
        return result;
    }

    public void Dispose()
    {
        foreach (var d in _open) d.Dispose();
        _open.Clear();
        _byPreset.Clear();
    }
}
