namespace ModelZoo.Onnx.Quantization;

/// <summary>8-bit quantization of one tensor: <c>q = clamp(round(x / Scale) + ZeroPoint, qmin, qmax)</c>.</summary>
internal readonly record struct QuantParams(float Scale, int ZeroPoint)
{
    /// <summary>
    /// Asymmetric 8-bit parameters for the range (widened to hold 0, so that zero padding and ReLU's zeros are exact):
    /// scale = (high - low) / 255, zero point = round(qmin - low / scale), with [qmin, qmax] = [-128, 127] for int8 and
    /// [0, 255] for uint8. A range of one point gets scale 1 and the zero point of 0, as ONNX Runtime does.
    /// </summary>
    public static QuantParams ForRange(float low, float high, QuantizedActivationType type)
    {
        int qmin = type == QuantizedActivationType.Int8 ? -128 : 0;
        double lo = Math.Min(low, 0.0), hi = Math.Max(high, 0.0);
        if (!(hi > lo) || double.IsInfinity(hi - lo)) return new QuantParams(1f, 0);
        float scale = (float)((hi - lo) / 255.0);
        if (scale == 0) return new QuantParams(1f, 0);
        double zero = Math.Round(qmin - lo / scale, MidpointRounding.ToEven);
        return new QuantParams(scale, (int)Math.Clamp(zero, qmin, qmin + 255));
    }
}
