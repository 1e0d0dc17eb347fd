using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelZoo.Data.Transforms;

/// <summary>
/// Low-level geometric operations shared by the transforms: separable resampling of a (possibly fractional)
/// window with a triangle (bilinear) filter widened when downscaling (antialias, as PIL and torchvision with
/// <c>antialias=True</c>), affine warps with bilinear sampling and a fill value, and crops with padding.
/// All work on the CHW float arrays directly; no per-pixel allocation.
/// </summary>
public static class ImageOps
{
    /// <summary>
    /// Resamples the source window (<paramref name="left"/>, <paramref name="top"/>, <paramref name="width"/>,
    /// <paramref name="height"/>; pixel edges, may be fractional) to <paramref name="outHeight"/> x <paramref name="outWidth"/>.
    /// Crop and resize in one pass. Pixel centres are at +0.5 (align_corners=False).
    /// </summary>
    public static FloatImage Resample(FloatImage src, double left, double top, double width, double height, int outHeight, int outWidth, bool antialias = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outWidth, 1);
        if (width <= 0 || height <= 0) throw new ArgumentException("window must have a positive size");
        int c = src.Channels, inW = src.Width, inH = src.Height;
        var hx = Weights(left, width, outWidth, inW, antialias);
        var vy = Weights(top, height, outHeight, inH, antialias);
        int rowLo = vy.Start[0], rowHi = vy.Start[outHeight - 1] + vy.Count[outHeight - 1];
        for (int i = 0; i < outHeight; i++)
        {
            rowLo = Math.Min(rowLo, vy.Start[i]);
            rowHi = Math.Max(rowHi, vy.Start[i] + vy.Count[i]);
        }

