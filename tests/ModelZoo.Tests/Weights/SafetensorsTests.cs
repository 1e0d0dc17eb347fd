using System.Buffers.Binary;
using System.Text;
using ModelZoo.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Weights;

/// <summary>The safetensors reader keeps the format's rules and the writer's files read back exactly.</summary>
public class SafetensorsTests
{
    private string _dir = "";

    [SetUp]
    public void MakeFolder()
    {
        _dir = Path.Combine(Path.GetTempPath(), "modelzoo-safetensors-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void RemoveFolder()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Test]
    public void EveryDtypeRoundTripsWithMetadata()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        var tensors = new Dictionary<string, Tensor>
        {
            ["conv1.weight"] = randn(4, 3, 3, 3),
            ["bn1.num_batches_tracked"] = tensor(17L),
            ["half"] = randn(5).to(ScalarType.Float16),
            ["brain"] = randn(2, 3).to(ScalarType.BFloat16),
            ["double"] = randn(3).to(ScalarType.Float64),
            ["ints"] = tensor(new[] { -1, 0, 7 }),
            ["bytes"] = tensor(new byte[] { 0, 255, 9 }),
            ["mask"] = tensor(new[] { true, false, true }),
            ["empty"] = zeros(0, 4),
        };
        string path = Path.Combine(_dir, "w.safetensors");
        SafetensorsFile.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt", ["model"] = "resnet18" });

        var header = SafetensorsFile.ReadHeader(path);
        Assert.That(header.DataOffset % 8, Is.EqualTo(0), "the data buffer starts 8-byte aligned");
        Assert.That(header.Metadata, Is.EquivalentTo(new Dictionary<string, string> { ["format"] = "pt", ["model"] = "resnet18" }));
        Assert.That(header.Entries.Select(e => e.Name), Is.EqualTo(tensors.Keys), "file order is the writer's order");

        var read = SafetensorsFile.Read(path);
        try
        {
            Assert.That(read.Keys, Is.EquivalentTo(tensors.Keys));
            foreach (var (name, expected) in tensors)
            {
                Assert.That(read[name].dtype, Is.EqualTo(expected.dtype), name);
                Assert.That(read[name].shape, Is.EqualTo(expected.shape), name);
                Assert.That(read[name].bytes.ToArray(), Is.EqualTo(expected.bytes.ToArray()), name);
            }
        }
        finally
        {
            foreach (var t in read.Values) t.Dispose();
        }
    }

    [Test]
    public void AHeaderClaimingAnExabyteIsRefusedBeforeAllocating()
    {
        string path = Path.Combine(_dir, "huge.safetensors");
        var bytes = new byte[64];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1UL << 60);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<WeightsFileException>(() => SafetensorsFile.Read(path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("header claims"));
    }

    [TestCase("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, "overlaps")]
    [TestCase("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 12, "4 trailing bytes")]
    [TestCase("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, "belong to no tensor")]
    [TestCase("""{"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}}""", 8, "unknown dtype 'Q4'")]
    [TestCase("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "needs 12")]
    [TestCase("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 4, "holds 4")]
    [TestCase("""{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}""", 8, "overflows")]
    [TestCase("""{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", 8, "not a non-negative integer")]
    [TestCase("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}""", 8, "before it begins")]
    [TestCase("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 8, "appears twice")]
    [TestCase("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":1}}""", 8, "unexpected or repeated field 'extra'")]
    [TestCase("""{"__metadata__":{"k":1}}""", 0, "is not a string")]
    [TestCase("""[1,2]""", 0, "does not start with '{'")]
    [TestCase("""{"a":""", 0, "not valid JSON")]
    public void MalformedHeadersAreTypedErrorsNamingTheFile(string json, int dataBytes, string problem)
    {
        string path = Path.Combine(_dir, "bad.safetensors");
        File.WriteAllBytes(path, Build(json, dataBytes));
        var e = Assert.Throws<WeightsFileException>(() => SafetensorsFile.Read(path))!;
        Assert.That(e.Path, Is.EqualTo(path));
        Assert.That(e.Message, Does.Contain(path).And.Contain(problem));
    }

    [Test]
    public void ATruncatedFileAndAMissingFileAreTypedErrors()
    {
        string path = Path.Combine(_dir, "short.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.That(Assert.Throws<WeightsFileException>(() => SafetensorsFile.Read(path))!.Message, Does.Contain("shorter than the 8-byte header length"));
        string missing = Path.Combine(_dir, "none.safetensors");
        Assert.That(Assert.Throws<WeightsFileException>(() => SafetensorsFile.Read(missing))!.Message, Does.Contain(missing).And.Contain("cannot be opened"));
    }

    [Test]
    public void AFailedWriteLeavesNothingBehind()
    {
        using var scope = NewDisposeScope();
        string path = Path.Combine(_dir, "no-such-folder", "w.safetensors");
        var e = Assert.Throws<WeightsFileException>(() => SafetensorsFile.Write(path, new Dictionary<string, Tensor> { ["x"] = ones(2) }))!;
        Assert.That(e.Message, Does.Contain("cannot be written"));
        Assert.That(Directory.GetFiles(_dir, "*", SearchOption.AllDirectories), Is.Empty);
    }

    [Test]
    public void RewritingReplacesTheFileWhole()
    {
        using var scope = NewDisposeScope();
        string path = Path.Combine(_dir, "w.safetensors");
        SafetensorsFile.Write(path, new Dictionary<string, Tensor> { ["big"] = ones(1000) });
        SafetensorsFile.Write(path, new Dictionary<string, Tensor> { ["small"] = ones(2) });
        var header = SafetensorsFile.ReadHeader(path); // would report trailing bytes if the old file were overwritten in place
        Assert.That(header.Entries.Single().Name, Is.EqualTo("small"));
        Assert.That(Directory.GetFiles(_dir), Has.Length.EqualTo(1), "no temporary file is left");
    }

    private static byte[] Build(string json, int dataBytes)
    {
        byte[] header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        return bytes;
    }
}
