using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Cli.Commands;

/// <summary>Parameter and MAC counts for the start banner.</summary>
public static class ModelStats
{
    /// <summary>"N parameters, M MACs at CxHxW".</summary>
    public static string Describe(nn.Module model, int channels, int size)
    {
        var summary = ModelZoo.Inspection.ModelInspector.Summarize((nn.Module<Tensor, Tensor>)model, [channels, size, size]);
        return string.Create(CultureInfo.InvariantCulture, $"{summary.Parameters:N0} parameters, {summary.Macs / 1e6:N2} M MACs at {channels}x{size}x{size}");
    }
}
