using System.ComponentModel;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// What every <c>modelzoo</c> command takes: <c>--json</c>, the machine-readable result on stdout (progress and notes go
/// to stderr). The option groups build on it: <see cref="OutputSettings"/> (where results go) and
/// <see cref="ComputeSettings"/> (where and how the model runs).
/// </summary>
public abstract class CliSettings : CommandSettings
{
    /// <summary>Machine-readable output.</summary>
    [CommandOption("--json")]
    [Description("Print the result as JSON on stdout (progress and notes go to stderr).")]
    public bool Json { get; init; }
}
