using ModelZoo.Data.Folders;

namespace ModelZoo.Data;

/// <summary>
/// How to open a data spec for training (timm's <c>resolve_data_config</c> arguments): the spec, the split, the
/// bad-image policy, the input size and augmentation, and the loader's workers, seed and shard.
/// </summary>
/// <param name="Spec">The data spec: <c>mnist</c>, <c>fashion-mnist</c>, <c>mnist-sample</c> or a folder.</param>
public sealed record DataRequest(string Spec)
{
    /// <summary>Fraction held out for validation when the data has no validation split (0: the data set's own split).</summary>
    public double ValidationSplit { get; init; }

    /// <summary>What to do with an undecodable image in an image folder.</summary>
    public OnBadImage OnBadImage { get; init; } = OnBadImage.Fail;

    /// <summary>With <see cref="OnBadImage.Skip"/>: the largest tolerated fraction of bad images per split.</summary>
    public double MaxBadFraction { get; init; } = 0.01;

    /// <summary>Seed of the split, the shuffling and the augmentation.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>Square input size; null: the native size of MNIST-like data, 224 for folders.</summary>
    public int? ImageSize { get; init; }

    /// <summary>Augmentation preset of the training batches; null: <c>mnist</c> for MNIST-like data, <c>imagenet</c> for folders.</summary>
    public string? Augment { get; init; }

    /// <summary>Loader worker threads; 0 loads in-line; null: in-line for MNIST-like data (in memory, cheap to transform), <see cref="Threads"/> for folders.</summary>
    public int? Workers { get; init; }

    /// <summary>CPU threads of the run; the default worker count for image folders.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>This process's rank in a data-parallel run.</summary>
    public int Rank { get; init; }

    /// <summary>Processes of the run; above 1 each trains on its shard (drop-last, so all take the same steps).</summary>
    public int WorldSize { get; init; } = 1;
}
