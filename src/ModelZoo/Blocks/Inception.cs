using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Blocks;

/// <summary>
/// The Inception (v1) module: four parallel branches whose outputs are concatenated on the channel axis:
/// <list type="number">
/// <item><c>branch1</c>: 1x1 convolution;</item>
/// <item><c>branch2</c>: 1x1 reduction, then 3x3 convolution;</item>
/// <item><c>branch3</c>: 1x1 reduction, then the "5x5" convolution — a 3x3 by default (what torchvision's
/// GoogLeNet does, so its weights load), a true 5x5 with <c>trueFiveByFive</c> (the paper);</item>
/// <item><c>branch4</c>: 3x3 max-pool (stride 1), then 1x1 projection.</item>
/// </list>
/// Every convolution is a <see cref="ConvBnAct"/> (conv without bias, batch norm eps 0.001, ReLU).
/// Spatial size is preserved; output channels are <c>ch1x1 + ch3x3 + ch5x5 + poolProj</c>.
/// </summary>
public sealed class Inception : nn.Module<Tensor, Tensor>
{
    private readonly ConvBnAct branch1;
    private readonly nn.Module<Tensor, Tensor> branch2;
    private readonly nn.Module<Tensor, Tensor> branch3;
    private readonly nn.Module<Tensor, Tensor> branch4;

    /// <summary>Creates the module.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="ch1x1">Output channels of the 1x1 branch.</param>
    /// <param name="ch3x3Reduce">Reduction channels before the 3x3 convolution.</param>
    /// <param name="ch3x3">Output channels of the 3x3 branch.</param>
    /// <param name="ch5x5Reduce">Reduction channels before the "5x5" convolution.</param>
    /// <param name="ch5x5">Output channels of the "5x5" branch.</param>
    /// <param name="poolProj">Output channels of the pool-projection branch.</param>
    /// <param name="trueFiveByFive">Use a real 5x5 kernel (the paper) instead of torchvision's 3x3.</param>
    /// <param name="layers">The layer factory; null means <see cref="LayerFactory.Default"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A channel number is not positive.</exception>
    public Inception(long inChannels, long ch1x1, long ch3x3Reduce, long ch3x3, long ch5x5Reduce, long ch5x5, long poolProj, bool trueFiveByFive = false,
        LayerFactory? layers = null)
        : base(nameof(Inception))
    {
        const double eps = 1e-3;
        branch1 = new ConvBnAct(inChannels, ch1x1, 1, bnEps: eps, layers: layers);
        branch2 = nn.Sequential(
            ("0", new ConvBnAct(inChannels, ch3x3Reduce, 1, bnEps: eps, layers: layers)),
            ("1", new ConvBnAct(ch3x3Reduce, ch3x3, 3, bnEps: eps, layers: layers)));
        branch3 = nn.Sequential(
            ("0", new ConvBnAct(inChannels, ch5x5Reduce, 1, bnEps: eps, layers: layers)),
            ("1", new ConvBnAct(ch5x5Reduce, ch5x5, trueFiveByFive ? 5 : 3, bnEps: eps, layers: layers)));
        branch4 = nn.Sequential(
            ("0", nn.MaxPool2d(3, stride: 1, padding: 1, ceil_mode: true)),
            ("1", new ConvBnAct(inChannels, poolProj, 1, bnEps: eps, layers: layers)));
        OutChannels = ch1x1 + ch3x3 + ch5x5 + poolProj;
        this.RegisterInOrder(("branch1", branch1), ("branch2", branch2), ("branch3", branch3), ("branch4", branch4));
    }

    /// <summary>Output channels (sum of the four branches).</summary>
    public long OutChannels { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var b1 = branch1.call(input);
        var b2 = branch2.call(input);
        var b3 = branch3.call(input);
        var b4 = branch4.call(input);
        return torch.cat(new[] { b1, b2, b3, b4 }, 1);
    }
}
