using ModelZoo.Data;
using ModelZoo.Data.Transforms;
using ModelZoo.Tests.Data.Folders;

namespace ModelZoo.Tests.Data.Transforms;

/// <summary>Each transform does what it says, on real photographs (imagenette-mini) and a real MNIST digit.</summary>
public class TransformTests
{
    private static FloatImage Photo() => ImageTestData.RealImage(3);

    private static void AssertSame(FloatImage a, FloatImage b, float tol = 0)
    {
        Assert.That((a.Channels, a.Height, a.Width), Is.EqualTo((b.Channels, b.Height, b.Width)));
        float max = 0;
        for (int i = 0; i < a.Data.Length; i++) max = Math.Max(max, Math.Abs(a.Data[i] - b.Data[i]));
        Assert.That(max, Is.LessThanOrEqualTo(tol));
    }

    private static (double X, double Y) CentreOfMass(FloatImage img)
    {
        double m = 0, sx = 0, sy = 0;
        for (int y = 0; y < img.Height; y++)
        {
            for (int x = 0; x < img.Width; x++)
            {
                double v = img[0, y, x];
                m += v;
                sx += v * x;
                sy += v * y;
            }
        }

        return (sx / m, sy / m);
    }

    [Test]
    public void FlipTwiceIsIdentityAndFlipMirrors()
    {
        var img = Photo();
        var flip = new RandomHorizontalFlip(1);
        var once = flip.Apply(img.Clone(), new Random(1));
        Assert.That(once[1, 10, 0], Is.EqualTo(img[1, 10, img.Width - 1]));
        AssertSame(flip.Apply(once, new Random(2)), img);
    }

    [Test]
    public void Rotation90MatchesTransposeFlip()
    {
        var img = Photo();
        var rot = RandomRotation.Rotate(img, 90);
        var expected = new FloatImage(img.Channels, img.Width, img.Height);
        for (int c = 0; c < img.Channels; c++)
        {
            for (int y = 0; y < img.Width; y++)
            {
                for (int x = 0; x < img.Height; x++)
                    expected[c, y, x] = img[c, x, img.Width - 1 - y]; // counter-clockwise, as numpy.rot90
            }
        }

        AssertSame(rot, expected, 1e-5f);
        AssertSame(RandomRotation.Rotate(RandomRotation.Rotate(rot, 90), 180), img, 1e-5f);
    }

    [Test]
    public void RandomRotationStaysInRangeAndFillsCorners()
    {
        var img = Photo();
        var rotated = new RandomRotation(20, 30, fill: -1).Apply(img.Clone(), new Random(3));
        Assert.That(rotated[0, 0, 0], Is.EqualTo(-1f), "corner comes from outside");
        Assert.That(rotated[0, 112, 112], Is.Not.EqualTo(-1f));
    }

    [Test]
    public void TranslationMovesTheCentreOfMassOfADigit()
    {
        var digit = ImageTestData.FirstMnistDigit();
        var (x0, y0) = CentreOfMass(digit);
        var moved = RandomTranslation.Translate(digit, 3, -2);
        var (x1, y1) = CentreOfMass(moved);
        Assert.That(x1 - x0, Is.EqualTo(3).Within(1e-4));
        Assert.That(y1 - y0, Is.EqualTo(-2).Within(1e-4));

        // Random: a whole-pixel shift within ±10% (±2.8 px, rounded: at most 3) on a 28x28 digit.
        var t = new RandomTranslation(0.1, 0.1);
        for (int seed = 0; seed < 20; seed++)
        {
            var (x2, y2) = CentreOfMass(t.Apply(digit.Clone(), new Random(seed)));
            double dx = x2 - x0, dy = y2 - y0;
            Assert.That(Math.Abs(dx), Is.LessThanOrEqualTo(3 + 1e-6));
            Assert.That(Math.Abs(dy), Is.LessThanOrEqualTo(3 + 1e-6));
            Assert.That(dx, Is.EqualTo(Math.Round(dx)).Within(1e-4));
        }
    }

