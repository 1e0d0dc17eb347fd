namespace ModelZoo.Onnx.Quantization;

/// <summary>
/// A histogram of one tensor's values over a range symmetric about zero, <c>[-T, T]</c>, with an even number of bins
/// so that zero is an edge. <c>T</c> starts at the first batch's largest absolute value; a later batch with larger
/// values adds bins of the same width on both sides (ONNX Runtime's histogram merge), so earlier counts are never
/// re-binned. Past <see cref="MaxHalfBins"/> bins a side, neighbouring bins are merged (the width doubles, triples...)
/// to bound the memory a single outlier can take. Also tracks the minimum and maximum; with 0 bins it tracks only those.
/// </summary>
internal sealed class TensorHistogram(int bins)
{
    /// <summary>Most bins on one side of zero before neighbours merge.</summary>
    public const int MaxHalfBins = 1 << 15;

    private readonly int initialHalf = bins / 2;
    private long[] counts = [];

    /// <summary>Width of one bin (0 until a non-zero value was seen).</summary>
    public double Width { get; private set; }

    /// <summary>Bins on each side of zero.</summary>
    public int Half => counts.Length / 2;

    /// <summary>Smallest value seen.</summary>
    public float Min { get; private set; } = float.PositiveInfinity;

    /// <summary>Largest value seen.</summary>
    public float Max { get; private set; } = float.NegativeInfinity;

    /// <summary>Values of exactly zero seen (a ReLU's many): counted here, not in <see cref="Counts"/>; the zero point represents them exactly whatever the range.</summary>
    public long Zeros { get; private set; }

    /// <summary>Values seen (NaN aside), zeros included.</summary>
    public long Total { get; private set; }

    /// <summary>The counts of the non-zero values, bin 0 = <c>[-T, -T + w)</c>; zero is the edge between bins <c>Half - 1</c> and <c>Half</c>.</summary>
    public ReadOnlySpan<long> Counts => counts;

    /// <summary>Adds values (NaN is skipped: it has no place in a range); returns false, adding nothing, when a value is infinite.</summary>
    public bool Add(ReadOnlySpan<float> values)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float v in values)
        {
            if (v < min) min = v;
            if (v > max) max = v;
        }
        if (float.IsInfinity(min) || float.IsInfinity(max)) return min > max; // min > max: all NaN or empty
        if (float.IsNaN(min) || float.IsNaN(max)) return true;
        Min = Math.Min(Min, min);
        Max = Math.Max(Max, max);
        if (initialHalf == 0)
        {
            Total += values.Length;
            return true;
        }
        double amax = Math.Max(Math.Abs((double)min), Math.Abs((double)max));
        if (amax == 0)
        {
            Zeros += values.Length;
            Total += values.Length;
            return true;
        }
        if (counts.Length == 0)
        {
            Width = amax / initialHalf;
            counts = new long[2 * initialHalf];
        }
        else if (amax > Half * Width) Grow(amax);
        int half = Half, last = counts.Length - 1;
        double inverse = 1.0 / Width;
        long zeros = 0;
        foreach (float v in values)
        {
            if (v == 0)
            {
                zeros++;
                continue;
            }
            if (float.IsNaN(v)) continue;
            int bin = (int)Math.Floor(v * inverse) + half;
            counts[bin < 0 ? 0 : bin > last ? last : bin]++;
        }
        Zeros += zeros;
        Total += values.Length;
        return true;
    }

    private void Grow(double amax)
    {
        int half = Half;
        long needed = (long)Math.Ceiling(amax / Width);
        int factor = needed <= MaxHalfBins ? 1 : (int)((needed + MaxHalfBins - 1) / MaxHalfBins);
        int newHalf = (int)((needed + factor - 1) / factor);
        var grown = new long[2 * newHalf];
        // Old bin j (counted from zero outwards on its side) lands in new bin j / factor of the same side.
        for (int j = 0; j < half; j++)
        {
            grown[newHalf + j / factor] += counts[half + j];
            grown[newHalf - 1 - j / factor] += counts[half - 1 - j];
        }
        counts = grown;
        Width *= factor;
    }
}
