using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary>Options of <c>modelzoo predict</c>.</summary>
public sealed class PredictSettings : ComputeSettings
{
    /// <summary>Images, folders or patterns to classify.</summary>
    [CommandArgument(0, "<IMAGE>")]
    [Description("Image files (JPEG or PNG), folders (every image under them) or patterns such as 'photos/*.jpg' or 'data/**/*.png' (quote them so the shell passes them on).")]
    public string[] Images { get; init; } = [];

    /// <summary>Checkpoint.</summary>
    [CommandOption("-c|--checkpoint <FILE>")]
    [Description("Checkpoint file, or a run folder (its best checkpoint).")]
    public string? Checkpoint { get; init; }

    /// <summary>ONNX model.</summary>
    [CommandOption("--onnx <FILE>")]
    [Description("An ONNX file from 'modelzoo export --format onnx', run in ONNX Runtime (CPU) instead of a checkpoint; its metadata gives the preprocessing and class names.")]
    public string? Onnx { get; init; }

    /// <summary>Known pretrained weights instead of a checkpoint (issue 25).</summary>
    [CommandOption("--weights <NAME>")]
    [Description("Known pretrained weights instead of a checkpoint (resnet50, resnet50.tv2_in1k; 'modelzoo weights list'): downloaded once, verified, cached; ImageNet class names shown.")]
    public string? Weights { get; init; }

    /// <summary>How many classes to show.</summary>
    [CommandOption("--top <K>")]
    [Description("Show the K most probable classes (default 5).")]
    public int Top { get; init; } = 5;

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (new[] { Checkpoint, Onnx, Weights }.Count(s => !string.IsNullOrWhiteSpace(s)) != 1)
            return ValidationResult.Error("give exactly one of --checkpoint FILE, --onnx FILE and --weights NAME");
        if (Weights is not null && WeightsSource.NameProblem("--weights", Weights) is string badWeights) return ValidationResult.Error(badWeights);
        if (Images.Length == 0) return ValidationResult.Error("at least one IMAGE is required");
        if (Top < 1) return ValidationResult.Error("--top must be at least 1");
        if (!string.IsNullOrWhiteSpace(Onnx) && (ChannelsLast || (Precision is not null && PrecisionSupport.TryParse(Precision, out var p) && p != ModelZoo.ComputePrecision.Fp32)))
            return ValidationResult.Error("--precision and --channels-last apply to --checkpoint; an ONNX file runs as exported");
        if (!string.IsNullOrWhiteSpace(Onnx) && Device is not null && !Device.Trim().Equals("cpu", StringComparison.OrdinalIgnoreCase))
            return ValidationResult.Error("--device applies to --checkpoint; an ONNX file runs in ONNX Runtime on the CPU");
        return base.Validate();
    }
}
