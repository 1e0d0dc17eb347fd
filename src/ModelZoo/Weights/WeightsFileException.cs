namespace ModelZoo.Weights;

/// <summary>
/// A weight file that cannot be used: unreadable, malformed, beyond the configured limits, or not matching the model.
/// The message names the file and the problem; nothing of the file has been applied to a model when it is thrown.
/// </summary>
public sealed class WeightsFileException : ModelZooException
{
    /// <summary>Creates the exception; the message names the file.</summary>
    public WeightsFileException(string path, string problem, Exception? inner = null)
        : base($"weight file '{path}': {problem}", inner)
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>The weight file.</summary>
    public string Path { get; }

    /// <summary>What is wrong with it, without the file name.</summary>
    public string Problem { get; }
}