    [Test]
    public void RandomCropWithPaddingHasTheSizeAndIsAShiftedWindow()
    {
        var img = Photo();
        var crop = new RandomCrop(224, padding: 16, fill: -1);
        for (int seed = 0; seed < 5; seed++)
        {
            var o = crop.Apply(img.Clone(), new Random(seed));
            Assert.That((o.Channels, o.Height, o.Width), Is.EqualTo((3, 224, 224)));
            // Find the shift from the fill border and check the content matches the source.
            int top = 0, left = 0;
            while (top < 32 && o[0, top, 112] == -1f) top++;
            while (left < 32 && o[0, 112, left] == -1f) left++;
            int dy = 0, dx = 0;
            if (top == 0) while (dy < 32 && o[0, 223 - dy, 112] == -1f) dy++;
            if (left == 0) while (dx < 32 && o[0, 112, 223 - dx] == -1f) dx++;
            int sy = top > 0 ? -top : dy, sx = left > 0 ? -left : dx;
            Assert.That(o[1, 120, 120], Is.EqualTo(img[1, 120 + sy, 120 + sx]));
        }

        var small = new RandomCrop(100).Apply(img.Clone(), new Random(0));
        Assert.That((small.Height, small.Width), Is.EqualTo((100, 100)));
        Assert.Throws<InvalidOperationException>(() => new RandomCrop(300).Apply(img.Clone(), new Random(0)));
        Assert.That(new RandomCrop(300, 0, 0f, true).Apply(img.Clone(), new Random(0)).Height, Is.EqualTo(300));
    }

    [Test]
    public void RandomResizedCropIsARescaledSubWindow()
    {
        var img = Photo();
        var rrc = new RandomResizedCrop(160);
        for (int seed = 0; seed < 10; seed++)
        {
            var box = rrc.GetParams(img.Height, img.Width, new Random(seed));
            double frac = (double)box.Height * box.Width / (img.Height * img.Width);
            double ratio = (double)box.Width / box.Height;
            Assert.That(frac, Is.InRange(0.07, 1.0));
            Assert.That(ratio, Is.InRange(0.7, 1.4));
            Assert.That(box.Top + box.Height, Is.LessThanOrEqualTo(img.Height));
            Assert.That(box.Left + box.Width, Is.LessThanOrEqualTo(img.Width));

            var fused = rrc.Apply(img.Clone(), new Random(seed));
            Assert.That((fused.Channels, fused.Height, fused.Width), Is.EqualTo((3, 160, 160)));
            // The same as cutting the window first and resizing it afterwards.
            var cut = ImageOps.Crop(img, box.Top, box.Left, box.Height, box.Width);
            var twoStep = new Resize(160, 160).Apply(cut, new Random(0));
            AssertSame(fused, twoStep, 1e-5f);
        }

        // Impossible ratio range for the image: falls back to a centre crop of the whole (square) image.
        var fallback = new RandomResizedCrop(64, 64, 0.9, 1.0, 3.0, 4.0).GetParams(224, 224, new Random(0));
        Assert.That(fallback, Is.EqualTo(new CropBox(0, 0, 224, 224)).Or.Property("Width").EqualTo(224));
    }

    /// <summary>
    /// Crop-and-resize equals PyTorch's antialiased bilinear interpolate (the reference values in
    /// Fixtures/torchvision/resize.txt, written by make_resize_fixture.py) on a real digit: a pure upscale (the
    /// two-tap fast path), a downscale (the widened filter), a window inside the image, and up in one axis while
    /// down in the other.
    /// </summary>
    [TestCase("upscale")]
    [TestCase("downscale")]
    [TestCase("crop_upscale")]
    [TestCase("crop_mixed")]
    public void ResampleMatchesPyTorchAntialiasedBilinear(string name)
    {
        string fixture = Path.Combine(TestPaths.RepoRoot, "tests", "ModelZoo.Tests", "Fixtures", "torchvision", "resize.txt");
        var fields = File.ReadLines(fixture).Single(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Split(' ');
        int[] n = fields.Skip(1).Take(6).Select(int.Parse).ToArray();
        (int top, int left, int h, int w, int outH, int outW) = (n[0], n[1], n[2], n[3], n[4], n[5]);
        float[] expected = fields.Skip(7).Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.That(expected, Has.Length.EqualTo(outH * outW));

        var digit = ImageTestData.FirstMnistDigit();
        var actual = ImageOps.Resample(digit, left, top, w, h, outH, outW, antialias: true);
        Assert.That((actual.Channels, actual.Height, actual.Width), Is.EqualTo((1, outH, outW)));
        float worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(actual.Data[i] - expected[i]));
        Assert.That(worst, Is.LessThan(2e-6f), $"largest difference from PyTorch in case {name}");
    }

