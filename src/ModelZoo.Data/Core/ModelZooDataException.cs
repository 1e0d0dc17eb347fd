namespace ModelZoo.Data;

/// <summary>
/// Base of every error the data library raises for bad input: a file that is missing, malformed,
/// truncated, too large, or a data spec that cannot be resolved. The message names the file and the problem.
/// </summary>
public class ModelZooDataException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, in a sentence that names the file.</param>
    /// <param name="path">The offending file or folder, when there is one.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public ModelZooDataException(string message, string? path = null, Exception? inner = null)
        : base(message, inner)
    {
        Path = path;
    }

    /// <summary>The offending file or folder, when there is one.</summary>
    public string? Path { get; }
}
