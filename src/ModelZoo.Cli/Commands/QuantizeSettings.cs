using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary>Options of <c>modelzoo quantize</c> (<c>-o</c> is the int8 ONNX file to write).</summary>
public sealed class QuantizeSettings : OutputSettings
{
    /// <summary>The methods <c>--method</c> accepts.</summary>
    internal static readonly string[] Methods = ["minmax", "percentile", "entropy"];

    /// <summary>The types <c>--activations</c> accepts.</summary>
    internal static readonly string[] ActivationTypes = ["uint8", "int8"];

    /// <summary>Checkpoint.</summary>
    [CommandOption("-c|--checkpoint <FILE>")]
    [Description("Checkpoint file, or a run folder (its best checkpoint).")]
    public string? Checkpoint { get; init; }

    /// <summary>Calibration data.</summary>
    [CommandOption("--calibration-data <SPEC>")]
    [Description("Images to calibrate on: mnist, fashion-mnist, mnist-sample or an ImageNet-format folder (default: the data the checkpoint was trained on). Its training split is used, with the checkpoint's preprocessing.")]
    public string? CalibrationData { get; init; }

    /// <summary>Calibration samples.</summary>
    [CommandOption("--samples <N>")]
    [Description("Number of calibration images, drawn at random (--seed) from the training split; all of them if it has fewer (default 256).")]
    public int Samples { get; init; } = 256;

    /// <summary>Calibration method.</summary>
    [CommandOption("--method <METHOD>")]
    [Description("How activation ranges are chosen: minmax (the extremes seen), percentile (99.999 % of the absolute values) or entropy (TensorRT's KL-divergence calibration). Default minmax.")]
    public string Method { get; init; } = "minmax";

    /// <summary>Activation type.</summary>
    [CommandOption("--activations <TYPE>")]
    [Description("8-bit type of the activations: uint8 (U8S8, what ONNX Runtime's x86-64 kernels run; default) or int8 (S8S8). Weights are int8 either way.")]
    public string Activations { get; init; } = "uint8";

    /// <summary>Use the EMA weights.</summary>
    [CommandOption("--ema")]
    [Description("Quantize the checkpoint's model EMA weights (a run trained with --ema) instead of the raw ones.")]
    public bool Ema { get; init; }

    /// <summary>Seed of the calibration sample.</summary>
    [CommandOption("--seed <N>")]
    [Description("Seed that picks the calibration images (default 0).")]
    public int Seed { get; init; }

    /// <summary>Threads.</summary>
    [CommandOption("--threads <N>")]
    [Description("Threads for calibration (default: all cores).")]
    public int? Threads { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Checkpoint)) return ValidationResult.Error("--checkpoint is required");
        if (string.IsNullOrWhiteSpace(Output)) return ValidationResult.Error("--output is required");
        if (Samples is < 1 or > 1_000_000) return ValidationResult.Error($"--samples must be 1 to 1000000, not {Samples}");
        if (!Methods.Contains(Method.ToLowerInvariant())) return ValidationResult.Error($"--method must be minmax, percentile or entropy, not '{Method}'");
        if (!ActivationTypes.Contains(Activations.ToLowerInvariant())) return ValidationResult.Error($"--activations must be uint8 or int8, not '{Activations}'");
        if (Threads is < 1) return ValidationResult.Error($"--threads must be at least 1, not {Threads}");
        if (CalibrationData is { } d && string.IsNullOrWhiteSpace(d)) return ValidationResult.Error("--calibration-data needs a data spec, got an empty string");
        return ValidationResult.Success();
    }
}
