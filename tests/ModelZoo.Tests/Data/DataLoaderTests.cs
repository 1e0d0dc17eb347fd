using System.Diagnostics;
using ModelZoo.Data;
using ModelZoo.Data.Mnist;
using ModelZoo.Data.Transforms;
using TorchSharp;

namespace ModelZoo.Tests.Data;

public class DataLoaderTests
{
    private static IImageDataset Train => MnistSample.Load().Train;

    /// <summary>Adds per-sample noise drawn from the generator, so any difference in seeding shows in the pixels.</summary>
    private sealed class NoiseTransform : ITransform
    {
        public FloatImage Apply(FloatImage image, Random random)
        {
            var copy = image.Clone();
            for (int i = 0; i < copy.Data.Length; i += 7) copy.Data[i] += random.NextSingle();
            return copy;
        }
    }

    /// <summary>Counts reads, records the threads they come from, and fails the sample at <c>failAt</c>.</summary>
    private sealed class FailingDataset(IImageDataset inner, int failAt) : IImageDataset
    {
        public int Gets;
        public readonly System.Collections.Concurrent.ConcurrentDictionary<int, bool> Threads = new();
        public int Count => inner.Count;
        public IReadOnlyList<string> ClassNames => inner.ClassNames;
        public int Channels => inner.Channels;
        public int LabelOf(int index) => inner.LabelOf(index);
        public string Describe(int index) => $"fake-file record {index}";

        public ImageSample Get(int index)
        {
            Interlocked.Increment(ref Gets);
            Threads[Environment.CurrentManagedThreadId] = true;
            if (index == failAt) throw new InvalidOperationException("boom");
            return inner.Get(index);
        }
    }

    private static List<(float[] Images, long[] Labels, int[] Indices)> Collect(DataLoader loader, int epoch)
    {
        var result = new List<(float[], long[], int[])>();
        foreach (var batch in loader.GetEpoch(epoch))
        {
            using (batch)
                result.Add((batch.Images.data<float>().ToArray(), batch.Labels.data<long>().ToArray(), batch.Indices));
        }
        return result;
    }

    [Test]
    public void BatchesMatchTheDataSet()
    {
        var dataset = new SubsetDataset(Train, Enumerable.Range(0, 300).ToArray());
        var loader = new DataLoader(dataset, new DataLoaderOptions(BatchSize: 64, Seed: 3, Workers: 2));
        Assert.That((loader.BatchesPerEpoch, loader.SamplesPerEpoch), Is.EqualTo((5, 300)));
        int seen = 0;
        foreach (var batch in loader.GetEpoch(0))
        {
            using (batch)
            {
                Assert.That(batch.Images.shape, Is.EqualTo(new long[] { batch.Count, 1, 28, 28 }));
                Assert.That(batch.Images.dtype, Is.EqualTo(torch.ScalarType.Float32));
                Assert.That(batch.Labels.dtype, Is.EqualTo(torch.ScalarType.Int64));
                var images = batch.Images.data<float>().ToArray();
                var labels = batch.Labels.data<long>().ToArray();
                for (int j = 0; j < batch.Count; j++)
                {
                    var expected = dataset.Get(batch.Indices[j]);
                    Assert.That(images.AsSpan(j * 784, 784).ToArray(), Is.EqualTo(expected.Image.Data));
                    Assert.That(labels[j], Is.EqualTo(expected.Label));
                }
                seen += batch.Count;
            }
        }
        Assert.That(seen, Is.EqualTo(300));
    }

    [Test]
    public void ShuffleIsSeededPerEpochAndIsAPermutation()
    {
        var dataset = new SubsetDataset(Train, Enumerable.Range(0, 500).ToArray());
        var a = new DataLoader(dataset, new DataLoaderOptions(BatchSize: 50, Seed: 7));
        var b = new DataLoader(dataset, new DataLoaderOptions(BatchSize: 50, Seed: 7, Workers: 1));
        Assert.That(a.EpochIndices(2), Is.EqualTo(b.EpochIndices(2)));
        Assert.That(Collect(a, 1).SelectMany(x => x.Indices), Is.EqualTo(b.EpochIndices(1)));
        Assert.That(a.EpochIndices(1), Is.Not.EqualTo(a.EpochIndices(2)));
        Assert.That(a.EpochIndices(1), Is.Not.EqualTo(new DataLoader(dataset, new DataLoaderOptions(Seed: 8)).EpochIndices(1)));
        Assert.That(a.EpochIndices(3).Order(), Is.EqualTo(Enumerable.Range(0, 500)));
        Assert.That(new DataLoader(dataset, new DataLoaderOptions(Shuffle: false)).EpochIndices(4), Is.EqualTo(Enumerable.Range(0, 500)));
    }

