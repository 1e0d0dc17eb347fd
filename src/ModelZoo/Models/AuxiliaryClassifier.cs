using ModelZoo.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Models;

/// <summary>
/// GoogLeNet's auxiliary classifier: 4x4 adaptive average pool, 1x1 <see cref="ConvBnAct"/> to 128 channels
/// (<c>conv</c>), <c>fc1</c> 2048 -> 1024 + ReLU, dropout 0.7, <c>fc2</c> 1024 -> classes (torchvision's names).
/// </summary>
public sealed class AuxiliaryClassifier : nn.Module<Tensor, Tensor>
{
    private readonly AdaptiveAvgPool2d pool;
    private readonly ConvBnAct conv;
    private readonly nn.Module<Tensor, Tensor> fc1;
    private readonly nn.Module<Tensor, Tensor> relu;
    private readonly Dropout dropout;
    private nn.Module<Tensor, Tensor> fc2;

    /// <summary>Creates the head.</summary>
    /// <param name="inChannels">Channels of the feature map it reads.</param>
    /// <param name="numClasses">Output classes.</param>
    /// <param name="layers">The layer factory; null means <see cref="LayerFactory.Default"/>.</param>
    public AuxiliaryClassifier(long inChannels, long numClasses, LayerFactory? layers = null) : base(nameof(AuxiliaryClassifier))
    {
        layers ??= LayerFactory.Default;
        pool = nn.AdaptiveAvgPool2d((4, 4));
        conv = new ConvBnAct(inChannels, 128, 1, bnEps: 1e-3, layers: layers);
        fc1 = layers.Linear(new LinearSpec(2048, 1024));
        relu = layers.Activation();
        dropout = nn.Dropout(0.7);
        fc2 = layers.Linear(new LinearSpec(1024, numClasses));
        this.RegisterInOrder(("pool", pool), ("conv", conv), ("fc1", fc1), ("relu", relu), ("dropout", dropout), ("fc2", fc2));
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var x = conv.call(pool.call(input));
        x = relu.call(fc1.call(torch.flatten(x, 1)));
        return fc2.call(dropout.call(x));
    }

    /// <summary>Replaces <c>fc2</c> with <paramref name="build"/>'s layer (given the old one) for <paramref name="numClasses"/> outputs.</summary>
    internal void ResetClassifier(int numClasses, Func<nn.Module, nn.Module<Tensor, Tensor>> build)
    {
        var fresh = build(fc2);
        if (fresh.parameters().FirstOrDefault() is { } w && w.shape[0] != numClasses)
            throw new InvalidOperationException($"the new fc2 has {w.shape[0]} outputs, not {numClasses}");
        ModelChecks.ReplaceLastChild(this, "fc2", fresh);
        fc2 = fresh;
    }
}
