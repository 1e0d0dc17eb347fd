using System.Buffers.Binary;
using System.Text.Json.Nodes;
using ModelZoo.Data;
using ModelZoo.Training;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Training;

/// <summary>
/// Issue 27, item 8: the checkpoint's SHA-256 is a content check, not a signature, so each case edits the header (or
/// a section) and recomputes the hash. Every forged field must end in a <see cref="CheckpointException"/> naming the
/// file and the field, from every entry point (reading the info, loading the model, resuming a trainer), before
/// anything native is called with it: a forged generator state reaching <c>set_rng_state</c> would abort this test
/// process, and a forged class count reaching <see cref="Zoo.Create"/> would try to allocate gigabytes.
/// </summary>
[RestoresTorchThreads]
public class CheckpointForgeryTests
{
    private static readonly string[] Digits = Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    private static readonly ModelOptions DeepCnn = new() { NumClasses = 10, InChannels = 1, Seed = 5 };
    private static readonly TrainingOptions Options = new()
    {
        Epochs = 1, BatchSize = 50, Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, Threads = 1, TensorBoard = false, Seed = 3,
        MaxStepsPerEpoch = 2, EmaDecay = 0.9,
    };

    private string _dir = "";
    private string _genuine = "";

    private static ModelDescriptor Descriptor => new("deepcnn", DeepCnn, Digits, Normalization.Mnist, 1, 28, "mnist-sample");

    [OneTimeSetUp]
    public void TrainOne()
    {
        _dir = TinyNets.TempDir();
        using var model = Zoo.Create("deepcnn", DeepCnn);
        using var trainer = new Trainer(model, Options, Descriptor, _dir);
        trainer.Fit(new DigitBatches(0, 200, 50));
        _genuine = Path.Combine(_dir, "checkpoints", Checkpoint.LastFileName);
    }

    private string Forge(string name, Action<JsonObject>? header = null, Func<string, byte[], byte[]>? section = null) =>
        CheckpointForger.Forge(_genuine, Path.Combine(_dir, name + ".ckpt"), header, section);

    /// <summary>Every entry point refuses the file with a typed error naming it and <paramref name="expected"/>.</summary>
    private static void AssertRefused(string path, string expected)
    {
        var errors = new List<CheckpointException>
        {
            Assert.Throws<CheckpointException>(() => Checkpoint.ReadInfo(path))!,
            Assert.Throws<CheckpointException>(() => Checkpoint.LoadModel(path))!,
        };
        using (var model = Zoo.Create("deepcnn", DeepCnn))
        using (var trainer = new Trainer(model, Options, Descriptor))
            errors.Add(Assert.Throws<CheckpointException>(() => trainer.Resume(path))!);
        foreach (var e in errors)
        {
            Assert.That(e.Message, Does.Contain(path).And.Contain(expected));
            Assert.That(e.Message, Does.Not.Contain("\n").And.Not.Contain("Index was out of range").And.Not.Contain("Exception"), "one line: no stack trace or framework message");
        }
    }

    private static byte[] RngBytes(Func<byte[], byte[]> edit)
    {
        using var state = TorchSharp.torch.random.get_rng_state();
        return edit(state.data<byte>().ToArray());
    }

    [Test]
    public void TheForgerItselfKeepsAGenuineFileWorking()
    {
        // Re-serialised header, rebuilt sections, recomputed hash, no edit: still a good checkpoint.
        string copy = Forge("faithful");
        Assert.That(Checkpoint.ReadInfo(copy).Epoch, Is.EqualTo(1));
        var (model, _) = Checkpoint.LoadModel(copy);
        model.Dispose();
        using var live = Zoo.Create("deepcnn", DeepCnn);
        using var trainer = new Trainer(live, Options, Descriptor);
        Assert.DoesNotThrow(() => trainer.Resume(copy));
        Assert.That(trainer.EpochsCompleted, Is.EqualTo(1));
    }

    [Test]
    public void AReplacedGeneratorStateOfTheWrongSizeIsRefused()
    {
        string path = Forge("rng-size", section: (name, bytes) => name == "rng" ? CheckpointForger.TensorBlob(0, [100], new byte[100]) : bytes);
        AssertRefused(path, "'rng'");
        Assert.That(Assert.Throws<CheckpointException>(() => Checkpoint.ReadInfo(path))!.Message, Does.Contain("holds 100 bytes"));
    }

