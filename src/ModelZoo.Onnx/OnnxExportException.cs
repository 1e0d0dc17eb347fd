namespace ModelZoo.Onnx;

/// <summary>
/// A model (or one of its modules) that the ONNX exporter cannot express: an unknown module type, an
/// unsupported setting (a convolution with non-zero padding mode, a batch norm without running statistics,
/// an adaptive pool the export size does not allow), or a graph too large for one protobuf file.
/// The message names the module path (<c>layer1.0.conv1</c>; <c>(model)</c> for the root) and its type; no file has been written when it is thrown.
/// </summary>
public sealed class OnnxExportException : ModelZooException
{
    /// <summary>Creates the exception; the message names the module path and type.</summary>
    public OnnxExportException(string modulePath, string moduleType, string problem, Exception? inner = null)
        : base($"ONNX export: module '{(modulePath.Length == 0 ? "(model)" : modulePath)}' ({moduleType}): {problem}", inner)
    {
        ModulePath = modulePath;
        ModuleType = moduleType;
        Problem = problem;
    }

    /// <summary>The module's path in the model, as in the state dict (empty for the model itself).</summary>
    public string ModulePath { get; }

    /// <summary>The module's .NET type name.</summary>
    public string ModuleType { get; }

    /// <summary>What cannot be exported, without the module path.</summary>
    public string Problem { get; }
}