    [Test]
    public void ResizeAndCenterCrop()
    {
        var img = Photo();
        AssertSame(new Resize(224).Apply(img.Clone(), new Random(0)), img);
        var half = new Resize(112).Apply(img.Clone(), new Random(0));
        Assert.That((half.Height, half.Width), Is.EqualTo((112, 112)));
        Assert.That(half.Data.Average(), Is.EqualTo(img.Data.Average()).Within(0.01), "antialiased downscale keeps the mean");

        var wide = ImageOps.Crop(img, 0, 0, 100, 200);
        var r = new Resize(50).Apply(wide, new Random(0));
        Assert.That((r.Height, r.Width), Is.EqualTo((50, 100)));

        var constant = new FloatImage(3, 37, 53);
        Array.Fill(constant.Data, 0.25f);
        Assert.That(new Resize(20).Apply(constant, new Random(0)).Data, Is.All.EqualTo(0.25f).Within(1e-6));

        var cc = new CenterCrop(100).Apply(img.Clone(), new Random(0));
        Assert.That(cc[2, 0, 0], Is.EqualTo(img[2, 62, 62]));
        Assert.That(cc[2, 99, 99], Is.EqualTo(img[2, 161, 161]));
    }

    [Test]
    public void NormalizeMaths()
    {
        var img = Photo();
        var n = new Normalize(Normalization.ImageNet).Apply(img.Clone(), new Random(0));
        for (int c = 0; c < 3; c++)
        {
            float expected = (img[c, 50, 60] - Normalization.ImageNet.Mean[c]) / Normalization.ImageNet.Std[c];
            Assert.That(n[c, 50, 60], Is.EqualTo(expected).Within(1e-5));
        }

        var digit = ImageTestData.FirstMnistDigit();
        var nd = new Normalize(Normalization.Mnist).Apply(digit.Clone(), new Random(0));
        Assert.That(nd[0, 0, 0], Is.EqualTo(-0.1307f / 0.3081f).Within(1e-5));
    }

    [Test]
    public void ColorJitterZeroIsIdentityAndBrightnessScales()
    {
        var img = Photo();
        AssertSame(new ColorJitter().Apply(img.Clone(), new Random(5)), img);
        var jittered = new ColorJitter(0.5, 0.5, 0.5, 0.2).Apply(img.Clone(), new Random(5));
        Assert.That(jittered.Data, Is.All.InRange(0f, 1f));
        Assert.That(jittered.Data, Is.Not.EqualTo(img.Data));

        var bright = new ColorJitter(brightness: 0.5).Apply(img.Clone(), new Random(9));
        // One factor for every pixel: unclamped pixels keep the ratio.
        int i = Array.FindIndex(img.Data, v => v is > 0.2f and < 0.5f);
        int j = Array.FindLastIndex(img.Data, v => v is > 0.2f and < 0.5f);
        Assert.That(bright.Data[i] / img.Data[i], Is.EqualTo(bright.Data[j] / img.Data[j]).Within(1e-4));

        var greyImage = ImageTestData.FirstMnistDigit();
        AssertSame(new ColorJitter(saturation: 0.9, hue: 0.5).Apply(greyImage.Clone(), new Random(1)), greyImage);
    }

    [Test]
    public void HueShiftOfAFullTurnIsIdentity()
    {
        var img = Photo();
        var h = new ColorJitter(hue: 0.5);
        // Shift by +x then by -x using two seeds is not controllable; instead shift a grey image: unchanged.
        var grey = new FloatImage(3, 8, 8);
        Array.Fill(grey.Data, 0.4f);
        AssertSame(h.Apply(grey.Clone(), new Random(0)), grey);
        Assert.That(h.Apply(img.Clone(), new Random(0)).Data, Is.All.InRange(0f, 1f));
    }

