using ModelZoo.Cli;
using ModelZoo.Cli.Commands;
using ModelZoo.Data;
using Spectre.Console;

namespace ModelZoo.Tests.Cli;

/// <summary>Runs the real <c>modelzoo</c> app in-process with captured stdout/stderr.</summary>
internal static class CliHarness
{
    public static async Task<(int Code, string Out, string Err)> Run(params string[] args) => await Run(null, args);

    public static async Task<(int Code, string Out, string Err)> Run(IDataProvider? data, params string[] args)
    {
        var stdout = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 200;
        var err = new StringWriter();
        using var signals = new CliSignals(register: false);
        int code = await CliApp.RunAsync(args, console, err, signals, data, interactive: false);
        return (code, stdout.ToString(), err.ToString());
    }
}
