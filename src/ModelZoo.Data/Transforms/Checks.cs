namespace ModelZoo.Data.Transforms;

internal static class Checks
{
    public static void Probability(double p)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), $"probability must be in [0, 1], got {p}");
    }

    public static void Range(double min, double max, string name)
    {
        if (!(min <= max) || double.IsNaN(min) || double.IsInfinity(min) || double.IsInfinity(max))
            throw new ArgumentException($"{name}: need min <= max, got ({min}, {max})");
    }

    public static void Size(int height, int width)
    {
        if (height < 1 || width < 1) throw new ArgumentException($"size must be positive, got {height}x{width}");
    }

    public static double Uniform(Random random, double min, double max) => min + (max - min) * random.NextDouble();
}
