using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Cli.Commands;

/// <summary>Parameter and MAC counts for the start banner.</summary>
public static class ModelStats
{
    /// <summary>
    /// "N parameters, M MACs at CxHxW"; for a binarized model also how many parameters are 1-bit and the weights' packed
    /// size (1-bit weights as bits, the rest float32; what <c>export --format packed</c> stores, before its header).
    /// </summary>
    public static string Describe(ModelZoo.Inspection.ModelSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var (channels, size) = (summary.InputShape[0], summary.InputShape[1]);
        string text = string.Create(CultureInfo.InvariantCulture, $"{summary.Parameters:N0} parameters, {summary.Macs / 1e6:N2} M MACs at {channels}x{size}x{size}");
        if (summary.BinaryParameters > 0)
            text += string.Create(CultureInfo.InvariantCulture,
                $"; {summary.BinaryParameters:N0} of them 1-bit: weights packed {summary.MemoryBytes:N0} B vs {summary.Float32Bytes:N0} B in float32 ({summary.CompressionRatio:0.0}x smaller)");
        return text;
    }
}
