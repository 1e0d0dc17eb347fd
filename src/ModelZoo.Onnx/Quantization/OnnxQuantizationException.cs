namespace ModelZoo.Onnx.Quantization;

/// <summary>
/// Quantization could not proceed: no calibration samples, a calibration batch of the wrong shape or type, or ONNX
/// Runtime refused the calibration graph. No file has been written when it is thrown.
/// </summary>
public sealed class OnnxQuantizationException : ModelZooException
{
    /// <summary>Creates the exception.</summary>
    public OnnxQuantizationException(string message, Exception? inner = null) : base($"quantization: {message}", inner) { }
}
