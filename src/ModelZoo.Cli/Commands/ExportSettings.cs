using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary>Options of <c>modelzoo export</c>.</summary>
public sealed class ExportSettings : OutputSettings
{
    /// <summary>Checkpoint.</summary>
    [CommandOption("-c|--checkpoint <FILE>")]
    [Description("Checkpoint file, or a run folder (its best checkpoint).")]
    public string? Checkpoint { get; init; }

    /// <summary>Known pretrained weights instead of a checkpoint (issue 25).</summary>
    [CommandOption("--weights <NAME>")]
    [Description("Known pretrained weights instead of a checkpoint (resnet50.tv2_in1k; downloaded once, verified, cached).")]
    public string? Weights { get; init; }

    /// <summary>Output format.</summary>
    [CommandOption("--format <FORMAT>")]
    [Description("Output format: onnx (an inference graph), safetensors (the state dict under torchvision's names) or packed (binarized models: 1-bit weights, 8 per byte).")]
    public string Format { get; init; } = "onnx";

    /// <summary>Opset.</summary>
    [CommandOption("--opset <N>")]
    [Description("ONNX opset (default 17).")]
    public int Opset { get; init; } = 17;

    /// <summary>Use the EMA weights.</summary>
    [CommandOption("--ema")]
    [Description("Export the checkpoint's model EMA weights (a run trained with --ema) instead of the raw ones.")]
    public bool Ema { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Checkpoint) == string.IsNullOrWhiteSpace(Weights)) return ValidationResult.Error("give exactly one of --checkpoint FILE and --weights NAME");
        if (Weights is not null && WeightsSource.NameProblem("--weights", Weights) is string badWeights) return ValidationResult.Error(badWeights);
        if (string.IsNullOrWhiteSpace(Output)) return ValidationResult.Error("--output is required");
        if (Opset is < 13 or > 21) return ValidationResult.Error($"--opset must be 13 to 21, not {Opset}");
        if (Format.ToLowerInvariant() is not ("onnx" or "safetensors" or "packed")) return ValidationResult.Error($"--format must be onnx, safetensors or packed, not '{Format}'");
        return ValidationResult.Success();
    }
}
