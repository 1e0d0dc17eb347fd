namespace ModelZoo.Onnx.Quantization;

/// <summary>The range each calibration method picks from a tensor's <see cref="TensorHistogram"/> (or its min and max).</summary>
internal static class CalibrationRanges
{
    /// <summary>The [low, high] range for the options' method.</summary>
    public static (float Low, float High) Range(TensorHistogram h, OnnxQuantizationOptions options)
    {
        if (h.Total == 0) return (0, 0);
        if (h.Width == 0 || options.Method == CalibrationMethod.MinMax) return (h.Min, h.Max);
        double t = options.Method == CalibrationMethod.Percentile ? PercentileThreshold(h, options.Percentile)
            : EntropyThreshold(Coarsened(h.Counts, Math.Max(options.HistogramBins / 2, MaxEntropyHalfBins), out int factor), h.Width * factor, options.QuantizedBins, oneSided: h.Min >= 0);
        return ((float)Math.Max(-t, h.Min), (float)Math.Min(t, h.Max));
    }

    /// <summary>The entropy search is quadratic in the bins: a histogram that grew past this many bins a side is merged down first.</summary>
    private const int MaxEntropyHalfBins = 4096;

    /// <summary>The counts with neighbouring bins (counted outwards from zero) merged by the smallest factor that leaves at most <paramref name="maxHalf"/> a side.</summary>
    public static long[] Coarsened(ReadOnlySpan<long> counts, int maxHalf, out int factor)
    {
        int half = counts.Length / 2;
        factor = (half + maxHalf - 1) / maxHalf;
        if (factor <= 1)
        {
            factor = 1;
            return counts.ToArray();
        }
        int newHalf = (half + factor - 1) / factor;
        var merged = new long[2 * newHalf];
        for (int j = 0; j < half; j++)
        {
            merged[newHalf + j / factor] += counts[half + j];
            merged[newHalf - 1 - j / factor] += counts[half - 1 - j];
        }
        return merged;
    }

    /// <summary>The smallest symmetric threshold that holds <paramref name="percentile"/> percent of the absolute values (bins folded about zero).</summary>
    public static double PercentileThreshold(TensorHistogram h, double percentile)
    {
        var counts = h.Counts;
        int half = h.Half;
        double target = percentile / 100.0 * h.Total, seen = h.Zeros;
        if (seen >= target) return h.Width;
        for (int j = 0; j < half; j++)
        {
            seen += counts[half + j] + counts[half - 1 - j];
            if (seen >= target) return (j + 1) * h.Width;
        }
        return half * h.Width;
    }

    /// <summary>
    /// TensorRT's entropy calibration: for each candidate threshold <c>t</c> (a whole number of bins, from
    /// <paramref name="levels"/> bins to all of them), the reference distribution <c>p</c> is the histogram inside the
    /// window with the outliers added to its end bins; <c>q</c> merges the window into <paramref name="levels"/> levels
    /// and spreads each level evenly back over the bins that were not empty. Both are smoothed (empty bins get 0.0001,
    /// taken from the others) and the candidate with the smallest Kullback-Leibler divergence <c>KL(p || q)</c> wins.
    /// A tensor that is never negative (a ReLU's output) is searched on <c>[0, t]</c>, any other on <c>[-t, t]</c>:
    /// the levels are the ones the 8-bit asymmetric quantizer will actually spend on that window (TensorRT and ONNX
    /// Runtime search <c>[-t, t]</c> with 128 levels, the positive half of symmetric int8).
    /// </summary>
    public static double EntropyThreshold(long[] counts, double width, int levels, bool oneSided)
    {
        int half = counts.Length / 2;
        int first = oneSided ? levels : levels / 2;
        if (half <= first) return half * width;
        // Outliers beyond i bins from zero, per side.
        var outsideLeft = new long[half + 1];
        var outsideRight = new long[half + 1];
        long below = 0, above = 0;
        for (int i = half - 1; i >= 0; i--)
        {
            below += counts[half - 1 - i];
            above += counts[half + i];
            outsideLeft[i] = below;
            outsideRight[i] = above;
        }
        var p = new double[2 * half];
        var q = new double[2 * half];
        double best = double.PositiveInfinity;
        int bestI = half;
        for (int i = first; i <= half; i++)
        {
            int start = oneSided ? half : half - i, size = oneSided ? i : 2 * i;
            for (int k = 0; k < size; k++) p[k] = counts[start + k];
            if (!oneSided) p[0] += outsideLeft[i];
            p[size - 1] += i < half ? outsideRight[i] : 0;
            // Merge the window (without the outliers) into the levels: bin k belongs to the level its centre falls in.
            for (int from = 0; from < size;)
            {
                int level = (int)((from + 0.5) * levels / size), to = from + 1;
                while (to < size && (int)((to + 0.5) * levels / size) == level) to++;
                double sum = 0;
                int nonEmpty = 0;
                for (int k = from; k < to; k++)
                {
                    sum += counts[start + k];
                    if (p[k] != 0) nonEmpty++;
                }
                double spread = nonEmpty == 0 ? 0 : sum / nonEmpty;
                for (int k = from; k < to; k++) q[k] = p[k] != 0 ? spread : 0;
                from = to;
            }
            double kl = Divergence(p.AsSpan(0, size), q.AsSpan(0, size));
            if (kl < best)
            {
                best = kl;
                bestI = i;
            }
        }
        return bestI * width;
    }

    /// <summary>KL(p || q) of the smoothed, normalised distributions; infinity when either has no mass.</summary>
    private static double Divergence(Span<double> p, Span<double> q)
    {
        if (!Smooth(p) || !Smooth(q)) return double.PositiveInfinity;
        double sp = 0, sq = 0;
        foreach (double v in p) sp += v;
        foreach (double v in q) sq += v;
        double kl = 0;
        for (int k = 0; k < p.Length; k++)
        {
            double a = p[k] / sp, b = q[k] / sq;
            if (a > 0) kl += a * Math.Log(a / b);
        }
        return kl;
    }

    /// <summary>Gives empty bins a small mass taken evenly from the others (the smoothing of MXNet, TensorRT and ONNX Runtime).</summary>
    private static bool Smooth(Span<double> d)
    {
        const double eps = 1e-4;
        int zeros = 0;
        foreach (double v in d) if (v == 0) zeros++;
        int nonZeros = d.Length - zeros;
        if (nonZeros == 0) return false;
        double take = eps * zeros / nonZeros;
        for (int k = 0; k < d.Length; k++) d[k] = d[k] == 0 ? eps : d[k] - take;
        return true;
    }
}
