using ModelZoo.Blocks;
using ModelZoo.Blocks.Binary;

namespace ModelZoo.Models;

/// <summary>
/// The binarised families of the zoo: <c>bnn-mnist</c> (<see cref="BnnMnist"/>) and <c>binary-resnet18</c>, a ResNet-18
/// built through a binarising <see cref="LayerFactory"/> in the Bi-Real / XNOR-Net manner: the 3x3 convolutions of
/// every residual block are binarised (1-bit weights with per-channel alpha = mean |W|, 1-bit activations with the
/// ApproxSign gradient) while the stem convolution, the 1x1 projection shortcuts, the batch norms and <c>fc</c> stay real-valued,
/// and the identity shortcuts carry real values. No ReLU: the sign is the non-linearity (a ReLU before a sign would
/// make every activation +1). Same names and parameter count as torchvision's resnet18.
/// </summary>
internal static class BinaryNets
{
    /// <summary>The layer options of binary-resnet18's binary convolutions.</summary>
    public static BinaryLayerOptions ResNetBinary { get; } = new() { Scaling = true, InputGradient = BinaryGradient.ApproxSign };

    /// <summary>The bnn-mnist card.</summary>
    public static ModelCard BnnMnistCard { get; } = new ModelCard("bnn-mnist", "bnn",
        "A binarised MNIST CNN (BNN): real first conv, three 1-bit 3x3 convs with batch norm, a 1-bit hidden linear layer, real classifier; STE gradients.",
        "Courbariaux, Hubara, Soudry, El-Yaniv, Bengio: Binarized Neural Networks: Training Deep Neural Networks with Weights and Activations Constrained to +1 or -1 (arXiv:1602.02830, 2016); Hubara et al., NeurIPS 2016",
        (1, 28, 28), 871_082, 19_094_528, 99.04,
        "the BNN paper, Table 1: 0.96 % MNIST test error (Theano, binarised MLP 3x4096; this smaller CNN is not the paper's network)",
        SmallInputPolicy.Auto)
    {
        DefaultClasses = 10,
        MinInputSize = 4,
        Preprocessing = Preprocessing.Mnist,
        ClassifierName = "classifier.3",
        FirstConvName = "features.0",
        FeatureNodes = ["features.2", "features.7", "features.9"],
    };

    /// <summary>
    /// The binary-resnet18 card: resnet18's (its layer names, head, first conv, feature stages and preprocessing) with the
    /// binary network's own name, description and reference, and no torchvision weights.
    /// </summary>
    public static ModelCard BinaryResNet18Card { get; } = ResNet.VariantCard("resnet18") with
    {
        Name = "binary-resnet18",
        Family = "binary",
        Summary = "ResNet-18 with 1-bit weights (alpha-scaled) and 1-bit activations in every residual block's 3x3 convs; real stem, 1x1 shortcuts, norms and fc (Bi-Real / XNOR-Net style).",
        Paper = "Rastegari, Ordonez, Redmon, Farhadi: XNOR-Net (ECCV 2016, arXiv:1603.05279); Liu, Wu, Luo, Yang, Liu, Cheng: Bi-Real Net (ECCV 2018, arXiv:1808.00278)",
        ReferenceTop1 = 56.4,
        ReferenceSource = "Bi-Real Net paper, ImageNet top-1 of Bi-Real-18 (56.4 %); XNOR-Net ResNet-18: 51.2 %; full-precision resnet18 69.8 %",
        Weights = [],
    };

    /// <summary>The binarising factory of binary-resnet18: binary 3x3 convs except the stem (input channels &lt;= 3), real 1x1 and linear layers.</summary>
    public static LayerFactory ResNetFactory(LayerFactory? real) =>
        BinaryLayers.Factory(ResNetBinary, s => s.KernelSize == 3 && s.InChannels > 3, _ => false, real);

    /// <summary>The registry entries.</summary>
    internal static IEnumerable<ZooEntry> Entries()
    {
        yield return new ZooEntry(BnnMnistCard, o => new BnnMnist(o), ["bnn"]);
        yield return new ZooEntry(BinaryResNet18Card, o => ResNet.ResNet18(o with { Layers = ResNetFactory(o.Layers) }), ["bireal-resnet18", "xnor-resnet18"]) { OptionsFamily = "resnet" };
    }
}
