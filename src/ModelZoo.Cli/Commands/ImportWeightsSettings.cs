using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary>Options of <c>modelzoo import-weights</c>.</summary>
public sealed class ImportWeightsSettings : OutputSettings
{
    /// <summary>Zoo model.</summary>
    [CommandOption("-m|--model <NAME>")]
    [Description("Zoo model whose torchvision names the file uses (resnet18, vgg16_bn, googlenet...).")]
    public string? Model { get; init; }

    /// <summary>Weight file.</summary>
    [CommandOption("-w|--weights <NAME|URL|FILE>")]
    [Description("Known weights (resnet50.tv2_in1k; downloaded once, verified, cached), a URL, or a PyTorch state dict (.pth/.pt, torch.save zip format) or .safetensors file.")]
    public string? Weights { get; init; }

    /// <summary>SHA-256 of a --weights URL or file (issue 25).</summary>
    [CommandOption("--sha256 <HEX>")]
    [Description("With --weights URL or FILE: its SHA-256 (64 hex digits, or a prefix of at least 8), checked before use.")]
    public string? Sha256 { get; init; }

    /// <summary>Classes.</summary>
    [CommandOption("--classes <N>")]
    [Description("Output classes of the weights (default: the card's, 1000 for ImageNet models).")]
    public int? Classes { get; init; }

    /// <summary>GoogLeNet auxiliary heads.</summary>
    [CommandOption("--aux-logits")]
    [Description("GoogLeNet: the file includes the auxiliary heads (aux1, aux2).")]
    public bool AuxLogits { get; init; }

    /// <summary>GoogLeNet transform_input.</summary>
    [CommandOption("--transform-input")]
    [Description("GoogLeNet: re-normalise the input inside the network as torchvision does for its published weights (googlenet-1378be20.pth needs it).")]
    public bool TransformInput { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Model)) return ValidationResult.Error("--model is required");
        if (string.IsNullOrWhiteSpace(Weights)) return ValidationResult.Error("--weights is required");
        if (string.IsNullOrWhiteSpace(Output)) return ValidationResult.Error("--output is required");
        if (WeightsSource.Problem("--weights", Weights) is string badWeights) return ValidationResult.Error(badWeights);
        if (Classes is < 1) return ValidationResult.Error("--classes must be at least 1");
        return ValidationResult.Success();
    }
}
