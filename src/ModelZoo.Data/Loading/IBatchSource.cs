namespace ModelZoo.Data;

/// <summary>What the trainer and evaluator consume: a sequence of batches per epoch.</summary>
public interface IBatchSource
{
    /// <summary>Samples seen per epoch by this process (after sharding and drop-last).</summary>
    int SamplesPerEpoch { get; }

    /// <summary>Batches per epoch by this process.</summary>
    int BatchesPerEpoch { get; }

    /// <summary>The batches of epoch <paramref name="epoch"/> (0-based; shuffling and augmentation are seeded by it).</summary>
    IEnumerable<Batch> GetEpoch(int epoch, CancellationToken cancellationToken = default);
}