        int rows = rowHi - rowLo;
        float[] tmp = ArrayPool<float>.Shared.Rent(c * rows * outWidth);
        var output = GC.AllocateUninitializedArray<float>(c * outHeight * outWidth);
        try
        {
            float[] s = src.Data;
            // Horizontal pass: rows [rowLo, rowHi) of every channel.
            if (hx.MaxCount <= 2)
                HorizontalTwoTap(s, inH, inW, c, rowLo, rows, tmp, outWidth, hx);
            else
                HorizontalGeneral(s, inH, inW, c, rowLo, rows, tmp, outWidth, hx);

            // Vertical pass: weighted sums of whole rows (vectorised).
            for (int ch = 0; ch < c; ch++)
            {
                for (int oy = 0; oy < outHeight; oy++)
                {
                    var dst = output.AsSpan((ch * outHeight + oy) * outWidth, outWidth);
                    int start = vy.Start[oy], n = vy.Count[oy], wo = oy * vy.Stride;
                    // First tap assigns (the output is not zero-initialised), the others accumulate.
                    Scale(dst, tmp.AsSpan((ch * rows + (start - rowLo)) * outWidth, outWidth), vy.W[wo]);
                    for (int k = 1; k < n; k++)
                    {
                        var row = tmp.AsSpan((ch * rows + (start + k - rowLo)) * outWidth, outWidth);
                        MulAdd(dst, row, vy.W[wo + k]);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(tmp);
        }

        return new FloatImage(c, outHeight, outWidth, output);
    }

    /// <summary>
    /// Warps by the inverse map (output pixel index (x, y) to source coordinates
    /// sx = m00 x + m01 y + m02, sy = m10 x + m11 y + m12) with bilinear sampling; source points outside the
    /// image read <paramref name="fill"/>. The output has the input's size.
    /// </summary>
    public static FloatImage Warp(FloatImage src, double m00, double m01, double m02, double m10, double m11, double m12, float fill)
    {
        int c = src.Channels, h = src.Height, w = src.Width, plane = h * w;
        var output = GC.AllocateUninitializedArray<float>(c * plane); // every element is written below
        float[] s = src.Data;
        for (int y = 0; y < h; y++)
        {
            double sx = m01 * y + m02, sy = m11 * y + m12;
            for (int x = 0; x < w; x++, sx += m00, sy += m10)
            {
                // Snap coordinates within 1e-6 of an integer so exact shifts and quarter turns copy pixels exactly.
                double fxr = Math.Round(sx), fyr = Math.Round(sy);
                double px = Math.Abs(sx - fxr) < 1e-6 ? fxr : sx;
                double py = Math.Abs(sy - fyr) < 1e-6 ? fyr : sy;
                int x0 = (int)Math.Floor(px), y0 = (int)Math.Floor(py);
                float ax = (float)(px - x0), ay = (float)(py - y0);
                int o = y * w + x;
                if (x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h)
                {
                    float w00 = (1 - ax) * (1 - ay), w01 = ax * (1 - ay), w10 = (1 - ax) * ay, w11 = ax * ay;
                    int i0 = y0 * w + x0;
                    for (int ch = 0, b = 0; ch < c; ch++, b += plane)
                        output[b + o] = s[b + i0] * w00 + s[b + i0 + 1] * w01 + s[b + i0 + w] * w10 + s[b + i0 + w + 1] * w11;
                }
                else if (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h)
                {
                    for (int ch = 0, b = 0; ch < c; ch++, b += plane) output[b + o] = fill;
                }
                else
                {
                    for (int ch = 0, b = 0; ch < c; ch++, b += plane)
                    {
                        output[b + o] =
                            Sample(s, b, w, h, x0, y0, fill) * (1 - ax) * (1 - ay) +
                            Sample(s, b, w, h, x0 + 1, y0, fill) * ax * (1 - ay) +
                            Sample(s, b, w, h, x0, y0 + 1, fill) * (1 - ax) * ay +
                            Sample(s, b, w, h, x0 + 1, y0 + 1, fill) * ax * ay;
                    }
                }
            }
        }

        return new FloatImage(c, h, w, output);
    }

    /// <summary>
    /// Warps about the image centre: output = centre + translation + scale * rotation(degrees, counter-clockwise
    /// as seen on screen) * (input - centre). Bilinear, <paramref name="fill"/> outside.
    /// </summary>
    public static FloatImage Affine(FloatImage src, double degrees, double translateX, double translateY, double scale, float fill)
    {
        if (scale <= 0) throw new ArgumentOutOfRangeException(nameof(scale), "scale must be positive");
        double rad = degrees * Math.PI / 180.0;
        double cos = Math.Cos(rad), sin = Math.Sin(rad);
        double quarter = degrees / 90.0;
        if (Math.Abs(quarter - Math.Round(quarter)) < 1e-12)
        {
            int q = (((int)Math.Round(quarter) % 4) + 4) % 4;
            (cos, sin) = q switch { 0 => (1.0, 0.0), 1 => (0.0, 1.0), 2 => (-1.0, 0.0), _ => (0.0, -1.0) };
        }

        double cx = (src.Width - 1) / 2.0, cy = (src.Height - 1) / 2.0;
        // Inverse: input = c + R^-1 (output - c - t) / s, R^-1 = [[cos, -sin], [sin, cos]].
        double a = cos / scale, b = -sin / scale, d = sin / scale, e = cos / scale;
        double ox = -cx - translateX, oy = -cy - translateY;
        return Warp(src, a, b, a * ox + b * oy + cx, d, e, d * ox + e * oy + cy, fill);
    }

    /// <summary>Copies the box out of <paramref name="src"/>; parts of the box outside the image are <paramref name="fill"/>.</summary>
    public static FloatImage Crop(FloatImage src, int top, int left, int height, int width, float fill = 0)
    {
        int c = src.Channels, h = src.Height, w = src.Width;
        var output = new float[c * height * width];
        bool inside = top >= 0 && left >= 0 && top + height <= h && left + width <= w;
        if (!inside && fill != 0) output.AsSpan().Fill(fill);
        int y0 = Math.Max(0, top), y1 = Math.Min(h, top + height);
        int x0 = Math.Max(0, left), x1 = Math.Min(w, left + width);
        if (x1 > x0)
        {
            for (int ch = 0; ch < c; ch++)
            {
                for (int y = y0; y < y1; y++)
                {
                    src.Data.AsSpan((ch * h + y) * w + x0, x1 - x0)
                        .CopyTo(output.AsSpan((ch * height + (y - top)) * width + (x0 - left)));
                }
            }
        }

        return new FloatImage(c, height, width, output);
    }

    /// <summary>Mirrors left-right in place.</summary>
    public static void FlipHorizontalInPlace(FloatImage image)
    {
        int rows = image.Channels * image.Height, w = image.Width;
        for (int r = 0; r < rows; r++) image.Data.AsSpan(r * w, w).Reverse();
    }

    private static float Sample(float[] s, int b, int w, int h, int x, int y, float fill) =>
        (uint)x < (uint)w && (uint)y < (uint)h ? s[b + y * w + x] : fill;

    private static void Scale(Span<float> dst, ReadOnlySpan<float> src, float weight)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && dst.Length >= Vector<float>.Count)
        {
            var d = MemoryMarshal.Cast<float, Vector<float>>(dst);
            var s = MemoryMarshal.Cast<float, Vector<float>>(src);
            var wv = new Vector<float>(weight);
            for (int v = 0; v < d.Length; v++) d[v] = s[v] * wv;
            i = d.Length * Vector<float>.Count;
        }

        for (; i < dst.Length; i++) dst[i] = src[i] * weight;
    }

