using System.ComponentModel;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// The output group: <c>-o|--output</c> (a folder or a file, as the command says; checked before any work by
/// <see cref="OutputPaths"/>) and <c>--overwrite</c> (replace what is there, atomically: <see cref="OutputFolder"/>),
/// plus <c>--json</c>.
/// </summary>
public abstract class OutputSettings : CliSettings
{
    /// <summary>Output folder or file.</summary>
    [CommandOption("-o|--output <PATH>")]
    [Description("Where the results go: a folder or a file, as the command's description says (each command has a default where it can).")]
    public string? Output { get; init; }

    /// <summary>Replace a non-empty output folder or an existing output file.</summary>
    [CommandOption("--overwrite")]
    [Description("Replace a non-empty --output folder or an existing --output file. The old content stays in place until the new one is complete.")]
    public bool Overwrite { get; init; }
}
