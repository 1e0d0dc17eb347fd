using ModelZoo.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Training.Experiments;

/// <summary>
/// The shallow CNN of the <c>depth</c> experiment (experiment-local, not a zoo entry): two 3x3 convolutions
/// (16 and 32 channels) with ReLU and 2x2 max pooling, then <c>32*7*7 -> 100</c> + ReLU and <c>100 -> classes</c>;
/// inputs of any size are pooled to 7x7 before the classifier.
/// </summary>
public sealed class TwoConvCnn : nn.Module<Tensor, Tensor>
{
    /// <summary>The name experiments use for it.</summary>
    public const string ModelName = "twoconv";

    private readonly Sequential features;
    private readonly Sequential classifier;

    /// <summary>Builds it for <paramref name="channels"/> input channels and <paramref name="classes"/> classes, initialised with <paramref name="init"/> (Default: He).</summary>
    public TwoConvCnn(int channels, int classes, InitScheme init = InitScheme.Default, long? seed = null) : base(nameof(TwoConvCnn))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        features = nn.Sequential(
            ("0", nn.Conv2d(channels, 16, 3, padding: 1)),
            ("1", nn.ReLU()),
            ("2", nn.MaxPool2d(2)),
            ("3", nn.Conv2d(16, 32, 3, padding: 1)),
            ("4", nn.ReLU()),
            ("5", nn.MaxPool2d(2)),
            ("6", nn.AdaptiveAvgPool2d(7)));
        classifier = nn.Sequential(
            ("0", nn.Linear(32 * 7 * 7, 100)),
            ("1", nn.ReLU()),
            ("2", nn.Linear(100, classes)));
        RegisterComponents();
        WeightInit.Apply(this, init, seed);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => classifier.call(torch.flatten(features.call(input), 1));

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            features.Dispose();
            classifier.Dispose();
        }
        base.Dispose(disposing);
    }
}
