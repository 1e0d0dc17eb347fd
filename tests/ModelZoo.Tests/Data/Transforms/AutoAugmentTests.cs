using System.Globalization;
using ModelZoo.Data;
using ModelZoo.Data.Transforms;
using ModelZoo.Tests.Weights;

namespace ModelZoo.Tests.Data.Transforms;

/// <summary>
/// RandAugment and TrivialAugmentWide: every op checked against torchvision 0.14's <c>_apply_op</c> on the uint8 path
/// (fixtures made at test time by Fixtures/torchvision/make_autoaugment_fixture.py), the magnitude bins against
/// torchvision's augmentation spaces, and the transforms' own contracts.
/// </summary>
public class AutoAugmentTests
{
    private static readonly (string Op, double Magnitude)[] Cases =
    [
        ("Identity", 0), ("ShearX", 0.3), ("ShearX", -0.29), ("ShearY", 0.2), ("ShearY", -0.99), ("TranslateX", 13.6), ("TranslateX", -32),
        ("TranslateY", 7), ("TranslateY", -9.9), ("Rotate", 30), ("Rotate", -17.5), ("Rotate", 135), ("Brightness", 0.5), ("Brightness", -0.9),
        ("Color", 0.6), ("Color", -0.33), ("Contrast", 0.4), ("Contrast", -0.9), ("Sharpness", 0.9), ("Sharpness", -0.7),
        ("Posterize", 4), ("Posterize", 6), ("Posterize", 2), ("Solarize", 128), ("Solarize", 200.6), ("AutoContrast", 0), ("Equalize", 0),
    ];

    /// <summary>A real photo (imagenette) cut to an odd, non-square size, or a real MNIST digit.</summary>
    private static FloatImage Input(bool colour)
    {
        if (!colour) return new FloatImage(1, 28, 28, SharedMnist.TrainSet.Images[..784]);
        var split = DataSpec.Resolve(TestPaths.Imagenette);
        var photo = split.Train.Get(0).Image;
        return ImageOps.Resample(photo, 0, 0, photo.Width, photo.Height, 37, 45);
    }

    private static byte[] Bytes(FloatImage image) => image.Data.Select(v => (byte)Math.Clamp(Math.Round(v * 255.0), 0, 255)).ToArray();

    [TestCase(true)]
    [TestCase(false)]
    public void EveryOpMatchesTorchvision(bool colour)
    {
        TorchReference.Require();
        var image = Input(colour);
        string dir = ModelZoo.Tests.Training.TinyNets.TempDir();
        string input = Path.Combine(dir, "input.raw"), cases = Path.Combine(dir, "cases.txt"), output = Path.Combine(dir, "out.raw");
        using (var f = new BinaryWriter(File.Create(input)))
        {
            f.Write(image.Channels);
            f.Write(image.Height);
            f.Write(image.Width);
            f.Write(Bytes(image));
        }
        File.WriteAllLines(cases, Cases.Select(c => $"{c.Op} {c.Magnitude.ToString("R", CultureInfo.InvariantCulture)}"));
        TorchReference.RunScript("make_autoaugment_fixture.py", input, cases, output);
        byte[] expected = File.ReadAllBytes(output);
        int n = image.Data.Length;
        Assert.That(expected, Has.Length.EqualTo(n * Cases.Length));
        var failures = new List<string>();
        for (int i = 0; i < Cases.Length; i++)
        {
            var (op, magnitude) = Cases[i];
            byte[] actual = Bytes(AutoAugmentOps.Apply(image.Clone(), op, magnitude));
            var want = expected.AsSpan(i * n, n).ToArray();
            int differ = actual.Zip(want).Count(p => p.First != p.Second);
            int maxDiff = actual.Zip(want).Max(p => Math.Abs(p.First - p.Second));
            // Contrast blends with the image mean, which torch sums in float32 in its own order: a pixel whose blend lands
            // within an ulp of an integer may truncate one level apart. Every other op must match exactly.
            bool allowed = op == "Contrast" && maxDiff <= 1 && differ <= Math.Max(1, n / 200);
            if (differ > 0 && !allowed) failures.Add($"{op} {magnitude}: {differ} of {n} values differ (max {maxDiff})");
        }
        Assert.That(failures, Is.Empty);
        Assert.That(Bytes(AutoAugmentOps.Apply(image.Clone(), "Solarize", 0)), Is.Not.EqualTo(Bytes(image)), "the check can fail");
    }

