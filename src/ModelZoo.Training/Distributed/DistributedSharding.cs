using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>
/// How the data and the initial weights are split and shared in a data-parallel run (PyTorch's DistributedSampler and
/// DDP's start-up broadcast).
/// </summary>
public static class DistributedSharding
{
    /// <summary>
    /// Rank <paramref name="rank"/>'s part of an epoch's order: positions r, r+N, r+2N, ... of
    /// <paramref name="epochOrder"/> (the order one process would use), after the order is cut to a multiple of
    /// N x <paramref name="batchSizePerRank"/> so every rank takes the same number of whole batches. Batch k of all N
    /// ranks together is then exactly batch k of one process with batch N x B over the same order.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A rank outside [0, N), or a non-positive size.</exception>
    public static int[] Shard(IReadOnlyList<int> epochOrder, int rank, int worldSize, int batchSizePerRank)
    {
        ArgumentNullException.ThrowIfNull(epochOrder);
        if (worldSize < 1) throw new ArgumentOutOfRangeException(nameof(worldSize), "at least one process");
        if (rank < 0 || rank >= worldSize) throw new ArgumentOutOfRangeException(nameof(rank), $"rank {rank} is not in [0, {worldSize})");
        if (batchSizePerRank < 1) throw new ArgumentOutOfRangeException(nameof(batchSizePerRank), "batch size must be positive");
        int global = worldSize * batchSizePerRank;
        int used = epochOrder.Count / global * global;
        var shard = new int[used / worldSize];
        for (int i = 0; i < shard.Length; i++) shard[i] = epochOrder[rank + i * worldSize];
        return shard;
    }

    /// <summary>
    /// Copies rank <paramref name="root"/>'s parameters and buffers into every rank's model (DDP's start-up broadcast),
    /// so all ranks start from the same weights whatever their seeds. Returns how many tensors were broadcast.
    /// </summary>
    public static int BroadcastModel(nn.Module model, IProcessGroup group, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(group);
        if (group.WorldSize == 1) return 0;
        int n = 0;
        using var noGrad = no_grad();
        foreach (var (_, tensor) in model.state_dict())
        {
            if (tensor.dtype is not (ScalarType.Float32 or ScalarType.Float64)) continue; // num_batches_tracked: same count on every rank
            if (tensor.is_contiguous())
            {
                group.Broadcast(tensor, root);
            }
            else
            {
                using var copy = tensor.contiguous();
                group.Broadcast(copy, root);
                tensor.copy_(copy);
            }
            n++;
        }
        return n;
    }
}