    [Test]
    public void TransformRandomnessIsIndependentOfWorkerCount()
    {
        var dataset = new SubsetDataset(Train, Enumerable.Range(0, 256).ToArray());
        var one = Collect(new DataLoader(dataset, new DataLoaderOptions(BatchSize: 32, Seed: 5, Workers: 1, PrefetchBatches: 1, Transform: new NoiseTransform())), 2);
        var four = Collect(new DataLoader(dataset, new DataLoaderOptions(BatchSize: 32, Seed: 5, Workers: 4, PrefetchBatches: 8, Transform: new NoiseTransform())), 2);
        Assert.That(four.Select(x => x.Indices), Is.EqualTo(one.Select(x => x.Indices)));
        for (int b = 0; b < one.Count; b++) Assert.That(four[b].Images, Is.EqualTo(one[b].Images), $"batch {b}");
        var otherEpoch = Collect(new DataLoader(dataset, new DataLoaderOptions(BatchSize: 32, Seed: 5, Shuffle: false, Transform: new NoiseTransform())), 3);
        var sameOrder = Collect(new DataLoader(dataset, new DataLoaderOptions(BatchSize: 32, Seed: 5, Shuffle: false, Transform: new NoiseTransform())), 2);
        Assert.That(otherEpoch[0].Images, Is.Not.EqualTo(sameOrder[0].Images), "a new epoch draws new augmentation");
    }

    [Test]
    public void InLineLoadingGivesTheWorkersBatchesOnTheConsumersThread()
    {
        var dataset = new SubsetDataset(Train, Enumerable.Range(0, 230).ToArray());
        var inline = new DataLoader(dataset, new DataLoaderOptions(BatchSize: 32, Seed: 5, Workers: 0, Transform: new NoiseTransform()));
        var workers = new DataLoader(dataset, new DataLoaderOptions(BatchSize: 32, Seed: 5, Workers: 2, Transform: new NoiseTransform()));
        Assert.That(inline.Options.EffectiveWorkers, Is.EqualTo(0));
        var a = Collect(inline, 1);
        var b = Collect(workers, 1);
        Assert.That(a.Select(x => x.Indices), Is.EqualTo(b.Select(x => x.Indices)));
        for (int i = 0; i < a.Count; i++)
        {
            Assert.That(a[i].Images, Is.EqualTo(b[i].Images), $"batch {i} pixels");
            Assert.That(a[i].Labels, Is.EqualTo(b[i].Labels), $"batch {i} labels");
        }

        var recording = new FailingDataset(new SubsetDataset(Train, Enumerable.Range(0, 64).ToArray()), failAt: -1);
        foreach (var batch in new DataLoader(recording, new DataLoaderOptions(BatchSize: 16, Workers: 0)).GetEpoch(0)) batch.Dispose();
        Assert.That(recording.Threads.Keys, Is.EqualTo(new[] { Environment.CurrentManagedThreadId }), "no thread but the consumer's reads samples");

        var failing = new DataLoader(new FailingDataset(new SubsetDataset(Train, Enumerable.Range(0, 100).ToArray()), failAt: 77),
            new DataLoaderOptions(BatchSize: 25, Shuffle: false, Workers: 0));
        int delivered = 0;
        var e = Assert.Throws<SampleLoadException>(() =>
        {
            foreach (var batch in failing.GetEpoch(0))
            {
                batch.Dispose();
                delivered++;
            }
        })!;
        Assert.That((delivered, e.Index), Is.EqualTo((3, 77)));
        Assert.That(e.Message, Does.Contain("fake-file record 77").And.Contain("boom"));

        Assert.Throws<ArgumentException>(() => new DataLoader(dataset, new DataLoaderOptions(Workers: -1)));
        Assert.That(new DataLoaderOptions().EffectiveWorkers, Is.EqualTo(Math.Max(1, Environment.ProcessorCount)), "null: one worker per core");
    }