    [TestCase("left", 8, 0)]
    [TestCase("left", 8, 9999)]
    [TestCase("seeded", 12, 0)]
    [TestCase("next", 16, 700)]
    public void AnInvalidMersenneTwisterStateOfTheRightSizeIsRefused(string field, int offset, int value)
    {
        // set_rng_state checks these with a C++ exception that TorchSharp does not catch: the process would abort (SIGABRT).
        byte[] state = RngBytes(b =>
        {
            BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(offset), value);
            return b;
        });
        string path = Forge("rng-" + field, section: (name, bytes) => name == "rng" ? CheckpointForger.TensorBlob(0, [state.Length], state) : bytes);
        AssertRefused(path, "not a valid mt19937 state");
    }

    [Test]
    public void AGeneratorStateOfAnotherTypeIsRefused()
    {
        byte[] state = RngBytes(b => b);
        string path = Forge("rng-float", section: (name, bytes) => name == "rng" ? CheckpointForger.TensorBlob(6, [state.Length / 4], state) : bytes);
        AssertRefused(path, "1-D byte tensor");
    }

    [TestCase(2_000_000_000, "numClasses' is 2000000000")]
    [TestCase(20, "lists 10 names but modelOptions.numClasses is 20")]
    public void AForgedClassCountIsRefusedBeforeTheModelIsBuilt(int classes, string expected)
    {
        string path = Forge("classes-" + classes, header: h => h["modelOptions"]!["numClasses"] = classes);
        AssertRefused(path, expected);
    }

    [Test]
    public void OneClassNameForTenClassesIsRefused()
    {
        AssertRefused(Forge("one-name", header: h => h["classNames"] = new JsonArray("only")), "lists 1 names but modelOptions.numClasses is 10");
        // Without the recorded class count, the classifier's rows in the weights still say 10.
        AssertRefused(Forge("one-name-no-count", header: h =>
        {
            h["classNames"] = new JsonArray("only");
            h["modelOptions"]!.AsObject().Remove("numClasses");
        }), "the classifier 'classifier.3.weight' in the weights is Float32[10,");
    }

    [Test]
    public void ATwoToTheFortiethDimensionIsRefusedBeforeAllocation()
    {
        string path = Forge("dim-2^40", section: (name, bytes) =>
        {
            if (name != "model") return bytes;
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(CheckpointForger.FirstDimensionOffset(bytes)), 1L << 40);
            return bytes;
        });
        AssertRefused(path, "needs");
        // In the header, such a number does not even fit its field.
        AssertRefused(Forge("size-2^40", header: h => h["imageSize"] = 1L << 40), "checkpoint");
        AssertRefused(Forge("channels-2^40", header: h => h["channels"] = 1L << 40), "checkpoint");
    }

    [TestCase("epoch", -5, "'epoch' is -5")]
    [TestCase("step", -1, "'step' is -1")]
    [TestCase("batchInEpoch", -3, "'batchInEpoch' is -3")]
    [TestCase("bestEpoch", 7, "'bestEpoch' is 7")]
    [TestCase("channels", 3, "'channels' is 3 but the first convolution 'features.0.weight' in the weights is Float32[")]
    [TestCase("imageSize", 0, "'imageSize' is 0")]
    [TestCase("epochsWithoutImprovement", 9, "'epochsWithoutImprovement' is 9")]
    public void AForgedCounterOrSizeIsRefused(string field, int value, string expected)
    {
        AssertRefused(Forge(field, header: h => h[field] = value), expected);
    }

    [Test]
    public void ForgedNormalisationTrainingOptionsAndSectionsAreRefused()
    {
        AssertRefused(Forge("mean", header: h => h["normalization"]!["mean"] = new JsonArray(0.1, 0.2)), "'normalization' has 2 means and 1 standard deviations");
        AssertRefused(Forge("std", header: h => h["normalization"]!["std"] = new JsonArray(0.0)), "'normalization' has a non-finite mean or a standard deviation");
        AssertRefused(Forge("batch", header: h => h["training"]!["batchSize"] = 0), "'training' is not valid");
        AssertRefused(Forge("best-nan", header: h => h["bestScore"] = "NaN"), "'bestScore' is not finite");
        AssertRefused(Forge("section", header: h => h["sections"]!.AsArray().Last()!["name"] = "payload"), "unknown section 'payload'");
        AssertRefused(Forge("ema", section: (name, bytes) => name == "ema" ? Slice(bytes) : bytes), "'ema'");
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    public void AnOptimizerSectionOfNoiseIsATypedErrorOnResume(int seed)
    {
        // TorchSharp reads the optimiser state into the live optimiser's tensors, checking types and shapes first.
        string path = Forge("optimizer-noise-" + seed, section: (name, bytes) =>
        {
            if (name != "optimizer") return bytes;
            new Random(seed).NextBytes(bytes);
            return bytes;
        });
        using var model = Zoo.Create("deepcnn", DeepCnn);
        using var trainer = new Trainer(model, Options, Descriptor);
        var e = Assert.Throws<CheckpointException>(() => trainer.Resume(path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("optimizer state").And.Not.Contain("\n"));
    }

    /// <summary>An EMA section whose first tensor's first dimension is one smaller (and its data shorter to match).</summary>
    private static byte[] Slice(byte[] section)
    {
        int at = CheckpointForger.FirstDimensionOffset(section);
        using var r = new BinaryReader(new MemoryStream(section));
        r.BaseStream.Position = at - 4;
        int rank = r.ReadInt32();
        var shape = Enumerable.Range(0, rank).Select(_ => r.ReadInt64()).ToArray();
        long byteLength = r.ReadInt64();
        long rowBytes = byteLength / shape[0];
        int dataStart = (int)r.BaseStream.Position;
        shape[0] -= 1;
        using var w = new MemoryStream();
        w.Write(section, 0, at);
        foreach (long d in shape) w.Write(BitConverter.GetBytes(d));
        w.Write(BitConverter.GetBytes(byteLength - rowBytes));
        w.Write(section, dataStart, (int)(byteLength - rowBytes));
        w.Write(section, (int)(dataStart + byteLength), section.Length - (int)(dataStart + byteLength));
        return w.ToArray();
    }
}
