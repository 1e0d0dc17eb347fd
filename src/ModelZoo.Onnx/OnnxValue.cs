namespace ModelZoo.Onnx;

/// <summary>A value in the graph being built: its name and its shape without the batch dimension.</summary>
/// <param name="Name">The ONNX value name.</param>
/// <param name="Dims">Shape after the batch dimension (e.g. channels, height, width).</param>
internal sealed record OnnxValue(string Name, long[] Dims)
{
    public override string ToString() => $"{Name} [batch, {string.Join(", ", Dims)}]";
}
