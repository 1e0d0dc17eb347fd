using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary>Options of <c>modelzoo inspect</c>.</summary>
public sealed class InspectSettings : CliSettings
{
    /// <summary>Model name or alias.</summary>
    [CommandOption("-m|--model <NAME>")]
    [Description("Zoo model name or family alias.")]
    public string? Model { get; init; }

    /// <summary>Input shape.</summary>
    [CommandOption("--input <CxHxW>")]
    [Description("Input shape, e.g. 3x224x224 or 1x28x28 (default: the model's default input). C sets the input channels (1 or 3).")]
    public string? Input { get; init; }

    /// <summary>Classes.</summary>
    [CommandOption("--classes <N>")]
    [Description("Number of output classes (default 1000; 10 for deepcnn).")]
    public int? Classes { get; init; }

    /// <summary>List state-dict keys instead of layers.</summary>
    [CommandOption("--state-dict")]
    [Description("List every state-dict key with its shape and dtype (to check a checkpoint's compatibility).")]
    public bool StateDict { get; init; }

    /// <summary>Memory per precision.</summary>
    [CommandOption("--precision <NAME>")]
    [Description("Also show parameter and activation memory at this compute precision (fp32, bf16 or fp16) beside fp32's; 'all' shows every precision.")]
    public string? Precision { get; init; }

    /// <summary>Parses <see cref="Input"/>; null when not given.</summary>
    public long[]? ParseInput()
    {
        if (Input is null) return null;
        var parts = Input.Split('x', 'X', ',');
        if (parts.Length != 3 || !parts.All(p => long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out long v) && v > 0))
            return null;
        return parts.Select(p => long.Parse(p, CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>The precisions <see cref="Precision"/> asks for: fp32 and the one named, or all three for <c>all</c>; empty when not given; null when invalid.</summary>
    public IReadOnlyList<ComputePrecision>? Precisions()
    {
        if (Precision is null) return [];
        if (string.Equals(Precision.Trim(), "all", StringComparison.OrdinalIgnoreCase)) return [ComputePrecision.Fp32, ComputePrecision.Bf16, ComputePrecision.Fp16];
        if (!PrecisionSupport.TryParse(Precision, out var p)) return null;
        return p == ComputePrecision.Fp32 ? [p] : [ComputePrecision.Fp32, p];
    }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Model)) return ValidationResult.Error("--model is required");
        if (Input is not null && ParseInput() is null) return ValidationResult.Error($"--input must look like CxHxW (e.g. 3x224x224), got '{Input}'");
        if (ParseInput() is { } s && s[0] is not (1 or 3)) return ValidationResult.Error("--input channels must be 1 or 3");
        if (Classes is < 1) return ValidationResult.Error("--classes must be at least 1");
        if (Precision is not null && Precisions() is null) return ValidationResult.Error($"--precision must be fp32, bf16, fp16 or all, not '{Precision}'");
        if (Precision is not null && StateDict) return ValidationResult.Error("--precision applies to the layer table, not --state-dict");
        return ValidationResult.Success();
    }
}
