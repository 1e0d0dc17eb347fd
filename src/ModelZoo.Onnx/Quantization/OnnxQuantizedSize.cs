namespace ModelZoo.Onnx.Quantization;

/// <summary>Sizes of a model's ONNX files, from <see cref="OnnxQuantizer.EstimateSize"/>.</summary>
/// <param name="FloatBytes">The float32 export (<c>modelzoo export --format onnx</c>).</param>
/// <param name="Int8Bytes">The int8 QDQ model <c>modelzoo quantize</c> writes (the calibration changes only a few scalars, not the size).</param>
public sealed record OnnxQuantizedSize(long FloatBytes, long Int8Bytes)
{
    /// <summary>The int8 size as a fraction of the float32 size.</summary>
    public double Ratio => FloatBytes == 0 ? 0 : (double)Int8Bytes / FloatBytes;
}
