namespace ModelZoo.Training;

/// <summary>
/// The deterministic generator of one batch's mixing draws: SplitMix64 seeded from (run seed, optimiser step,
/// micro-batch), so a resumed run draws exactly what the uninterrupted run drew; independent of torch's generator.
/// </summary>
internal sealed class MixRandom
{
    private ulong _state;

    public MixRandom(long seed, long step, int microBatch)
    {
        _state = Mix((ulong)seed * 0x9E3779B97F4A7C15UL ^ Mix((ulong)step + 0x632BE59BD9B4E019UL) ^ Mix((ulong)microBatch + 0x2545F4914F6CDD1DUL));
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, max).</summary>
    public int NextInt(int max) => (int)(NextDouble() * max);

    /// <summary>A Beta(alpha, alpha) draw from two Gamma(alpha) draws.</summary>
    public double Beta(double alpha)
    {
        double x = Gamma(alpha), y = Gamma(alpha);
        return x + y == 0 ? 0.5 : x / (x + y);
    }

    /// <summary>Gamma(shape, 1), Marsaglia and Tsang (boosted for shape below 1).</summary>
    public double Gamma(double shape)
    {
        if (shape < 1) return Gamma(shape + 1) * Math.Pow(Math.Max(NextDouble(), double.Epsilon), 1 / shape);
        double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = NextDouble();
            if (u < 1 - 0.0331 * x * x * x * x) return d * v;
            if (Math.Log(Math.Max(u, double.Epsilon)) < 0.5 * x * x + d * (1 - v + Math.Log(v))) return d * v;
        }
    }

    private double Normal()
    {
        double u1 = Math.Max(NextDouble(), double.Epsilon), u2 = NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private ulong Next() => Mix(_state += 0x9E3779B97F4A7C15UL);

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
