namespace ModelZoo.Cli;

/// <summary>The process exit codes of <c>modelzoo</c> (documented in docs/cli.md).</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Success = 0;

    /// <summary>A failure: bad data, bad checkpoint, non-finite loss, unavailable device, I/O error.</summary>
    public const int Failure = 1;

    /// <summary>A usage error: unknown command or option, invalid option value, unknown model.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted by Ctrl+C (SIGINT), 128 + 2.</summary>
    public const int Interrupted = 130;

    /// <summary>Terminated by SIGTERM, 128 + 15.</summary>
    public const int Terminated = 143;
}
