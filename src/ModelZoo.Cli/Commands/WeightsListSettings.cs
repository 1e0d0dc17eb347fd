using System.ComponentModel;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary>Options of <c>modelzoo weights list</c>.</summary>
public sealed class WeightsListSettings : WeightsSettings
{
    /// <summary>Machine-readable output.</summary>
    [CommandOption("--json")]
    [Description("Print every known weights entry (URL, hash, licence, classes, preprocessing, accuracy, local copy) as JSON on stdout.")]
    public bool Json { get; init; }
}
