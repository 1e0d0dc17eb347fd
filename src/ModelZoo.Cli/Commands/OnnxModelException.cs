namespace ModelZoo.Cli.Commands;

/// <summary>An ONNX file that <c>predict --onnx</c> cannot run: not a model ONNX Runtime loads, or without ModelZoo's metadata.</summary>
public sealed class OnnxModelException : ModelZooException
{
    /// <summary>Creates the exception.</summary>
    public OnnxModelException(string path, string problem, Exception? inner = null) : base($"'{path}': {problem}", inner)
    {
        Path = path;
    }

    /// <summary>The ONNX file.</summary>
    public string Path { get; }
}
