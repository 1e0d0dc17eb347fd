namespace ModelZoo.Training;

/// <summary>An output folder or file cannot be written as asked (<see cref="OutputChecks"/>); nothing was written.</summary>
public sealed class OutputPathException : ModelZooException
{
    /// <summary>Creates the exception.</summary>
    public OutputPathException(OutputPathProblem problem, string path, string message) : base(message)
    {
        Problem = problem;
        Path = path;
    }

    /// <summary>What is wrong.</summary>
    public OutputPathProblem Problem { get; }

    /// <summary>The path as given.</summary>
    public string Path { get; }
}