    [Test]
    public void MagnitudeBinsMatchTorchvision()
    {
        TorchReference.Require();
        var image = Input(colour: true);
        string dir = ModelZoo.Tests.Training.TinyNets.TempDir();
        string input = Path.Combine(dir, "input.raw"), cases = Path.Combine(dir, "cases.txt"), output = Path.Combine(dir, "out.raw");
        using (var f = new BinaryWriter(File.Create(input)))
        {
            f.Write(image.Channels);
            f.Write(image.Height);
            f.Write(image.Width);
            f.Write(Bytes(image));
        }
        File.WriteAllText(cases, "Identity 0\n");
        TorchReference.RunScript("make_autoaugment_fixture.py", input, cases, output);
        var spaces = new Dictionary<string, IReadOnlyList<(string Op, float[] Magnitudes, bool Signed)>>
        {
            ["randaugment"] = AutoAugmentSpace.RandAugment(31, image.Height, image.Width),
            ["trivialaugmentwide"] = AutoAugmentSpace.TrivialAugmentWide(31),
        };
        var lines = File.ReadAllLines(output + ".bins.txt");
        Assert.That(lines, Has.Length.EqualTo(28));
        foreach (var line in lines)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var space = spaces[parts[0]];
            int index = space.ToList().FindIndex(s => s.Op == parts[1]);
            Assert.That(index, Is.GreaterThanOrEqualTo(0), line);
            Assert.That(index, Is.EqualTo(lines.Where(l => l.StartsWith(parts[0] + " ", StringComparison.Ordinal)).ToList().IndexOf(line)), "same order: " + parts[1]);
            var (_, magnitudes, signed) = space[index];
            Assert.That(signed, Is.EqualTo(parts[2] == "1"), line);
            // torch.linspace's CPU kernel rounds a few bins differently in the last place (1 ulp); that cannot change an
            // op's output beyond what the op tests check, so the bins are compared to float32 precision.
            var want = parts.Skip(3).Select(v => (float)double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            Assert.That(magnitudes, Has.Length.EqualTo(want.Length), line);
            for (int i = 0; i < want.Length; i++)
                Assert.That(magnitudes[i], Is.EqualTo(want[i]).Within(Math.Max(1e-6f * Math.Abs(want[i]), 1e-7f)), $"{line} [{i}]");
        }
    }

    [Test]
    public void TheTransformsAreSeededAndDrawFromTheirSpaces()
    {
        var image = Input(colour: false);
        var ra = new RandAugment(numOps: 2, magnitude: 9);
        var ta = new TrivialAugmentWide();
        Assert.That(ra.Apply(image.Clone(), new Random(5)).Data, Is.EqualTo(ra.Apply(image.Clone(), new Random(5)).Data));
        Assert.That(ta.Apply(image.Clone(), new Random(5)).Data, Is.EqualTo(ta.Apply(image.Clone(), new Random(5)).Data));
        int changed = Enumerable.Range(0, 20).Count(s => !ra.Apply(image.Clone(), new Random(s)).Data.SequenceEqual(image.Data));
        Assert.That(changed, Is.GreaterThan(10), "most draws change the image");
        Assert.That(new RandAugment(numOps: 0).Apply(image.Clone(), new Random(1)).Data, Is.EqualTo(image.Data));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandAugment(magnitude: 31));
        Assert.Throws<ArgumentException>(() => AutoAugmentOps.Apply(image, "Invert2", 0));
        foreach (var preset in new[] { "randaugment", "trivialaugment" })
        {
            var pipeline = TransformPresets.Train(preset, 32, Normalization.ImageNet);
            var rgb = Input(colour: true);
            var result = pipeline.Apply(rgb.Clone(), new Random(3));
            Assert.That((result.Channels, result.Height, result.Width), Is.EqualTo((3, 32, 32)), preset);
        }
    }

    [TestCase("randaugment")]
    [TestCase("trivialaugment")]
    public void TrainCanUseThePresetsOnAFolder(string preset)
    {
        // What `modelzoo train --augment randaugment|trivialaugment` opens: the preset on real photos, in the loader.
        var data = new ModelZoo.Data.DataPipeline().Open(new ModelZoo.Data.DataRequest(TestPaths.Imagenette)
        {
            ImageSize = 48, Augment = preset, Seed = 42, Threads = 1, Workers = 0,
        }, 4);
        try
        {
            Assert.That(data.Description, Does.Contain("augment " + preset));
            using var batch = data.Train.GetEpoch(0).First();
            Assert.That(batch.Images.shape, Is.EqualTo(new long[] { 4, 3, 48, 48 }));
            Assert.That(TorchSharp.torch.isfinite(batch.Images).all().item<bool>(), Is.True);
        }
        finally
        {
            data.Dispose();
        }
    }
}
