using ModelZoo.Blocks;
using ModelZoo.Blocks.Binary;
using ModelZoo.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Binary;

[Category("Binary")]
public class BinaryPackingTests
{
    private static string TempFile() => Path.Combine(Path.GetTempPath(), $"bnn-{Guid.NewGuid():N}.safetensors");

    [TestCase("bnn-mnist", 1, 28)]
    [TestCase("binary-resnet18", 3, 64)]
    public void PackedRoundTripGivesIdenticalLogits(string name, int channels, int size)
    {
        using var scope = torch.NewDisposeScope();
        string path = TempFile();
        try
        {
            using var trained = Zoo.Create(name, new ModelOptions { Seed = 1 });
            // Move batch-norm statistics and biases off their initial values so the real-valued parts matter.
            trained.train();
            using (torch.no_grad()) trained.call(torch.randn(4, channels, size, size, generator: new Generator(2)));
            trained.eval();
            var x = torch.randn(3, channels, size, size, generator: new Generator(3));
            Tensor expected;
            using (torch.no_grad()) expected = trained.call(x);

            long bytes = BinaryPacking.Save(trained, path);
            var header = SafetensorsFile.ReadHeader(path);
            Assert.That(header.Metadata["format"], Is.EqualTo(BinaryPacking.Format));
            var binary = BinaryLayers.Find(trained);
            long binaryWeights = binary.Sum(b => b.Layer.LatentWeight.numel());
            long floatBytes = trained.parameters().Sum(p => p.numel()) * 4;
            TestContext.Out.WriteLine($"{name}: packed {bytes:N0} bytes vs {floatBytes:N0} float32 parameter bytes");
            Assert.That(bytes, Is.LessThan(floatBytes - binaryWeights * 4 + binaryWeights / 8 + 200_000), "binary weights take 1 bit each");

            using var loaded = Zoo.Create(name, new ModelOptions { Seed = 99 });
            BinaryPacking.Load(loaded, path);
            loaded.eval();
            Tensor actual;
            using (torch.no_grad()) actual = loaded.call(x);
            Assert.That(actual.data<float>().ToArray(), Is.EqualTo(expected.data<float>().ToArray()), "identical logits");
            foreach (var (_, layer) in BinaryLayers.Find(loaded))
                Assert.That(layer.LatentWeight.abs().eq(1).all().item<bool>(), Is.True, "latent weights are the saved signs");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void PackingIsEightSignsPerByteLeastSignificantBitFirst()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.tensor(new[] { 0.5f, -0.5f, 0f, -1f, 1f, 1f, -0.1f, 0.2f, -3f, 0.7f }, [2, 5]);
        var packed = BinaryPacking.Pack(w);
        Assert.That(packed.data<byte>().ToArray(), Is.EqualTo(new byte[] { 0b1011_0101, 0b0000_0010 }));
        Assert.That(BinaryPacking.Unpack(packed, [2, 5]).data<float>().ToArray(), Is.EqualTo(BinarySign.Sign(w).data<float>().ToArray()));
        Assert.Throws<ArgumentException>(() => BinaryPacking.Unpack(packed, [3, 6]));
    }

    [Test]
    public void LoadRejectsAFileOfAnotherModel()
    {
        using var scope = torch.NewDisposeScope();
        string path = TempFile();
        try
        {
            using var net = Zoo.Create("bnn-mnist");
            BinaryPacking.Save(net, path);
            using var other = Zoo.Create("bnn-mnist", new ModelOptions { NumClasses = 5 });
            Assert.Throws<WeightsFileException>(() => BinaryPacking.Load(other, path));
            using var real = Zoo.Create("deepcnn");
            Assert.Throws<WeightsFileException>(() => BinaryPacking.Load(real, path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
