using System.Numerics;
using System.Runtime.InteropServices;

namespace ModelZoo.Data.Transforms;

/// <summary>(x - mean[c]) / std[c] per channel, in place. Statistics for another channel count are adapted with <see cref="Normalization.ForChannels"/>.</summary>
public sealed class Normalize : ITransform
{
    /// <summary>Creates the transform from a <see cref="Data.Normalization"/>.</summary>
    public Normalize(Normalization normalization)
    {
        ArgumentNullException.ThrowIfNull(normalization);
        if (normalization.Mean.Length != normalization.Std.Length || normalization.Mean.Length == 0)
            throw new ArgumentException("mean and std must have the same, non-zero length");
        if (normalization.Std.Any(s => !(s > 0))) throw new ArgumentException("std must be positive");
        Normalization = normalization;
    }

    /// <summary>Creates the transform from per-channel values.</summary>
    public Normalize(float[] mean, float[] std)
        : this(new Normalization(mean, std))
    {
    }

    /// <summary>The statistics.</summary>
    public Normalization Normalization { get; }

    /// <inheritdoc />
    public FloatImage Apply(FloatImage image, Random random)
    {
        var n = Normalization.ForChannels(image.Channels);
        int plane = image.Height * image.Width;
        for (int c = 0; c < image.Channels; c++)
        {
            float mean = n.Mean[c], inv = 1f / n.Std[c];
            var span = image.Data.AsSpan(c * plane, plane);
            int i = 0;
            if (Vector.IsHardwareAccelerated && span.Length >= Vector<float>.Count)
            {
                var vectors = MemoryMarshal.Cast<float, Vector<float>>(span);
                var meanV = new Vector<float>(mean);
                var invV = new Vector<float>(inv);
                for (int v = 0; v < vectors.Length; v++) vectors[v] = (vectors[v] - meanV) * invV;
                i = vectors.Length * Vector<float>.Count;
            }

            for (; i < span.Length; i++) span[i] = (span[i] - mean) * inv;
        }

        return image;
    }

    /// <inheritdoc />
    public override string ToString() => $"Normalize(mean=[{string.Join(", ", Normalization.Mean)}], std=[{string.Join(", ", Normalization.Std)}])";
}
