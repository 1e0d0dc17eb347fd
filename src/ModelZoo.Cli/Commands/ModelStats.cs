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
#if MODELZOO_MODELS_MERGED
        var summary = ModelZoo.Inspection.ModelInspector.Summarize((nn.Module<Tensor, Tensor>)model, [channels, size, size]);
        return string.Create(CultureInfo.InvariantCulture, $"{summary.Parameters:N0} parameters, {summary.Macs / 1e6:N2} M MACs at {channels}x{size}x{size}");
#else
        long parameters = model.parameters().Sum(p => p.numel());
        return string.Create(CultureInfo.InvariantCulture, $"{parameters:N0} parameters (MACs need ModelZoo.Inspection; {channels}x{size}x{size} input)");
#endif
    }
}
