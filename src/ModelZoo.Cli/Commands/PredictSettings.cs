using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary>Options of <c>modelzoo predict</c>.</summary>
public sealed class PredictSettings : CommandSettings
{
    /// <summary>Images to classify.</summary>
    [CommandArgument(0, "<IMAGE>")]
    [Description("Image files (JPEG or PNG) to classify.")]
    public string[] Images { get; init; } = [];

    /// <summary>Checkpoint.</summary>
    [CommandOption("-c|--checkpoint <FILE>")]
    [Description("Checkpoint file, or a run folder (its best checkpoint).")]
    public string? Checkpoint { get; init; }

    /// <summary>How many classes to show.</summary>
    [CommandOption("--top <K>")]
    [Description("Show the K most probable classes (default 5).")]
    public int Top { get; init; } = 5;

    /// <summary>Machine-readable output.</summary>
    [CommandOption("--json")]
    [Description("Print the predictions as JSON on stdout.")]
    public bool Json { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Checkpoint)) return ValidationResult.Error("--checkpoint is required");
        if (Images.Length == 0) return ValidationResult.Error("at least one IMAGE is required");
        if (Top < 1) return ValidationResult.Error("--top must be at least 1");
        return ValidationResult.Success();
    }
}
