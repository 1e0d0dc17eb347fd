namespace ModelZoo.Cli.Commands;

/// <summary>What the train command asks of the data layer.</summary>
/// <param name="Spec">The <c>--data</c> spec.</param>
/// <param name="BatchSize">Batch size.</param>
/// <param name="ImageSize">Requested square input size, or null for the data set's native size / the model's need.</param>
/// <param name="Augment">Augmentation preset name, "none", or null for the default preset.</param>
/// <param name="ValidationSplit">Fraction held out for validation when the data has no validation split.</param>
/// <param name="OnBadImage">"fail" or "skip".</param>
/// <param name="Seed">Seed for shuffling, splitting and augmentation.</param>
/// <param name="Threads">CPU threads of the run (torch's); the default worker count for image folders.</param>
/// <param name="Workers">Loader worker threads (<c>--workers</c>); 0 loads in-line on the training thread; null: in-line
/// for MNIST-like data (in memory, cheap to transform), <paramref name="Threads"/> workers for image folders.</param>
/// <param name="MaxBadFraction">With "skip": the largest tolerated fraction of bad images per split (<c>--max-bad-fraction</c>).</param>
/// <param name="Rank">This process's rank in a data-parallel run.</param>
/// <param name="WorldSize">Processes of the run; above 1 each trains on its shard (drop-last, so all take the same steps).</param>
public sealed record TrainDataRequest(
    string Spec,
    int BatchSize,
    int? ImageSize,
    string? Augment,
    double ValidationSplit,
    string OnBadImage,
    long Seed,
    int Threads,
    int? Workers = null,
    double MaxBadFraction = 0.01,
    int Rank = 0,
    int WorldSize = 1);
