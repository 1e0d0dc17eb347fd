using System.Diagnostics;
using ModelZoo.Weights;
using static ModelZoo.Tests.Weights.TorchZipBuilder;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Weights;

/// <summary>
/// Issue 27, item 4: small torch.save files that ask for a lot of memory. Each is refused with a typed error naming
/// the file, before the memory is allocated: within seconds and a few hundred MB of peak RSS, where the unchecked
/// reader took gigabytes. The controls show that the legitimate shapes of the same tricks (tied weights, a small
/// broadcast buffer) still load, with the right values.
/// </summary>
public class TorchFileLimitTests
{
    private const long GiB = 1L << 30;
    private string _dir = "";

    [SetUp]
    public void MakeFolder()
    {
        _dir = Path.Combine(Path.GetTempPath(), "modelzoo-limits-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void RemoveFolder()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private static byte[] Floats(params float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    /// <summary>Reads the file expecting a refusal; asserts it names the file, took under 10 s and under 500 MB of peak RSS growth.</summary>
    private static WeightsFileException Refused(string path)
    {
        WeightsFileException? error = null;
        var watch = Stopwatch.StartNew();
        long? growth = PeakMemory.GrowthDuring(() => error = Assert.Throws<WeightsFileException>(() => TorchZipFile.Read(path)));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "refused quickly");
        if (growth is long g) Assert.That(g, Is.LessThan(500L << 20), $"peak RSS grew {g >> 20} MB while refusing");
        Assert.That(error!.Message, Does.Contain(path));
        Assert.That(error.Message, Does.Not.Contain("Span").And.Not.Contain("Exception:"));
        return error;
    }

    [Test]
    public void AStrideZeroViewOfOneElementIsRefusedBeforeItIsMaterialised()
    {
        // The case: a 1-element storage viewed as (46000, 46000) with stride 0: 8.5 GB from a file of under 1 KB.
        string path = Zip(Path.Combine(_dir, "broadcast.pth"),
            StateDict([new View("w", "0", 1, [46000, 46000], [0, 0])]), [("0", Floats(1f))]);
        Assert.That(new FileInfo(path).Length, Is.LessThan(1024));
        var e = Refused(path);
        Assert.That(e.Message, Does.Contain("[46000, 46000]").And.Contain("strides [0, 0]").And.Contain("times"));
    }

    [Test]
    public void ManyKeysViewingOneStorageAreCountedOncePerKey()
    {
        // 300 keys, each a full view of one 40 MB storage: 12 GB of copies.
        const long elements = 10_000_000;
        var views = Enumerable.Range(0, 300).Select(i => new View($"layer{i}.weight", "0", elements, [elements], [1])).ToList();
        string path = Zip(Path.Combine(_dir, "shared.pth"), StateDict(views), [("0", new byte[elements * 4])]);
        var e = Refused(path);
        Assert.That(e.Message, Does.Contain("storage '0'").And.Contain("in memory"));
    }

    [TestCase(30)]
    [TestCase(31)]
    [TestCase(34)]
    [TestCase(40)]
    public void AStorageDeclaredLargerThanItsEntryIsRefusedBeforeAllocation(int log2Elements)
    {
        long elements = 1L << log2Elements;
        string path = Zip(Path.Combine(_dir, $"declared-2^{log2Elements}.pth"),
            StateDict([new View("w", "0", elements, [1], [1])]), [("0", Floats(1f))]);
        var e = Refused(path);
        Assert.That(e.Message, Does.Contain($"storage '0' holds 4 bytes but its {elements:N0} elements need {elements * 4:N0}"));
    }

    [Test]
    public void AStorageWhoseByteSizeOverflowsIsRefused()
    {
        string path = Zip(Path.Combine(_dir, "overflow.pth"), StateDict([new View("w", "0", long.MaxValue / 2, [1], [1])]), [("0", Floats(1f))]);
        Assert.That(Refused(path).Message, Does.Contain("overflows"));
    }

    [Test]
    public void TensorsOverTheTotalLimitAreRefusedBeforeTheyAreMade()
    {
        // 2 keys viewing one 1 MB storage (ratio 2, allowed) against a 1.5 MB limit: the second view is refused.
        const long elements = 1 << 18;
        string path = Zip(Path.Combine(_dir, "total.pth"),
            StateDict([new View("a", "0", elements, [elements], [1]), new View("b", "0", elements, [elements], [1])]), [("0", new byte[elements * 4])]);
        var e = Assert.Throws<WeightsFileException>(() => TorchZipFile.Read(path, new WeightsLimits { MaxTotalBytes = 3 << 19 }))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("more than the 1,572,864-byte limit"));
    }

    [Test]
    public void ACompressedStorageEntryIsRefused()
    {
        // torch.save stores storages uncompressed; a deflated entry could claim gigabytes from a few bytes.
        string path = Zip(Path.Combine(_dir, "deflated.pth"), StateDict([new View("w", "0", 4096, [4096], [1])]), [("0", new byte[4096 * 4])], compress: true);
        Assert.That(Refused(path).Message, Does.Contain("compressed"));
    }

    [Test]
    public void TiedWeightsAndASmallBroadcastStillLoadWithTheirValues()
    {
        // Two keys viewing one storage (tied embeddings), and a 1-element storage broadcast to 3 values (ratio 3).
        string path = Zip(Path.Combine(_dir, "tied.pth"), StateDict([
                new View("embed.weight", "0", 6, [2, 3], [3, 1]),
                new View("head.weight", "0", 6, [2, 3], [3, 1]),
                new View("scale", "1", 1, [3], [0]),
                new View("column", "0", 6, [2], [3], Offset: 1),
            ]), [("0", Floats(1, 2, 3, 4, 5, 6)), ("1", Floats(7))]);
        var tensors = TorchZipFile.Read(path);
        try
        {
            Assert.That(tensors["embed.weight"].data<float>().ToArray(), Is.EqualTo(new float[] { 1, 2, 3, 4, 5, 6 }));
            Assert.That(tensors["head.weight"].data<float>().ToArray(), Is.EqualTo(new float[] { 1, 2, 3, 4, 5, 6 }));
            Assert.That(tensors["scale"].data<float>().ToArray(), Is.EqualTo(new float[] { 7, 7, 7 }));
            Assert.That(tensors["column"].data<float>().ToArray(), Is.EqualTo(new float[] { 2, 5 }));
            Assert.That(tensors["head.weight"].is_contiguous() && tensors["scale"].is_contiguous(), "every key is its own contiguous copy");
            tensors["embed.weight"].add_(1);
            Assert.That(tensors["head.weight"].data<float>()[0], Is.EqualTo(1f), "keys do not share memory");
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
