namespace ModelZoo.Data;

/// <summary>
/// A random-access, thread-safe set of labelled images. <see cref="Get"/> may be called concurrently
/// from loader worker threads.
/// </summary>
public interface IImageDataset
{
    /// <summary>Number of samples.</summary>
    int Count { get; }

    /// <summary>Class names; a label is an index into this list.</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>Channels of the decoded images (1 or 3).</summary>
    int Channels { get; }

    /// <summary>The label of sample <paramref name="index"/> without decoding its pixels.</summary>
    int LabelOf(int index);

    /// <summary>Decodes sample <paramref name="index"/> (untransformed).</summary>
    /// <exception cref="ModelZooDataException">The sample cannot be read or decoded; the message names its source.</exception>
    ImageSample Get(int index);

    /// <summary>Where sample <paramref name="index"/> comes from (a path, or file + record number), for messages.</summary>
    string Describe(int index);
}
