using ModelZoo.Onnx.Quantization;

namespace ModelZoo.Tests.Onnx;

/// <summary>The calibration statistics: the growing histogram, and the ranges minmax, percentile and entropy pick from it.</summary>
public class CalibrationRangesTests
{
    private static float[] Gaussian(int n, int seed, double scale = 1)
    {
        var random = new Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(scale * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        return v;
    }

    [Test]
    public void AGrowingHistogramCountsWhatOneHistogramOfTheFinalRangeCounts()
    {
        var first = Gaussian(50_000, 1);
        var second = Gaussian(50_000, 2, scale: 3);
        var h = new TensorHistogram(2048);
        Assert.That(h.Add(first), Is.True);
        double width = h.Width;
        Assert.That(h.Add(second), Is.True);
        Assert.That(h.Width, Is.EqualTo(width), "growth adds bins of the same width");
        Assert.That(h.Half, Is.GreaterThan(1024));
        var expected = new long[h.Counts.Length];
        foreach (float v in first.Concat(second))
            expected[Math.Clamp((int)Math.Floor(v / width) + h.Half, 0, expected.Length - 1)]++;
        Assert.That(h.Counts.ToArray(), Is.EqualTo(expected));
        Assert.That(h.Total, Is.EqualTo(100_000));
        Assert.That(h.Min, Is.EqualTo(first.Concat(second).Min()));
        Assert.That(h.Max, Is.EqualTo(first.Concat(second).Max()));
    }

    [Test]
    public void AHugeOutlierMergesBinsInsteadOfTakingUnboundedMemory()
    {
        var h = new TensorHistogram(2048);
        h.Add(Gaussian(10_000, 3));
        h.Add([1e7f, -2f]);
        Assert.That(h.Half, Is.LessThanOrEqualTo(TensorHistogram.MaxHalfBins));
        Assert.That(h.Half * h.Width, Is.GreaterThanOrEqualTo(1e7));
        long sum = 0;
        foreach (long c in h.Counts) sum += c;
        Assert.That(sum, Is.EqualTo(10_002));
    }

    [Test]
    public void InfiniteValuesAreRefusedAndNaNSkipped()
    {
        var h = new TensorHistogram(2048);
        Assert.That(h.Add([1f, float.PositiveInfinity]), Is.False);
        Assert.That(h.Total, Is.Zero);
        Assert.That(h.Add([float.NaN, 2f, -1f]), Is.True);
        Assert.That((h.Min, h.Max), Is.EqualTo((-1f, 2f)));
    }

    [Test]
    public void PercentileAndEntropyClipRareOutliersThatMinMaxKeeps()
    {
        var values = Gaussian(200_000, 4).Concat(Enumerable.Repeat(60f, 3)).ToArray();
        var h = new TensorHistogram(2048);
        h.Add(values);
        var minmax = CalibrationRanges.Range(h, new OnnxQuantizationOptions { Method = CalibrationMethod.MinMax });
        var percentile = CalibrationRanges.Range(h, new OnnxQuantizationOptions { Method = CalibrationMethod.Percentile, Percentile = 99.99 });
        var entropy = CalibrationRanges.Range(h, new OnnxQuantizationOptions { Method = CalibrationMethod.Entropy });
        TestContext.Out.WriteLine($"minmax {minmax}, percentile {percentile}, entropy {entropy}");
        Assert.That(minmax.High, Is.EqualTo(60f));
        // 99.99 % of |x| for N(0, 1) is about 3.9.
        Assert.That(percentile.High, Is.InRange(3.5f, 4.5f));
        Assert.That(percentile.Low, Is.EqualTo(-percentile.High).Within(1e-6));
        Assert.That(entropy.High, Is.InRange(2f, 20f), "KL keeps the bulk and lets the far outliers clip");
    }

    [Test]
    public void EntropyKeepsTheWholeRangeOfAUniformDistribution()
    {
        var random = new Random(5);
        var values = Enumerable.Range(0, 100_000).Select(_ => (float)random.NextDouble()).ToArray();
        var h = new TensorHistogram(2048);
        h.Add(values);
        var (low, high) = CalibrationRanges.Range(h, new OnnxQuantizationOptions { Method = CalibrationMethod.Entropy });
        Assert.That(low, Is.EqualTo(values.Min()), "a ReLU-like tensor keeps its minimum (0 side)");
        Assert.That(high, Is.GreaterThan(0.9f), "clipping a flat distribution only loses information");
    }

    [Test]
    public void ParametersPutZeroOnALevelAndReluRangesAtTheTypesMinimum()
    {
        var relu8 = QuantParams.ForRange(0f, 2.55f, QuantizedActivationType.Int8);
        Assert.That(relu8.ZeroPoint, Is.EqualTo(-128));
        Assert.That(relu8.Scale, Is.EqualTo(0.01f).Within(1e-7));
        Assert.That(QuantParams.ForRange(0f, 2.55f, QuantizedActivationType.UInt8).ZeroPoint, Is.Zero);
        var symmetric = QuantParams.ForRange(-1f, 1f, QuantizedActivationType.UInt8);
        Assert.That(symmetric.ZeroPoint, Is.InRange(127, 128), "zero at the middle level");
        Assert.That(QuantParams.ForRange(0.5f, 1f, QuantizedActivationType.Int8).ZeroPoint, Is.EqualTo(-128), "the range is widened to hold 0");
        Assert.That(QuantParams.ForRange(0f, 0f, QuantizedActivationType.Int8), Is.EqualTo(new QuantParams(1f, 0)));
    }
}
