using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>
/// The processes of one (data-parallel) run. Only the primary process (rank 0) writes files: config.json,
/// metrics.jsonl, TensorBoard events and checkpoints. Epoch sums (loss x samples, correct, samples) go through
/// <see cref="AllReduceSum(double[])"/> before they are averaged, so every process reports the metrics of the whole epoch.
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

    /// <summary>This process's rank among the processes on its machine (which device it would take).</summary>
    int LocalRank { get; }

    /// <summary>Replaces each element of <paramref name="values"/> by its sum over all processes (blocking, collective).</summary>
    void AllReduceSum(double[] values);

    /// <summary>Replaces a contiguous float32 or float64 CPU tensor, in place, by its element-wise sum over all processes (collective).</summary>
    /// <exception cref="ArgumentException">Not contiguous, not on the CPU, or another element type.</exception>
    void AllReduceSum(Tensor tensor);

    /// <summary>Overwrites a contiguous float32 or float64 CPU tensor, in place, with rank <paramref name="root"/>'s copy (collective).</summary>
    void Broadcast(Tensor tensor, int root = 0);

    /// <summary>Returns when every process has called it (collective).</summary>
    void Barrier();
}
