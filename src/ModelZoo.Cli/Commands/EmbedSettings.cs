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

    /// <summary>Known pretrained weights instead of a checkpoint (issue 25).</summary>
    [CommandOption("--weights <NAME>")]
    [Description("Known pretrained weights instead of a checkpoint (resnet50.tv2_in1k; downloaded once, verified, cached).")]
    public string? Weights { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Checkpoint) == string.IsNullOrWhiteSpace(Weights)) return ValidationResult.Error("give exactly one of --checkpoint FILE and --weights NAME");
        if (Weights is not null && WeightsSource.NameProblem("--weights", Weights) is string badWeights) return ValidationResult.Error(badWeights);
        if (Images.Length == 0) return ValidationResult.Error("at least one IMAGE is required");
        return base.Validate();
    }
}
