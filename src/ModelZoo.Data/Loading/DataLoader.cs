using static TorchSharp.torch;

namespace ModelZoo.Data;

/// <summary>
/// Turns an <see cref="IImageDataset"/> into batches: worker threads decode and transform samples into one
/// contiguous float buffer per batch, a bounded number of batches ahead of the consumer; the consumer's thread
/// wraps each buffer in a single tensor (N, C, H, W) plus an int64 label tensor.
/// </summary>
/// <remarks>
/// Determinism: the epoch's order is a permutation seeded by (Seed, epoch); each sample's transform gets a
/// <see cref="Random"/> seeded by (Seed, epoch, data-set index), so batches are identical whatever the worker count
/// or thread timing. Sharding: the epoch's order is dealt round-robin to (Rank, WorldSize), so the processes' parts
/// are disjoint and together cover the epoch (with DropLast every rank gets floor(N / WorldSize) samples, so all
/// ranks see the same number of batches). Stopping early (leaving the foreach, or cancelling) stops the workers.
/// A sample that fails surfaces to the consumer as a <see cref="SampleLoadException"/> naming it, in batch order.
/// Bad images of a data set that skips them (<see cref="ISkipsBadSamples"/>: an image folder under
/// <see cref="Folders.OnBadImage.Skip"/>) are left out of their batch instead, which is then smaller, and reported to
/// the data set on the consumer's thread in batch order; a batch whose every sample is bad takes the next good
/// sample of the epoch's order. Whether a file decodes does not depend on the thread or the epoch, so the batches
/// and the record are the same for any worker count and after a resume.
/// </remarks>
public sealed class DataLoader : IBatchSource
{
    private static readonly TimeSpan WorkerStopTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Creates a loader over <paramref name="dataset"/>.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public DataLoader(IImageDataset dataset, DataLoaderOptions? options = null)
    {
        options ??= new DataLoaderOptions();
        if (options.BatchSize <= 0) throw new ArgumentException($"batch size must be positive, got {options.BatchSize}", nameof(options));
        if (options.WorldSize <= 0) throw new ArgumentException($"world size must be positive, got {options.WorldSize}", nameof(options));
        if (options.Rank < 0 || options.Rank >= options.WorldSize)
            throw new ArgumentException($"rank {options.Rank} is outside 0..{options.WorldSize - 1}", nameof(options));
        if (options.Workers < 0) throw new ArgumentException($"workers must be 0 (in-line) or more, got {options.Workers}", nameof(options));
        if (options.PrefetchBatches <= 0) throw new ArgumentException($"prefetch must be positive, got {options.PrefetchBatches}", nameof(options));
        Dataset = dataset;
        Options = options;
        int n = dataset.Count;
        ShardSize = options.DropLast
            ? n / options.WorldSize
            : n / options.WorldSize + (options.Rank < n % options.WorldSize ? 1 : 0);
        BatchesPerEpoch = options.DropLast ? ShardSize / options.BatchSize : (ShardSize + options.BatchSize - 1) / options.BatchSize;
        SamplesPerEpoch = options.DropLast ? BatchesPerEpoch * options.BatchSize : ShardSize;
        _staging = new StagingPool(options.PrefetchBatches + options.EffectiveWorkers + 1);
    }

    private readonly StagingPool _staging;

    /// <summary>The data set.</summary>
    public IImageDataset Dataset { get; }

    /// <summary>The options.</summary>
    public DataLoaderOptions Options { get; }

    /// <summary>Samples dealt to this rank per epoch, before dropping a short last batch.</summary>
    public int ShardSize { get; }

    /// <inheritdoc />
    public int SamplesPerEpoch { get; }

    /// <inheritdoc />
    public int BatchesPerEpoch { get; }

    /// <summary>The data-set indices this rank sees in epoch <paramref name="epoch"/>, in order (after drop-last).</summary>
    public int[] EpochIndices(int epoch)
    {
        int n = Dataset.Count;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (Options.Shuffle) new Random(CombineSeed(Options.Seed, epoch, -1)).Shuffle(order);
        var shard = new int[SamplesPerEpoch];
        for (int j = 0; j < shard.Length; j++) shard[j] = order[Options.Rank + j * Options.WorldSize];
        return shard;
    }

    /// <summary>The seed of the generator handed to the transform for sample <paramref name="index"/> in <paramref name="epoch"/>.</summary>
    public static int SampleSeed(int seed, int epoch, int index) => CombineSeed(seed, epoch, index);

