using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary>Options of <c>modelzoo embed</c>.</summary>
public sealed class EmbedSettings : ComputeSettings
{
    /// <summary>Images to embed.</summary>
    [CommandArgument(0, "<IMAGE>")]
    [Description("Image files (JPEG or PNG) to embed.")]
    public string[] Images { get; init; } = [];

    /// <summary>Checkpoint.</summary>
    [CommandOption("-c|--checkpoint <FILE>")]
    [Description("Checkpoint file, or a run folder (its best checkpoint).")]
    public string? Checkpoint { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Checkpoint)) return ValidationResult.Error("--checkpoint is required");
        if (Images.Length == 0) return ValidationResult.Error("at least one IMAGE is required");
        return base.Validate();
    }
}
