using System.Diagnostics;
using ModelZoo.Data;
using ModelZoo.Data.Idx;
using ModelZoo.Data.Mnist;

namespace ModelZoo.Tests.Data;

public class IdxReaderTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "mz-idx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    /// <summary>Runs <paramref name="read"/>, expecting a typed IDX error naming the file within the time and allocation budget.</summary>
    private static InvalidIdxFileException Rejects(string path, Action<string> read, string expected, long maxAllocatedBytes = 4 << 20, int maxMilliseconds = 3000)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<InvalidIdxFileException>(() => read(path))!;
        watch.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(e.Path, Is.EqualTo(path));
        Assert.That(e.Message, Does.Contain(path).And.Contain(expected));
        Assert.That(watch.ElapsedMilliseconds, Is.LessThan(maxMilliseconds), "time budget");
        Assert.That(allocated, Is.LessThan(maxAllocatedBytes), "allocation budget");
        return e;
    }

    private static void ReadImages(string p) => IdxReader.ReadImages(p);
    private static void ReadLabels(string p) => IdxReader.ReadLabels(p);

    [Test]
    public void ReadsValidRawAndGzipFilesAlike()
    {
        var raw = IdxTestFiles.Images(3, 2, 4);
        var a = IdxReader.ReadImages(IdxTestFiles.Write(_dir, "a", raw));
        var b = IdxReader.ReadImages(IdxTestFiles.Write(_dir, "b.bin", IdxTestFiles.Gzip(raw)));
        Assert.That((a.Count, a.Rows, a.Columns), Is.EqualTo((3, 2, 4)));
        Assert.That(b.Pixels, Is.EqualTo(a.Pixels));
        Assert.That(a.Pixels, Is.EqualTo(raw[16..]));
    }

    [Test]
    public void WrongMagicIsRejected()
    {
        Rejects(IdxTestFiles.Write(_dir, "images", IdxTestFiles.Images(2, 28, 28, magic: 0x0803_0000)), ReadImages, "wrong magic number");
        var e = Rejects(IdxTestFiles.Write(_dir, "labels-as-images", IdxTestFiles.Labels(1, 2, 3)), ReadImages, "wrong magic number");
        Assert.That(e.Message, Does.Contain("labels file"));
        Rejects(IdxTestFiles.Write(_dir, "images-as-labels", IdxTestFiles.Images(1, 2, 2)), ReadLabels, "images file");
    }

    [Test]
    public void TruncatedPayloadIsRejectedRawAndGzip()
    {
        var truncated = IdxTestFiles.Images(10, 28, 28, payloadBytes: 5000);
        Rejects(IdxTestFiles.Write(_dir, "t", truncated), ReadImages, "truncated");
        Rejects(IdxTestFiles.Write(_dir, "t.gz", IdxTestFiles.Gzip(truncated)), ReadImages, "truncated payload");
        Rejects(IdxTestFiles.Write(_dir, "h", new byte[] { 0, 0, 8, 3, 0, 0 }), ReadImages, "truncated header");
        Rejects(IdxTestFiles.Write(_dir, "l", IdxTestFiles.Labels(5, [1, 2])), ReadLabels, "truncated");
    }

    [Test]
    public void TrailingBytesAreRejectedRawAndGzip()
    {
        var trailing = IdxTestFiles.Images(2, 28, 28, payloadBytes: 2 * 28 * 28 + 3);
        Rejects(IdxTestFiles.Write(_dir, "x", trailing), ReadImages, "3 trailing bytes");
        Rejects(IdxTestFiles.Write(_dir, "x.gz", IdxTestFiles.Gzip(trailing)), ReadImages, "trailing bytes");
    }

    [Test]
    public void OverflowingOrHugeDimensionsAreRejectedBeforeAllocating()
    {
        // 4 billion images of 4096x4096: 2^56 bytes; rejected from the header alone.
        Rejects(IdxTestFiles.Write(_dir, "huge", IdxTestFiles.Images(uint.MaxValue, 28, 28, payloadBytes: 0)), ReadImages, "too large");
        Rejects(IdxTestFiles.Write(_dir, "big", IdxTestFiles.Images(int.MaxValue, 4096, 4096, payloadBytes: 0)), ReadImages, "over the limit");
        Rejects(IdxTestFiles.Write(_dir, "wide", IdxTestFiles.Images(1, uint.MaxValue, uint.MaxValue, payloadBytes: 0)), ReadImages, "outside 1..");
        Rejects(IdxTestFiles.Write(_dir, "zero", IdxTestFiles.Images(5, 0, 28, payloadBytes: 0)), ReadImages, "outside 1..");
        // A small gzip file declaring 1 GiB - under the limit, but more than its size can expand to.
        Rejects(IdxTestFiles.Write(_dir, "liar.gz", IdxTestFiles.Gzip(IdxTestFiles.Images(1_000_000, 32, 32, payloadBytes: 100))), ReadImages, "gzip bomb");
        Rejects(IdxTestFiles.Write(_dir, "labels", IdxTestFiles.Labels(uint.MaxValue, [])), ReadLabels, "over the limit");
    }

    [Test]
    public void LabelsOutOfRangeAreRejected()
    {
        var e = Rejects(IdxTestFiles.Write(_dir, "labels", IdxTestFiles.Labels(1, 2, 10, 3)), ReadLabels, "label 10 of record 2");
        Assert.That(e.Problem, Does.Contain("outside 0..9"));
    }

    [Test]
    public void MismatchedCountsAreRejected()
    {
        string images = IdxTestFiles.Write(_dir, "images", IdxTestFiles.Images(3, 28, 28));
        string labels = IdxTestFiles.Write(_dir, "labels", IdxTestFiles.Labels(1, 2));
        var e = Assert.Throws<InvalidIdxFileException>(() => IdxDataset.Load(images, labels, MnistFamily.Mnist.ClassNames))!;
        Assert.That(e.Message, Does.Contain("2 labels").And.Contain("3 images").And.Contain(labels).And.Contain(images));
    }

    [Test]
    public void BadGzipIsRejected()
    {
        var gz = IdxTestFiles.Gzip(IdxTestFiles.Images(20, 28, 28));
        for (int i = 30; i < gz.Length - 8; i += 7) gz[i] ^= 0x5a;
        Rejects(IdxTestFiles.Write(_dir, "bad.gz", gz), ReadImages, "");
        Rejects(IdxTestFiles.Write(_dir, "header.gz", new byte[] { 0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8 }), ReadImages, "");
    }

    [Test]
    public void GzipBombStopsAtTheDeclaredSize()
    {
        // 10 images declared, then 256 MiB of zeros in about 0.25 MB of gzip: reading stops one byte past the payload.
        var bomb = IdxTestFiles.GzipBomb(IdxTestFiles.Images(10, 28, 28), 256L << 20);
        Assert.That(bomb.Length, Is.LessThan(2 << 20));
        Rejects(IdxTestFiles.Write(_dir, "bomb.gz", bomb), ReadImages, "trailing bytes", maxAllocatedBytes: 1 << 20, maxMilliseconds: 2000);
    }

    [Test]
    public void RealSampleFilesReadCorrectly()
    {
        var (train, test) = MnistFiles.Load(IdxTestFiles.SharedMnist, MnistFamily.Mnist.ClassNames);
        Assert.That(train.Count, Is.EqualTo(8000));
        Assert.That(test!.Count, Is.EqualTo(2000));
        Assert.That((train.Rows, train.Columns, train.Channels), Is.EqualTo((28, 28, 1)));
        var counts = new int[10];
        for (int i = 0; i < train.Count; i++) counts[train.LabelOf(i)]++;
        Assert.That(counts, Is.EqualTo(new[] { 804, 893, 766, 837, 781, 716, 809, 861, 747, 786 }));
        var sample = train.Get(0);
        Assert.That(sample.Image.Data.Min(), Is.EqualTo(0f));
        Assert.That(sample.Image.Data.Max(), Is.InRange(0.5f, 1f));
        Assert.That(sample.Image.Data.Count(v => v > 0.5f), Is.InRange(40, 400), "a digit covers part of the 28x28 frame");
        Assert.That(train.Describe(5), Does.Contain("train-images").And.Contain("record 5"));
    }

    [Test]
    public void EmbeddedSampleMatchesTheSharedFiles()
    {
        var (train, test) = MnistSample.Load();
        var (sharedTrain, _) = MnistFiles.Load(IdxTestFiles.SharedMnist, MnistFamily.Mnist.ClassNames);
        Assert.That((train.Count, test.Count), Is.EqualTo((8000, 2000)));
        Assert.That(train.RawImage(1234).ToArray(), Is.EqualTo(sharedTrain.RawImage(1234).ToArray()));
        Assert.That(train.LabelOf(1234), Is.EqualTo(sharedTrain.LabelOf(1234)));
    }
}