    /// <inheritdoc />
    public IEnumerable<Batch> GetEpoch(int epoch, CancellationToken cancellationToken = default)
    {
        var indices = EpochIndices(epoch);
        int batches = BatchesPerEpoch;
        if (batches == 0) yield break;
        if (Options.EffectiveWorkers == 0)
        {
            // In-line loading: each batch is built on the consumer's thread when it is asked for (BuildBatch checks
            // the token before every sample).
            for (int b = 0; b < batches; b++)
            {
                var built = BuildBatch(epoch, indices, b, cancellationToken);
                built.ReportDropped(Dataset);
                yield return built.ToBatch();
            }

            yield break;
        }

        using var pipeline = new Pipeline(this, epoch, indices, batches, cancellationToken);
        for (int b = 0; b < batches; b++)
        {
            var prepared = pipeline.Take(b);
            prepared.ReportDropped(Dataset);
            yield return prepared.ToBatch();
        }
    }

    private static int CombineSeed(int seed, int epoch, int index)
    {
        ulong x = Mix((ulong)(uint)seed);
        x = Mix(x ^ (ulong)(uint)epoch);
        x = Mix(x ^ (ulong)(uint)index);
        return (int)(x & 0x7fffffff);
    }

    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    private Prepared BuildBatch(int epoch, int[] indices, int b, CancellationToken token)
    {
        var options = Options;
        bool skip = Dataset is ISkipsBadSamples { SkipsBadSamples: true };
        int start = b * options.BatchSize;
        int count = Math.Min(options.BatchSize, indices.Length - start);
        var batch = new Assembly(count, _staging, Describe);
        List<(int Index, Imaging.BadImageException Error)>? dropped = null;
        for (int j = 0; j < count; j++)
        {
            token.ThrowIfCancellationRequested();
            int index = indices[start + j];
            if (TryLoad(epoch, index, skip, ref dropped) is { } image) batch.Add(index, image.Image, image.Label);
        }
        // A batch whose every sample is bad takes the next good sample of this epoch's order in their place, so no
        // batch is empty (the same one whatever the worker count: decoding a file gives the same result on any thread).
        for (int step = 1; batch.Count == 0 && step < indices.Length; step++)
        {
            token.ThrowIfCancellationRequested();
            int index = indices[(start + count - 1 + step) % indices.Length];
            if (TryLoad(epoch, index, skip, ref dropped) is { } image) batch.Add(index, image.Image, image.Label);
        }
        if (batch.Count == 0)
            throw new SampleLoadException(indices[start], Describe(indices[start]), "every sample of the epoch failed to decode", dropped?[0].Error);
        return batch.Finish(dropped);
    }

    /// <summary>
    /// Decodes and transforms one sample; null when it is a bad image that the data set skips (recorded in
    /// <paramref name="dropped"/>, reported to the data set by the consumer in batch order).
    /// </summary>
    private ImageSample? TryLoad(int epoch, int index, bool skip, ref List<(int Index, Imaging.BadImageException Error)>? dropped)
    {
        try
        {
            var sample = Dataset.Get(index);
            var image = sample.Image;
            if (Options.Transform is { } transform)
                image = transform.Apply(image, new Random(SampleSeed(Options.Seed, epoch, index)));
            return new ImageSample(image, sample.Label);
        }
        catch (Imaging.BadImageException e) when (skip)
        {
            (dropped ??= []).Add((index, e));
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new SampleLoadException(index, Describe(index), e is ModelZooDataException ? e.Message : $"{e.GetType().Name}: {e.Message}", e);
        }
    }

    /// <summary>Collects one batch's samples into a staging buffer; <see cref="Finish"/> trims it when samples were dropped.</summary>
    private sealed class Assembly(int capacity, StagingPool pool, Func<int, string> describe)
    {
        private readonly long[] _labels = new long[capacity];
        private readonly int[] _indices = new int[capacity];
        private float[]? _pixels;
        private ImageShape _shape;
        private int _size;

        public int Count { get; private set; }

        public void Add(int index, FloatImage image, int label)
        {
            if (_pixels is null)
            {
                _shape = new ImageShape(image.Channels, image.Height, image.Width);
                _size = image.Data.Length;
                _pixels = pool.Rent((long)_size * capacity);
            }
            else if (image.Channels != _shape.Channels || image.Height != _shape.Height || image.Width != _shape.Width)
            {
                throw new SampleLoadException(index, describe(index),
                    $"image is {image.Channels}x{image.Height}x{image.Width} but the batch's first is {_shape}; add a resize or crop transform", null);
            }
            Array.Copy(image.Data, 0, _pixels, (long)Count * _size, _size);
            _labels[Count] = label;
            _indices[Count] = index;
            Count++;
        }

        public Prepared Finish(List<(int Index, Imaging.BadImageException Error)>? dropped)
        {
            if (Count == capacity) return new Prepared(_pixels!, _shape, _labels, _indices, pool, dropped);
            var pixels = GC.AllocateUninitializedArray<float>(checked(Count * _size));
            Array.Copy(_pixels!, pixels, pixels.Length);
            pool.Return(_pixels!);
            return new Prepared(pixels, _shape, _labels[..Count], _indices[..Count], pool, dropped);
        }
    }

