namespace ModelZoo.Onnx.Quantization;

/// <summary>What <see cref="OnnxQuantizer"/> made.</summary>
/// <param name="Path">The file written (full path); empty for <see cref="OnnxQuantizer.QuantizeToBytes"/>.</param>
/// <param name="ModelName">Registry name of the model (aliases resolved).</param>
/// <param name="Method">The calibration method.</param>
/// <param name="Samples">Calibration samples seen.</param>
/// <param name="FloatBytes">Size of the float32 ONNX export of the same model (batch norm not folded, as <c>modelzoo export</c> writes it).</param>
/// <param name="FileBytes">Size of the int8 QDQ model.</param>
/// <param name="FoldedBatchNorms">Batch norms folded into convolutions before quantizing.</param>
/// <param name="QuantizedOps">Quantized nodes by op type (Relu: those ONNX Runtime folds into the quantization after them).</param>
/// <param name="FloatNodes">Nodes left in float, as "name (OpType)": ops without an int8 kernel in this layout (a constant pooling MatMul, GoogLeNet's input transform).</param>
public sealed record OnnxQuantizationInfo(string Path, string ModelName, CalibrationMethod Method, int Samples, long FloatBytes, long FileBytes,
    int FoldedBatchNorms, IReadOnlyDictionary<string, int> QuantizedOps, IReadOnlyList<string> FloatNodes)
{
    /// <summary>The int8 file's size as a fraction of the float32 export's.</summary>
    public double SizeRatio => FloatBytes == 0 ? 0 : (double)FileBytes / FloatBytes;
}
