namespace ModelZoo.Data.Transforms;

/// <summary>
/// torchvision's ColorJitter on [0, 1] images, in place: brightness, contrast and saturation factors drawn from
/// [max(0, 1 - v), 1 + v], hue shift from [-hue, hue] (hue at most 0.5), applied in a random order. Contrast blends with
/// the mean grey level, saturation with the per-pixel grey (ITU-R BT.601 luma); results are clamped to [0, 1].
/// A zero strength leaves that property alone (no draw); saturation and hue do nothing on 1-channel images.
/// </summary>
public sealed class ColorJitter : ITransform
{
    /// <summary>Creates the transform.</summary>
    public ColorJitter(double brightness = 0, double contrast = 0, double saturation = 0, double hue = 0)
    {
        if (brightness < 0 || contrast < 0 || saturation < 0) throw new ArgumentException("jitter strengths must be non-negative");
        if (hue is < 0 or > 0.5) throw new ArgumentOutOfRangeException(nameof(hue), "hue must be in [0, 0.5]");
        Brightness = brightness;
        Contrast = contrast;
        Saturation = saturation;
        Hue = hue;
    }

    /// <summary>Brightness strength.</summary>
    public double Brightness { get; }

    /// <summary>Contrast strength.</summary>
    public double Contrast { get; }

    /// <summary>Saturation strength.</summary>
    public double Saturation { get; }

    /// <summary>Hue strength (fraction of the colour wheel).</summary>
    public double Hue { get; }

    /// <inheritdoc />
    public FloatImage Apply(FloatImage image, Random random)
    {
        Span<int> order = [0, 1, 2, 3];
        for (int i = 3; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        double b = Brightness > 0 ? Checks.Uniform(random, Math.Max(0, 1 - Brightness), 1 + Brightness) : 1;
        double c = Contrast > 0 ? Checks.Uniform(random, Math.Max(0, 1 - Contrast), 1 + Contrast) : 1;
        double s = Saturation > 0 ? Checks.Uniform(random, Math.Max(0, 1 - Saturation), 1 + Saturation) : 1;
        double h = Hue > 0 ? Checks.Uniform(random, -Hue, Hue) : 0;
        foreach (int op in order)
        {
            switch (op)
            {
                case 0 when Brightness > 0: Scale(image.Data, (float)b); break;
                case 1 when Contrast > 0: AdjustContrast(image, (float)c); break;
                case 2 when Saturation > 0 && image.Channels == 3: AdjustSaturation(image, (float)s); break;
                case 3 when Hue > 0 && image.Channels == 3: AdjustHue(image, (float)h); break;
            }
        }

        return image;
    }

    /// <inheritdoc />
    public override string ToString() => $"ColorJitter(b={Brightness}, c={Contrast}, s={Saturation}, h={Hue})";

    private static void Scale(float[] data, float f)
    {
        for (int i = 0; i < data.Length; i++) data[i] = Math.Clamp(data[i] * f, 0f, 1f);
    }

    private static float Grey(float[] d, int i, int plane) => 0.299f * d[i] + 0.587f * d[i + plane] + 0.114f * d[i + 2 * plane];

    private static void AdjustContrast(FloatImage image, float f)
    {
        float[] d = image.Data;
        int plane = image.Height * image.Width;
        double sum = 0;
        if (image.Channels == 3)
        {
            for (int i = 0; i < plane; i++) sum += Grey(d, i, plane);
        }
        else
        {
            for (int i = 0; i < plane; i++) sum += d[i];
        }

        float mean = (float)(sum / plane) * (1 - f);
        for (int i = 0; i < d.Length; i++) d[i] = Math.Clamp(d[i] * f + mean, 0f, 1f);
    }

    private static void AdjustSaturation(FloatImage image, float f)
    {
        float[] d = image.Data;
        int plane = image.Height * image.Width;
        for (int i = 0; i < plane; i++)
        {
            float g = Grey(d, i, plane) * (1 - f);
            d[i] = Math.Clamp(d[i] * f + g, 0f, 1f);
            d[i + plane] = Math.Clamp(d[i + plane] * f + g, 0f, 1f);
            d[i + 2 * plane] = Math.Clamp(d[i + 2 * plane] * f + g, 0f, 1f);
        }
    }

    private static void AdjustHue(FloatImage image, float shift)
    {
        float[] d = image.Data;
        int plane = image.Height * image.Width;
        for (int i = 0; i < plane; i++)
        {
            float r = d[i], g = d[i + plane], b = d[i + 2 * plane];
            float max = Math.Max(r, Math.Max(g, b)), min = Math.Min(r, Math.Min(g, b));
            float delta = max - min;
            if (delta <= 0) continue; // grey: hue undefined, unchanged
            float h;
            if (max == r) h = (g - b) / delta;
            else if (max == g) h = 2 + (b - r) / delta;
            else h = 4 + (r - g) / delta;
            h = h / 6f + shift;
            h -= MathF.Floor(h);
            float sat = delta / max, v = max;
            float h6 = h * 6f;
            int sector = (int)h6 % 6;
            float frac = h6 - MathF.Floor(h6);
            float p = v * (1 - sat), q = v * (1 - sat * frac), t = v * (1 - sat * (1 - frac));
            (r, g, b) = sector switch
            {
                0 => (v, t, p),
                1 => (q, v, p),
                2 => (p, v, t),
                3 => (p, q, v),
                4 => (t, p, v),
                _ => (v, p, q),
            };
            d[i] = r;
            d[i + plane] = g;
            d[i + 2 * plane] = b;
        }
    }
}
