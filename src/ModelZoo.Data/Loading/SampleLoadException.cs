namespace ModelZoo.Data;

/// <summary>A sample failed to load or transform on a loader worker; surfaced to the consumer, naming the sample.</summary>
public sealed class SampleLoadException : ModelZooDataException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="index">The data-set index of the sample.</param>
    /// <param name="source">Where the sample comes from (<see cref="IImageDataset.Describe"/>).</param>
    /// <param name="problem">What went wrong.</param>
    /// <param name="inner">The underlying error.</param>
    public SampleLoadException(int index, string source, string problem, Exception? inner)
        : base($"Sample {index} ({Folders.BadImageReport.Escape(source)}): {problem}", (inner as ModelZooDataException)?.Path ?? source, inner)
    {
        Index = index;
        SampleSource = source;
    }

    /// <summary>The data-set index of the failed sample.</summary>
    public int Index { get; }

    /// <summary>Where the sample comes from.</summary>
    public string SampleSource { get; }
}
