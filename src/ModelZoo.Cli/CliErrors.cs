using System.Text.RegularExpressions;
using ModelZoo.Data;
using Spectre.Console.Cli;

namespace ModelZoo.Cli;

/// <summary>Maps exceptions to one message line on stderr and an exit code. Only the CLI does this; libraries throw typed errors.</summary>
public static partial class CliErrors
{
    /// <summary>The exit code and the message for <paramref name="exception"/>.</summary>
    public static (int ExitCode, string Message) Map(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is AggregateException { InnerExceptions.Count: 1 } agg) exception = agg.InnerExceptions[0];
        var (code, message) = exception switch
        {
            CliException e => (e.ExitCode, e.Message),
            CommandAppException e => (ExitCodes.Usage, Parser(e.Message)),
            UnknownModelException e => (ExitCodes.Usage, UnknownModel(e)),
            ModelZoo.Training.RunSpecException e => (ExitCodes.Usage, e.Message),
            InputTooSmallException e => (ExitCodes.Usage, e.Message),
            ModelZooException e => (ExitCodes.Failure, e.Message),
            ModelZooDataException e => (ExitCodes.Failure, e.Message),
            OperationCanceledException => (ExitCodes.Interrupted, "interrupted"),
            ArgumentException e => (ExitCodes.Usage, WithoutParameter(e)),
            FileNotFoundException e => (ExitCodes.Failure, Io(e.Message)),
            DirectoryNotFoundException e => (ExitCodes.Failure, Io(e.Message)),
            UnauthorizedAccessException e => (ExitCodes.Failure, Io(e.Message)),
            IOException e => (ExitCodes.Failure, Io(e.Message)),
            TypeInitializationException or DllNotFoundException or EntryPointNotFoundException =>
                (ExitCodes.Failure, TorchRuntime.DescribeLoadFailure(exception)),
            _ => (ExitCodes.Failure, $"unexpected error: {exception.GetType().Name}: {exception.Message}"),
        };
        return (code, OneLine(message));
    }

    /// <summary>The unknown-model message with the closest known name or alias.</summary>
    private static string UnknownModel(UnknownModelException e)
    {
        string? close = Suggestions.Closest(e.Name, Zoo.Names.Concat(Zoo.Aliases.Keys));
        return close is null ? e.Message : $"unknown model '{e.Name}'; did you mean '{close}'? Known models: {string.Join(", ", Zoo.Names.Order(Suggestions.NaturalOrder))}";
    }

    /// <summary>An <see cref="ArgumentException"/>'s message without .NET's " (Parameter 'name')" suffix.</summary>
    private static string WithoutParameter(ArgumentException e)
    {
        string m = e.Message;
        if (e.ParamName is string p) m = m.Replace($" (Parameter '{p}')", "", StringComparison.Ordinal);
        return ActualValue().Replace(m, "");
    }

    /// <summary>.NET's file-system wording in plain words, keeping the path.</summary>
    private static string Io(string m)
    {
        if (AccessDenied().Match(m) is { Success: true } a) return $"cannot open '{a.Groups[1].Value}': permission denied, or it is a folder where a file is expected";
        if (PartOfPath().Match(m) is { Success: true } p) return $"'{p.Groups[1].Value}': a folder on the way does not exist";
        if (NoFile().Match(m) is { Success: true } f) return $"'{f.Groups[1].Value}' does not exist";
        if (Exists().Match(m) is { Success: true } x) return $"'{x.Groups[1].Value}' already exists";
        if (m.Contains("No space left", StringComparison.OrdinalIgnoreCase) || m.Contains("not enough space", StringComparison.OrdinalIgnoreCase))
            return "the disk is full: " + m;
        return m;
    }

    /// <summary>Spectre's parser wording (rare: <see cref="CliArguments"/> checks first), without its .NET type names.</summary>
    private static string Parser(string m)
    {
        m = m.TrimEnd('.');
        if (ConvertFailed().Match(m) is { Success: true } c) return $"'{c.Groups[1].Value}' is not a valid value";
        return m.Length > 0 ? char.ToLowerInvariant(m[0]) + m[1..] : m;
    }

    private static string OneLine(string message) => string.Join(" ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    [GeneratedRegex("^Access to the path '(.+)' is denied\\.?$")]
    private static partial Regex AccessDenied();

    [GeneratedRegex("^Could not find a part of the path '(.+)'\\.?$")]
    private static partial Regex PartOfPath();

    [GeneratedRegex("^Could not find file '(.+)'\\.?$")]
    private static partial Regex NoFile();

    [GeneratedRegex("^The file '(.+)' already exists\\.?$")]
    private static partial Regex Exists();

    [GeneratedRegex("\\s*Actual value was .*$", RegexOptions.Singleline)]
    private static partial Regex ActualValue();

    [GeneratedRegex("^Failed to convert '(.*)' to ")]
    private static partial Regex ConvertFailed();
}
