using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>The default <see cref="IProcessGroup"/>: one process, rank 0, sums unchanged.</summary>
public sealed class SingleProcessGroup : IProcessGroup
{
    /// <summary>The shared instance.</summary>
    public static SingleProcessGroup Instance { get; } = new();

    /// <inheritdoc />
    public int Rank => 0;

    /// <inheritdoc />
    public int WorldSize => 1;

    /// <inheritdoc />
    public bool IsPrimary => true;

    /// <inheritdoc />
    public int LocalRank => 0;

    /// <inheritdoc />
    public void AllReduceSum(double[] values) => ArgumentNullException.ThrowIfNull(values);

    /// <inheritdoc />
    public void AllReduceSum(Tensor tensor) => ArgumentNullException.ThrowIfNull(tensor);

    /// <inheritdoc />
    public void Broadcast(Tensor tensor, int root = 0) => ArgumentNullException.ThrowIfNull(tensor);

    /// <inheritdoc />
    public void Barrier() { }
}