    private string Describe(int index)
    {
        try
        {
            return Dataset.Describe(index);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return $"index {index}";
        }
    }

    private sealed record Prepared(float[] Pixels, ImageShape Shape, long[] Labels, int[] Indices, StagingPool Pool,
        List<(int Index, Imaging.BadImageException Error)>? Dropped)
    {
        /// <summary>Reports the dropped samples to the data set, in batch order (it may refuse: too many bad files).</summary>
        public void ReportDropped(IImageDataset dataset)
        {
            if (Dropped is null || dataset is not ISkipsBadSamples skipper) return;
            try
            {
                foreach (var (index, error) in Dropped) skipper.RecordBadSample(index, error);
            }
            catch
            {
                Pool.Return(Pixels);
                throw;
            }
        }

        public Batch ToBatch()
        {
            try
            {
                // tensor() copies, so the staging buffer can be reused as soon as it returns.
                var images = tensor(Pixels, [Indices.Length, Shape.Channels, Shape.Height, Shape.Width]);
                var labels = tensor(Labels);
                return new Batch(images, labels, Indices);
            }
            finally
            {
                Pool.Return(Pixels);
            }
        }
    }

    /// <summary>
    /// Reuses the float staging buffers that batches are assembled in. A 64 x 3 x 224 x 224 batch is 38.5 MB: allocated
    /// fresh for every batch, each one costs a full round of page faults and large-object-heap collections, which on a
    /// 2-core virtual machine took longer than decoding the JPEGs. Buffers come back once their tensor has been copied.
    /// </summary>
    private sealed class StagingPool(int capacity)
    {
        private readonly System.Collections.Concurrent.ConcurrentBag<float[]> _free = new();

        public float[] Rent(long length)
        {
            int budget = _free.Count;
            while (budget-- > 0 && _free.TryTake(out var buffer))
            {
                if (buffer.LongLength == length) return buffer;
                // A short final batch or another image size: drop the mismatched buffer rather than keep it forever.
            }
            return GC.AllocateUninitializedArray<float>(checked((int)length));
        }

        public void Return(float[] buffer)
        {
            if (_free.Count < capacity) _free.Add(buffer);
        }
    }

    private sealed class Pipeline : IDisposable
    {
        private readonly DataLoader _loader;
        private readonly int _epoch;
        private readonly int[] _indices;
        private readonly int _batches;
        private readonly CancellationToken _consumerToken;
        private readonly CancellationTokenSource _stop;
        private readonly SemaphoreSlim _slots;
        private readonly TaskCompletionSource<Prepared>[] _results;
        private readonly Task[] _workers;
        private int _next = -1;

        public Pipeline(DataLoader loader, int epoch, int[] indices, int batches, CancellationToken cancellationToken)
        {
            _loader = loader;
            _epoch = epoch;
            _indices = indices;
            _batches = batches;
            _consumerToken = cancellationToken;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            int workers = Math.Min(loader.Options.EffectiveWorkers, batches);
            _slots = new SemaphoreSlim(Math.Max(loader.Options.PrefetchBatches, workers));
            _results = new TaskCompletionSource<Prepared>[batches];
            for (int b = 0; b < batches; b++) _results[b] = new TaskCompletionSource<Prepared>(TaskCreationOptions.RunContinuationsAsynchronously);
            _workers = new Task[workers];
            for (int w = 0; w < workers; w++)
                _workers[w] = Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        public Prepared Take(int b)
        {
            var task = _results[b].Task;
            try
            {
                task.Wait(_consumerToken);
            }
            catch (AggregateException)
            {
                // rethrown unwrapped below
            }
            _slots.Release();
            return task.GetAwaiter().GetResult();
        }

        public void Dispose()
        {
            _stop.Cancel();
            bool stopped;
            try
            {
                stopped = Task.WaitAll(_workers, WorkerStopTimeout);
            }
            catch (AggregateException)
            {
                stopped = true;
            }
            if (stopped)
            {
                _stop.Dispose();
                _slots.Dispose();
            }
        }

        private void Work()
        {
            var token = _stop.Token;
            while (true)
            {
                try
                {
                    _slots.Wait(token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                int b = Interlocked.Increment(ref _next);
                if (b >= _batches) return;
                try
                {
                    _results[b].TrySetResult(_loader.BuildBatch(_epoch, _indices, b, token));
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    _results[b].TrySetCanceled(token);
                    return;
                }
                catch (Exception e)
                {
                    _results[b].TrySetException(e);
                }
            }
        }

    }
}
