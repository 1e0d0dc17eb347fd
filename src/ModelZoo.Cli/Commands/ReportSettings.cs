using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary>Options of <c>modelzoo report</c>.</summary>
public sealed class ReportSettings : CommandSettings
{
    /// <summary>The folder reported on.</summary>
    [CommandArgument(0, "<DIR>")]
    [Description("A run folder (train --output), an evaluation folder (evaluate --output) or an experiment folder (experiment --output).")]
    public string Folder { get; init; } = "";

    /// <summary>The HTML file.</summary>
    [CommandOption("-o|--output <FILE>")]
    [Description("The HTML file (default: DIR/report.html, replaced when it exists).")]
    public string? Output { get; init; }

    /// <summary>Replace an existing output file.</summary>
    [CommandOption("--overwrite")]
    [Description("Replace an existing --output file.")]
    public bool Overwrite { get; init; }

    /// <summary>Machine-readable output.</summary>
    [CommandOption("--json")]
    [Description("Print {\"report\": FILE, \"kind\": ..., \"bytes\": N} as JSON on stdout.")]
    public bool Json { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Folder)) return ValidationResult.Error("DIR is required: a run, evaluation or experiment folder");
        if (File.Exists(Folder)) return ValidationResult.Error($"'{Folder}' is a file; give the folder of a run, an evaluation or an experiment");
        if (!Directory.Exists(Folder)) return ValidationResult.Error($"the folder '{Folder}' does not exist");
        return ValidationResult.Success();
    }
}
