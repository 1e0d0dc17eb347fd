using ModelZoo.Data.Transforms;

namespace ModelZoo.Data;

/// <summary>Options of <see cref="DataLoader"/>.</summary>
/// <param name="BatchSize">Samples per batch.</param>
/// <param name="Shuffle">Shuffle the order every epoch (a permutation seeded by (Seed, epoch)).</param>
/// <param name="DropLast">Drop this process's last batch when it is short.</param>
/// <param name="Seed">Seed for shuffling and for per-sample transform randomness.</param>
/// <param name="Workers">Worker threads decoding and transforming; 0 or less: <c>Math.Max(1, Environment.ProcessorCount)</c>.</param>
/// <param name="PrefetchBatches">Batches prepared ahead of the consumer (bounded queue); at least <paramref name="Workers"/> are in flight.</param>
/// <param name="Rank">This process's index among <paramref name="WorldSize"/> processes.</param>
/// <param name="WorldSize">Number of processes sharing each epoch; each gets a disjoint part.</param>
/// <param name="Transform">Applied to every sample on a worker, with a generator seeded by (Seed, epoch, index); null: none.</param>
public sealed record DataLoaderOptions(
    int BatchSize = 64,
    bool Shuffle = true,
    bool DropLast = false,
    int Seed = 0,
    int Workers = 0,
    int PrefetchBatches = 4,
    int Rank = 0,
    int WorldSize = 1,
    ITransform? Transform = null)
{
    /// <summary>The worker count actually used.</summary>
    public int EffectiveWorkers => Workers > 0 ? Workers : Math.Max(1, Environment.ProcessorCount);
}
