namespace ModelZoo.Onnx;

/// <summary>What <see cref="OnnxExporter.Export"/> wrote.</summary>
/// <param name="Path">The ONNX file (full path).</param>
/// <param name="ModelName">Registry name of the model (aliases resolved).</param>
/// <param name="Opset">Opset of the default domain.</param>
/// <param name="InputShape">Input shape with the batch dimension left out (channels, height, width).</param>
/// <param name="NumClasses">Width of the <c>logits</c> output.</param>
/// <param name="Nodes">Graph nodes.</param>
/// <param name="Initializers">Initializers (weights, biases, running statistics, pooling matrices).</param>
/// <param name="FileBytes">Size of the file.</param>
public sealed record OnnxExportInfo(string Path, string ModelName, int Opset, (long Channels, long Height, long Width) InputShape, long NumClasses, int Nodes, int Initializers, long FileBytes);
