using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary>Options of <c>modelzoo weights download</c>.</summary>
public sealed class WeightsDownloadSettings : WeightsSettings
{
    /// <summary>Known weights name or URL.</summary>
    [CommandArgument(0, "<NAME|URL>")]
    [Description("Known weights (resnet50.tv2_in1k, or resnet50 for its default; 'modelzoo weights list' shows them) or an https:// or file:// URL.")]
    public string Weights { get; init; } = "";

    /// <summary>Expected SHA-256 of a URL's file.</summary>
    [CommandOption("--sha256 <HEX>")]
    [Description("SHA-256 of the file behind a URL (64 hex digits, or a prefix of at least 8); needed unless the file name carries torch.hub's hash prefix (NAME-1a2b3c4d.pth).")]
    public string? Sha256 { get; init; }

    /// <summary>Machine-readable output.</summary>
    [CommandOption("--json")]
    [Description("Print the name, URL, cached path, size and SHA-256 as JSON on stdout.")]
    public bool Json { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Weights)) return ValidationResult.Error("give known weights (NAME) or a URL");
        if (!WeightsSource.IsUrl(Weights) && (File.Exists(Weights) || Directory.Exists(Weights)))
            return ValidationResult.Error($"'{Weights}' is a local path: nothing to download; give known weights or a URL");
        if (WeightsSource.Problem("weights download", Weights) is string problem) return ValidationResult.Error(problem);
        if (Sha256 is not null && (Sha256.Trim().Length is < 8 or > 64 || !Sha256.Trim().All(Uri.IsHexDigit)))
            return ValidationResult.Error($"--sha256 must be 64 hex digits (or a prefix of at least 8), not '{Sha256}'");
        return ValidationResult.Success();
    }
}
