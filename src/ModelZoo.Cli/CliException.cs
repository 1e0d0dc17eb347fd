namespace ModelZoo.Cli;

/// <summary>
/// A failure the CLI itself detects (a bad argument, an unusable output path), with the exit code it means. The
/// message is the one line the user sees, naming the option or file.
/// </summary>
public sealed class CliException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="exitCode"><see cref="ExitCodes.Usage"/> or <see cref="ExitCodes.Failure"/>.</param>
    /// <param name="message">One line naming the option or file.</param>
    public CliException(int exitCode, string message) : base(message) => ExitCode = exitCode;

    /// <summary>Creates a usage error (exit 2).</summary>
    public CliException(string message) : this(ExitCodes.Usage, message) { }

    /// <summary>Creates a usage error (exit 2).</summary>
    public CliException() : this(ExitCodes.Usage, "usage error") { }

    /// <summary>Creates a usage error (exit 2) with an inner exception.</summary>
    public CliException(string message, Exception innerException) : base(message, innerException) => ExitCode = ExitCodes.Usage;

    /// <summary>The process exit code.</summary>
    public int ExitCode { get; }

    /// <summary>A usage error (exit 2).</summary>
    public static CliException Usage(string message) => new(ExitCodes.Usage, message);

    /// <summary>A runtime failure (exit 1).</summary>
    public static CliException Failure(string message) => new(ExitCodes.Failure, message);
}
