using ModelZoo.Data;
using ModelZoo.Data.Folders;
using ModelZoo.Data.Imaging;

namespace ModelZoo.Tests.Data.Folders;

/// <summary>
/// Issue 27, item 7: under <see cref="OnBadImage.Skip"/> a file that passes the load-time preflight but fails to decode
/// (damaged image data) is left out of its batch, recorded with the load-time skips and counted against
/// <see cref="ImageFolderOptions.MaxBadFraction"/>; the batches and the record are the same for every worker count
/// and for a run resumed at a later epoch. The damaged files here are PNGs whose header and IEND are intact but whose
/// compressed pixel data is not (every decoder fails on them, so the tests do not depend on libjpeg-turbo).
/// </summary>
public class DecodeTimeBadImageTests
{
    private static string _root = "";
    private static string[] _damaged = [];

    [OneTimeSetUp]
    public void MakeFolder()
    {
        _root = ImageTestData.TempDir("decode-bad");
        var digits = DataSpec.Resolve("mnist-sample").Train;
        int n = 0;
        foreach (string cls in new[] { "a", "b" })
        {
            string dir = Path.Combine(_root, cls);
            Directory.CreateDirectory(dir);
            for (int i = 0; i < 20; i++) TestPng.WriteGrey(Path.Combine(dir, $"{i:D2}.png"), digits.Get(n++).Image);
        }
        _damaged = [Path.Combine(_root, "a", "03.png"), Path.Combine(_root, "a", "11.png"), Path.Combine(_root, "b", "07.png")];
        foreach (string path in _damaged) File.WriteAllBytes(path, DamagedPng());
    }

    [OneTimeTearDown]
    public void CleanUp()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    /// <summary>A 28x28 grey PNG with a valid header, a zlib header and then garbage where the deflate data should be, and an IEND.</summary>
    internal static byte[] DamagedPng()
    {
        var garbage = new byte[200];
        new Random(5).NextBytes(garbage);
        garbage[0] = 0x78;
        garbage[1] = 0x9C;
        return ImageTestData.Png(28, 28, 8, 0, garbage);
    }

    private static ImageFolderDataset Load(double maxBad = 0.2) => ImageFolder.LoadSingle(_root, new ImageFolderOptions
    {
        Channels = 1, OnBadImage = OnBadImage.Skip, MaxBadFraction = maxBad,
    });

    /// <summary>Every batch of the given epochs: (indices, labels, pixel sum).</summary>
    private static List<(int[] Indices, long[] Labels, double Sum)> Batches(DataLoader loader, params int[] epochs)
    {
        var result = new List<(int[], long[], double)>();
        foreach (int epoch in epochs)
        {
            foreach (var batch in loader.GetEpoch(epoch))
            {
                using (batch)
                    result.Add((batch.Indices, batch.Labels.data<long>().ToArray(), batch.Images.sum().item<float>()));
            }
        }
        return result;
    }

    [Test]
    public void TheDamagedFilesPassThePreflightAndFailToDecode()
    {
        using var decoder = new SafeImageDecoder(new ImageDecodeOptions(1));
        foreach (string path in _damaged)
        {
            Assert.DoesNotThrow(() => decoder.Inspect(path), "the header, size and end marker are fine");
            Assert.That(Assert.Throws<BadImageException>(() => decoder.Decode(path))!.Path, Is.EqualTo(path));
        }
        Assert.That(Load().Skipped, Is.Empty, "nothing is skipped at load time");
    }

