using Spectre.Console;

namespace ModelZoo.Cli;

/// <summary>
/// The process console for <c>modelzoo</c>. On a terminal it is Spectre's, at the terminal's width. Redirected to a
/// file or a pipe Spectre assumes 80 columns, which wraps table cells and splits file paths mid-name; there the
/// console is given <see cref="RedirectedWidth"/> columns instead, so every row is one line at its natural width
/// (tables never stretch to fill the width). <c>--json</c> output does not go through tables and is unaffected.
/// </summary>
public static class CliConsole
{
    /// <summary>Columns assumed when standard output is not a terminal: wide enough that no real row wraps.</summary>
    public const int RedirectedWidth = 4096;

    /// <summary>The console for this process, widened when standard output is redirected.</summary>
    public static IAnsiConsole ForProcess()
    {
        var console = AnsiConsole.Console;
        if (Console.IsOutputRedirected) console.Profile.Width = RedirectedWidth;
        return console;
    }
}
