namespace ModelZoo.Data.Transforms;

/// <summary>
/// The image operations of torchvision 0.14's RandAugment and TrivialAugmentWide (<c>_apply_op</c>), with the
/// semantics of torchvision's uint8 tensor path: the image is quantised to 0..255 (round(v x 255)), each op computes in
/// float32 and casts back as torchvision does (truncating after clamping for blends, rounding for the blur and the
/// geometric ops), and the result is returned as v / 255. Geometric ops use nearest sampling with fill 0 on the
/// affine grid torchvision builds (pixel centres about the image centre; shears about the top-left corner).
/// </summary>
public static class AutoAugmentOps
{
    /// <summary>The op names, in torchvision's order of the augmentation space.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "Identity", "ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Brightness", "Color", "Contrast", "Sharpness",
        "Posterize", "Solarize", "AutoContrast", "Equalize",
    ];

    /// <summary>Applies op <paramref name="name"/> with <paramref name="magnitude"/> (torchvision's meaning per op) to a copy of <paramref name="image"/>.</summary>
    /// <exception cref="ArgumentException">Unknown op.</exception>
    public static FloatImage Apply(FloatImage image, string name, double magnitude)
    {
        ArgumentNullException.ThrowIfNull(image);
        byte[] q = Quantize(image);
        int c = image.Channels, h = image.Height, w = image.Width;
        byte[] r = name switch
        {
            "Identity" => q,
            "ShearX" => Affine(q, c, h, w, 0, [0, 0], 1, [Math.Atan(magnitude) * 180 / Math.PI, 0], centerTopLeft: true),
            "ShearY" => Affine(q, c, h, w, 0, [0, 0], 1, [0, Math.Atan(magnitude) * 180 / Math.PI], centerTopLeft: true),
            "TranslateX" => Affine(q, c, h, w, 0, [(int)magnitude, 0], 1, [0, 0], centerTopLeft: false),
            "TranslateY" => Affine(q, c, h, w, 0, [0, (int)magnitude], 1, [0, 0], centerTopLeft: false),
            "Rotate" => Affine(q, c, h, w, -magnitude, [0, 0], 1, [0, 0], centerTopLeft: false),
            "Brightness" => Blend(q, new float[q.Length], (float)(1 + magnitude)),
            "Color" => c == 1 ? q : Blend(q, GreyExpanded(q, c, h, w), (float)(1 + magnitude)),
            "Contrast" => Contrast(q, c, h, w, (float)(1 + magnitude)),
            "Sharpness" => h <= 2 || w <= 2 ? q : Blend(q, Blurred(q, c, h, w), (float)(1 + magnitude)),
            "Posterize" => Posterize(q, (int)magnitude),
            "Solarize" => q.Select(v => v >= magnitude ? (byte)(255 - v) : v).ToArray(),
            "AutoContrast" => AutoContrast(q, c, h, w),
            "Equalize" => Equalize(q, c, h, w),
            _ => throw new ArgumentException($"unknown augmentation op '{name}'; known: {string.Join(", ", Names)}", nameof(name)),
        };
        var data = new float[r.Length];
        for (int i = 0; i < r.Length; i++) data[i] = r[i] / 255f;
        return new FloatImage(c, h, w, data);
    }

    private static byte[] Quantize(FloatImage image)
    {
        var q = new byte[image.Data.Length];
        for (int i = 0; i < q.Length; i++) q[i] = (byte)Math.Clamp(Math.Round(image.Data[i] * 255.0), 0, 255);
        return q;
    }

    /// <summary>torchvision's <c>_blend</c> on uint8: (ratio x a + (1 - ratio) x b) in float32, clamped to [0, 255], truncated.</summary>
    private static byte[] Blend(byte[] a, float[] b, float ratio)
    {
        var r = new byte[a.Length];
        float other = 1.0f - ratio;
        for (int i = 0; i < a.Length; i++)
        {
            float v = ratio * a[i] + other * b[i];
            r[i] = (byte)Math.Clamp(v, 0f, 255f);
        }
        return r;
    }

    private static byte[] Blend(byte[] a, byte[] b, float ratio) => Blend(a, b.Select(x => (float)x).ToArray(), ratio);

    /// <summary>rgb_to_grayscale on uint8: (0.2989 r + 0.587 g + 0.114 b) in float32, truncated.</summary>
    private static byte[] Grey(byte[] q, int c, int h, int w)
    {
        int plane = h * w;
        if (c != 3) return q[..plane];
        var g = new byte[plane];
        for (int i = 0; i < plane; i++) g[i] = (byte)(0.2989f * q[i] + 0.587f * q[plane + i] + 0.114f * q[2 * plane + i]);
        return g;
    }

    private static float[] GreyExpanded(byte[] q, int c, int h, int w)
    {
        var g = Grey(q, c, h, w);
        int plane = h * w;
        var r = new float[q.Length];
        for (int ch = 0; ch < c; ch++) for (int i = 0; i < plane; i++) r[ch * plane + i] = g[i];
        return r;
    }

    private static byte[] Contrast(byte[] q, int c, int h, int w, float factor)
    {
        var g = c == 3 ? Grey(q, c, h, w) : q;
        double sum = 0;
        foreach (var v in g) sum += v;
        float mean = (float)(sum / g.Length);
        var m = new float[q.Length];
        Array.Fill(m, mean);
        return Blend(q, m, factor);
    }

    /// <summary>The 3x3 smoothing [[1,1,1],[1,5,1],[1,1,1]] / 13 of the inner pixels, rounded; the border keeps the image.</summary>
    private static byte[] Blurred(byte[] q, int c, int h, int w)
    {
        var r = (byte[])q.Clone();
        int plane = h * w;
        float k = 1f / 13f, centre = 5f / 13f;
        for (int ch = 0; ch < c; ch++)
        {
            int b = ch * plane;
            for (int y = 1; y < h - 1; y++)
                for (int x = 1; x < w - 1; x++)
                {
                    float s = 0;
                    for (int dy = -1; dy <= 1; dy++)
                        for (int dx = -1; dx <= 1; dx++)
                            s += q[b + (y + dy) * w + x + dx] * (dy == 0 && dx == 0 ? centre : k);
                    r[b + y * w + x] = (byte)Math.Clamp(Math.Round(s, MidpointRounding.ToEven), 0, 255);
                }
        }
        return r;
    }

    private static byte[] Posterize(byte[] q, int bits)
    {
        int mask = -(1 << (8 - bits));
        return q.Select(v => (byte)(v & mask)).ToArray();
    }

    private static byte[] AutoContrast(byte[] q, int c, int h, int w)
    {
        int plane = h * w;
        var r = new byte[q.Length];
        for (int ch = 0; ch < c; ch++)
        {
            var span = new ReadOnlySpan<byte>(q, ch * plane, plane);
            float min = 255, max = 0;
            foreach (var v in span) { min = Math.Min(min, v); max = Math.Max(max, v); }
            float scale = 255f / (max - min);
            if (!float.IsFinite(scale)) { min = 0; scale = 1; }
            for (int i = 0; i < plane; i++) r[ch * plane + i] = (byte)Math.Clamp((span[i] - min) * scale, 0f, 255f);
        }
        return r;
    }

    /// <summary>torchvision's <c>_scale_channel</c>: the PIL equalisation with integer steps.</summary>
    private static byte[] Equalize(byte[] q, int c, int h, int w)
    {
        int plane = h * w;
        var r = new byte[q.Length];
        for (int ch = 0; ch < c; ch++)
        {
            var hist = new long[256];
            for (int i = 0; i < plane; i++) hist[q[ch * plane + i]]++;
            var nonzero = hist.Where(n => n != 0).ToArray();
            long step = nonzero.Length <= 1 ? 0 : nonzero[..^1].Sum() / 255;
            if (step == 0)
            {
                Array.Copy(q, ch * plane, r, ch * plane, plane);
                continue;
            }
            var lut = new long[256];
            long cumulative = 0;
            for (int v = 0; v < 256; v++)
            {
                // lut = pad((cumsum + step // 2) // step, [1, 0])[:-1]: entry v uses the cumulative count below v.
                lut[v] = Math.Clamp((cumulative + step / 2) / step, 0, 255);
                cumulative += hist[v];
            }
            for (int i = 0; i < plane; i++) r[ch * plane + i] = (byte)lut[q[ch * plane + i]];
        }
        return r;
    }

    /// <summary>
    /// torchvision's tensor affine: the inverse matrix of <c>_get_inverse_affine_matrix</c>, the output grid of pixel
    /// centres about the image centre (<c>_gen_affine_grid</c>), nearest sampling (<c>grid_sample</c>, align_corners
    /// false, round half to even), zeros outside; computed in float32 as torchvision does.
    /// </summary>
    private static byte[] Affine(byte[] q, int c, int h, int w, double angle, double[] translate, double scale, double[] shear, bool centerTopLeft)
    {
        // center [0, 0] in pixels is (-w/2, -h/2) relative to the image centre; no center is the centre itself.
        double cx = centerTopLeft ? -w * 0.5 : 0, cy = centerTopLeft ? -h * 0.5 : 0;
        double rot = angle * Math.PI / 180, sx = shear[0] * Math.PI / 180, sy = shear[1] * Math.PI / 180;
        double tx = translate[0], ty = translate[1];
        double a = Math.Cos(rot - sy) / Math.Cos(sy);
        double b = -Math.Cos(rot - sy) * Math.Tan(sx) / Math.Cos(sy) - Math.Sin(rot);
        double cc = Math.Sin(rot - sy) / Math.Cos(sy);
        double d = -Math.Sin(rot - sy) * Math.Tan(sx) / Math.Cos(sy) + Math.Cos(rot);
        double[] m = [d / scale, -b / scale, 0, -cc / scale, a / scale, 0];
        m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty);
        m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty);
        m[2] += cx;
        m[5] += cy;
        // rescaled theta = theta^T / [0.5 w, 0.5 h] in float32.
        float hw = 0.5f * w, hh = 0.5f * h;
        float t00 = (float)m[0] / hw, t01 = (float)m[1] / hw, t02 = (float)m[2] / hw;
        float t10 = (float)m[3] / hh, t11 = (float)m[4] / hh, t12 = (float)m[5] / hh;
        int plane = h * w;
        var r = new byte[q.Length];
        float[] xs = AutoAugmentSpace.Linspace(-w * 0.5 + 0.5, w * 0.5 + 0.5 - 1, w);
        float[] ys = AutoAugmentSpace.Linspace(-h * 0.5 + 0.5, h * 0.5 + 0.5 - 1, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                float gx = xs[x] * t00 + ys[y] * t01 + t02;
                float gy = xs[x] * t10 + ys[y] * t11 + t12;
                // grid_sample, align_corners false: ((g + 1) * size - 1) / 2, then nearbyint.
                float ix = ((gx + 1) * w - 1) / 2, iy = ((gy + 1) * h - 1) / 2;
                int px = (int)MathF.Round(ix, MidpointRounding.ToEven), py = (int)MathF.Round(iy, MidpointRounding.ToEven);
                if (px < 0 || py < 0 || px >= w || py >= h) continue;
                for (int ch = 0; ch < c; ch++) r[ch * plane + y * w + x] = q[ch * plane + py * w + px];
            }
        return r;
    }
}