    [Test]
    public void ShardsAreDisjointAndCoverTheEpoch()
    {
        var dataset = new SubsetDataset(Train, Enumerable.Range(0, 1001).ToArray());
        var all = new List<int>();
        for (int rank = 0; rank < 3; rank++)
        {
            var loader = new DataLoader(dataset, new DataLoaderOptions(BatchSize: 100, Seed: 1, Rank: rank, WorldSize: 3, Workers: 1));
            var indices = Collect(loader, 4).SelectMany(x => x.Indices).ToArray();
            Assert.That(indices, Has.Length.EqualTo(loader.SamplesPerEpoch));
            all.AddRange(indices);
        }
        Assert.That(all, Is.Unique);
        Assert.That(all.Order(), Is.EqualTo(Enumerable.Range(0, 1001)));

        var dropped = Enumerable.Range(0, 3).Select(r => new DataLoader(dataset, new DataLoaderOptions(BatchSize: 100, DropLast: true, Rank: r, WorldSize: 3))).ToArray();
        Assert.That(dropped.Select(d => d.BatchesPerEpoch), Is.All.EqualTo(3), "with drop-last every rank sees the same number of batches");
    }

    [Test]
    public void DropLastDropsTheShortBatch()
    {
        var dataset = new SubsetDataset(Train, Enumerable.Range(0, 1000).ToArray());
        var keep = Collect(new DataLoader(dataset, new DataLoaderOptions(BatchSize: 64, Workers: 2)), 0);
        var drop = Collect(new DataLoader(dataset, new DataLoaderOptions(BatchSize: 64, DropLast: true, Workers: 2)), 0);
        Assert.That(keep.Select(b => b.Indices.Length), Is.EqualTo(Enumerable.Repeat(64, 15).Append(40)));
        Assert.That(drop.Select(b => b.Indices.Length), Is.EqualTo(Enumerable.Repeat(64, 15)));
    }

    [Test]
    public void WorkerErrorReachesTheConsumerNamingTheSample()
    {
        var failing = new FailingDataset(Train, failAt: 130);
        var loader = new DataLoader(failing, new DataLoaderOptions(BatchSize: 50, Shuffle: false, Workers: 2));
        int delivered = 0;
        var e = Assert.Throws<SampleLoadException>(() =>
        {
            foreach (var batch in loader.GetEpoch(0))
            {
                batch.Dispose();
                delivered++;
            }
        })!;
        Assert.That(delivered, Is.EqualTo(2), "batches before the bad one are delivered in order");
        Assert.That(e.Index, Is.EqualTo(130));
        Assert.That(e.Message, Does.Contain("fake-file record 130").And.Contain("boom"));
        Assert.That(e, Is.InstanceOf<ModelZooDataException>());
    }

    [Test]
    public void StoppingEarlyStopsTheWorkersWithoutHanging()
    {
        var counting = new FailingDataset(Train, failAt: -1);
        var loader = new DataLoader(counting, new DataLoaderOptions(BatchSize: 16, Workers: 2, PrefetchBatches: 2));
        var watch = Stopwatch.StartNew();
        int taken = 0;
        foreach (var batch in loader.GetEpoch(0))
        {
            batch.Dispose();
            if (++taken == 2) break;
        }
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        int gets = counting.Gets;
        Thread.Sleep(200);
        Assert.That(counting.Gets, Is.EqualTo(gets), "no work continues after the consumer left");
        Assert.That(gets, Is.LessThanOrEqualTo(16 * (2 + 2 + 2)), "prefetch is bounded");

        using var cts = new CancellationTokenSource();
        Assert.Throws<OperationCanceledException>(() =>
        {
            foreach (var batch in loader.GetEpoch(1, cts.Token))
            {
                batch.Dispose();
                cts.Cancel();
            }
        });
    }

    [Test]
    public void NativeMemoryIsFlatAcrossEpochs()
    {
        var dataset = new SubsetDataset(Train, Enumerable.Range(0, 2000).ToArray());
        var loader = new DataLoader(dataset, new DataLoaderOptions(BatchSize: 100, Workers: 2, Transform: new NoiseTransform()));
        long liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        long rssAfterFirst = 0;
        for (int epoch = 0; epoch < 6; epoch++)
        {
            foreach (var batch in loader.GetEpoch(epoch)) batch.Dispose();
            Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(liveBefore), $"live tensors after epoch {epoch}");
            GC.Collect();
            if (epoch == 1) rssAfterFirst = Process.GetCurrentProcess().WorkingSet64;
        }
        long growth = Process.GetCurrentProcess().WorkingSet64 - rssAfterFirst;
        Assert.That(growth, Is.LessThan(64L << 20), "resident memory stays flat");
    }
}
