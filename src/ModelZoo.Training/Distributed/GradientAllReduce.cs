using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>
/// Data-parallel gradient averaging as an <see cref="IGradientHook"/> (after unscaling, before clipping and the
/// optimiser step): the gradients are packed into a few flat buckets of at most <see cref="BucketBytes"/> (PyTorch
/// DDP's 25 MB by default, grouped by element type), each bucket is summed over the processes with one all-reduce,
/// divided by the number of processes, and copied back. With every rank on its shard of the global batch this gives
/// every rank the gradient of the whole batch, so the ranks step alike.
/// </summary>
public sealed class GradientAllReduce : IGradientHook
{
    private readonly IProcessGroup _group;

    /// <summary>Creates the hook.</summary>
    /// <param name="group">The processes.</param>
    /// <param name="bucketBytes">Largest bucket in bytes (a single larger gradient gets a bucket of its own).</param>
    public GradientAllReduce(IProcessGroup group, long bucketBytes = 25L * 1024 * 1024)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (bucketBytes < 1) throw new ArgumentOutOfRangeException(nameof(bucketBytes), "bucket size must be positive");
        _group = group;
        BucketBytes = bucketBytes;
    }

    /// <summary>Largest bucket in bytes.</summary>
    public long BucketBytes { get; }

    /// <summary>All-reduce calls made so far (buckets, not parameters).</summary>
    public long Calls { get; private set; }

    /// <summary>Wall-clock time spent in this hook (packing, all-reduce, unpacking), for the all-reduce share of a step.</summary>
    public TimeSpan Elapsed => _watch.Elapsed;

    /// <summary>Bytes all-reduced per step by this process (the gradients' size).</summary>
    public long BytesPerStep { get; private set; }

    private readonly System.Diagnostics.Stopwatch _watch = new();

    /// <inheritdoc />
    public void OnGradients(IReadOnlyList<Parameter> parameters, long step)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (_group.WorldSize == 1) return;
        _watch.Start();
        try
        {
            Reduce(parameters);
        }
        finally
        {
            _watch.Stop();
        }
    }

    private void Reduce(IReadOnlyList<Parameter> parameters)
    {
        using var scope = NewDisposeScope();
        long bytes = 0;
        var grads = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToList();
        foreach (var bucket in Buckets(grads))
        {
            var flat = cat(bucket.Select(g => g.flatten()).ToList()).contiguous();
            bytes += flat.numel() * flat.element_size();
            _group.AllReduceSum(flat);
            Calls++;
            flat.div_(_group.WorldSize);
            long offset = 0;
            foreach (var g in bucket)
            {
                long n = g.numel();
                g.copy_(flat.narrow(0, offset, n).view(g.shape));
                offset += n;
            }
        }
        BytesPerStep = bytes;
    }

    private IEnumerable<List<Tensor>> Buckets(List<Tensor> grads)
    {
        foreach (var byType in grads.GroupBy(g => g.dtype))
        {
            var bucket = new List<Tensor>();
            long bytes = 0;
            foreach (var g in byType)
            {
                long size = g.numel() * g.element_size();
                if (bucket.Count > 0 && bytes + size > BucketBytes)
                {
                    yield return bucket;
                    bucket = [];
                    bytes = 0;
                }
                bucket.Add(g);
                bytes += size;
            }
            if (bucket.Count > 0) yield return bucket;
        }
    }
}
