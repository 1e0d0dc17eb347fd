namespace ModelZoo.Data.Idx;

/// <summary>An IDX file (MNIST format) is malformed: wrong magic, bad sizes, truncated, trailing bytes, bad gzip or bad labels.</summary>
public sealed class InvalidIdxFileException : ModelZooDataException
{
    /// <summary>Creates the exception; the message is prefixed with the file name.</summary>
    /// <param name="path">The offending file (or resource name).</param>
    /// <param name="problem">What is wrong.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public InvalidIdxFileException(string path, string problem, Exception? inner = null)
        : base($"Invalid IDX file '{path}': {problem}", path, inner)
    {
        Problem = problem;
    }

    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; }
}
