using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary>Options of <c>modelzoo report</c>.</summary>
public sealed class ReportSettings : OutputSettings
{
    /// <summary>The folder reported on.</summary>
    [CommandArgument(0, "<DIR>")]
    [Description("A run folder (train --output), an evaluation folder (evaluate --output) or an experiment folder (experiment --output).")]
    public string Folder { get; init; } = "";

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Folder)) return ValidationResult.Error("DIR is required: a run, evaluation or experiment folder");
        if (File.Exists(Folder)) return ValidationResult.Error($"'{Folder}' is a file; give the folder of a run, an evaluation or an experiment");
        if (!Directory.Exists(Folder)) return ValidationResult.Error($"the folder '{Folder}' does not exist");
        return ValidationResult.Success();
    }
}
