using ModelZoo.Data.Transforms;

namespace ModelZoo.Data;

/// <summary>Options of <see cref="DataLoader"/>.</summary>
/// <param name="BatchSize">Samples per batch.</param>
/// <param name="Shuffle">Shuffle the order every epoch (a permutation seeded by (Seed, epoch)).</param>
/// <param name="DropLast">Drop this process's last batch when it is short.</param>
/// <param name="Seed">Seed for shuffling and for per-sample transform randomness.</param>
/// <param name="Workers">
/// Worker threads decoding and transforming. <c>null</c>: one per core (<c>Math.Max(1, Environment.ProcessorCount)</c>).
/// <c>0</c>: no workers, each batch is built on the consumer's thread when it is asked for (PyTorch's
/// <c>num_workers=0</c>): the right choice for in-memory data with cheap transforms (MNIST), where worker threads would
/// only take cores from the training step.
/// </param>
/// <param name="PrefetchBatches">Batches prepared ahead of the consumer (bounded queue); at least <paramref name="Workers"/> are in flight.</param>
/// <param name="Rank">This process's index among <paramref name="WorldSize"/> processes.</param>
/// <param name="WorldSize">Number of processes sharing each epoch; each gets a disjoint part.</param>
/// <param name="Transform">Applied to every sample (on a worker, or in-line), with a generator seeded by (Seed, epoch, index); null: none.</param>
public sealed record DataLoaderOptions(
    int BatchSize = 64,
    bool Shuffle = true,
    bool DropLast = false,
    int Seed = 0,
    int? Workers = null,
    int PrefetchBatches = 4,
    int Rank = 0,
    int WorldSize = 1,
    ITransform? Transform = null)
{
    /// <summary>The worker count actually used.</summary>
    /// <remarks>0 means in-line loading on the consumer's thread.</remarks>
    public int EffectiveWorkers => Workers ?? Math.Max(1, Environment.ProcessorCount);
}
