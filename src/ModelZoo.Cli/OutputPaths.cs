using ModelZoo.Training;

namespace ModelZoo.Cli;

/// <summary>
/// The CLI's face of <see cref="OutputChecks"/>: every path a command will write is checked before the work starts,
/// and each problem becomes one <see cref="CliException"/> naming the option and the path: exit 2 for "already there"
/// (use <c>--overwrite</c>), exit 1 for the rest.
/// </summary>
public static class OutputPaths
{
    /// <summary>Space every write needs at least, whatever the estimate: 8 MB.</summary>
    public const long MinimumFreeBytes = OutputChecks.MinimumFreeBytes;

    /// <summary>Checks an output folder (<see cref="OutputChecks.CheckFolder"/>).</summary>
    /// <param name="option">The option, for the message (<c>--output</c>).</param>
    /// <param name="path">The folder.</param>
    /// <param name="overwrite">Whether a non-empty folder may be replaced.</param>
    /// <param name="bytesNeeded">About how much will be written.</param>
    /// <param name="whenNotEmpty">What to suggest for a non-empty folder (after "is not empty; ").</param>
    /// <param name="createParents">Create missing parent folders instead of failing.</param>
    /// <returns>Whether the folder exists and is not empty (it will be replaced).</returns>
    public static bool CheckFolder(string option, string path, bool overwrite, long bytesNeeded, string whenNotEmpty, bool createParents = false)
    {
        try
        {
            return OutputChecks.CheckFolder(path, overwrite, bytesNeeded, createParents);
        }
        catch (OutputPathException e)
        {
            throw ToCli(option, e, whenNotEmpty);
        }
    }

    /// <summary>Checks an output file (<see cref="OutputChecks.CheckFile"/>).</summary>
    public static void CheckFile(string option, string path, bool overwrite, long bytesNeeded)
    {
        try
        {
            OutputChecks.CheckFile(path, overwrite, bytesNeeded);
        }
        catch (OutputPathException e)
        {
            throw ToCli(option, e, "use --overwrite to replace it or choose another file");
        }
    }

    /// <summary>
    /// The one-line error for <paramref name="e"/> about <paramref name="option"/>: exit 2 for an invalid path or one that
    /// is already there (with <paramref name="whenNotEmpty"/> as the advice for a non-empty folder), exit 1 otherwise.
    /// </summary>
    public static CliException ToCli(string option, OutputPathException e, string? whenNotEmpty)
    {
        ArgumentNullException.ThrowIfNull(e);
        string message = e.Problem == OutputPathProblem.AlreadyThere && whenNotEmpty is not null ? $"{e.Message}; {whenNotEmpty}" : e.Message;
        return e.Problem is OutputPathProblem.AlreadyThere or OutputPathProblem.Invalid
            ? CliException.Usage($"{option}{(message.StartsWith("needs ", StringComparison.Ordinal) ? " " : ": ")}{message}")
            : CliException.Failure($"{option}: {message}");
    }
}
