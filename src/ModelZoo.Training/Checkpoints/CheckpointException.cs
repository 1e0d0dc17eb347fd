namespace ModelZoo.Training;

/// <summary>A checkpoint that cannot be used: missing, truncated, altered (hash mismatch), of an unknown format, or incompatible with the model.</summary>
public class CheckpointException : ModelZooException
{
    /// <summary>Creates the exception; the message names the file.</summary>
    public CheckpointException(string path, string problem, Exception? inner = null)
        : base($"checkpoint '{path}': {problem}", inner)
    {
        Path = path;
    }

    /// <summary>The checkpoint file.</summary>
    public string Path { get; }
}
