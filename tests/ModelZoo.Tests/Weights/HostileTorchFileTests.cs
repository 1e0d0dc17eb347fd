using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using ModelZoo.Weights;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Weights;

/// <summary>
/// A .pth is a pickle, and a pickle can run code. These hand-made files each try something a state dict never does;
/// each must end in a typed error naming the file, quickly, with nothing executed.
/// </summary>
public class HostileTorchFileTests
{
    private string _dir = "";

    [SetUp]
    public void MakeFolder()
    {
        _dir = Path.Combine(Path.GetTempPath(), "modelzoo-hostile-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void RemoveFolder()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Test]
    public void AStateDictWrittenByHandLoads()
    {
        // The positive control for the hostile cases below: the same builder, a well-formed file.
        string path = Zip("ok.pth", StateDict(elements: 4, shape: 4), ("archive/data/0", new byte[16]));
        var tensors = TorchZipFile.Read(path);
        Assert.That(tensors.Keys, Is.EqualTo(new[] { "w" }));
        Assert.That(tensors["w"].shape, Is.EqualTo(new long[] { 4 }));
        Assert.That(tensors["w"].dtype, Is.EqualTo(ScalarType.Float32));
        tensors["w"].Dispose();
    }

    [TestCase("os", "system")]
    [TestCase("builtins", "eval")]
    [TestCase("subprocess", "Popen")]
    public void APickleThatCallsAFunctionIsRefusedAndRunsNothing(string module, string function)
    {
        string marker = Path.Combine(_dir, "pwned");
        var pickle = Bytes([0x80, 0x02], Global(module, function), Unicode($"touch {marker}"), [0x85, (byte)'R', (byte)'.']);
        string path = Zip("evil.pth", pickle);
        var e = Assert.Throws<WeightsFileException>(() => TorchZipFile.Read(path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain($"'{module}.{function}'").And.Contain("nothing was executed"));
        Assert.That(File.Exists(marker), Is.False);
    }

    [Test]
    public void AHugeMemoIndexCostsNeitherTimeNorMemory()
    {
        var pickle = Bytes([0x80, 0x02, (byte)'}', (byte)'r', 0xff, 0xff, 0xff, 0x7f, (byte)'h', 0x05, (byte)'.']);
        string path = Zip("memo.pth", pickle);
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<WeightsFileException>(() => TorchZipFile.Read(path))!;
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(e.Message, Does.Contain(path).And.Contain("memo entry 5, which was never stored"));
    }

    [Test]
    public void AnArchivePathOutsideTheArchiveIsRefused()
    {
        string path = Zip("escape.pth", StateDict(4, 4), ("../../etc/data/0", new byte[16]));
        var e = Assert.Throws<WeightsFileException>(() => TorchZipFile.Read(path))!;
        Assert.That(e.Message, Does.Contain("'../../etc/data/0' has a path outside the archive"));
    }

    [Test]
    public void ATensorLargerThanItsStorageIsRefused()
    {
        string path = Zip("short.pth", StateDict(elements: 2, shape: 4), ("archive/data/0", new byte[8]));
        var e = Assert.Throws<WeightsFileException>(() => TorchZipFile.Read(path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("reads past the end of storage '0'"));
    }

    [Test]
    public void AStorageEntryShorterThanItsDeclaredSizeIsRefused()
    {
        string path = Zip("trunc.pth", StateDict(elements: 4, shape: 4), ("archive/data/0", new byte[8]));
        var e = Assert.Throws<WeightsFileException>(() => TorchZipFile.Read(path))!;
        Assert.That(e.Message, Does.Contain("holds 8 bytes but its 4 elements need 16"));
    }

    [Test]
    public void ALegacyPickleOrAnythingElseIsATypedError()
    {
        string legacy = Path.Combine(_dir, "legacy.pth");
        File.WriteAllBytes(legacy, [0x80, 0x02, 0x8a, 0x0a]);
        Assert.That(Assert.Throws<WeightsFileException>(() => PretrainedWeights.Read(legacy))!.Message, Does.Contain("not a zip archive"));
        string missing = Path.Combine(_dir, "missing.pth");
        Assert.That(Assert.Throws<WeightsFileException>(() => PretrainedWeights.Read(missing))!.Message, Does.Contain(missing).And.Contain("does not exist"));
    }

    /// <summary>{"w": _rebuild_tensor_v2(storage(FloatStorage, key "0", elements), 0, (shape,), (1,), False, OrderedDict())}.</summary>
    private static byte[] StateDict(int elements, int shape) => Bytes(
        [0x80, 0x02], Global("collections", "OrderedDict"), [(byte)')', (byte)'R', (byte)'('],
        Unicode("w"), Global("torch._utils", "_rebuild_tensor_v2"), [(byte)'(', (byte)'('],
        Unicode("storage"), Global("torch", "FloatStorage"), Unicode("0"), Unicode("cpu"), [(byte)'K', (byte)elements, (byte)'t', (byte)'Q'],
        [(byte)'K', 0, (byte)'K', (byte)shape, 0x85, (byte)'K', 1, 0x85, 0x89],
        Global("collections", "OrderedDict"), [(byte)')', (byte)'R', (byte)'t', (byte)'R', (byte)'u', (byte)'.']);

    private string Zip(string name, byte[] pickle, params (string Name, byte[] Data)[] extra)
    {
        string path = Path.Combine(_dir, name);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (var (entryName, data) in new[] { ("archive/data.pkl", pickle), ("archive/byteorder", "little"u8.ToArray()) }.Concat(extra))
            {
                using var s = zip.CreateEntry(entryName, CompressionLevel.NoCompression).Open();
                s.Write(data);
            }
        }
        return path;
    }

    private static byte[] Global(string module, string name) => Encoding.ASCII.GetBytes($"c{module}\n{name}\n");

    private static byte[] Unicode(string s)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(s);
        return Bytes([(byte)'X'], BitConverter.GetBytes(utf8.Length), utf8);
    }

    private static byte[] Bytes(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