    private static void MulAdd(Span<float> dst, ReadOnlySpan<float> src, float weight)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && dst.Length >= Vector<float>.Count)
        {
            var d = MemoryMarshal.Cast<float, Vector<float>>(dst);
            var s = MemoryMarshal.Cast<float, Vector<float>>(src);
            var wv = new Vector<float>(weight);
            for (int v = 0; v < d.Length; v++) d[v] += s[v] * wv;
            i = d.Length * Vector<float>.Count;
        }

        for (; i < dst.Length; i++) dst[i] += src[i] * weight;
    }

    /// <summary>
    /// The horizontal pass when no output pixel has more than two taps (every upscale, and downscales by less than
    /// about 1.5x): two gathers and two multiplies per output, bounds checks hoisted (the tap indices were clipped
    /// to the row when the weights were built). Same arithmetic, in the same order, as the general pass.
    /// </summary>
    private static void HorizontalTwoTap(float[] src, int inH, int inW, int channels, int rowLo, int rows, float[] tmp, int outWidth, AxisWeights hx)
    {
        var i0 = new int[outWidth];
        var i1 = new int[outWidth];
        var w0 = new float[outWidth];
        var w1 = new float[outWidth];
        for (int ox = 0; ox < outWidth; ox++)
        {
            int start = hx.Start[ox];
            i0[ox] = start;
            w0[ox] = hx.W[ox * hx.Stride];
            bool two = hx.Count[ox] == 2;
            i1[ox] = two ? start + 1 : start;
            w1[ox] = two ? hx.W[ox * hx.Stride + 1] : 0f;
        }

        ref int r0 = ref MemoryMarshal.GetArrayDataReference(i0);
        ref int r1 = ref MemoryMarshal.GetArrayDataReference(i1);
        ref float rw0 = ref MemoryMarshal.GetArrayDataReference(w0);
        ref float rw1 = ref MemoryMarshal.GetArrayDataReference(w1);
        for (int ch = 0; ch < channels; ch++)
        {
            for (int y = rowLo; y < rowLo + rows; y++)
            {
                ref float srcRow = ref MemoryMarshal.GetReference(src.AsSpan((ch * inH + y) * inW, inW));
                ref float dstRow = ref MemoryMarshal.GetReference(tmp.AsSpan((ch * rows + (y - rowLo)) * outWidth, outWidth));
                for (int ox = 0; ox < outWidth; ox++)
                {
                    float a = Unsafe.Add(ref srcRow, Unsafe.Add(ref r0, ox)) * Unsafe.Add(ref rw0, ox);
                    float b = Unsafe.Add(ref srcRow, Unsafe.Add(ref r1, ox)) * Unsafe.Add(ref rw1, ox);
                    Unsafe.Add(ref dstRow, ox) = a + b;
                }
            }
        }
    }

    private static void HorizontalGeneral(float[] src, int inH, int inW, int channels, int rowLo, int rows, float[] tmp, int outWidth, AxisWeights hx)
    {
        int[] hStart = hx.Start, hCount = hx.Count;
        float[] hW = hx.W;
        int hStride = hx.Stride;
        for (int ch = 0; ch < channels; ch++)
        {
            for (int y = rowLo; y < rowLo + rows; y++)
            {
                ReadOnlySpan<float> srcRow = src.AsSpan((ch * inH + y) * inW, inW);
                Span<float> dstRow = tmp.AsSpan((ch * rows + (y - rowLo)) * outWidth, outWidth);
                for (int ox = 0; ox < dstRow.Length; ox++)
                {
                    ReadOnlySpan<float> px = srcRow.Slice(hStart[ox], hCount[ox]);
                    ReadOnlySpan<float> wt = hW.AsSpan(ox * hStride, px.Length);
                    float acc = px[0] * wt[0];
                    for (int k = 1; k < px.Length; k++) acc += px[k] * wt[k];
                    dstRow[ox] = acc;
                }
            }
        }
    }

    private sealed record AxisWeights(int[] Start, int[] Count, float[] W, int Stride)
    {
        public int MaxCount { get; } = Count.Max();
    }

    private static AxisWeights Weights(double origin, double length, int outLen, int inLen, bool antialias)
    {
        double scale = length / outLen;
        double fs = antialias ? Math.Max(scale, 1.0) : 1.0;
        double support = fs;
        int stride = (int)Math.Ceiling(support) * 2 + 2;
        // The filter reads only pixels of the window (as cropping first, then resizing), clipped to the image.
        int windowLo = Math.Clamp((int)Math.Floor(origin), 0, inLen - 1);
        int windowHi = Math.Clamp((int)Math.Ceiling(origin + length), windowLo + 1, inLen);
        var start = new int[outLen];
        var count = new int[outLen];
        var w = new float[outLen * stride];
        for (int i = 0; i < outLen; i++)
        {
            double center = origin + (i + 0.5) * scale;
            int lo = Math.Max(windowLo, (int)Math.Floor(center - support + 0.5));
            int hi = Math.Min(windowHi, (int)Math.Floor(center + support + 0.5));
            if (hi - lo > stride) hi = lo + stride;
            double sum = 0;
            for (int k = lo; k < hi; k++)
            {
                double t = 1.0 - Math.Abs((k + 0.5 - center) / fs);
                double wk = t > 0 ? t : 0;
                w[i * stride + (k - lo)] = (float)wk;
                sum += wk;
            }

            if (sum <= 0)
            {
                // The window centre is outside the image: take the nearest edge pixel.
                int nearest = Math.Clamp((int)Math.Floor(center), windowLo, windowHi - 1);
                lo = nearest;
                hi = nearest + 1;
                w[i * stride] = 1;
                sum = 1;
            }

            for (int k = 0; k < hi - lo; k++) w[i * stride + k] = (float)(w[i * stride + k] / sum);
            start[i] = lo;
            count[i] = hi - lo;
        }

        return new AxisWeights(start, count, w, stride);
    }
}
