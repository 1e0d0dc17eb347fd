using ModelZoo.Data;
using Spectre.Console.Cli;

namespace ModelZoo.Cli;

/// <summary>Maps exceptions to one message line on stderr and an exit code. Only the CLI does this; libraries throw typed errors.</summary>
public static class CliErrors
{
    /// <summary>The exit code and the message for <paramref name="exception"/>.</summary>
    public static (int ExitCode, string Message) Map(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is AggregateException { InnerExceptions.Count: 1 } agg) exception = agg.InnerExceptions[0];
        return exception switch
        {
            CommandAppException e => (ExitCodes.Usage, e.Message),
            UnknownModelException e => (ExitCodes.Usage, e.Message),
            ModelZooException e => (ExitCodes.Failure, e.Message),
            ModelZooDataException e => (ExitCodes.Failure, e.Message),
            OperationCanceledException => (ExitCodes.Interrupted, "interrupted"),
            ArgumentException e => (ExitCodes.Usage, e.Message),
            FileNotFoundException e => (ExitCodes.Failure, e.Message),
            DirectoryNotFoundException e => (ExitCodes.Failure, e.Message),
            UnauthorizedAccessException e => (ExitCodes.Failure, e.Message),
            IOException e => (ExitCodes.Failure, e.Message),
            TypeInitializationException or DllNotFoundException or EntryPointNotFoundException =>
                (ExitCodes.Failure, TorchRuntime.DescribeLoadFailure(exception)),
            _ => (ExitCodes.Failure, $"unexpected error: {exception.GetType().Name}: {exception.Message}"),
        };
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }
}