    [Test]
    public void RandomErasingErasesTheStatedArea()
    {
        var img = Photo();
        var erase = new RandomErasing(p: 1, minScale: 0.1, maxScale: 0.2, value: -7);
        for (int seed = 0; seed < 10; seed++)
        {
            var box = erase.GetParams(img.Height, img.Width, NextAfterP(seed));
            var o = erase.Apply(img.Clone(), new Random(seed));
            int erased = o.Data.Count(v => v == -7f);
            Assert.That(box, Is.Not.Null);
            Assert.That(erased, Is.EqualTo(3 * box!.Value.Height * box.Value.Width));
            double frac = erased / 3.0 / (img.Height * img.Width);
            Assert.That(frac, Is.InRange(0.09, 0.21));
            Assert.That(o[0, box.Value.Top, box.Value.Left], Is.EqualTo(-7f));
        }

        static Random NextAfterP(int seed)
        {
            var r = new Random(seed);
            r.NextDouble(); // the probability draw
            return r;
        }
    }

    [Test]
    public void ZeroProbabilityIsIdentity()
    {
        var img = Photo();
        ITransform[] transforms =
        [
            new RandomHorizontalFlip(0), new RandomRotation(30, p: 0), new RandomTranslation(0.3, 0.3, p: 0),
            new RandomScale(0.5, 2, p: 0), new RandomErasing(p: 0),
        ];
        foreach (var t in transforms) AssertSame(t.Apply(img.Clone(), new Random(11)), img);
    }

    [Test]
    public void SameSeedSameOutputDifferentSeedDifferentOutput()
    {
        var img = Photo();
        var pipeline = TransformPresets.Strong(128);
        var a = pipeline.Apply(img.Clone(), new Random(123));
        var b = pipeline.Apply(img.Clone(), new Random(123));
        var c = pipeline.Apply(img.Clone(), new Random(124));
        AssertSame(a, b);
        Assert.That(a.Data, Is.Not.EqualTo(c.Data));
        Assert.That((a.Height, a.Width), Is.EqualTo((128, 128)));
    }

    [Test]
    public void ScaleZoomsAboutTheCentre()
    {
        var digit = ImageTestData.FirstMnistDigit();
        var (x0, y0) = CentreOfMass(digit);
        var zoomed = RandomScale.Zoom(digit, 1.5);
        var (x1, y1) = CentreOfMass(zoomed);
        // Distances from the centre (13.5, 13.5) grow by the factor.
        Assert.That(x1 - 13.5, Is.EqualTo((x0 - 13.5) * 1.5).Within(0.15));
        Assert.That(y1 - 13.5, Is.EqualTo((y0 - 13.5) * 1.5).Within(0.15));
        Assert.That(zoomed.Data.Sum(), Is.EqualTo(digit.Data.Sum() * 1.5 * 1.5).Within(digit.Data.Sum() * 0.2), "ink grows with the area");
    }

    [Test]
    public void PresetsByName()
    {
        Assert.That(TransformPresets.Names, Is.SupersetOf(new[] { "none", "mnist", "imagenet", "light" }));
        var img = Photo();
        foreach (var name in TransformPresets.Names)
        {
            var o = TransformPresets.Train(name, 96, Normalization.ImageNet).Apply(img.Clone(), new Random(0));
            Assert.That((o.Channels, o.Height, o.Width), Is.EqualTo((3, 96, 96)), name);
        }

        var ex = Assert.Throws<ArgumentException>(() => TransformPresets.Train("fancy", 224, Normalization.ImageNet))!;
        Assert.That(ex.Message, Does.Contain("imagenet"));

        var eval = TransformPresets.Eval(224).Apply(img.Clone(), new Random(0));
        Assert.That((eval.Height, eval.Width), Is.EqualTo((224, 224)));
        var digit = ImageTestData.FirstMnistDigit();
        var m = TransformPresets.MnistTrain().Apply(digit.Clone(), new Random(0));
        Assert.That((m.Channels, m.Height, m.Width), Is.EqualTo((1, 28, 28)));
        var evalSmall = TransformPresets.Eval(28, Normalization.Mnist, small: true).Apply(digit.Clone(), new Random(0));
        AssertSame(evalSmall, new Normalize(Normalization.Mnist).Apply(digit.Clone(), new Random(0)));
    }
}
