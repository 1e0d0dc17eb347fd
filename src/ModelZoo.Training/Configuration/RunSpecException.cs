namespace ModelZoo.Training;

/// <summary>
/// A run specification that cannot run: an unknown field, a value of the wrong type or out of range, options that
/// exclude each other. The message names each option as its source spelled it (the command-line option the user typed,
/// a recipe file's field and the file, or the C# property), so the CLI shows it as it is; it is a usage error.
/// </summary>
public sealed class RunSpecException : ModelZooException
{
    /// <summary>Creates the exception from one or more problems, already spelled.</summary>
    public RunSpecException(IReadOnlyList<string> problems)
        : base(string.Join("; ", problems ?? throw new ArgumentNullException(nameof(problems))))
    {
        Problems = problems;
    }

    /// <summary>Each problem, spelled for the reader.</summary>
    public IReadOnlyList<string> Problems { get; }
}
