using System.ComponentModel;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary>Options of <c>modelzoo list</c>.</summary>
public sealed class ListSettings : CommandSettings
{
    /// <summary>Machine-readable output.</summary>
    [CommandOption("--json")]
    [Description("Print the model cards as a JSON array on stdout.")]
    public bool Json { get; init; }
}
