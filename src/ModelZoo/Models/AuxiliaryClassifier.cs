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
    private readonly Linear fc1;
    private readonly ReLU relu;
    private readonly Dropout dropout;
    private readonly Linear fc2;

    /// <summary>Creates the head.</summary>
    /// <param name="inChannels">Channels of the feature map it reads.</param>
    /// <param name="numClasses">Output classes.</param>
    public AuxiliaryClassifier(long inChannels, long numClasses) : base(nameof(AuxiliaryClassifier))
    {
        pool = nn.AdaptiveAvgPool2d((4, 4));
        conv = new ConvBnAct(inChannels, 128, 1, bnEps: 1e-3);
        fc1 = nn.Linear(2048, 1024);
        relu = nn.ReLU(inplace: true);
        dropout = nn.Dropout(0.7);
        fc2 = nn.Linear(1024, numClasses);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var x = conv.call(pool.call(input));
        x = relu.call(fc1.call(torch.flatten(x, 1)));
        return fc2.call(dropout.call(x));
    }
}
