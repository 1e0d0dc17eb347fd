namespace ModelZoo.Training;

/// <summary>
/// The processes of one (data-parallel) run. Only the primary process (rank 0) writes files: config.json,
/// metrics.jsonl, TensorBoard events and checkpoints. Epoch sums (loss x samples, correct, samples) go through
/// <see cref="AllReduceSum"/> before they are averaged, so every process reports the metrics of the whole epoch.
/// The gradient all-reduce belongs in an <see cref="IGradientHook"/>; sharding the data by rank in the batch source.
/// </summary>
public interface IProcessGroup
{
    /// <summary>This process's rank, 0-based.</summary>
    int Rank { get; }

    /// <summary>Number of processes.</summary>
    int WorldSize { get; }

    /// <summary>True for the process that writes files (rank 0).</summary>
    bool IsPrimary { get; }

    /// <summary>Replaces each element of <paramref name="values"/> by its sum over all processes (blocking, collective).</summary>
    void AllReduceSum(double[] values);
}
