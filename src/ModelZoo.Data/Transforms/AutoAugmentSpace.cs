namespace ModelZoo.Data.Transforms;

/// <summary>
/// The magnitude bins of torchvision 0.14's RandAugment and TrivialAugmentWide (<c>_augmentation_space</c>), computed
/// in float32 like <c>torch.linspace</c>: per op, the magnitudes and whether a random sign applies.
/// </summary>
public static class AutoAugmentSpace
{
    /// <summary>RandAugment's space for an image of <paramref name="height"/> x <paramref name="width"/> with <paramref name="bins"/> bins.</summary>
    public static IReadOnlyList<(string Op, float[] Magnitudes, bool Signed)> RandAugment(int bins, int height, int width) =>
    [
        ("Identity", [], false),
        ("ShearX", Linspace(0, 0.3, bins), true),
        ("ShearY", Linspace(0, 0.3, bins), true),
        ("TranslateX", Linspace(0, 150.0 / 331.0 * width, bins), true),
        ("TranslateY", Linspace(0, 150.0 / 331.0 * height, bins), true),
        ("Rotate", Linspace(0, 30, bins), true),
        ("Brightness", Linspace(0, 0.9, bins), true),
        ("Color", Linspace(0, 0.9, bins), true),
        ("Contrast", Linspace(0, 0.9, bins), true),
        ("Sharpness", Linspace(0, 0.9, bins), true),
        ("Posterize", Posterize(bins, 4), false),
        ("Solarize", Linspace(255, 0, bins), false),
        ("AutoContrast", [], false),
        ("Equalize", [], false),
    ];

    /// <summary>TrivialAugmentWide's space with <paramref name="bins"/> bins (independent of the image size).</summary>
    public static IReadOnlyList<(string Op, float[] Magnitudes, bool Signed)> TrivialAugmentWide(int bins) =>
    [
        ("Identity", [], false),
        ("ShearX", Linspace(0, 0.99, bins), true),
        ("ShearY", Linspace(0, 0.99, bins), true),
        ("TranslateX", Linspace(0, 32, bins), true),
        ("TranslateY", Linspace(0, 32, bins), true),
        ("Rotate", Linspace(0, 135, bins), true),
        ("Brightness", Linspace(0, 0.99, bins), true),
        ("Color", Linspace(0, 0.99, bins), true),
        ("Contrast", Linspace(0, 0.99, bins), true),
        ("Sharpness", Linspace(0, 0.99, bins), true),
        ("Posterize", Posterize(bins, 6), false),
        ("Solarize", Linspace(255, 0, bins), false),
        ("AutoContrast", [], false),
        ("Equalize", [], false),
    ];

    /// <summary><c>torch.linspace(start, end, steps)</c> in float32 (the first half counted from the start, the second back from the end).</summary>
    public static float[] Linspace(double start, double end, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var r = new float[steps];
        float s = (float)start, e = (float)end;
        if (steps == 1) { r[0] = s; return r; }
        float step = (e - s) / (steps - 1);
        int half = steps / 2;
        // libtorch's vectorised CPU kernel evaluates both halves with fused multiply-adds.
        for (int i = 0; i < steps; i++) r[i] = i < half ? MathF.FusedMultiplyAdd(step, i, s) : MathF.FusedMultiplyAdd(-step, steps - i - 1, e);
        return r;
    }

    /// <summary><c>8 - (arange(bins) / ((bins - 1) / divisor)).round().int()</c>.</summary>
    private static float[] Posterize(int bins, int divisor)
    {
        var r = new float[bins];
        float denominator = (float)((bins - 1) / (double)divisor);
        for (int i = 0; i < bins; i++) r[i] = 8 - (int)MathF.Round(i / denominator, MidpointRounding.ToEven);
        return r;
    }
}