    [Test]
    public void BadFilesAreDroppedFromTheirBatchesTheSameWayForEveryWorkerCount()
    {
        List<(int[] Indices, long[] Labels, double Sum)>? reference = null;
        List<SkippedImage>? referenceSkipped = null;
        foreach (int workers in new[] { 0, 1, 3 })
        {
            var data = Load();
            var loader = new DataLoader(data, new DataLoaderOptions(BatchSize: 4, Shuffle: true, Seed: 11, Workers: workers));
            var batches = Batches(loader, 0, 1);
            var damagedIndices = _damaged.Select(p => data.Paths.ToList().IndexOf(p)).ToHashSet();
            Assert.That(batches.SelectMany(b => b.Indices).Count(damagedIndices.Contains), Is.Zero, "no damaged file reaches a batch");
            Assert.That(batches.Sum(b => b.Indices.Length), Is.EqualTo(2 * (40 - 3)), "every other file, once per epoch");
            Assert.That(batches.Count(b => b.Indices.Length < 4), Is.GreaterThan(0), "the batches that held one are smaller");
            Assert.That(data.Skipped.Select(s => s.Path), Is.EquivalentTo(_damaged));
            Assert.That(data.Skipped.Select(s => s.Reason), Has.All.Contain("decoder error"));
            if (reference is null)
            {
                reference = batches;
                referenceSkipped = data.Skipped.ToList();
                continue;
            }
            Assert.That(batches.Select(b => b.Indices), Is.EqualTo(reference.Select(b => b.Indices)), $"workers {workers}");
            Assert.That(batches.Select(b => b.Labels), Is.EqualTo(reference.Select(b => b.Labels)), $"workers {workers}");
            Assert.That(batches.Select(b => b.Sum), Is.EqualTo(reference.Select(b => b.Sum)), $"workers {workers}");
            Assert.That(data.Skipped, Is.EqualTo(referenceSkipped), "the same record, in the same order");
        }

        // A run resumed at epoch 1 (a fresh process: nothing known about the files) sees epoch 1's batches unchanged.
        var resumed = new DataLoader(Load(), new DataLoaderOptions(BatchSize: 4, Shuffle: true, Seed: 11, Workers: 2));
        var epoch1 = Batches(resumed, 1);
        var all = reference!;
        Assert.That(epoch1.Select(b => b.Indices), Is.EqualTo(all.Skip(all.Count - epoch1.Count).Select(b => b.Indices)));
    }

    [Test]
    public void ABatchWhoseEverySampleIsBadTakesTheNextGoodOne()
    {
        var data = Load();
        var loader = new DataLoader(data, new DataLoaderOptions(BatchSize: 1, Shuffle: false, Workers: 0));
        var batches = Batches(loader, 0);
        Assert.That(batches, Has.All.Matches<(int[] Indices, long[] Labels, double Sum)>(b => b.Indices.Length == 1), "no empty batch");
        int bad = data.Paths.ToList().IndexOf(_damaged[0]);
        Assert.That(batches[bad].Indices[0], Is.EqualTo(bad + 1), "the damaged file's slot holds the next file of the epoch");
    }

    [Test]
    public void DecodeTimeFailuresCountAgainstTheBadFractionAtTheSameBatchForEveryWorkerCount()
    {
        // 3 of 40 bad (7.5 %) is over a 5 % limit: the third one ends the epoch with the folder error.
        var reached = new List<int>();
        foreach (int workers in new[] { 0, 3 })
        {
            var loader = new DataLoader(Load(maxBad: 0.05), new DataLoaderOptions(BatchSize: 4, Shuffle: true, Seed: 2, Workers: workers));
            int yielded = 0;
            var e = Assert.Throws<ImageFolderException>(() =>
            {
                foreach (var batch in loader.GetEpoch(0))
                {
                    batch.Dispose();
                    yielded++;
                }
            })!;
            Assert.That(e.Message, Does.Contain("3 of 40 image files are bad").And.Contain("over the 5% limit"));
            reached.Add(yielded);
        }
        Assert.That(reached.Distinct().Count(), Is.EqualTo(1), "the same batch with 0 and 3 workers");
    }

    [Test]
    public void UnderFailTheFirstDamagedFileStopsTheEpochNamingIt()
    {
        var data = ImageFolder.LoadSingle(_root, new ImageFolderOptions { Channels = 1 });
        var loader = new DataLoader(data, new DataLoaderOptions(BatchSize: 4, Shuffle: false, Workers: 2));
        var e = Assert.Throws<SampleLoadException>(() => Batches(loader, 0))!;
        Assert.That(e.Message, Does.Contain(_damaged[0]));
    }
}
